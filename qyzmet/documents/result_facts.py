"""Fields of the papers whose content depends on the result: each result's own term (a talon that says when
the result will be issued), how long the result paper is valid, and the date of the step a paper refers to
(an examination certificate names the day the blood was drawn)."""

from __future__ import annotations

from qyzmet.cases.services import calendars_of
from qyzmet.core import engine
from qyzmet.core.calendar import to_local
from qyzmet.core.regulation import Regulation
from qyzmet.core.timeline import term_deadline, term_start
from qyzmet.documents import facts as f
from qyzmet.documents import plan


def result_facts(reg: Regulation, state: engine.CaseState, lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    term = reg.term_for(state.channel)
    if term is not None and term.by_result:
        start = term_start(reg, state.channel, state.submitted_at, state.accepted_at or state.submitted_at)
        calendars = calendars_of(reg)
        parts = []
        for own in term.by_result:
            deadline = term_deadline(reg, state.channel, start, calendars, own.result)
            text = own.duration_text.get(lang) if own.duration_text else str(own.duration)
            if deadline is not None:
                due = to_local(deadline.due)
                parts.append(f"{text}: {f.long_date(due.date(), lang)}")
        out["result-due"] = "; ".join(parts)
    result = plan.result_of(reg, state.outcome, state.result)
    if result is not None and result.short is not None and state.result:
        out["outcome"] = result.short.get(lang)
    if result is not None and result.valid_months and state.closed_at is not None:
        out["valid-until"] = f.long_date(engine.add_months(to_local(state.closed_at), result.valid_months).date(),
                                         lang)
    drawn = _step_producing_field(reg, state.route, "blood-draw-date")
    record = next((r for r in state.history if r.n == drawn), None)
    if record is not None:
        out["blood-draw-date"] = f.long_date(to_local(record.completed).date(), lang)
    return out


def _step_producing_field(reg: Regulation, route_code: str, field_code: str) -> int | None:
    """The step whose paper first carries ``field_code`` (the talon given at the blood draw)."""
    forms = {form.code: form for form in reg.forms}
    for step in reg.route(route_code).steps:
        for code in step.produces:
            form = forms.get(code)
            if form is not None and any(fl.code == field_code for fl in form.fields):
                return step.n
    return None
