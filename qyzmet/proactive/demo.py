"""Demo proactive cases: for every proactive service, one request answered by SMS, one on the page, one
refused, one left unanswered until the sweep deletes it, and (with a "now") one still waiting."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass

from qyzmet.cases import services
from qyzmet.core import engine
from qyzmet.core.iin import make_iin
from qyzmet.core.timeline import calendars_for
from qyzmet.notify.models import InboundSms
from qyzmet.proactive import workflow

FATES = ("consent-by-sms", "consent-on-page", "refusal", "no-answer", "waiting")
MEASURES = {
    "mlsp-2021/personal-assistant": "жеке көмекшінің қызметтері, тәулігіне 8 сағатқа дейін",
    "mlsp-2021/sign-language": "ымдау тілі маманының қызметтері, жылына 60 сағат",
    "mlsp-2021/sanatorium": "санаторий-курорттық емдеу, 14 күн",
    "mlsp-2021/prosthetic-aid": "протездік-ортопедиялық көмек: сан протезі",
    "mlsp-2021/technical-aids": "сурдо-тифлотехникалық құралдар: есту аппараты",
    "mlsp-2021/mobility-means": "арнаулы жүріп-тұру құралы: кресло-арба",
}


@dataclass(frozen=True)
class Waiting:
    """A request left open for someone to answer in the browser."""

    case: str
    service: str
    iin: str
    consent: str
    refusal: str


def run(directory, rng: random.Random, first: dt.date, days: int, names, *,
        until: dt.datetime | None = None) -> tuple[Counter, list[Waiting]]:
    from qyzmet.demo import working_start

    done: Counter = Counter()
    waiting: list[Waiting] = []
    for reg in workflow.proactive_services():
        office = directory.provider_of.get(reg.id)
        if office is None:
            continue
        calendars = calendars_for(reg)
        for fate in FATES:
            if fate == "waiting" and until is None:
                continue
            start = until - dt.timedelta(hours=2) if fate == "waiting" else working_start(rng, calendars, first,
                                                                                             days)
            if until is not None and fate != "waiting" and start > until - dt.timedelta(days=7):
                start = until - dt.timedelta(days=7 + rng.randint(0, 20))  # leave room for the 3 working days
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 50))
            iin = make_iin(birth, rng.choice(("male", "female")), rng.randint(0, 9000))
            record = workflow.receive_ipr(workflow.IprData(
                regulation=reg.id, iin=iin, name=names(rng), phone=f"+7701{rng.randint(0, 9999999):07d}",
                measures=MEASURES.get(reg.id, "ОЖБ іс-шаралары"), source=f"ОЖБ № {rng.randint(100, 9999)}",
                language=rng.choice(("kk", "kk", "ru")), disability_group=rng.choice(("I", "II", "III"))),
                office, start)
            request, consent, refusal = workflow.send_request(record, start)
            answer_at = min(start + dt.timedelta(hours=rng.randint(1, 20)), request.answer_due)
            if fate == "consent-by-sms":
                row = InboundSms.objects.create(phone=request.phone, text=consent, received_at=answer_at)
                workflow.on_inbound(row)
                _decide(request.case_id, answer_at, until)
            elif fate == "consent-on-page":
                workflow.answer(consent, answer_at, channel="web", iin=iin)
                _decide(request.case_id, answer_at, until)
            elif fate == "refusal":
                workflow.answer(refusal, answer_at, channel="sms", phone=request.phone)
            elif fate == "no-answer":
                workflow.sweep(request.answer_due + dt.timedelta(minutes=1))
            else:
                waiting.append(Waiting(request.case.number, reg.id, iin, consent, refusal))
            done[fate] += 1
    return done, waiting


def _decide(case_id: int, consented: dt.datetime, until: dt.datetime | None) -> None:
    """The specialist reports the positive decision a working hour later (the case then enters E-Sobes)."""
    from qyzmet.cases.models import Case

    case = Case.objects.get(pk=case_id)
    at = consented + dt.timedelta(hours=1)
    if case.current_step is None or (until is not None and at > until):
        return
    services.apply_event(case, engine.Decide("positive"), at)
    services.apply_event(case, engine.CompleteStep(case.current_step), at)
