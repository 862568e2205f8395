"""What the holder of a personal code may learn about an anonymous HIV examination (mangystau-2015 annex 4).

The code is the only key, and a talon can be lost, so the answer must be harmless in a stranger's hands:
before the certificate is handed over it says only where the case stands and where to collect the result
— never the outcome, and never a due date, because the act gives the two results different terms (cl. 5.4)
and a date would tell which one it is.  The result is handed to the applicant in person (cl. 3); after
that the page shows the certificate, which the holder already has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from qyzmet.cases.models import Case
from qyzmet.cases.services import regulation_of
from qyzmet.core import engine
from qyzmet.core.calendar import to_local
from qyzmet.core.personal_code import InvalidCode, normalise
from qyzmet.documents import plan
from qyzmet.documents.result_facts import result_facts


class Stage(StrEnum):
    REGISTERED = "registered"  # counselled; the blood is not drawn yet
    ANALYSIS = "analysis"  # blood drawn, the laboratory works
    READY = "ready"  # the result waits to be handed over in person
    ISSUED = "issued"


@dataclass(frozen=True)
class Examination:
    code: str
    stage: Stage
    office: str
    office_address: str
    blood_drawn: dt.date | None
    result: str  # the certificate's name, only once issued
    issued: dt.date | None
    valid_until: str
    cite: str


def find(code: str) -> Case | None:
    """The anonymous case registered under ``code``; None for anything else (a typo, another kind of case)."""
    try:
        normal = normalise(code)
    except InvalidCode:
        return None
    return Case.objects.select_related("regulation", "provider_office").filter(personal_code=normal).first()


def examination(case: Case, lang: str) -> Examination:
    reg = regulation_of(case.regulation)
    state = engine.state_from_dict(case.state)
    route = reg.route(case.route)
    step = route.step(state.step) if state.step else None
    if state.status is engine.Status.ISSUED:
        stage = Stage.ISSUED
    elif step is not None and step.issues:
        stage = Stage.READY
    elif state.history and any(route.step(r.n).role != route.steps[0].role for r in state.history):
        stage = Stage.ANALYSIS
    else:
        stage = Stage.REGISTERED
    extra = result_facts(reg, state, lang)
    drawn = extra.get("blood-draw-date")
    issued = stage is Stage.ISSUED
    result = plan.result_of(reg, state.outcome, state.result) if issued else None
    office = case.provider_office
    name = (getattr(office, f"name_{lang}", "") or office.name_kk) if office else reg.provider.name.get(lang)
    issuing = next((s for s in route.steps if s.issues), None)
    return Examination(
        code=case.personal_code or "", stage=stage, office=name, office_address=office.address if office else "",
        blood_drawn=dt.datetime.strptime(drawn, "%d.%m.%Y").date() if drawn else None,
        result=result.name.get(lang) if result else "",
        issued=to_local(state.closed_at).date() if issued and state.closed_at else None,
        valid_until=extra.get("valid-until", "") if issued else "",
        cite=f"{issuing.cite}; {reg.results[0].cite}" if issuing else "",
    )


__all__ = ["Examination", "Stage", "examination", "find"]
