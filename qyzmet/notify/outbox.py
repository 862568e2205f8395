"""Queue the act's SMS in the transaction of the transition that calls for it.

An SMS of the regulation is sent by a transition when its ``trigger`` matches: ``completed`` — the event
completes that step of the case's route; ``opened`` — the transition opens the step going forward (a
submission or the completion of the step before; a case returned to the step does not count).  The
listener runs inside the transition's transaction, so the SMS row commits or rolls back with it.
"""

from __future__ import annotations

import datetime as dt

import phonenumbers

from qyzmet.cases.access import task_office_id
from qyzmet.cases.models import Case
from qyzmet.cases.services import Transition
from qyzmet.core import engine
from qyzmet.core.regulation import Regulation
from qyzmet.core.regulation import Sms as SmsRule
from qyzmet.notify.models import Sms


def normalise_phone(raw: str) -> str | None:
    """The number in E.164 if it is a valid Kazakh mobile number (+7 7xx…), else None."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, "KZ")
    except phonenumbers.NumberParseException:
        return None
    if (not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "KZ"
            or phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def render(rule: SmsRule, language: str, case_number: str) -> str:
    """The SMS text in the citizen's language (the other one if the act gives none), with the case number."""
    other = "ru" if language == "kk" else "kk"
    text = getattr(rule.text, language, None) or getattr(rule.text, other, None) or rule.text.en or ""
    return f"{case_number}: {text}"


def triggered(reg: Regulation, transition: Transition) -> list[SmsRule]:
    """The regulation's SMS that this transition sends."""
    if not reg.sms:
        return []
    route = transition.case.route
    event = transition.event
    completed = event.n if isinstance(event, engine.CompleteStep) else None
    opened: set[int] = set()
    if isinstance(event, (engine.Submit, engine.CompleteStep)):
        opened = {e.data["n"] for e in transition.effects
                  if e.kind == "task-opened" and e.data.get("purpose", "step") == "step"}
    found = []
    for rule in reg.sms:
        t = rule.trigger
        if t is None or t.route != route:
            continue
        if (t.at == "completed" and t.step == completed) or (t.at == "opened" and t.step in opened):
            found.append(rule)
    return found


def on_transition(transition: Transition) -> None:
    rules = triggered(transition.regulation, transition)
    if not rules:
        return
    case = transition.case
    route = transition.regulation.route(case.route)
    rows = []
    for rule in rules:
        step = next((s for s in route.steps if s.n == rule.trigger.step), None)  # type: ignore[union-attr]
        office_id = task_office_id(transition.regulation, step.role if step else None, case)
        rows.append(_row(case, rule, transition.now, office_id))
    _save(rows)


def queue(case: Case, rule: SmsRule, now: dt.datetime, *, office_id: int | None = None, suffix: str = "",
          phone: str = "") -> Sms:
    """Queue one of the act's SMS that no step transition sends (a portal reminder, a consent request's
    expiry); call it inside the transaction of whatever decided to send it.  ``suffix`` is appended to
    the act's text (e.g. the consent code, a reason); ``phone`` sends it to someone other than the
    applicant (a supplier's representative, annex 1 cl. 35)."""
    row = _row(case, rule, now, office_id, suffix, phone)
    _save([row])
    return row


def _row(case: Case, rule: SmsRule, now: dt.datetime, office_id: int | None, suffix: str = "",
         to: str = "") -> Sms:
    language = case.language if case.language in ("kk", "ru") else "kk"
    to = to or case.applicant_phone
    phone = normalise_phone(to)
    text = render(rule, language, case.number)
    return Sms(
        case=case, office_id=office_id or case.provider_office_id or case.office_id, code=rule.code,
        cite=rule.cite or "", phone=phone or to, language=language,
        text=f"{text} {suffix}".strip() if suffix else text,
        status=Sms.Status.QUEUED if phone else Sms.Status.INVALID_NUMBER,
        last_error="" if phone else "not a valid Kazakh mobile number",
        next_attempt_at=now if phone else None, created_at=now,
    )


def _save(rows: list[Sms]) -> None:
    for row in rows:
        row.save()
        # The primary key is the race-free sequence both SQLite and PostgreSQL give; it numbers the journal.
        row.number = row.pk
    Sms.objects.bulk_update(rows, ["number"])
