"""The Django shell: one transaction per transition, an append-only log that replays, pinned regulations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from qyzmet.cases import services
from qyzmet.cases.models import AppendOnlyError, Case, Effect, Event, RegulationVersion, Task
from qyzmet.core import engine
from qyzmet.core.calendar import parse_instant
from qyzmet.core.engine import CompleteStep, Decide, EngineError, Submit
from qyzmet.core.iin import make_iin
from qyzmet.directory.models import CalendarException

pytestmark = pytest.mark.django_db
IIN = make_iin(dt.date(1970, 2, 3), "female", 55)
START = parse_instant("2025-03-19T10:00")


@pytest.fixture
def reg_row(aktogay):
    return services.register_regulation(aktogay)


def submit(reg_row, route="main"):
    docs = ("application", "id-copy", "irp-extract")
    return services.submit(reg_row, Submit(route, IIN, "general-disease", docs), START, applicant_name="Әлия").case


def test_submission_stores_case_checklist_event_and_first_task(reg_row):
    case = submit(reg_row)
    case.refresh_from_db()
    assert case.number.startswith("Q2025-")
    assert case.status == "submitted" and case.current_step == 1
    assert list(case.checklist.values_list("document", "present")) == [
        ("application", True), ("id-copy", True), ("irp-extract", True)]
    assert case.events.count() == 1 and case.events.get().kind == "submit"
    task = case.tasks.get()
    assert task.role == "specialist" and task.due == parse_instant("2025-03-19T10:15")


def test_a_whole_route_through_the_database_replays_to_the_stored_state(reg_row, aktogay):
    case = submit(reg_row, "psc")
    now = START
    for step in aktogay.route("psc").steps:
        case.refresh_from_db()
        now = engine.state_from_dict(case.state).step_due or now
        if step.decides:
            services.apply_event(case, Decide("positive"), now)
        services.apply_event(case, CompleteStep(step.n), now)
    case.refresh_from_db()
    assert case.status == "issued" and case.in_term is True
    assert case.term_due == parse_instant("2025-04-08T20:00")
    assert "10 working days" in case.term_why
    assert Task.objects.filter(case=case, closed_at__isnull=True).count() == 0
    assert Task.objects.filter(case=case).count() == len(aktogay.route("psc").steps)
    assert services.replay_case(case) == engine.state_from_dict(case.state)
    assert Effect.objects.filter(case=case, kind="receipt").count() == 1


def test_a_refused_transition_stores_nothing(reg_row):
    case = submit(reg_row)
    before = (Event.objects.count(), Effect.objects.count(), Task.objects.count())
    with pytest.raises(EngineError):
        services.apply_event(case, CompleteStep(4), START)
    case.refresh_from_db()
    assert (Event.objects.count(), Effect.objects.count(), Task.objects.count()) == before
    assert case.seq == 1 and case.current_step == 1


def test_events_are_append_only(reg_row):
    case = submit(reg_row)
    event = case.events.get()
    event.kind = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_a_case_keeps_its_regulation_text_when_the_catalog_changes(reg_row, aktogay):
    case = submit(reg_row)
    # A new text of the same regulation arrives; the case stays on the text it started under.
    changed = aktogay.model_copy(update={"content_hash": "f" * 64})
    services.register_regulation(changed)
    assert RegulationVersion.objects.filter(reg_id=aktogay.id).count() == 2
    services._regulation_cache.clear()
    case.refresh_from_db()
    assert services.regulation_of(case.regulation).content_hash == aktogay.content_hash
    services.apply_event(case, CompleteStep(1), START)


def test_calendar_exceptions_in_the_database_move_deadlines(reg_row):
    CalendarException.objects.create(day=dt.date(2025, 3, 20), kind="holiday", source="test decree No. 1")
    case = submit(reg_row)
    services.apply_event(case, CompleteStep(1), START)
    case.refresh_from_db()
    # 3 working days from 19 March: 20 (now closed), 21, 24, 25 (Nauryz) skipped → 26, 27, 28.
    assert case.step_due == parse_instant("2025-03-28T18:00")


def test_sqlite_runs_in_wal_mode_outside_tests():
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]
    assert connection.vendor in ("sqlite", "postgresql")


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_admin_lists_cases(admin_client, reg_row):
    submit(reg_row)
    response = admin_client.get("/admin/cases/case/")
    assert response.status_code == 200
    assert Case.objects.get().number in response.content.decode()


def test_an_exception_for_one_schedule_moves_only_that_schedules_deadlines(reg_row):
    # A day off at the PSCs only: the department's 3-working-day step is not affected.
    CalendarException.objects.create(day=dt.date(2025, 3, 20), kind="holiday", schedule="aktogay-psc",
                                     source="test order No. 2")
    case = submit(reg_row)
    services.apply_event(case, CompleteStep(1), START)
    case.refresh_from_db()
    assert case.step_due == parse_instant("2025-03-27T18:00")  # 20, 26, 27 March on the department schedule
    psc = submit(reg_row, "psc")
    services.apply_event(psc, CompleteStep(1), START)
    services.apply_event(psc, CompleteStep(2), START)
    psc.refresh_from_db()
    # The PSC's 1-working-day registry step skips its closed 20 March: due 26 March at 20:00.
    assert psc.step_due == parse_instant("2025-03-26T20:00")
