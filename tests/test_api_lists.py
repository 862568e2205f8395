"""The API's lists: the catalog's search, pagination, filters, no leaks between offices, constant query counts."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qyzmet.cases import workflow
from qyzmet.cases.access import actor_for
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog

pytestmark = pytest.mark.django_db

REG = "aktogay-2013/prosthetic-docs"
PSC = "aktogay-2013-psc"
DEPT = "aktogay-2013-provider"
OTHER_PSC = "ulytau-2012-psc"


_applicants = itertools.count(1)


def intake(username: str, reg: str, n: int, at: dt.datetime):
    """``n`` cases of different applicants, opened straight through the workflow (the API's intake is
    tested elsewhere)."""
    who = actor_for(get_user_model().objects.get(username=username))
    cases = []
    for _ in range(n):
        i = next(_applicants)
        app = workflow.Application(regulation=reg, iin=make_iin(dt.date(1960 + i % 40, 1 + i % 12, 3), "male", i),
                                   category="general-disease", name=f"Applicant {i}",
                                   documents=("application", "id-copy", "irp-extract"))
        cases.append(workflow.intake(who, app, at))
    return cases


def test_the_catalog_is_public_searchable_and_paginated(anonymous):
    everything = anonymous.get("/catalog", limit=200).json()
    ids = [r["id"] for r in everything["items"]]
    assert everything["count"] == len(shipped_catalog().ids()) == len(ids) and ids == sorted(ids)
    first = everything["items"][0]
    assert {"id", "service", "version", "name", "routes", "terms", "act"} <= set(first)
    assert first["act"]["number"] and first["act"]["date"] and first["act"]["issuer"]["ru"]
    assert all(t["cite"] for r in everything["items"] for t in r["terms"])

    page = anonymous.get("/catalog", limit=5, offset=5).json()
    assert page["count"] == everything["count"] and [r["id"] for r in page["items"]] == ids[5:10]
    assert anonymous.get("/catalog", offset=10_000).json() == {"items": [], "count": everything["count"]}

    # Capital Kazakh letters find lower-case ones (І/і, Қ/қ), in any of the three languages.
    kazakh = anonymous.get("/catalog", q="ПРОТЕЗДІК").json()
    assert REG in [r["id"] for r in kazakh["items"]]
    assert all("протездік" in r["name"]["kk"].casefold() for r in kazakh["items"])
    assert REG in [r["id"] for r in anonymous.get("/catalog", q="Протезно-ортопедической").json()["items"]]
    assert [r["id"] for r in anonymous.get("/catalog", q="AKTOGAY").json()["items"]] == [REG]

    portal = anonymous.get("/catalog", channel="portal", limit=200).json()
    assert 0 < portal["count"] < everything["count"]
    assert all(any(route["channel"] == "portal" for route in r["routes"]) for r in portal["items"])
    found = anonymous.get("/catalog", channel="pigeon").json()["error"]
    assert found["field"] == "channel"


def test_one_regulation_in_full(anonymous):
    reg = anonymous.get(f"/catalog/{REG}").json()
    assert reg["id"] == REG and reg["provider"]["kk"]
    general = next(c for c in reg["categories"] if c["code"] == "general-disease")
    assert [d["code"] for d in general["documents"]] == ["application", "id-copy", "irp-extract"]
    assert all(d["name"]["kk"] and d["name"]["ru"] and d["provided_as"] and d["cite"] for d in general["documents"])
    assert reg["refusal_grounds"] and all(g["text"]["kk"] and g["cite"] for g in reg["refusal_grounds"])
    assert isinstance(reg["acceptance_refusal_grounds"], list)
    psc = next(r for r in reg["routes"] if r["code"] == "psc")
    assert psc["channel"] == "psc" and [s["n"] for s in psc["steps"]] == list(range(1, len(psc["steps"]) + 1))
    first = psc["steps"][0]
    assert first["role"]["code"] == "psc-consultant" and first["role"]["name"]["kk"] and first["cite"]
    assert sum(s["accepts"] for s in psc["steps"]) == sum(s["decides"] for s in psc["steps"]) == 1
    assert psc["steps"][-1]["issues"]
    assert {r["kind"] for r in reg["results"]} == {"positive", "refusal"}


def test_pagination_counts_everything_and_caps_the_limit(api_as, clock):
    intake(f"{PSC}.psc-consultant", REG, 7, clock())
    consultant = api_as(f"{PSC}.psc-consultant")
    everything = consultant.get("/cases").json()
    assert everything["count"] == 7 and len(everything["items"]) == 7
    page = consultant.get("/cases", limit=3, offset=3).json()
    assert page["count"] == 7 and [c["id"] for c in page["items"]] == [c["id"] for c in everything["items"][3:6]]
    assert consultant.get("/cases", limit=200).status_code == 200
    for bad, field in (({"limit": 201}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset"),
                       ({"limit": "many"}, "limit")):
        found = consultant.get("/cases", **bad).json()["error"]
        assert (found["code"], found["field"]) == ("invalid", field)
    tasks = consultant.get("/tasks", limit=2).json()
    assert tasks["count"] == 7 and len(tasks["items"]) == 2


def test_case_filters(api_as, clock):
    old = intake(f"{PSC}.psc-consultant", REG, 2, clock())
    clock.advance(days=40)  # far past the 10-working-day term of the first two
    new = intake(f"{PSC}.psc-consultant", REG, 1, clock())
    consultant = api_as(f"{PSC}.psc-consultant")
    inspector = api_as(f"{PSC}.psc-hall-inspector")
    for case in old:  # accepted: the term is set
        consultant.post(f"/tasks/{case.tasks.get().pk}/complete", {})
        inspector.post(f"/tasks/{case.tasks.get(closed_at__isnull=True).pk}/complete", {})
    listed = consultant.get("/cases").json()["items"]
    assert [c["id"] for c in listed] == [new[0].pk, old[1].pk, old[0].pk]  # newest first
    overdue = consultant.get("/cases", overdue="true").json()
    assert sorted(c["id"] for c in overdue["items"]) == sorted(c.pk for c in old)
    assert all(c["overdue"] for c in overdue["items"])
    assert [c["id"] for c in consultant.get("/cases", overdue="false").json()["items"]] == [new[0].pk]
    assert consultant.get("/cases", status="in-progress").json()["count"] == 2
    assert consultant.get("/cases", status="submitted").json()["count"] == 1
    assert consultant.get("/cases", status="lost").json()["error"]["field"] == "status"
    assert [c["number"] for c in consultant.get("/cases", number=new[0].number).json()["items"]] == [new[0].number]
    assert consultant.get("/cases", iin=old[0].applicant_iin).json()["count"] == 1
    assert consultant.get("/cases", regulation=REG, route="psc").json()["count"] == 3
    assert consultant.get("/cases", route="main").json()["count"] == 0


def test_no_list_shows_another_offices_work(api_as, clock):
    ours = intake(f"{PSC}.psc-consultant", REG, 2, clock())
    theirs = intake(f"{OTHER_PSC}.psc-consultant", "ulytau-2012/prosthetic-docs", 1, clock())
    us, them = api_as(f"{PSC}.psc-consultant"), api_as(f"{OTHER_PSC}.psc-consultant")
    assert {c["id"] for c in us.get("/cases").json()["items"]} == {c.pk for c in ours}
    assert {c["id"] for c in them.get("/cases").json()["items"]} == {theirs[0].pk}
    assert us.get("/cases", iin=theirs[0].applicant_iin).json() == {"items": [], "count": 0}
    assert us.get("/cases", number=theirs[0].number).json()["count"] == 0
    assert {t["case"] for t in us.get("/tasks").json()["items"]} == {c.pk for c in ours}
    assert {t["case"] for t in them.get("/tasks").json()["items"]} == {theirs[0].pk}

    # Registries: each PSC sends its own; the other PSC sees neither the registry nor its lines.
    for who, case in ((f"{PSC}", ours[0]), (OTHER_PSC, theirs[0])):
        api_as(f"{who}.psc-consultant").post(f"/tasks/{case.tasks.get().pk}/complete", {})
        api_as(f"{who}.psc-hall-inspector").post(
            f"/tasks/{case.tasks.get(closed_at__isnull=True).pk}/complete", {})
    sent = api_as(f"{PSC}.psc-accumulation-specialist").post(
        "/registries", {"tasks": [ours[0].tasks.get(closed_at__isnull=True).pk]}).json()
    their_clerk = api_as(f"{OTHER_PSC}.psc-accumulation-specialist")
    assert their_clerk.get("/registries").json()["count"] == 0
    assert [t["case"] for t in their_clerk.get("/registries/ready").json()["items"]] == [theirs[0].pk]
    our_clerk = api_as(f"{PSC}.psc-accumulation-specialist")
    outgoing = our_clerk.get("/registries", incoming="false", direction="to-provider").json()
    assert [r["id"] for r in outgoing["items"]] == [sent["id"]]
    assert our_clerk.get("/registries", incoming="true").json()["count"] == 0
    provider = api_as(f"{DEPT}.records-specialist").get("/registries", incoming="true").json()
    assert [r["id"] for r in provider["items"]] == [sent["id"]]
    assert api_as("ulytau-2012-provider.records-specialist").get("/registries").json()["count"] == 0


def queries(api, path: str) -> int:
    api.get(path)  # warm-up: the token's last-used stamp is written at most once a minute
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, limit=200)
    assert response.status_code == 200 and response.json()["count"] == len(response.json()["items"]) > 0
    return len(captured.captured_queries)


def staff(role: str, office: str = PSC):
    return actor_for(get_user_model().objects.get(username=f"{office}.{role}"))


def open_task(case):
    return case.tasks.get(closed_at__isnull=True).pk


def send_registries(n: int, at: dt.datetime) -> None:
    """``n`` PSC cases, each sent to the provider in a registry of its own."""
    for case in intake(f"{PSC}.psc-consultant", REG, n, at):
        workflow.complete(staff("psc-consultant"), open_task(case), workflow.Completion(), at)
        workflow.complete(staff("psc-hall-inspector"), open_task(case), workflow.Completion(), at)
        workflow.dispatch(staff("psc-accumulation-specialist"), [open_task(case)], at)


def decide(n: int, at: dt.datetime) -> None:
    """``n`` provider cases, decided by the head."""
    for case in intake(f"{DEPT}.specialist", REG, n, at):
        for role in ("specialist", "specialist", "sector-head"):
            workflow.complete(staff(role, DEPT), open_task(case), workflow.Completion(), at)
        workflow.complete(staff("head", DEPT), open_task(case), workflow.Completion(decision="positive"), at)


def test_lists_cost_the_same_queries_for_5_and_50_cases(api_as, clock):
    readers = {"/cases": api_as(f"{PSC}.psc-consultant"), "/tasks": api_as(f"{PSC}.psc-consultant"),
               "/registries": api_as(f"{PSC}.psc-accumulation-specialist"), "/decisions": api_as(f"{DEPT}.head")}

    def measure() -> dict[str, int]:
        return {path: queries(api, path) for path, api in readers.items()}

    intake(f"{PSC}.psc-consultant", REG, 5, clock())
    send_registries(2, clock())
    decide(2, clock())
    few = measure()
    intake(f"{PSC}.psc-consultant", REG, 45, clock())
    send_registries(6, clock())
    decide(6, clock())
    many = measure()
    assert readers["/cases"].get("/cases", limit=200).json()["count"] == 58  # 50 + the 8 sent in registries
    assert readers["/tasks"].get("/tasks", limit=200).json()["count"] == 50
    assert readers["/decisions"].get("/decisions").json()["count"] == 8
    assert many == few
