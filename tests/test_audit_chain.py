"""The tamper-evident event log: each case's events are hash-chained, and `qyzmet audit verify` names what was
edited, deleted or re-ordered behind the application's back (raw SQL, as somebody with database access would)."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

from qyzmet.cases import audit, services
from qyzmet.cases.models import AppendOnlyError, Case, Event
from qyzmet.cli import main
from qyzmet.core import engine
from qyzmet.core.calendar import parse_instant
from qyzmet.core.engine import CompleteStep, Decide, Submit
from qyzmet.core.iin import make_iin

pytestmark = pytest.mark.django_db
IIN = make_iin(dt.date(1970, 2, 3), "female", 55)
START = parse_instant("2025-03-19T10:00")


@pytest.fixture
def reg_row(aktogay):
    return services.register_regulation(aktogay)


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user("clerk")


def whole_case(reg_row, aktogay, actor=None) -> Case:
    """A PSC case taken through every step (9 events), the clerk recorded on each step after the first."""
    docs = ("application", "id-copy", "irp-extract")
    case = services.submit(reg_row, Submit("psc", IIN, "general-disease", docs), START, applicant_name="Әлия").case
    now = START
    for step in aktogay.route("psc").steps:
        case.refresh_from_db()
        now = engine.state_from_dict(case.state).step_due or now
        if step.decides:
            services.apply_event(case, Decide("positive"), now, actor=actor)
        services.apply_event(case, CompleteStep(step.n), now, actor=actor)
    case.refresh_from_db()
    return case


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def delete_event_raw(event: Event) -> None:
    """DELETE as an intruder would: the rows that point at the event first (the foreign keys forbid otherwise)."""
    for relation in Event._meta.related_objects:
        sql(f"DELETE FROM {relation.related_model._meta.db_table} WHERE {relation.field.column} = %s", event.pk)
    sql(f"DELETE FROM {Event._meta.db_table} WHERE id = %s", event.pk)


def problems(number: str | None = None) -> list[str]:
    return [str(f) for f in audit.verify(number).findings]


def test_every_event_carries_the_hash_of_the_one_before_and_of_its_own_content(reg_row, aktogay, clerk):
    case = whole_case(reg_row, aktogay, actor=clerk)
    events = list(case.events.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, case.seq + 1)) and len(events) >= 9
    assert events[0].prev_hash == audit.GENESIS == "0" * 64
    for before, event in itertools.pairwise(events):
        assert event.prev_hash == before.hash
    for event in events:
        assert len(event.hash) == 64
        assert event.hash == audit.chain_hash(event.prev_hash, case.number, event.seq, event.kind, event.payload,
                                              event.at, event.actor_id)
    assert events[1].actor_ref == clerk.pk and events[0].actor_ref is None
    report = audit.verify()
    assert (report.cases, report.events, report.findings) == (1, len(events), [])


def test_an_edited_payload_is_named_with_its_case_and_seq(reg_row, aktogay):
    case = whole_case(reg_row, aktogay)
    other = whole_case(reg_row, aktogay)
    third = case.events.get(seq=3)
    # Make the 3rd event say another note than was recorded, the way an UPDATE by hand would.
    sql(f"UPDATE {Event._meta.db_table} SET payload = %s WHERE id = %s",
        '{"kind": "complete-step", "n": 2, "by": "", "note": "never happened"}', third.pk)
    assert problems() == [f"{case.number} seq 3: edited: the 'complete-step' event's kind, payload, time or actor "
                          "is not what was written"]
    assert problems(other.number) == []


def test_an_edited_time_or_actor_is_named(reg_row, aktogay, clerk):
    case = whole_case(reg_row, aktogay, actor=clerk)
    sql(f"UPDATE {Event._meta.db_table} SET at = %s WHERE case_id = %s AND seq = 2",
        START + dt.timedelta(days=1), case.pk)
    intruder = get_user_model().objects.create_user("intruder")
    sql(f"UPDATE {Event._meta.db_table} SET actor_id = %s WHERE case_id = %s AND seq = 4", intruder.pk, case.pk)
    found = problems()
    assert found[0].startswith(f"{case.number} seq 2: edited:")
    assert found[1] == f"{case.number} seq 4: edited: actor changed from user {clerk.pk} to user {intruder.pk}"
    assert len(found) == 2


def test_a_deleted_middle_event_and_a_deleted_last_event_are_named(reg_row, aktogay):
    case = whole_case(reg_row, aktogay)
    delete_event_raw(case.events.get(seq=4))
    assert problems() == [f"{case.number} seq 4: missing: the event was deleted"]
    delete_event_raw(case.events.get(seq=case.seq))
    assert problems()[-1] == (f"{case.number} seq {case.seq}: missing: the event was deleted "
                              f"(the case records {case.seq} events)")


def test_two_swapped_events_are_named_as_reordered(reg_row, aktogay):
    case = whole_case(reg_row, aktogay)
    table = Event._meta.db_table
    # Three UPDATEs: (case, seq) is unique, so one of them parks its row on a free number first.
    sql(f"UPDATE {table} SET seq = 100000 WHERE case_id = %s AND seq = 5", case.pk)
    sql(f"UPDATE {table} SET seq = 5 WHERE case_id = %s AND seq = 6", case.pk)
    sql(f"UPDATE {table} SET seq = 6 WHERE case_id = %s AND seq = 100000", case.pk)
    assert problems() == [f"{case.number} seq 5: re-ordered: this 'complete-step' event was written as seq 6",
                          f"{case.number} seq 6: re-ordered: this 'complete-step' event was written as seq 5"]


def test_an_event_rewritten_with_a_recomputed_hash_still_breaks_the_chain_after_it(reg_row, aktogay):
    case = whole_case(reg_row, aktogay)
    third = case.events.get(seq=3)
    payload = dict(third.payload, note="forged")
    forged = audit.chain_hash(third.prev_hash, case.number, 3, third.kind, payload, third.at, third.actor_ref)
    # The intruder recomputes the edited event's own hash; the next event still names the original one.
    sql(f"UPDATE {Event._meta.db_table} SET payload = %s, hash = %s WHERE id = %s", json.dumps(payload), forged,
        third.pk)
    assert problems() == [f"{case.number} seq 4: the chain breaks before it: seq 3 is not the event it was written "
                          "after (rewritten, or events removed or inserted)"]


def test_deleting_a_user_account_does_not_break_the_chain(reg_row, aktogay, clerk):
    case = whole_case(reg_row, aktogay, actor=clerk)
    clerk.delete()  # Event.actor is SET_NULL: the log keeps who it was in actor_ref
    assert case.events.filter(actor__isnull=False).count() == 0
    assert problems() == []


def test_events_are_written_only_through_the_chain_and_never_changed(reg_row, aktogay):
    case = whole_case(reg_row, aktogay)
    with pytest.raises(AppendOnlyError, match="append_event"):
        Event.objects.create(case=case, seq=case.seq + 1, kind="note", payload={}, at=START)
    event = case.events.first()
    event.payload = {"x": 1}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_bulk_appended_entries_chain_onto_each_case(reg_row, aktogay):
    """The way a bulk job (the calendar recomputation) writes one audit entry per case."""
    first, second = whole_case(reg_row, aktogay), whole_case(reg_row, aktogay)
    at = START + dt.timedelta(days=30)
    written = audit.append_events([
        audit.NewEvent(first, "calendar-changed", {"old": "2025-04-08T20:00:00+05:00", "decree": "No 1"}, at),
        audit.NewEvent(second, "calendar-changed", {"old": "2025-04-08T20:00:00+05:00", "decree": "No 1"}, at),
        audit.NewEvent(first, "calendar-changed", {"old": "2025-04-09T20:00:00+05:00", "decree": "No 2"}, at),
    ])
    assert [(e.case_id, e.seq) for e in written] == [(first.pk, first.seq + 1), (second.pk, second.seq + 1),
                                                     (first.pk, first.seq + 2)]
    Case.objects.filter(pk=first.pk).update(seq=first.seq + 2)
    Case.objects.filter(pk=second.pk).update(seq=second.seq + 1)
    assert problems() == []
    assert written[2].prev_hash == written[0].hash == Event.objects.get(pk=written[0].pk).hash


def test_the_migration_chains_events_written_before_the_chain(reg_row, aktogay, clerk):
    case = whole_case(reg_row, aktogay, actor=clerk)
    live = list(case.events.order_by("seq").values_list("prev_hash", "hash", "actor_ref"))
    sql(f"UPDATE {Event._meta.db_table} SET prev_hash = '', hash = '', actor_ref = NULL")
    assert problems()[0] == f"{case.number} seq 1: not chained: written without its hash, around cases.audit"
    migration = importlib.import_module("qyzmet.cases.migrations.0012_event_hash_chain")
    migration.chain_existing_events(apps, connection.schema_editor())
    assert list(case.events.order_by("seq").values_list("prev_hash", "hash", "actor_ref")) == live
    assert problems() == []


def test_the_command_counts_when_intact_and_names_each_problem_otherwise(reg_row, aktogay, capsys):
    case = whole_case(reg_row, aktogay)
    assert main(["audit", "verify"]) == 0
    assert f"audit: {case.seq} events of 1 case(s) checked, every chain intact" in capsys.readouterr().out
    delete_event_raw(case.events.get(seq=2))
    assert main(["audit", "verify", "--case", case.number]) == 1
    out = capsys.readouterr().out
    assert f"{case.number} seq 2: missing: the event was deleted" in out
    assert "audit: 1 problem(s) in 1 of 1 case(s)" in out
    assert main(["audit", "verify", "--case", "Q1999-0000000"]) == 2
    assert "--case: no case with number 'Q1999-0000000'" in capsys.readouterr().err
