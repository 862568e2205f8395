"""The proactive channel of the six mlsp-2021 services, as the acts run it.

The IPR data reach E-Sobes; the department specialist (or the system) sends the recipient an SMS request
(step 1 of the ``proactive`` route); the recipient answers with a code (step 2, the accepting step): consent
makes the consent date the application date and starts the 10 working days, and the state systems' queries
follow as system steps; a refusal, or no answer within 3 working days ("the request is deleted"), closes the
case as ``request-closed`` with the act's SMS (annex 1 cl. 12-18, annex 2 cl. 12-18, annex 3 cl. 14-20 and
70-76, annex 4 cl. 14-20).

The acts say "the appropriate code" and nothing more.  Here each request gets two random six-digit codes,
one to consent and one to refuse, sent in the request SMS and stored only as keyed digests; a code works
once, and five wrong codes lock the request (the recipient then goes to the department, as after a
refusal).  Every answer tried is logged (:class:`AnswerAttempt`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.cases import services
from qyzmet.cases import workflow as cases
from qyzmet.cases.access import AccessDenied, Actor, NotFound
from qyzmet.cases.models import Case
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core import engine
from qyzmet.core.iin import InvalidIdentifier, parse_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.regulation import Regulation
from qyzmet.directory.models import Office
from qyzmet.notify import outbox
from qyzmet.notify.models import InboundSms
from qyzmet.proactive.models import AnswerAttempt, ConsentRequest, IprRecord

CATEGORY = "proactive-recipient"
REQUEST_SMS = "proactive-request"
# The acts name the two closing SMS differently: annexes 1 and 2 "no-answer"/"consent-refused", annexes 3 and
# 4 "proactive-expired"/"proactive-declined" (the regulation files keep each act's own codes).
EXPIRED_SMS = ("no-answer", "proactive-expired")
DECLINED_SMS = ("consent-refused", "proactive-declined")
MAX_WRONG = 5
STAFF_ROLES = frozenset({"specialist", "head"})
S = ConsentRequest.State
OUT = AnswerAttempt.Outcome


# --- the services and their proactive route -------------------------------------------------------------


def proactive_route(reg: Regulation) -> str | None:
    return next((code for code, route in reg.routes.items() if route.channel == "proactive"), None)


def proactive_services() -> list[Regulation]:
    """The services the proactive channel can start: a proactive route and the recipient category it needs."""
    return sorted((r for r in shipped_catalog().regulations if proactive_route(r) and r.category(CATEGORY)),
                  key=lambda r: r.id)


def _service(reg_id: str) -> Regulation:
    reg = next((r for r in proactive_services() if r.id == reg_id), None)
    if reg is None:
        raise Invalid("regulation", _("“%(service)s” has no proactive channel.") % {"service": reg_id})
    return reg


def _rule(reg: Regulation, codes: tuple[str, ...]):
    return next((s for code in codes if (s := reg.sms_rule(code)) is not None), None)


# --- the IPR data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IprData:
    regulation: str
    iin: str
    name: str
    phone: str
    measures: str
    source: str
    language: str = "kk"
    disability_group: str = ""
    disability_until: dt.date | None = None


GROUPS = ("", "I", "II", "III")


def receive_ipr(data: IprData, office: Office, now: dt.datetime, *, entered_by=None) -> IprRecord:
    """Store the IPR data that reached E-Sobes; nothing is sent yet (see :func:`send_request`)."""
    reg = _service(data.regulation.strip())
    iin = data.iin.strip()
    try:
        parse_iin(iin)
    except InvalidIdentifier as exc:
        raise Invalid("iin", cases.invalid_iin(exc)) from None
    phone = outbox.normalise_phone(data.phone)
    if phone is None:
        raise Invalid("phone", _("The request goes by SMS: give a valid Kazakh mobile number."))
    for field, value in (("name", data.name), ("measures", data.measures), ("source", data.source)):
        if not value.strip():
            raise Invalid(field, _("This field is required."))
    if data.language not in ("kk", "ru"):
        raise Invalid("language", _("The language of service is kk or ru."))
    if data.disability_group not in GROUPS:
        raise Invalid("disability_group", _("The disability group is I, II or III."))
    if data.disability_until is not None and data.disability_until < now.date():
        raise Invalid("disability_until", _("The disability period has already ended."))
    if office.organisation.kind != "provider":
        raise Invalid("office", _("IPR data go to an employment department, not to a PSC."))
    if ConsentRequest.objects.filter(ipr__reg_id=reg.id, ipr__recipient_iin=iin, state=S.SENT).exists():
        raise Conflict(_("A request for this service is already waiting for this recipient's answer."))
    return IprRecord.objects.create(
        reg_id=reg.id, office=office, recipient_iin=iin, recipient_name=data.name.strip(), recipient_phone=phone,
        language=data.language, disability_group=data.disability_group, disability_until=data.disability_until,
        measures=data.measures.strip(), source=data.source.strip(), received_at=now, entered_by=entered_by)


# --- the request --------------------------------------------------------------------------------------------


def _key() -> bytes:
    return hashlib.sha256(f"qyzmet-proactive-code:{settings.SECRET_KEY}".encode()).digest()


def digest(case_id: int, code: str) -> str:
    return hmac.new(_key(), f"{case_id}:{code}".encode(), hashlib.sha256).hexdigest()


def new_codes() -> tuple[str, str]:
    consent = f"{secrets.randbelow(10**6):06d}"
    while (refusal := f"{secrets.randbelow(10**6):06d}") == consent:
        pass
    return consent, refusal


def codes_text(language: str, consent: str, refusal: str) -> str:
    """What the request SMS adds to the act's wording: the two codes and how to answer."""
    if language == "ru":
        return f"Согласие: ответьте {consent}. Отказ: ответьте {refusal}."
    return f"Келісім: {consent} деп жауап беріңіз. Бас тарту: {refusal} деп жауап беріңіз."


def _user(actor: Actor | None):
    return cases._user(actor) if actor is not None else None


def send_request(ipr: IprRecord, now: dt.datetime, *, actor: Actor | None = None) -> tuple[ConsentRequest, str, str]:
    """Open the proactive case and send the request SMS with its codes (step 1).  Returns the request and
    the two codes, which exist nowhere else once the SMS is queued."""
    if actor is not None and actor.office_id != ipr.office_id:
        raise NotFound(_("No such IPR record in your office."))
    reg = _service(ipr.reg_id)
    route_code = proactive_route(reg)
    category = reg.category(CATEGORY)
    rule = reg.sms_rule(REQUEST_SMS)
    if rule is None:
        raise Conflict(f"{reg.id} has no '{REQUEST_SMS}' SMS")
    row = services.register_regulation(reg)
    with transaction.atomic():
        locked = IprRecord.objects.select_for_update().get(pk=ipr.pk)
        if ConsentRequest.objects.filter(ipr=locked).exists():
            raise Conflict(_("The request for this IPR has already been sent."))
        try:
            case = services.submit(row, engine.Submit(route_code, locked.recipient_iin, category.code,
                                                      category.documents, by="e-sobes"), now,
                                   provider_office=locked.office, applicant_name=locked.recipient_name,
                                   applicant_phone=locked.recipient_phone, language=locked.language).case
            first = reg.route(route_code).steps[0]
            case = services.apply_event(case, engine.CompleteStep(first.n, by=first.role), now,
                                        actor=_user(actor)).case
        except engine.EngineError as exc:
            raise Conflict(str(exc)) from None
        task = case.tasks.filter(step=case.current_step, closed_at__isnull=True).first()
        consent, refusal = new_codes()
        request = ConsentRequest.objects.create(
            ipr=locked, case=case, phone=locked.recipient_phone, consent_digest=digest(case.pk, consent),
            refusal_digest=digest(case.pk, refusal), sent_at=now, answer_due=case.step_due,
            answer_why=task.why if task else "", answer_cite=task.cite if task else "")
        outbox.queue(case, rule, now, office_id=locked.office_id, suffix=codes_text(locked.language, consent, refusal))
    return request, consent, refusal


# --- the answer ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    outcome: str
    request: ConsentRequest | None = None
    tries_left: int | None = None


CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def _matches(request: ConsentRequest, code: str) -> str | None:
    d = digest(request.case_id, code)
    if hmac.compare_digest(d, request.consent_digest):
        return "consent"
    if hmac.compare_digest(d, request.refusal_digest):
        return "refusal"
    return None


def _log(outcome: str, now: dt.datetime, channel: str, *, request=None, phone="", iin="", text="") -> None:
    AnswerAttempt.objects.create(request=request, channel=channel, phone=phone, iin=iin, text=text[:40],
                                 outcome=outcome, at=now)


def answer(text: str, now: dt.datetime, *, channel: str, phone: str = "", iin: str = "") -> Answer:
    """A citizen's answer: by SMS from ``phone``, or on the page with their ``iin``.  Returns what happened."""
    codes = CODE.findall(text or "")
    code = codes[0] if len(codes) == 1 else ""
    with transaction.atomic():
        mine = ConsentRequest.objects.select_for_update().select_related("case")
        mine = mine.filter(phone=phone) if phone else mine.filter(case__applicant_iin=iin)
        requests = list(mine.order_by("-sent_at", "-id")) if (phone or iin) else []
        hit = next(((r, kind) for r in requests if code and (kind := _matches(r, code))), None)
        if hit is None:
            return _wrong(requests, now, channel, phone, iin, text)
        request, kind = hit
        logged = "******"  # a code that worked is never written down
        if request.state != S.SENT:
            _log(OUT.USED, now, channel, request=request, phone=phone, iin=iin, text=logged)
            return Answer(OUT.USED, request)
        if request.locked_at is not None:
            _log(OUT.LOCKED, now, channel, request=request, phone=phone, iin=iin, text=logged)
            return Answer(OUT.LOCKED, request)
        if now > request.answer_due:
            _expire(request, now)
            _log(OUT.LATE, now, channel, request=request, phone=phone, iin=iin, text=logged)
            return Answer(OUT.LATE, request)
        if kind == "consent":
            _consent(request, now, channel)
        else:
            _decline(request, now, channel)
        outcome = OUT.CONSENT if kind == "consent" else OUT.REFUSAL
        _log(outcome, now, channel, request=request, phone=phone, iin=iin, text=logged)
        return Answer(outcome, request)


def _wrong(requests: list[ConsentRequest], now: dt.datetime, channel: str, phone: str, iin: str,
           text: str) -> Answer:
    waiting = [r for r in requests if r.state == S.SENT and now <= r.answer_due]
    if not waiting:
        _log(OUT.NO_REQUEST, now, channel, phone=phone, iin=iin, text=text)
        return Answer(OUT.NO_REQUEST)
    if all(r.locked_at for r in waiting):
        _log(OUT.LOCKED, now, channel, request=waiting[0], phone=phone, iin=iin, text=text)
        return Answer(OUT.LOCKED, waiting[0])
    left = 0
    for r in waiting:
        if r.locked_at:
            continue
        r.wrong_attempts += 1
        if r.wrong_attempts >= MAX_WRONG:
            r.locked_at = now
        r.save(update_fields=["wrong_attempts", "locked_at"])
        left = max(left, MAX_WRONG - r.wrong_attempts)
    _log(OUT.WRONG, now, channel, request=waiting[0], phone=phone, iin=iin, text=text)
    return Answer(OUT.LOCKED if left == 0 else OUT.WRONG, waiting[0], tries_left=left)


def _consent(request: ConsentRequest, now: dt.datetime, channel: str) -> None:
    """Consent accepts the case (its date is the application date) and the state systems' steps follow."""
    case = request.case
    step = cases.accepting_step(services.regulation_of(case.regulation).route(case.route))
    case = services.apply_event(case, engine.CompleteStep(step.n, by=step.role), now).case
    request.case = cases.advance_system_steps(case, now)
    request.state, request.answered_at, request.channel = S.CONSENTED, now, channel
    request.save(update_fields=["state", "answered_at", "channel"])


def _close(request: ConsentRequest, now: dt.datetime, reason: str, sms: tuple[str, ...]) -> None:
    case = request.case
    reg = services.regulation_of(case.regulation)
    case = services.apply_event(case, engine.CloseRequest(reason, by="recipient" if reason == "declined"
                                                          else "e-sobes"), now).case
    request.case = case
    rule = _rule(reg, sms)
    if rule is not None:
        outbox.queue(case, rule, now, office_id=case.provider_office_id)


def _decline(request: ConsentRequest, now: dt.datetime, channel: str) -> None:
    _close(request, now, "declined", DECLINED_SMS)
    request.state, request.answered_at, request.channel = S.DECLINED, now, channel
    request.save(update_fields=["state", "answered_at", "channel"])


def _expire(request: ConsentRequest, now: dt.datetime) -> None:
    _close(request, now, "expired", EXPIRED_SMS)
    request.state = S.EXPIRED
    request.save(update_fields=["state"])


# --- inbound SMS and the sweep ------------------------------------------------------------------------------


def on_inbound(row: InboundSms) -> bool:
    """notify.inbound handler: an SMS from a number with a request is an answer, timed when it arrived."""
    if not ConsentRequest.objects.filter(phone=row.phone).exists():
        return False
    answer(row.text, row.received_at, channel="sms", phone=row.phone)
    InboundSms.objects.filter(pk=row.pk).update(processed_at=timezone.now())
    return True


def sweep(now: dt.datetime) -> dict[str, int]:
    """notify.worker sweep: read answers left unread, then delete the requests whose 3 working days ended."""
    done = {"inbound answers read": 0, "proactive requests expired": 0}
    phones = ConsentRequest.objects.values("phone")
    for row in InboundSms.objects.filter(processed_at__isnull=True, phone__in=phones, received_at__lte=now):
        done["inbound answers read"] += on_inbound(row)
    for pk in list(ConsentRequest.objects.filter(state=S.SENT, answer_due__lt=now).values_list("pk", flat=True)):
        with transaction.atomic():
            request = ConsentRequest.objects.select_for_update().select_related("case").get(pk=pk)
            if request.state == S.SENT and request.answer_due < now:
                _expire(request, now)
                done["proactive requests expired"] += 1
    return done


# --- staff ------------------------------------------------------------------------------------------------------


def require_staff(actor: Actor | None) -> Actor:
    if actor is None:
        raise AccessDenied(_("This account is not a staff member of any office."))
    if not actor.roles & STAFF_ROLES:
        raise AccessDenied(_("IPR data and proactive requests are handled by the department's specialist and "
                             "head."))
    return actor


def office_records(actor: Actor) -> QuerySet[IprRecord]:
    return IprRecord.objects.filter(office_id=actor.office_id).select_related("request__case").order_by(
        "-received_at", "-id")


def record_for(actor: Actor, pk: int) -> IprRecord:
    record = office_records(actor).filter(pk=pk).first()
    if record is None:
        raise NotFound(_("No such IPR record in your office."))
    return record


def office_of(actor: Actor) -> Office:
    return Office.objects.select_related("organisation").get(pk=actor.office_id)


def request_of(case: Case) -> ConsentRequest | None:
    return ConsentRequest.objects.filter(case=case).first()
