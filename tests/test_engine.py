"""The case engine: every route end to end, refusals, what the regulation forbids, and replay."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qyzmet.core import engine
from qyzmet.core.calendar import parse_instant
from qyzmet.core.engine import CompleteStep, Decide, EngineError, RefuseAcceptance, Status, Submit
from qyzmet.core.iin import make_iin
from qyzmet.core.regulation import Ground, Text

IIN = make_iin(dt.date(1961, 5, 17), "male", 123)
START = parse_instant("2025-03-19T10:00")


def run_route(reg, route, category, *, refuse=None, at=START, documents=None):
    """Walk a route, doing each step at its due instant; returns (state, events, all effects)."""
    cat = reg.category(category)
    event = Submit(route, IIN, category, tuple(documents if documents is not None else cat.documents))
    state, effects = engine.apply(reg, None, event, at)
    log = [(event, at)]
    now = at
    for step in reg.route(route).steps:
        now = max(now, state.step_due or now)
        if step.decides:
            decide = Decide("refusal", (refuse,)) if refuse else Decide("positive")
            state, eff = engine.apply(reg, state, decide, now)
            log.append((decide, now))
            effects += eff
        done = CompleteStep(step.n, by="tester")
        state, eff = engine.apply(reg, state, done, now)
        log.append((done, now))
        effects += eff
    return state, log, effects


@pytest.mark.parametrize("route", ["main", "psc"])
def test_aktogay_every_route_end_to_end_in_term(aktogay, route):
    state, _log, effects = run_route(aktogay, route, "general-disease")
    assert state.status is Status.ISSUED
    assert state.outcome == "positive"
    assert state.in_term() is True
    assert state.overdue_steps == 0
    kinds = [e.kind for e in effects]
    assert kinds.count("receipt") == 1 and kinds[-1] == "result-issued"
    receipt = next(e for e in effects if e.kind == "receipt")
    assert receipt.data["kind"] == ("receipt" if route == "psc" else "talon")
    assert receipt.data["issue_by"] == state.term_due
    issued = effects[-1].data
    assert issued["result"] == "notification"


def test_aktogay_term_due_dates_worked_by_hand(aktogay):
    # main: 10 working days from Wed 19 Mar 2025 (Nauryz 21, 24, 25 Mar closed) → Mon 7 Apr 18:00.
    state, _, _ = run_route(aktogay, "main", "general-disease")
    assert state.term_due.isoformat() == "2025-04-07T18:00:00+05:00"
    # psc: accepted at 11:00 on 19 Mar (after two 30-minute PSC steps); 10 working days plus the uncounted
    # issuance day → Tue 8 Apr, closing time of the PSC (20:00).
    state, _, _ = run_route(aktogay, "psc", "general-disease")
    assert state.accepted_at.isoformat() == "2025-03-19T11:00:00+05:00"
    assert state.term_due.isoformat() == "2025-04-08T20:00:00+05:00"


def test_reasoned_refusal_carries_only_the_acts_grounds(aktogay):
    state, _, effects = run_route(aktogay, "psc", "general-disease", refuse="medical-contraindications")
    assert state.status is Status.ISSUED and state.outcome == "refusal"
    assert state.grounds == ("medical-contraindications",)
    assert effects[-1].data["result"] == "reasoned-refusal"
    decision = next(e for e in effects if e.kind == "decision")
    assert decision.data["grounds"][0]["cite"]


def test_a_ground_outside_the_closed_list_is_refused(aktogay):
    with pytest.raises(EngineError, match="not a refusal ground"):
        run_route(aktogay, "main", "general-disease", refuse="applicant-was-rude")


def test_almaty_unemployed_registration_main_route_and_refusal(almaty):
    category = almaty.categories[0].code
    state, _, _effects = run_route(almaty, "main", category)
    assert state.status is Status.ISSUED and state.outcome == "positive"
    assert state.term_due.isoformat() == "2025-04-07T18:00:00+05:00"  # 10 working days, cl. 8
    ground = almaty.refusal_grounds[0].code
    state, _, _ = run_route(almaty, "main", category, refuse=ground)
    assert state.outcome == "refusal" and state.grounds == (ground,)


def test_incomplete_documents_are_flagged_at_submission(aktogay):
    event = Submit("main", IIN, "general-disease", ("application",))
    state, effects = engine.apply(aktogay, None, event, START)
    missing = next(e for e in effects if e.kind == "incomplete-documents")
    assert {m["code"] for m in missing.data["missing"]} == {"id-copy", "irp-extract"}
    assert state.status is Status.SUBMITTED


def with_acceptance_ground(reg):
    ground = Ground(code="incomplete-package", on_missing_documents=True, cite="test",
                    text=Text(kk="құжаттар толық емес", ru="неполный пакет", en="incomplete package"))
    return reg.model_copy(update={"acceptance_refusal_grounds": (ground,)})


def test_acceptance_refusal_when_the_act_gives_a_ground(aktogay):
    reg = with_acceptance_ground(aktogay)
    state, _ = engine.apply(reg, None, Submit("psc", IIN, "general-disease", ("application",)), START)
    state, _ = engine.apply(reg, state, CompleteStep(1), START)
    with pytest.raises(EngineError, match="cannot accept: missing"):
        engine.apply(reg, state, CompleteStep(2), START)
    state, effects = engine.apply(reg, state, RefuseAcceptance("incomplete-package", by="inspector"), START)
    assert state.status is Status.ACCEPTANCE_REFUSED
    receipt = next(e for e in effects if e.kind == "acceptance-refusal-receipt")
    assert receipt.data["ground"] == "incomplete-package"
    assert set(receipt.data["missing"]) == {"id-copy", "irp-extract"}
    with pytest.raises(EngineError, match="closed"):
        engine.apply(reg, state, CompleteStep(2), START)


def test_acceptance_refusal_needs_a_ground_the_act_gives(aktogay):
    state, _ = engine.apply(aktogay, None, Submit("main", IIN, "general-disease", ()), START)
    with pytest.raises(EngineError, match="gives no ground for refusing to accept"):
        engine.apply(aktogay, state, RefuseAcceptance("incomplete-package"), START)


@pytest.mark.parametrize("event, message", [
    (CompleteStep(3), "not the current step"),
    (Decide("positive"), "must be accepted"),
    (Submit("main", IIN, "general-disease"), "already been submitted"),
])
def test_events_out_of_order_are_refused(aktogay, event, message):
    state, _ = engine.apply(aktogay, None, Submit("main", IIN, "general-disease", ()), START)
    with pytest.raises(EngineError, match=message):
        engine.apply(aktogay, state, event, START)


def test_the_deciding_step_needs_a_decision_first(aktogay):
    state, _ = engine.apply(aktogay, None, Submit("main", IIN, "general-disease", ()), START)
    route = aktogay.route("main")
    for step in route.steps:
        if step.decides:
            with pytest.raises(EngineError, match="decide"):
                engine.apply(aktogay, state, CompleteStep(step.n), START)
            return
        state, _ = engine.apply(aktogay, state, CompleteStep(step.n), START)


@pytest.mark.parametrize("submit, message", [
    (Submit("main", "123456789012", "general-disease"), "invalid IIN"),
    (Submit("portal", IIN, "general-disease"), "has no route"),
    (Submit("main", IIN, "astronaut"), "unknown applicant category"),
    (Submit("main", IIN, "general-disease", ("passport-of-mars",)), "defines no document"),
])
def test_bad_submissions_name_what_is_wrong(aktogay, submit, message):
    with pytest.raises(EngineError, match=message):
        engine.apply(aktogay, None, submit, START)


def test_an_event_in_the_past_is_refused(aktogay):
    state, _ = engine.apply(aktogay, None, Submit("main", IIN, "general-disease", ()), START)
    with pytest.raises(EngineError, match="before"):
        engine.apply(aktogay, state, CompleteStep(1), START - dt.timedelta(hours=1))


def test_a_case_stays_pinned_to_its_regulation_text(aktogay):
    state, _ = engine.apply(aktogay, None, Submit("main", IIN, "general-disease", ()), START)
    changed = aktogay.model_copy(update={"content_hash": "0" * 64})
    with pytest.raises(EngineError, match="pinned"):
        engine.apply(changed, state, CompleteStep(1), START)


def test_late_steps_and_overdue_terms_are_recorded(aktogay):
    state, _ = engine.apply(aktogay, None, Submit("main", IIN, "general-disease", ()), START)
    state, _ = engine.apply(aktogay, state, CompleteStep(1), START)  # accepted on time
    late = START + dt.timedelta(days=30)
    for step in aktogay.route("main").steps[1:]:
        if step.decides:
            state, _ = engine.apply(aktogay, state, Decide("positive"), late)
        state, effects = engine.apply(aktogay, state, CompleteStep(step.n), late)
    assert state.overdue_steps >= 1
    assert state.in_term() is False
    assert effects[-1].data["in_term"] is False


# --- properties: replay and deadlines ---------------------------------------------------------------

@st.composite
def walks(draw, reg_fixture_routes=("main", "psc")):
    route = draw(st.sampled_from(reg_fixture_routes))
    start = draw(st.datetimes(min_value=dt.datetime(2014, 1, 1), max_value=dt.datetime(2029, 12, 1)))
    gaps = draw(st.lists(st.integers(0, 60 * 24 * 5), min_size=12, max_size=12))
    refuse = draw(st.booleans())
    stop = draw(st.integers(1, 12))
    return route, start, gaps, refuse, stop


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(walk=walks())
def test_replaying_the_event_log_reproduces_the_state(aktogay, walk):
    route, start, gaps, refuse, stop = walk
    start = parse_instant(start.isoformat())
    cat = aktogay.category("general-disease")
    log = [(Submit(route, IIN, cat.code, tuple(cat.documents)), start)]
    state, _ = engine.apply(aktogay, None, log[0][0], start)
    now = start
    for step, gap in zip(aktogay.route(route).steps[:stop], gaps, strict=False):
        now = now + dt.timedelta(minutes=gap)
        if step.decides:
            decide = Decide("refusal", ("false-information",)) if refuse else Decide("positive")
            state, _ = engine.apply(aktogay, state, decide, now)
            log.append((decide, now))
        state, _ = engine.apply(aktogay, state, CompleteStep(step.n), now)
        log.append((CompleteStep(step.n), now))
        # Deadlines never precede the instant they are counted from.
        if state.step_due is not None:
            assert state.step_due >= state.step_started
        if state.term_due is not None:
            assert state.term_due >= state.accepted_at
    assert engine.replay(aktogay, log) == state
    stored = [(engine.event_from_dict(engine.event_to_dict(e)), at) for e, at in log]
    assert engine.replay(aktogay, stored) == state
    assert engine.state_from_dict(engine.state_to_dict(state)) == state


def test_unknown_event_kinds_are_refused():
    with pytest.raises(EngineError, match="unknown event kind"):
        engine.event_from_dict({"kind": "teleport"})
    with pytest.raises(EngineError, match="bad decide event"):
        engine.event_from_dict({"kind": "decide", "verdict": "yes"})


def test_a_one_step_service_accepts_and_decides_at_once(aktogay):
    from qyzmet.core.regulation import Route, Step

    step = Step(n=1, role="specialist", action=Text(kk="қабылдайды", ru="принимает", en="accepts and answers"),
                duration="10 minutes", accepts=True, decides=True, issues=True, cite="test")
    route = Route(name=Text(kk="бір қадам", ru="один шаг"), channel="provider", steps=(step,), cite="test")
    reg = aktogay.model_copy(update={"routes": {"main": route}})
    state, _ = engine.apply(reg, None, Submit("main", IIN, "general-disease", ()), START)
    state, _ = engine.apply(reg, state, Decide("positive"), START)
    state, effects = engine.apply(reg, state, CompleteStep(1), START + dt.timedelta(minutes=8))
    assert state.status is Status.ISSUED and effects[-1].kind == "result-issued"


def test_the_term_counts_from_submission_even_when_intake_runs_into_the_next_day(aktogay):
    # Submitted at the PSC on Tue 18 Mar 2025 at 19:45; the consultant and the receipt (30 + 30 minutes)
    # run into Wed 19 Mar. 10 working days + the uncounted issuance day from 18 Mar: 19, 20, 26, 27, 28,
    # 31 Mar, 1, 2, 3, 4, 7 Apr (Nauryz 21, 24, 25 Mar closed) → Mon 7 Apr at the PSC's 20:00.
    submitted = parse_instant("2025-03-18T19:45")
    state, _ = engine.apply(aktogay, None, Submit("psc", IIN, "general-disease", ()), submitted)
    state, _ = engine.apply(aktogay, state, CompleteStep(1), state.step_due)
    state, _ = engine.apply(aktogay, state, CompleteStep(2), state.step_due)
    assert state.accepted_at.date() == dt.date(2025, 3, 19)
    assert state.term_due.isoformat() == "2025-04-07T20:00:00+05:00"


def test_issuance_day_on_a_calendar_day_term_moves_a_closed_day_once(aktogay):
    from qyzmet.core.durations import Duration, Unit
    from qyzmet.core.timeline import term_deadline

    # 20 calendar days + the issuance day from Fri 11 Apr 2025 = Fri 2 May (1 May is the holiday, not 2 May).
    psc_term = aktogay.term_for("psc").model_copy(update={"duration": Duration(20, Unit.CALENDAR_DAY)})
    reg = aktogay.model_copy(update={"terms": (aktogay.term_for("provider"), psc_term)})
    deadline = term_deadline(reg, "psc", parse_instant("2025-04-11T10:00"))
    assert deadline.due.isoformat() == "2025-05-02T20:00:00+05:00"
