"""Attachment to a PHC organisation (Mangystau 2015 annex 3, ``mangystau-2015/phc-attachment``) and the
Register of Attached Population (БХТ) it writes.

The act: the service is rendered on the e-gov portal only (cl. 1, 6), "fully automated" (cl. 2); the applicant
authorises, fills in and signs the request (cl. 7.1-7.3), the provider processes (checks, registers) it
(cl. 7.4) and sends the result — the notification of attachment (талон), an electronic document (cl. 3) — to
the personal cabinet (cl. 7.6).  The provider's two steps wait for the organisation's ``provider`` account;
the applicant's own steps are recorded at once, as on every portal route.

The register line is written by :func:`on_transition`, a listener of ``cases.services`` called inside the
transaction that issues the result (step 7, cl. 7.7): the case and its register line commit together or not
at all.

What the act does *not* say is not enforced: it fixes no term (cl. 7.5 only mentions one), lists no documents
(cl. 7.2), gives no refusal (cl. 3, 7.4) and no rule on how often a person may change the organisation (the
"once a year, or on moving" of the national standard is not in this act).  So a request is never refused here
for those reasons, and a new attachment simply ends the current one.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from qyzmet.cases import services
from qyzmet.cases import workflow as cases
from qyzmet.cases.access import AccessDenied, Actor, Conflict, NotFound
from qyzmet.cases.models import Case, Task
from qyzmet.cases.workflow import Invalid
from qyzmet.core import engine
from qyzmet.core.calendar import to_local
from qyzmet.core.loader import shipped_catalog
from qyzmet.directory.models import Office, ServicePoint
from qyzmet.health.models import Attachment

ATTACHMENT = "mangystau-2015/phc-attachment"
PROVIDER = "provider"  # the act's only office role (cl. 7.4, 7.6)
OPEN = (Case.Status.SUBMITTED, Case.Status.IN_PROGRESS)
SENDS = 6  # the provider's step that sends the notification (cl. 7.6); step 4 processes the request (cl. 7.4)


# --- which organisations -----------------------------------------------------------------------------

def organisations() -> QuerySet[Office]:
    """The offices that take attachment requests: providers of a service point for the act's portal route."""
    reg = shipped_catalog().get(ATTACHMENT)
    route = cases.portal_route(reg)
    ids = ServicePoint.objects.filter(reg_id=ATTACHMENT, route=route).values_list("provider_id", flat=True)
    return Office.objects.filter(pk__in=ids).order_by("code")


def require_organisation(actor: Actor) -> None:
    """The register and the requests are the PHC organisation's: other offices are refused (403)."""
    if not organisations().filter(pk=actor.office_id).exists():
        raise AccessDenied(_("Your office does not attach the population: it has no service point for "
                             "“Attachment to a PHC organisation”."))


# --- the register ---------------------------------------------------------------------------------------

def current(iin: str) -> Attachment | None:
    return Attachment.objects.select_related("office", "case").filter(iin=iin, until__isnull=True).first()


def history(iin: str) -> list[Attachment]:
    """Every line of the person, newest first (the current one, then those later attachments ended)."""
    return list(Attachment.objects.select_related("office", "case").filter(iin=iin).order_by("-since", "-id"))


def record(case: Case, now: dt.datetime) -> Attachment:
    """The register line of an issued attachment; ends the person's line that was current at ``now``.

    Two organisations issuing for one person at once: the lines are locked, and where none existed yet the
    unique index lets only one of two inserts through — the other retries once and then finds that line."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _record(case, to_local(now))
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _record(case: Case, now: dt.datetime) -> Attachment:
    existing = Attachment.objects.filter(case=case).first()
    if existing is not None:
        return existing
    lines = list(Attachment.objects.select_for_update().filter(iin=case.applicant_iin).order_by("since", "id"))
    # Transitions come in time order in real use; the demo's simulated clock may record an older one later,
    # so the new line goes where its instant puts it: it ends the line current then, and is ended by the next.
    before = [a for a in lines if a.since <= now]
    after = [a for a in lines if a.since > now]
    if before and (before[-1].until is None or before[-1].until > now):
        before[-1].until = now
        before[-1].save(update_fields=["until"])
    return Attachment.objects.create(iin=case.applicant_iin, office_id=case.provider_office_id, case=case,
                                     since=now, until=after[0].since if after else None)


def on_transition(transition: services.Transition) -> None:
    """Listener: the notification of attachment was issued (step 7 recorded) → the register line."""
    if transition.regulation.id != ATTACHMENT:
        return
    if not any(e.kind == "result-issued" for e in transition.effects):
        return
    case = transition.case
    if transition.state.outcome != "positive" or not case.applicant_iin or case.provider_office_id is None:
        return
    record(case, transition.now)


def attached(actor: Actor, *, q: str = "") -> QuerySet[Attachment]:
    """The office's current attached population, newest first; ``q``: an IIN or part of a name."""
    require_organisation(actor)
    rows = Attachment.objects.filter(office_id=actor.office_id, until__isnull=True).select_related("case")
    q = q.strip()
    if q:
        digits = q.replace(" ", "")
        rows = rows.filter(iin=digits) if digits.isdigit() else rows.filter(case__applicant_name__icontains=q)
    return rows.order_by("-since", "-id")


def left(actor: Actor, limit: int = 50) -> list[Attachment]:
    """People whose attachment to this office a later one ended (they moved to another organisation)."""
    require_organisation(actor)
    return list(Attachment.objects.filter(office_id=actor.office_id, until__isnull=False)
                .select_related("case").order_by("-until", "-id")[:limit])


# --- the request -----------------------------------------------------------------------------------------

def request_online(office_code: str, iin: str, name: str, phone: str, now: dt.datetime, *,
                   language: str = "") -> Case:
    """The citizen's electronic request (cl. 7.1-7.3) to the chosen organisation; waits for its processing.

    ``cases.workflow.apply_online`` does the same but sends the case to the first office with a portal service
    point; here the applicant chooses the organisation, so the case is submitted to that one."""
    now = to_local(now)
    office = organisations().filter(code=(office_code or "").strip()).first()
    if office is None:
        raise Invalid("office", _("Choose the organisation you want to be attached to."))
    iin = "".join((iin or "").split())
    reg = shipped_catalog().get(ATTACHMENT)
    cases.check_applicant(reg, iin, "", now.date())
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("applicant.name", _("Enter your surname, name and patronymic."))
    if len(name) > 200:
        raise Invalid("applicant.name", _("At most %(n)s characters.") % {"n": 200})
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if digits and (len(digits) != 11 or digits[0] not in "78"):
        raise Invalid("applicant.phone", _("A Kazakhstan phone number has 11 digits, e.g. +7 701 234 56 78."))
    language = language or (translation.get_language() or "kk").split("-")[0]
    row = services.register_regulation(reg)
    event = engine.Submit(cases.portal_route(reg) or "main", iin, "any", (), by="applicant")
    with transaction.atomic():
        case = services.submit(row, event, now, provider_office=office, applicant_name=name,
                               applicant_phone=f"+7{digits[1:]}" if digits else "",
                               language=language if language in ("kk", "ru") else "kk").case
        return cases.advance_system_steps(case, now)


def own_case(number: str, iin: str) -> Case | None:
    """The applicant's attachment request, proved by its number and the IIN."""
    number = "".join((number or "").split()).upper()
    iin = "".join((iin or "").split())
    return (Case.objects.select_related("provider_office", "regulation")
            .filter(number=number, applicant_iin=iin, regulation__reg_id=ATTACHMENT).first())


def open_task(case: Case) -> Task | None:
    return Task.objects.filter(case=case, closed_at__isnull=True, purpose="step").first()


def stage(case: Case) -> str:
    """Where the request is, in the reader's words (the act's steps 4 and 6)."""
    if case.status == Case.Status.ISSUED:
        return _("Attached: the notification of attachment (talon) is in your personal cabinet.")
    if case.status not in OPEN:
        return _("Closed without attachment.")
    task = open_task(case)
    if task is not None and task.step == SENDS:
        return _("Checked and registered: the organisation is sending the notification of attachment (cl. 7.6).")
    return _("Sent: the organisation is processing (checking and registering) your request (cl. 7.4).")


# --- the organisation's side ------------------------------------------------------------------------------

def requests(actor: Actor) -> list[dict]:
    """The office's attachment requests still open, oldest first, with their open step."""
    require_organisation(actor)
    rows = list(Case.objects.filter(regulation__reg_id=ATTACHMENT, provider_office_id=actor.office_id,
                                    status__in=OPEN).order_by("submitted_at", "id"))
    tasks = {t.case_id: t for t in Task.objects.filter(case__in=rows, closed_at__isnull=True, purpose="step")}
    currents = {a.iin: a for a in Attachment.objects.select_related("office")
                .filter(iin__in=[c.applicant_iin for c in rows], until__isnull=True)}
    return [{"case": c, "task": tasks.get(c.pk), "sends": tasks[c.pk].step == SENDS if c.pk in tasks else False,
             "current": currents.get(c.applicant_iin)} for c in rows]


def _request_for(actor: Actor, case_id: int) -> tuple[Case, Task]:
    require_organisation(actor)
    case = (Case.objects.filter(pk=case_id, regulation__reg_id=ATTACHMENT, provider_office_id=actor.office_id)
            .first())
    if case is None:
        raise NotFound(_("No such attachment request in your office."))
    task = open_task(case)
    if task is None:
        raise Conflict(_("Request %(number)s is already processed.") % {"number": case.number})
    return case, task


def process(actor: Actor, case_id: int, now: dt.datetime) -> Case:
    """The provider's next step: check and register the request (4), or send the notification (6); the
    applicant's receipt of it (7) is recorded at once, which issues the case and writes the register line."""
    case, task = _request_for(actor, case_id)
    step = services.regulation_of(case.regulation).route(case.route).step(task.step)
    # The act has no refusal (cl. 3, 7.4): the step that sends the result can only send the notification.
    done = cases.Completion(decision="positive") if step.decides else cases.Completion()
    return cases.complete(actor, task.pk, done, to_local(now))
