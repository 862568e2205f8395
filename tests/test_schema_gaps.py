"""Issue 13: what the acts say that the schema used to leave in notes — due rules ("within the working day",
"3 times a day", "on the day of application", "one day before the term ends"), branches (a refusal through
the PSC on the 13th working day), conditional steps, and the schedule a term counts on.  Every expected
instant below was worked out by hand on the legal calendar; the comments show the count."""

# ruff: noqa: E501  (the test regulation below is one YAML flow mapping per step)
from __future__ import annotations

import datetime as dt

import pytest

from qyzmet.core import engine
from qyzmet.core.calendar import parse_instant
from qyzmet.core.engine import CompleteStep, Decide, EngineError, SkipStep, Status, Submit
from qyzmet.core.iin import make_iin
from qyzmet.core.lint import lint
from qyzmet.core.loader import load_text, shipped_catalog
from qyzmet.core.timeline import plan, term_schedule

IIN = make_iin(dt.date(1950, 2, 11), "female", 77)


def reg(reg_id: str):
    return shipped_catalog().get(reg_id)


def due(p, n: int) -> str:
    return next(s for s in p.steps if s.n == n).due.strftime("%Y-%m-%d %H:%M")


# --- due rules -----------------------------------------------------------------------------------

def test_rhythm_and_within_the_working_day_steps_on_the_almaty_prosthetic_psc_route():
    p = plan(reg("almaty-2012/prosthetic-docs"), "psc", parse_instant("2025-04-02T10:00"))
    assert due(p, 1) == "2025-04-02 10:30"  # 30 minutes
    # "3 times a day" on the PSC's 09:00-20:00 day: a round at least every 11 h / 3 = 3 h 40 min
    assert due(p, 2) == "2025-04-02 14:10"
    # "not less than 2 times a day": within 5 h 30 min
    assert due(p, 3) == "2025-04-02 19:40"
    # the department is closed at 19:40: its 1 hour runs Thursday 09:00-10:00
    assert due(p, 4) == "2025-04-03 10:00"
    # 9 working days after 3 April: 4, 7, 8, 9, 10, 11, 14, 15, 16 April
    assert due(p, 6) == "2025-04-16 18:00"
    assert due(p, 7) == "2025-04-17 09:30"
    # "within the working day": by the department's closing, then by the PSC's (open until 20:00)
    assert due(p, 8) == "2025-04-17 18:00"
    assert due(p, 9) == "2025-04-17 20:00"
    step8 = next(s for s in p.steps if s.n == 8)
    assert "within the working day" in step8.why and "17.04.2025" in step8.why


def test_a_within_the_working_day_step_started_at_closing_time_belongs_to_the_next_working_day():
    r = reg("almaty-2012/prosthetic-docs")
    route = r.route("main")
    step = route.step(5)  # "within the working day"
    from qyzmet.core.timeline import step_deadline

    friday_close = parse_instant("2025-04-18T18:00")
    assert step_deadline(r, route, step, friday_close).due == parse_instant("2025-04-21T18:00")  # Monday
    assert step_deadline(r, route, step, parse_instant("2025-04-18T17:59")).due == friday_close


def test_steps_on_the_day_of_application_are_due_by_that_days_closing():
    p = plan(reg("almaty-2012/unemployed-registration"), "main", parse_instant("2025-04-02T17:30"))
    assert [due(p, n) for n in (1, 2, 3)] == ["2025-04-02 18:00"] * 3
    # 10 calendar days from 2 April: Saturday 12 April is closed, so Monday 14 April at closing
    assert due(p, 5) == "2025-04-14 18:00"


def test_a_result_handed_to_the_psc_one_day_before_the_term_ends():
    r = reg("mlsp-2021/technical-aids")
    p = plan(r, "psc", parse_instant("2025-08-27T11:00"))
    # term: 10 working days after 27 Aug on the employment department's Mon-Fri (30 Aug and its observed
    # 1 Sep skipped): 28, 29 Aug, 2, 3, 4, 5, 8, 9, 10, 11 Sep, ending at the SC branch's 20:00
    assert p.term.due == parse_instant("2025-09-11T20:00")
    step = next(s for s in r.route("psc").steps if s.before_term_end is not None)
    assert due(p, step.n) == "2025-09-10 20:00"  # 24 hours before


# --- the schedule a term counts on ---------------------------------------------------------------

def test_a_psc_term_counts_the_providers_working_days_unless_the_act_names_another(tmp_path):
    r = reg("aktogay-2013/prosthetic-docs")
    rule = term_schedule(r, "psc")
    assert rule.schedule == r.channel("provider").schedule
    assert "does not say whose working days" in rule.reason
    p = plan(r, "psc", parse_instant("2025-03-19T10:00"))
    assert "provider schedule" in p.term.why
    # Saturdays a PSC works do not count: 10 working days (acceptance day excluded, +1 for the issuance day)
    # after Wed 19 March on Mon-Fri with Nauryz 21, 24, 25 March closed: 20, 26, 27, 28, 31 Mar, 1, 2, 3, 4, 7,
    # 8 April; the last day ends when the PSC closes.
    assert p.term.due == parse_instant("2025-04-08T20:00")


def test_counts_on_names_the_schedule_with_its_clause():
    r = reg("aktogay-2013/prosthetic-docs")
    term = r.term_for("psc").model_copy(update={"counts_on": "psc", "counts_on_cite": "cl. 7 (test)"})
    named = r.model_copy(update={"terms": tuple(term if t.channel == "psc" else t for t in r.terms)})
    rule = term_schedule(named, "psc")
    assert rule.schedule == r.channel("psc").schedule and rule.cite == "cl. 7 (test)"


# --- branches --------------------------------------------------------------------------------------

def submit(r, route, at):
    cat = r.categories[0]
    docs = tuple(d for d in cat.documents if r.document(d))
    return engine.apply(r, None, Submit(route, IIN, cat.code, docs), at)


def test_a_refusal_through_the_psc_returns_the_documents_on_the_13th_working_day():
    r = reg("almaty-2012/home-care-docs")
    at = parse_instant("2025-03-19T10:00")
    state, _ = submit(r, "psc", at)
    # the PSC accepts the next morning; the district's step 2 (receiving the package) starts then
    now = received = parse_instant("2025-03-20T10:00")
    state, _ = engine.apply(r, state, CompleteStep(1), now)
    ground = r.refusal_grounds[0].code
    state, _ = engine.apply(r, state, Decide("refusal", (ground,)), received + dt.timedelta(hours=1))
    assert state.branch == "refusal-via-psc"
    state, effects = engine.apply(r, state, CompleteStep(2), received + dt.timedelta(hours=2))
    opened = next(e for e in effects if e.kind == "task-opened")
    assert opened.data["n"] == 14
    # 13 working days after receiving the package on Thu 20 March (21, 24, 25 March closed for Nauryz):
    # 26, 27, 28, 31 Mar, 1, 2, 3, 4, 7, 8, 9, 10, 11 April
    assert state.step_due == parse_instant("2025-04-11T18:00")
    assert "from the start of step 2" in opened.data["why"]
    state, effects = engine.apply(r, state, CompleteStep(14), parse_instant("2025-04-10T12:00"))
    assert state.step == 15
    state, effects = engine.apply(r, state, CompleteStep(15), parse_instant("2025-04-11T16:00"))
    assert state.status is Status.ISSUED and state.outcome == "refusal"
    issued = next(e for e in effects if e.kind == "result-issued")
    assert issued.data["result"] == "reasoned-refusal" and issued.data["in_term"] is True
    # replay reproduces the branch
    log = [(Submit("psc", IIN, r.categories[0].code, state.documents), at), (CompleteStep(1), now),
           (Decide("refusal", (ground,)), received + dt.timedelta(hours=1)),
           (CompleteStep(2), received + dt.timedelta(hours=2)),
           (CompleteStep(14), parse_instant("2025-04-10T12:00")), (CompleteStep(15), parse_instant("2025-04-11T16:00"))]
    assert engine.replay(r, log) == state


def test_only_a_refusal_leaves_at_the_branch_step_and_a_positive_case_stays_on_the_main_line():
    r = reg("almaty-2012/home-care-docs")
    at = parse_instant("2025-03-19T10:00")
    state, _ = submit(r, "psc", at)
    state, _ = engine.apply(r, state, CompleteStep(1), at + dt.timedelta(hours=1))
    with pytest.raises(EngineError, match="only a refusal"):
        engine.apply(r, state, Decide("positive"), at + dt.timedelta(hours=2))
    state, _ = engine.apply(r, state, CompleteStep(2), at + dt.timedelta(hours=3))
    assert state.step == 3 and state.branch is None


def test_the_timeline_follows_a_branch():
    p = plan(reg("almaty-2012/home-care-docs"), "psc", parse_instant("2025-03-19T10:00"), branch="refusal-via-psc")
    assert [s.n for s in p.steps] == [1, 2, 14, 15]
    assert due(p, 14) == "2025-04-11 18:00"  # 13 working days from step 2's start (20 March, see above)
    with pytest.raises(KeyError, match="no branch"):
        plan(reg("almaty-2012/home-care-docs"), "psc", parse_instant("2025-03-19T10:00"), branch="nope")


# --- conditional steps ---------------------------------------------------------------------------

def test_a_conditional_step_is_skipped_by_its_holder_with_a_reason():
    r = reg("mangystau-2015/incapacity-sheet")
    route = r.route("main")
    assert route.step(3).when is not None and route.step(3).when.asked is not None
    at = parse_instant("2025-04-02T10:00")
    cat = r.categories[0] if r.categories else None
    state, _ = engine.apply(r, None, Submit("main", IIN, cat.code if cat else "any",
                                            tuple(cat.documents) if cat else ()), at)
    now = at
    while state.step != 3:
        now += dt.timedelta(minutes=5)
        if route.step(state.step).decides:
            state, _ = engine.apply(r, state, Decide("positive"), now)
        state, _ = engine.apply(r, state, CompleteStep(state.step), now)
    with pytest.raises(EngineError, match="say why"):
        engine.apply(r, state, SkipStep(3, " "), now)
    state, _ = engine.apply(r, state, SkipStep(3, "incapacity of 2 days: no signature needed"), now)
    assert state.step == 4
    assert state.history[-1].skipped and state.history[-1].n == 3
    with pytest.raises(EngineError, match="not conditional"):
        engine.apply(r, state, SkipStep(4, "x"), now)


def test_a_category_condition_leaves_the_step_out_for_other_categories():
    r = reg("almaty-2012/home-care-docs")
    route = r.route("main")
    cats = [c.code for c in r.categories]
    from qyzmet.core.regulation import StepCondition

    cond = route.step(2).model_copy(update={"when": StepCondition(categories=(cats[0],), cite="test")})
    steps = tuple(cond if s.n == 2 else s for s in route.steps)
    r2 = r.model_copy(update={"routes": {**r.routes, "main": route.model_copy(update={"steps": steps})}})
    assert 2 in [s.n for s in plan(r2, "main", parse_instant("2025-04-02T10:00"), category=cats[0]).steps]
    assert 2 not in [s.n for s in plan(r2, "main", parse_instant("2025-04-02T10:00"), category=cats[1]).steps]


# --- the linter ----------------------------------------------------------------------------------

def codes(r, code):
    return [f for f in lint(r) if f.code == code]


def test_the_linter_reports_the_step_tables_that_really_overrun_and_no_false_alarm():
    overrun = codes(reg("almaty-2012/prosthetic-docs"), "term-overrun")
    psc = next(f for f in overrun if f.where == "routes.psc")
    # 9 working days + two 'within the working day' + rhythm and minutes > 10 (+1 issuance day)
    assert "within the working day" in psc.message and "10 working days" in psc.message
    for reg_id in ("almaty-2012/home-care-docs", "almaty-2012/care-institution-docs"):
        assert codes(reg(reg_id), "term-overrun") == []  # 14 of 14 / 14 of 17, branches included


BRANCHY = """
id: test/branchy
service: branchy
name: {kk: "Сынақ", ru: "Тест", en: "Test"}
act: {kind: {kk: "қ", ru: "п", en: "r"}, title: {kk: "т", ru: "т", en: "t"}, number: "1", issuer: {kk: "и", ru: "и", en: "i"},
      adopted: 2012-01-01, source: {seed: "000"}, cite: "act"}
provider: {name: {kk: "б", ru: "о", en: "d"}, cite: "cl. 1"}
form: non-automated
channels:
  - {code: provider, name: {kk: "б", ru: "о", en: "d"}, cite: "cl. 2"}
terms:
  - {channel: provider, duration: 5 working days, cite: "cl. 3"}
results:
  - {code: granted, kind: positive, name: {kk: "и", ru: "у", en: "ok"}, cite: "cl. 4"}
  - {code: refused, kind: refusal, name: {kk: "б", ru: "о", en: "no"}, cite: "cl. 4"}
refusal_grounds:
  - {code: g, text: {kk: "н", ru: "о", en: "g"}, cite: "cl. 5"}
roles:
  - {code: clerk, name: {kk: "м", ru: "с", en: "clerk"}, cite: "cl. 6"}
routes:
  main:
    name: {kk: "н", ru: "о", en: "main"}
    channel: provider
    cite: "cl. 7"
    steps:
      - {n: 1, role: clerk, action: {kk: "қ", ru: "п", en: "accept"}, output: {kk: "т", ru: "т", en: "t"}, duration: 1 working day, accepts: true, cite: "cl. 7.1"}
      - {n: 2, role: clerk, action: {kk: "ш", ru: "р", en: "decide"}, output: {kk: "ш", ru: "р", en: "d"}, duration: 2 working days, decides: true, cite: "cl. 7.2"}
      - {n: 3, role: clerk, action: {kk: "б", ru: "в", en: "issue"}, output: {kk: "б", ru: "в", en: "i"}, duration: 1 working day, issues: true, cite: "cl. 7.3"}
    branches:
      - code: slow-refusal
        name: {kk: "б", ru: "о", en: "slow refusal"}
        from_step: 2
        cite: "cl. 8"
        steps:
          - {n: 4, role: clerk, action: {kk: "қ", ru: "в", en: "return"}, output: {kk: "қ", ru: "в", en: "r"}, duration: 3 working days, cite: "cl. 8.1"}
          - {n: 5, role: clerk, action: {kk: "б", ru: "в", en: "issue the refusal"}, output: {kk: "б", ru: "в", en: "i"}, duration: 1 working day, issues: true, cite: "cl. 8.2"}
"""


def test_the_linter_checks_every_branch_against_the_term():
    r = load_text(BRANCHY, "test/branchy.yaml")
    found = codes(r, "term-overrun")
    # main line 2 + 1 = 3 of 5 (the accepting day's step counts: 1 + 2 + 1 = 4); the branch 1 + 2 + 3 + 1 = 7 > 5
    assert [f.where for f in found] == ["routes.main.branches[0]"]
    assert "slow-refusal" in found[0].message


def test_a_branch_that_leaves_from_an_unknown_step_or_reuses_a_number_is_an_error():
    text = BRANCHY.replace("from_step: 2", "from_step: 9").replace("{n: 4,", "{n: 3,")
    r = load_text(text, "test/branchy.yaml")
    errors = [f for f in lint(r) if f.severity == "error"]
    assert any("leaves from step 9" in f.message for f in errors)
    assert any("already used" in f.message for f in errors)
