"""Races on PostgreSQL, through the API: several people press the same button at the same instant.

Exactly one claim of a task wins, exactly one completion of a step is recorded, one registry takes a case;
everybody else is told 409 in the API's error shape — never a 5xx, never two winners.  Each request runs in
its own thread with its own database connection, released together by a barrier.

SQLite is skipped: it takes the write lock at BEGIN (transaction_mode=IMMEDIATE), so its writers queue
one after another and never race; the locking these tests prove is PostgreSQL's row locks.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from qyzmet.cases.models import Case, Event, RegistryItem, Task
from qyzmet.core.iin import make_iin
from qyzmet.directory.models import Office, RoleAssignment, Staff

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("os").environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="races need PostgreSQL's row locks: SQLite serialises every writer at BEGIN"),
]

REG = "aktogay-2013/prosthetic-docs"
PSC = "aktogay-2013-psc"
RACERS = 6


def application(n: int) -> dict:
    iin = make_iin(dt.date(1970, 5, 4) + dt.timedelta(days=n), "female", 120 + n)
    return {"regulation": REG, "channel": "psc", "category": "general-disease",
            "applicant": {"iin": iin, "name": "Әлия Серікқызы", "phone": "+7 701 234 56 78"},
            "documents": ["application", "id-copy", "irp-extract"]}


def colleagues(api_client_of, office_code: str, role: str, n: int) -> list:
    """``n`` clients of different people holding ``role`` in the office (the demo has one per role)."""
    office = Office.objects.get(code=office_code)
    clients = [api_client_of(f"{office_code}.{role}")]
    for i in range(1, n):
        user = get_user_model().objects.create_user(f"{office_code}.{role}.{i}")
        staff = Staff.objects.create(user=user, office=office, full_name=f"Colleague {i}")
        RoleAssignment.objects.create(staff=staff, role=role)
        clients.append(api_client_of(user.username))
    return clients


def race(calls) -> list:
    """Run the calls at once, each in its own thread and connection; their responses, in call order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except Exception as exc:  # a crash in the client is a result too: the test shows it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def outcome(responses) -> Counter:
    statuses = Counter()
    for r in responses:
        assert not isinstance(r, Exception), repr(r)
        assert r.status_code < 500, r.content
        statuses[r.status_code] += 1
        if r.status_code == 409:
            body = r.json()
            assert set(body) == {"error"} and body["error"]["code"] == "conflict" and body["error"]["message"]
    return statuses


def open_task(case_id: int, step: int) -> Task:
    return Task.objects.get(case_id=case_id, step=step, closed_at__isnull=True)


def new_case(api_client_of, n: int) -> dict:
    created = api_client_of(f"{PSC}.psc-consultant").post("/cases", application(n))
    assert created.status_code == 201, created.content
    return created.json()


def test_one_of_many_simultaneous_claims_takes_the_task(demo_offices, clock, api_client_of):
    case = new_case(api_client_of, 1)
    task = open_task(case["id"], 1)
    clients = colleagues(api_client_of, PSC, "psc-consultant", RACERS)
    responses = race([lambda c=c: c.post(f"/tasks/{task.pk}/claim") for c in clients])
    assert outcome(responses) == {200: 1, 409: RACERS - 1}
    winner = next(r for r in responses if r.status_code == 200).json()
    task.refresh_from_db()
    assert task.claimed_by is not None and winner["claimed_by"] == task.claimed_by.username


def test_one_of_many_simultaneous_completions_is_recorded(demo_offices, clock, api_client_of):
    case = new_case(api_client_of, 2)
    task = open_task(case["id"], 1)
    clients = colleagues(api_client_of, PSC, "psc-consultant", RACERS - 1)
    clients.append(clients[0])  # and one person double-clicks
    responses = race([lambda c=c: c.post(f"/tasks/{task.pk}/complete", {"note": "checked"}) for c in clients])
    assert outcome(responses) == {200: 1, 409: RACERS - 1}
    assert Event.objects.filter(case_id=case["id"], kind="complete-step").count() == 1
    assert Task.objects.filter(case_id=case["id"], step=1).count() == 1  # the step was not opened twice
    stored = Case.objects.get(pk=case["id"])
    assert stored.current_step == 2 and stored.seq == Event.objects.filter(case_id=case["id"]).count()


def accepted_case(api_client_of, n: int) -> Task:
    """A case through the PSC's consultant and hall inspector: its next step sends it with a registry."""
    case = new_case(api_client_of, n)
    consultant, inspector = (api_client_of(f"{PSC}.{r}") for r in ("psc-consultant", "psc-hall-inspector"))
    assert consultant.post(f"/tasks/{open_task(case['id'], 1).pk}/complete", {}).status_code == 200
    assert inspector.post(f"/tasks/{open_task(case['id'], 2).pk}/complete", {}).status_code == 200
    return open_task(case["id"], 3)


def test_one_of_many_simultaneous_registry_dispatches_sends_the_cases(demo_offices, clock, api_client_of):
    first, second = accepted_case(api_client_of, 3), accepted_case(api_client_of, 4)
    clients = colleagues(api_client_of, PSC, "psc-accumulation-specialist", RACERS)
    # Half list the cases the other way round: row locks taken in list order would deadlock.
    orders = [[first.pk, second.pk] if i % 2 == 0 else [second.pk, first.pk] for i in range(RACERS)]
    responses = race([lambda c=c, o=o: c.post("/registries", {"tasks": o}) for c, o in zip(clients, orders,
                                                                                            strict=True)])
    assert outcome(responses) == {201: 1, 409: RACERS - 1}
    registry = next(r for r in responses if r.status_code == 201).json()
    assert sorted(i["case_number"] for i in registry["items"]) == sorted([first.case.number, second.case.number])
    for task in (first, second):
        assert RegistryItem.objects.filter(case_id=task.case_id).count() == 1
        assert Event.objects.filter(case_id=task.case_id, kind="complete-step", payload__n=3).count() == 1


def test_overlapping_dispatches_never_send_a_case_twice(demo_offices, clock, api_client_of):
    a, b, c = (accepted_case(api_client_of, n) for n in (5, 6, 7))
    clients = colleagues(api_client_of, PSC, "psc-accumulation-specialist", RACERS)
    orders = [[a.pk], [a.pk, b.pk], [b.pk, a.pk], [b.pk, c.pk], [c.pk, a.pk], [c.pk]]
    responses = race([lambda cl=cl, o=o: cl.post("/registries", {"tasks": o}) for cl, o in zip(clients, orders,
                                                                                               strict=True)])
    statuses = outcome(responses)
    assert statuses[201] >= 1 and statuses[201] + statuses[409] == RACERS
    sent = [{i["case_number"] for i in r.json()["items"]} for r in responses if r.status_code == 201]
    numbers = [n for registry in sent for n in registry]
    assert len(numbers) == len(set(numbers)), f"a case went out in two registries: {sent}"
    for task in (a, b, c):
        assert RegistryItem.objects.filter(case_id=task.case_id).count() <= 1
