"""A decree changes the calendar: running cases' due dates are counted again, with an audit entry per case.

Every date below is worked out by hand on the Aktogay prosthetic-docs act (main route: the provider's
department, Mon–Fri 09:00–13:00, 14:00–18:00; term 10 working days from submission, cl. 9; step 2: 3 working
days).  December 2026: Wed 16 December is Independence Day; Saturdays and Sundays are closed.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from qyzmet.cases import services
from qyzmet.cases.models import Case, Event, Task
from qyzmet.cli import main
from qyzmet.core import engine
from qyzmet.core.calendar import parse_instant
from qyzmet.core.engine import CompleteStep, Decide, Submit
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import load_text
from qyzmet.directory.models import CalendarException
from qyzmet.recompute import changes
from qyzmet.web.deadline_reasons import term_reasons

pytestmark = pytest.mark.django_db
IIN = make_iin(dt.date(1970, 2, 3), "female", 55)
DECREE = "Decree No. 777 of 01.12.2026"
DOCS = ("application", "id-copy", "irp-extract")


@pytest.fixture
def reg_row(aktogay):
    return services.register_regulation(aktogay)


def accepted(reg_row, at: str) -> Case:
    """Submitted and accepted (step 1, 15 minutes) at ``at``; step 2 (3 working days) runs from 10 minutes later."""
    start = parse_instant(at)
    case = services.submit(reg_row, Submit("main", IIN, "general-disease", DOCS), start).case
    services.apply_event(case, CompleteStep(1), start + dt.timedelta(minutes=10))
    case.refresh_from_db()
    return case


def replays(case: Case) -> bool:
    case.refresh_from_db()
    return services.replay_case(case) == engine.state_from_dict(case.state)


def test_a_new_holiday_moves_a_running_term_by_one_working_day(reg_row):
    """Submitted Mon 07.12.2026 10:00: 8, 9, 10, 11, 14, 15, (16 Independence Day), 17, 18, 21, 22 → due Tue
    22.12 18:00.  A decree closes Fri 18.12: 8 … 15, 17, 21, 22, 23 → due Wed 23.12 18:00."""
    case = accepted(reg_row, "2026-12-07T10:00")
    assert case.term_due == parse_instant("2026-12-22T18:00")
    report = changes.add_exception("2026-12-18", "holiday", DECREE, name="Қосымша демалыс",
                                   now=parse_instant("2026-12-10T09:00"))
    case.refresh_from_db()
    assert case.term_due == parse_instant("2026-12-23T18:00")
    assert engine.state_from_dict(case.state).term_due == case.term_due
    assert report.moved == 1 and report.terms_moved == 1
    entry = case.events.get(kind="calendar-changed")
    assert entry.seq == case.seq and entry.payload["source"] == DECREE
    assert parse_instant(entry.payload["term_due_before"]) == parse_instant("2026-12-22T18:00")
    assert parse_instant(entry.payload["term_due"]) == parse_instant("2026-12-23T18:00")
    assert "2026-12-23 18:00" in case.term_why and DECREE in case.term_why
    assert replays(case)
    # The entry is on the case's hash chain like every other event.
    from qyzmet.cases.audit import verify

    report = verify(case.number)
    assert report.events == 3 and report.findings == []


def test_a_step_running_over_the_new_holiday_moves_with_its_task(reg_row):
    """Submitted Mon 14.12.2026 10:00.  Step 2, 3 working days: 15, 17, 18 → Fri 18.12 18:00; with 18.12 closed:
    15, 17, 21 → Mon 21.12 18:00.  The term: 15, 17, 18, 21 … 29 → 29.12; with 18.12 closed → Wed 30.12 18:00."""
    case = accepted(reg_row, "2026-12-14T10:00")
    assert (case.step_due, case.term_due) == (parse_instant("2026-12-18T18:00"), parse_instant("2026-12-29T18:00"))
    changes.add_exception(dt.date(2026, 12, 18), "holiday", DECREE, now=parse_instant("2026-12-15T09:00"))
    case.refresh_from_db()
    assert case.step_due == parse_instant("2026-12-21T18:00")
    assert case.term_due == parse_instant("2026-12-30T18:00")
    task = Task.objects.get(case=case, closed_at__isnull=True)
    assert task.due == parse_instant("2026-12-21T18:00") and DECREE in task.why
    assert replays(case)
    # The case goes on afterwards, and its log still replays.
    services.apply_event(case, CompleteStep(2), parse_instant("2026-12-17T11:00"))
    assert replays(case)


def test_a_saturday_made_working_pulls_the_term_back(reg_row):
    """Sat 19.12.2026 made a working day (it works a weekday's hours, 18:00 closing): 8, 9, 10, 11, 14, 15, 17,
    18, 19, 21 → the 10th working day is Mon 21.12, due 18:00 instead of Tue 22.12."""
    case = accepted(reg_row, "2026-12-07T10:00")
    changes.add_exception("2026-12-19", "working", "Decree No. 778 (transfer of a day off)",
                          now=parse_instant("2026-12-10T09:00"))
    case.refresh_from_db()
    assert case.term_due == parse_instant("2026-12-21T18:00")
    assert replays(case)


def test_removing_the_decree_moves_the_dates_back_and_both_entries_replay(reg_row):
    case = accepted(reg_row, "2026-12-07T10:00")
    changes.add_exception("2026-12-18", "holiday", DECREE, now=parse_instant("2026-12-10T09:00"))
    changes.remove_exception("2026-12-18", source="Decree No. 780 revoking No. 777",
                             now=parse_instant("2026-12-11T09:00"))
    case.refresh_from_db()
    assert case.term_due == parse_instant("2026-12-22T18:00")
    assert list(case.events.filter(kind="calendar-changed").values_list("payload__source", flat=True)) == [
        DECREE, "Decree No. 780 revoking No. 777"]
    assert replays(case)


def test_closed_cases_later_cases_and_other_schedules_do_not_change(reg_row, aktogay):
    closed = accepted(reg_row, "2026-12-07T10:00")
    route = aktogay.route("main")
    at = parse_instant("2026-12-08T10:00")
    for step in route.steps[1:]:
        if step.decides:
            services.apply_event(closed, Decide("positive"), at)
        services.apply_event(closed, CompleteStep(step.n), at)
        at += dt.timedelta(minutes=5)
    closed.refresh_from_db()
    assert closed.status == "issued"
    before = (closed.term_due, closed.seq, closed.state)
    later = accepted(reg_row, "2026-12-21T10:00")  # starts after the changed day
    later_before = (later.term_due, later.step_due, later.seq)
    report = changes.add_exception("2026-12-18", "holiday", DECREE, now=parse_instant("2026-12-21T12:00"))
    closed.refresh_from_db()
    later.refresh_from_db()
    assert (closed.term_due, closed.seq, closed.state) == before
    assert (later.term_due, later.step_due, later.seq) == later_before
    assert report.moved == 0
    # A day off only at the PSCs' schedule does not touch a department's case.
    running = accepted(reg_row, "2026-12-07T10:00")
    changes.add_exception("2026-12-17", "holiday", "Order No. 5 (PSCs only)", schedule="psc",
                          now=parse_instant("2026-12-10T09:00"))
    running.refresh_from_db()
    assert running.term_due == parse_instant("2026-12-23T18:00")  # moved by the 18th only
    assert not Event.objects.filter(case=closed, kind="calendar-changed").exists()


def variant(aktogay, **changes_) -> services.RegulationVersion:
    """A copy of the act with changed YAML (another content hash), registered like a shipped version."""
    with open(aktogay.source_path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    for path, value in changes_.items():
        target = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return services.register_regulation(load_text(yaml.safe_dump(data, allow_unicode=True), "test-variant.yaml"))


def test_a_term_the_act_fixes_at_acceptance_stays_while_the_step_moves(aktogay):
    row = variant(aktogay, terms__0__on_calendar_change="fixed")
    case = accepted(row, "2026-12-14T10:00")
    changes.add_exception("2026-12-18", "holiday", DECREE, now=parse_instant("2026-12-15T09:00"))
    case.refresh_from_db()
    assert case.term_due == parse_instant("2026-12-29T18:00")  # fixed
    assert case.step_due == parse_instant("2026-12-21T18:00")  # the step still counts working days
    assert replays(case)


def test_a_suspended_case_resumes_on_the_new_calendar(aktogay):
    """Suspended Tue 08.12 10:00 – Wed 09.12 10:00 (8 h of working time).  The stored term was 22.12 18:00; on
    the new calendar (18.12 closed) it is 23.12 18:00, and resuming adds the 8 h: Thu 24.12 18:00."""
    row = variant(aktogay, suspension={"cite": "cl. 99", "grounds": [
        {"code": "expert-opinion", "cite": "cl. 99", "text": {"kk": "сараптама", "ru": "экспертиза"}}]})
    case = accepted(row, "2026-12-07T10:00")
    services.apply_event(case, engine.Suspend("expert-opinion", note="sent"), parse_instant("2026-12-08T10:00"))
    changes.add_exception("2026-12-18", "holiday", DECREE, now=parse_instant("2026-12-08T12:00"))
    case.refresh_from_db()
    assert case.term_due is None and case.step_due is None  # nothing runs while suspended
    assert engine.state_from_dict(case.state).term_due == parse_instant("2026-12-23T18:00")
    services.apply_event(case, engine.Resume(), parse_instant("2026-12-09T10:00"))
    case.refresh_from_db()
    assert case.term_due == parse_instant("2026-12-24T18:00")
    assert replays(case)


def test_the_deadline_explanation_says_the_date_moved_and_why(reg_row, aktogay):
    case = accepted(reg_row, "2026-12-07T10:00")
    changes.add_exception("2026-12-18", "holiday", DECREE, name="Қосымша демалыс",
                          now=parse_instant("2026-12-10T09:00"))
    case.refresh_from_db()
    reasons = term_reasons(case, services.regulation_of(case.regulation), "en")
    assert reasons.recounted  # today's calendar explains the stored date again
    assert any("22.12.2026" in line and "23.12.2026" in line and DECREE in line for line in reasons.basis)
    assert [c.day for c in reasons.closed] == [dt.date(2026, 12, 16), dt.date(2026, 12, 18)]


@pytest.mark.parametrize(("args", "field"), [
    (["--day", "2026-13-01", "--kind", "holiday", "--source", "Decree"], "--day"),
    (["--day", "2026-12-18", "--kind", "feast", "--source", "Decree"], "--kind"),
    (["--day", "2026-12-18", "--kind", "holiday", "--source", " "], "--source"),
    (["--day", "2026-12-18", "--kind", "holiday", "--source", "D", "--schedule", "moon"], "--schedule"),
    (["--day", "2026-12-18", "--kind", "special-hours", "--source", "D"], "--hours"),
    (["--day", "2026-12-18", "--kind", "special-hours", "--source", "D", "--hours", "9-13"], "--hours"),
])
def test_bad_input_names_the_field_exits_2_and_stores_nothing(capsys, args, field):
    assert main(["calendar", "exception", "add", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"qyzmet calendar: {field}:") and "Traceback" not in err
    assert not CalendarException.objects.exists()


def test_the_command_adds_lists_and_removes(capsys, reg_row):
    case = accepted(reg_row, "2026-12-07T10:00")
    assert main(["calendar", "exception", "add", "--day", "2026-12-18", "--kind", "holiday", "--source", DECREE]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 open cases" in out and f"{case.number}: term 2026-12-22 18:00 → 2026-12-23 18:00" in out
    assert main(["calendar", "exception", "list"]) == 0
    assert DECREE in capsys.readouterr().out
    assert main(["calendar", "exception", "remove", "--day", "2026-12-18"]) == 0
    assert main(["calendar", "exception", "remove", "--day", "2026-12-18"]) == 2
    assert "--day:" in capsys.readouterr().err


def test_a_holiday_entered_in_the_admin_moves_the_cases_too(client, django_user_model, reg_row):
    case = accepted(reg_row, "2026-12-07T10:00")
    admin = django_user_model.objects.create_superuser("admin", "admin@example.kz", "pw-123456")
    client.force_login(admin)
    response = client.post("/admin/directory/calendarexception/add/", {
        "day": "2026-12-18", "kind": "holiday", "hours": "", "schedule": "", "name": "", "source": DECREE})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.term_due == parse_instant("2026-12-23T18:00")
    assert case.events.filter(kind="calendar-changed").count() == 1
    assert replays(case)
