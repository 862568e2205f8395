"""Complaints about a case, as the act's ``complaints:`` levels set them.

Who files: a member of staff at the counter of an office that sees the case (``cases.access``: another office's
case is not found), the applicant online for their own case (proved by its number and their IIN, as on "Check
my application"), or a system through the API.  Each complaint gets an incoming number in the register of the
office that received it, the surname and initials of the person who accepted it, and — where the act gives one —
a term counted on the calendar of the office that considers it (:mod:`qyzmet.complaints.terms`).  The considering
person is a role at an office: the provider's ``head`` (mlsp-2021: "the head of the employment department"), the
PSC branch's ``psc-head``, the quality authority's ``quality-inspector``; their inbox shows it.

Escalation is a new complaint to the next level (the quality authority: 15 working days from *its*
registration), linked to the first, when the term passed without an answer or the applicant disagrees with the
answer.  Above the quality authority the acts name only the court, which is not ours to register: the page says
so with the act's words.  An act with no complaint procedure (Almaty and Ulytau 2012, Aktogay 2013, Mangystau
2015) still lets a complaint be registered with the provider's head — a citizen always may complain — but it
gets no term and no further level, and the page names the act's gap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from qyzmet.cases.access import AccessDenied, Actor, Conflict, NotFound, Urgency, urgency
from qyzmet.cases.models import Case
from qyzmet.cases.services import regulation_of
from qyzmet.cases.workflow import Invalid
from qyzmet.complaints import terms
from qyzmet.complaints.models import Complaint, History, NumberSeries, QualityOffice
from qyzmet.core.calendar import to_local
from qyzmet.core.regulation import Complaint as Level
from qyzmet.core.regulation import Note, Regulation
from qyzmet.directory.models import Office

PREFIX = "Ш"  # шағым: the incoming register's letter
DEFAULT_ROLE = {"provider": "head", "psc": "psc-head", "quality-authority": "quality-inspector"}
BODIES = ("provider", "psc", "quality-authority")
TEXT_MAX = 10_000
NAME_MAX = 200


# --- what the act gives --------------------------------------------------------------------------

@dataclass(frozen=True)
class Option:
    """One body a complaint about a case of this regulation may be addressed to."""

    body: str
    index: int | None  # into reg.complaints; None: the act sets no complaint procedure
    level: Level | None


def options(reg: Regulation) -> list[Option]:
    """The levels a complaint may be filed with (the court is the act's last route, not a complaint of ours)."""
    found = [Option(c.body, i, c) for i, c in enumerate(reg.complaints) if c.body != "court"]
    return found or [Option("provider", None, None)]


def court(reg: Regulation) -> Level | None:
    return next((c for c in reg.complaints if c.body == "court"), None)


def gap(reg: Regulation) -> Note | None:
    """The act's recorded gap about complaints (``no-complaint-procedure``), if any."""
    return next((g for g in reg.gaps if g.about == "complaints" or "complaint" in g.code), None)


def option_for(reg: Regulation, body: str) -> Option:
    found = next((o for o in options(reg) if o.body == body), None)
    if found is None:
        offered = ", ".join(o.body for o in options(reg))
        raise Invalid("to", _("The act gives no complaint to “%(body)s” for this service (it gives: %(offered)s).")
                      % {"body": body, "offered": offered})
    return found


def level_of(reg: Regulation, complaint: Complaint) -> Level | None:
    if complaint.entry is None or complaint.entry >= len(reg.complaints):
        return None
    return reg.complaints[complaint.entry]


def considering(case: Case, option: Option) -> tuple[Office, str]:
    """The office and role that consider a complaint to ``option`` about ``case``."""
    role = (option.level.role if option.level and option.level.role else None) or DEFAULT_ROLE[option.body]
    if option.body == "provider":
        office = case.provider_office or case.office
        if office is None:  # pragma: no cover - every stored case has a provider or a receiving office
            raise Conflict(_("The case names no provider office."))
        return office, role
    if option.body == "psc":
        office = case.office
        if office is None or office.organisation.kind != "psc":
            raise Invalid("to", _("This application was not received at a PSC: a complaint to the head of a PSC "
                                  "branch does not apply to it."))
        return office, role
    provider = case.provider_office_id or case.office_id
    quality = (QualityOffice.objects.select_related("office").filter(covers__id__in=[provider, case.office_id])
               .first() or QualityOffice.objects.select_related("office").filter(covers__isnull=True).first())
    if quality is None:
        raise Conflict(_("No office of the authorised body for the quality of state services is recorded in the "
                         "directory for this case's offices; record it first (admin: quality offices)."))
    return quality.office, role


# --- who sees and does what ----------------------------------------------------------------------

def visible(actor: Actor) -> QuerySet[Complaint]:
    """Complaints this person's office received or considers, and those about the cases it sees."""
    o = actor.office_id
    return Complaint.objects.filter(Q(considering_office_id=o) | Q(receiving_office_id=o) | Q(case__office_id=o)
                                    | Q(case__provider_office_id=o))


def complaint_for(actor: Actor, pk: int, *, lock: bool = False) -> Complaint:
    query = visible(actor)
    if lock:
        # Lock the row itself: the OR over joined tables cannot take FOR UPDATE on PostgreSQL.
        if not query.filter(pk=pk).exists():
            raise NotFound(_("No such complaint in your office."))
        return (Complaint.objects.select_for_update(of=("self",))
                .select_related("case__regulation", "case__office__organisation", "case__provider_office",
                                "considering_office", "receiving_office").get(pk=pk))
    found = query.select_related("case__regulation", "case__office__organisation", "case__provider_office",
                                 "considering_office", "receiving_office", "parent").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such complaint in your office."))
    return found


def may_answer(actor: Actor, complaint: Complaint) -> bool:
    return complaint.considering_office_id == actor.office_id and actor.holds(complaint.role)


def _case_for_filing(actor: Actor, case_id: int | None = None, number: str | None = None) -> Case:
    from qyzmet.cases.access import case_for

    return case_for(actor, pk=case_id, number=number)


# --- registering -------------------------------------------------------------------------------------

def surname_initials(full_name: str) -> str:
    """"Серікова Айгүл Нұрланқызы" → "Серікова А. Н.": the act asks for the receiver's surname and initials."""
    parts = full_name.split()
    if not parts:
        return ""
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:])])


def _next_number(office: Office, now: dt.datetime) -> str:
    """The next incoming number of the office's register this year, taken under a row lock."""
    year = to_local(now).year
    NumberSeries.objects.get_or_create(office=office, year=year)
    series = NumberSeries.objects.select_for_update().get(office=office, year=year)
    series.last = F("last") + 1
    series.save(update_fields=["last"])
    series.refresh_from_db(fields=["last"])
    return f"{PREFIX}-{year}-{series.last:06d}"


def _text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid("text", _("Write what the complaint is about."))
    if len(text) > TEXT_MAX:
        raise Invalid("text", _("The complaint is longer than %(max)s characters.") % {"max": TEXT_MAX})
    return text


def _complainant(case: Case, name: str) -> str:
    if case.personal_code:
        # An anonymous examination names nobody: the complaint is registered under the case's personal code.
        if (name or "").strip():
            raise Invalid("complainant", _("The case is registered under a personal code: a complaint about it "
                                           "is registered under the same code, without a name."))
        return case.personal_code
    name = (name or "").strip() or case.applicant_name.strip()
    if not name:
        raise Invalid("complainant", _("Enter the complainant's full name."))
    if len(name) > NAME_MAX:
        raise Invalid("complainant", _("The name is longer than %(max)s characters.") % {"max": NAME_MAX})
    return name


def _user(actor: Actor | None):
    from qyzmet.cases.workflow import _user as user_of

    return user_of(actor) if actor is not None else None


def register(actor: Actor | None, case: Case, *, to: str, text: str, now: dt.datetime,
             channel: str = Complaint.Channel.COUNTER, complainant: str = "", parent: Complaint | None = None,
             reason: str = "") -> Complaint:
    """Register a complaint about ``case``: its number, the receiver, the term; the receipt in kk and ru.

    ``actor`` is the member of staff who accepts it (counter, API); None for the applicant online, when the
    complaint lands in the register of the office that considers it and no person's name is on it.
    """
    if to not in BODIES:
        raise Invalid("to", _("Choose whom the complaint is addressed to."))
    if channel not in Complaint.Channel.values or (actor is None) != (channel == Complaint.Channel.ONLINE):
        raise Invalid("channel", _("Unknown channel."))
    reg = regulation_of(case.regulation)
    option = option_for(reg, to)
    text = _text(text)
    name = _complainant(case, complainant)
    office, role = considering(case, option)
    receiving = Office.objects.get(pk=actor.office_id) if actor is not None else office
    try:
        due = terms.deadline(reg, option.level, office, now)
    except terms.NoCalendar as exc:
        raise Conflict(_("The calendar of %(office)s cannot be read: %(error)s")
                       % {"office": office, "error": exc}) from None
    with transaction.atomic():
        complaint = Complaint.objects.create(
            case=case, number=_next_number(receiving, now), registered_at=now, receiving_office=receiving,
            received_by=_user(actor), receiver_name=surname_initials(actor.full_name) if actor else "",
            body=option.body, entry=option.index, cite=(option.level.cite or "") if option.level else "",
            considering_office=office, role=role, complainant=name, text=text, channel=channel,
            due=due.due if due else None, due_why=due.why if due else "", parent=parent,
            escalation_reason=reason)
        History.objects.create(complaint=complaint, kind="registered", at=now, actor=_user(actor), channel=channel,
                               note=complaint.number)
        from qyzmet.complaints import papers

        papers.issue(complaint, "receipt", now)
    return complaint


def file_at_counter(actor: Actor, case_id: int, *, to: str, text: str, now: dt.datetime, complainant: str = "",
                    channel: str = Complaint.Channel.COUNTER) -> Complaint:
    """Staff of an office that sees the case register a complaint handed in (another office's case: 404)."""
    return register(actor, _case_for_filing(actor, case_id=case_id), to=to, text=text, now=now, channel=channel,
                    complainant=complainant)


# --- answering, escalating, closing --------------------------------------------------------------

def answer(actor: Actor, pk: int, *, outcome: str, text: str, now: dt.datetime) -> Complaint:
    """The considering person's answer, as a paper in kk and ru."""
    with transaction.atomic():
        complaint = complaint_for(actor, pk, lock=True)
        if not may_answer(actor, complaint):
            raise AccessDenied(_("Complaint %(number)s is answered by the role “%(role)s” of %(office)s.")
                               % {"number": complaint.number, "role": complaint.role,
                                  "office": complaint.considering_office})
        if complaint.status != Complaint.Status.REGISTERED:
            raise Conflict(_("Complaint %(number)s is already %(status)s.")
                           % {"number": complaint.number, "status": status_label(complaint.status)})
        if outcome not in Complaint.Outcome.values:
            raise Invalid("outcome", _("Choose the answer: upheld, partly upheld or rejected."))
        complaint.answer = _answer_text(text)
        complaint.outcome = outcome
        complaint.answered_at = now
        complaint.answered_by = _user(actor)
        complaint.answered_name = actor.full_name
        complaint.status = Complaint.Status.ANSWERED
        complaint.save(update_fields=["answer", "outcome", "answered_at", "answered_by", "answered_name", "status"])
        History.objects.create(complaint=complaint, kind="answered", at=now, actor=_user(actor), note=outcome)
        from qyzmet.complaints import papers

        papers.issue(complaint, "answer", now)
    return complaint


def _answer_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid("answer", _("Write the answer and its reasons."))
    if len(text) > TEXT_MAX:
        raise Invalid("answer", _("The answer is longer than %(max)s characters.") % {"max": TEXT_MAX})
    return text


def next_option(reg: Regulation, complaint: Complaint) -> Option:
    """The level a complaint escalates to, or a :class:`Conflict` saying why the act gives none."""
    if complaint.entry is None:
        found = gap(reg)
        raise Conflict(_("The act sets no complaint procedure (%(gap)s), so it names no body to escalate to.")
                       % {"gap": found.code if found else "no-complaint-procedure"})
    if complaint.body == Complaint.Body.QUALITY:
        last = court(reg)
        if last is not None:
            lang = translation.get_language() or "kk"
            raise Conflict(_("The act gives no complaint level above the authorised body; it names the court: "
                             "%(court)s (%(cite)s)") % {"court": (last.note or last.to).get(lang),
                                                         "cite": last.cite or ""})
        raise Conflict(_("The act gives no complaint level above this one."))
    found = next((Option(c.body, i, c) for i, c in enumerate(reg.complaints)
                  if i > complaint.entry and c.body == "quality-authority"), None)
    if found is None:
        raise Conflict(_("The act gives no complaint level above this one."))
    return found


def escalation_reason(complaint: Complaint, now: dt.datetime) -> str:
    """term-passed or disagreement; a :class:`Conflict` when neither holds yet."""
    if complaint.status == Complaint.Status.ESCALATED:
        number = getattr(getattr(complaint, "escalation", None), "number", "")
        raise Conflict(_("Complaint %(number)s was already escalated (%(next)s).")
                       % {"number": complaint.number, "next": number})
    if complaint.status == Complaint.Status.CLOSED:
        raise Conflict(_("Complaint %(number)s is closed: the applicant accepted the answer.")
                       % {"number": complaint.number})
    if complaint.status == Complaint.Status.ANSWERED:
        return "disagreement"
    if complaint.due is not None and now > complaint.due:
        return "term-passed"
    if complaint.due is None:
        raise Conflict(_("Complaint %(number)s has no term to pass; it goes further once it is answered.")
                       % {"number": complaint.number})
    from django.utils import formats

    raise Conflict(_("The answer to complaint %(number)s is due by %(due)s. A complaint goes to the next level when "
                     "its term passes without an answer, or when the applicant disagrees with the answer.")
                   % {"number": complaint.number,
                      "due": formats.date_format(to_local(complaint.due), "DATETIME_FORMAT")})


def escalate(actor: Actor | None, pk: int, *, text: str, now: dt.datetime,
             channel: str = Complaint.Channel.COUNTER, case: Case | None = None) -> Complaint:
    """A complaint to the next level, linked to ``pk``.  ``actor`` None: the applicant online, whose ``case``
    the view has proved (number + IIN)."""
    with transaction.atomic():
        if actor is not None:
            complaint = complaint_for(actor, pk, lock=True)
        else:
            complaint = (Complaint.objects.select_for_update(of=("self",)).select_related("case__regulation")
                         .filter(pk=pk, case=case).first())
            if complaint is None:
                raise NotFound(_("No such complaint."))
        reg = regulation_of(complaint.case.regulation)
        option = next_option(reg, complaint)
        reason = escalation_reason(complaint, now)
        case_row = Case.objects.select_related("regulation", "office__organisation", "provider_office").get(
            pk=complaint.case_id)
        child = register(actor, case_row, to=option.body, text=text, now=now, channel=channel,
                         complainant=complaint.complainant, parent=complaint, reason=reason)
        complaint.status = Complaint.Status.ESCALATED
        complaint.save(update_fields=["status"])
        History.objects.create(complaint=complaint, kind="escalated", at=now, actor=_user(actor), channel=channel,
                               note=f"{reason} → {child.number}")
    return child


def close(actor: Actor | None, pk: int, *, now: dt.datetime, case: Case | None = None) -> Complaint:
    """The applicant accepts the answer: nothing further is open on this complaint."""
    with transaction.atomic():
        if actor is not None:
            complaint = complaint_for(actor, pk, lock=True)
        else:
            complaint = Complaint.objects.select_for_update(of=("self",)).filter(pk=pk, case=case).first()
            if complaint is None:
                raise NotFound(_("No such complaint."))
        if complaint.status != Complaint.Status.ANSWERED:
            raise Conflict(_("Only an answered complaint can be closed."))
        complaint.status = Complaint.Status.CLOSED
        complaint.closed_at = now
        complaint.save(update_fields=["status", "closed_at"])
        History.objects.create(complaint=complaint, kind="closed", at=now, actor=_user(actor))
    return complaint


# --- words -----------------------------------------------------------------------------------------

def status_label(status: str) -> str:
    return {"registered": _("being considered"), "answered": _("answered"),
            "escalated": _("escalated to the next level"), "closed": _("closed")}.get(status, status)


def outcome_label(outcome: str) -> str:
    return {"upheld": _("upheld"), "partly": _("partly upheld"), "rejected": _("rejected")}.get(outcome, outcome)


def channel_label(channel: str) -> str:
    return {"counter": _("at the counter"), "online": _("online"), "api": _("through the API")}.get(channel, channel)


def reason_label(reason: str) -> str:
    return {"term-passed": _("the term passed without an answer"),
            "disagreement": _("the applicant disagrees with the answer")}.get(reason, reason)


def body_text(reg: Regulation, option_or_complaint: Option | Complaint, lang: str | None = None) -> str:
    """To whom, in the act's words (or ours, for an act without a procedure)."""
    lang = lang or translation.get_language() or "kk"
    if isinstance(option_or_complaint, Option):
        level = option_or_complaint.level
    else:
        level = level_of(reg, option_or_complaint)
    if level is not None:
        return level.to.get(lang)
    return _("The head of the provider (the act sets no complaint procedure)")


# --- what the pages show -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    complaint: Complaint
    to: str
    urgency: Urgency
    status: str


def _row(reg: Regulation, c: Complaint, now: dt.datetime) -> Row:
    state = urgency(c.registered_at, c.due, now) if c.is_open else Urgency.NO_TERM
    return Row(c, body_text(reg, c), state, status_label(c.status))


INBOX_LIMIT = 100


@dataclass(frozen=True)
class InboxPanel:
    rows: list[Row]
    count: int


def inbox_panel(actor: Actor, now: dt.datetime) -> InboxPanel:
    """The open complaints this person considers, the most urgent first (no term last)."""
    query = (Complaint.objects.filter(considering_office_id=actor.office_id, role__in=actor.roles,
                                      status__in=Complaint.OPEN)
             .select_related("case__regulation").defer("case__regulation__source", "case__state")
             .order_by(F("due").asc(nulls_last=True), "id"))
    rows = [_row(regulation_of(c.case.regulation), c, now) for c in query[:INBOX_LIMIT]]
    count = len(rows) if len(rows) < INBOX_LIMIT else query.count()
    return InboxPanel(rows, count)


@dataclass(frozen=True)
class CasePanel:
    case: Case
    rows: list[Row]
    options: list[tuple[str, str]]  # (body, the act's words)
    court: str
    court_cite: str
    gap: Note | None
    no_procedure: bool


def case_panel(case: Case, now: dt.datetime) -> CasePanel:
    """The complaints about a case and what a new one may be addressed to (staff case page, citizen page)."""
    reg = regulation_of(case.regulation)
    lang = translation.get_language() or "kk"
    rows = [_row(reg, c, now) for c in Complaint.objects.filter(case=case).order_by("registered_at", "id")]
    last = court(reg)
    offered = [(o.body, body_text(reg, o, lang)) for o in options(reg)]
    if case.office is None or case.office.organisation.kind != "psc":
        offered = [o for o in offered if o[0] != "psc"]
    return CasePanel(case, rows, offered, (last.note or last.to).get(lang) if last else "",
                     (last.cite or "") if last else "", gap(reg), not reg.complaints)


def papers_of(complaint: Complaint) -> list:
    from qyzmet.complaints.papers import documents_of

    return documents_of(complaint)
