"""The PSC hall's queue against the acts' norms, tried as the hall's staff would.

Today is Wednesday 19 March 2025, 10:00 in Almaty (the ``clock`` fixture).  The State Corporation's hall
(mlsp-2021) owes its visitors a wait of at most 15 minutes and a service of at most 15 (annex 3, items 3.2,
3.3; booking through the portal, item 7.1); the Aktogay PSC 30 and 30 (cl. 9.2, 9.3).
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from qyzmet.cases.access import Actor, actor_for
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core.calendar import ALMATY
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.queueing import Hall, erlang_c, windows_needed
from qyzmet.directory.models import Office
from qyzmet.hall import workflow
from qyzmet.hall.models import HallPolicy, Visit

PA = "mlsp-2021/personal-assistant"
SL = "mlsp-2021/sign-language"
AKTOGAY = "aktogay-2013/prosthetic-docs"
ALMATY_AIDS = "almaty-2012/aids-hygiene-docs"
MLSP_PSC = "mlsp-2021-psc.psc-hall-inspector"


def at(hh: int, mm: int, ss: int = 0, day: int = 19) -> dt.datetime:
    return dt.datetime(2025, 3, day, hh, mm, ss, tzinfo=ALMATY)


def who(username: str) -> Actor:
    return actor_for(get_user_model().objects.get(username=username))


def browser(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies["qyzmet_language"] = "en"
    return client


@pytest.fixture
def almaty_psc(demo_offices):
    """The Almaty 2012 acts are silent on priority; their PSC joins the demo directory."""
    from qyzmet.demo import build_directory

    build_directory([r for r in shipped_catalog().regulations if r.id.startswith("almaty-2012/")])
    return Office.objects.get(code="almaty-2012-psc")


# --- the talon and its norm ----------------------------------------------------------------------------------

def test_talons_are_numbered_per_office_per_day(demo_offices, clock):
    mlsp, aktogay = who(MLSP_PSC), who("aktogay-2013-psc.psc-consultant")
    numbers = [workflow.issue(mlsp, reg_id=PA, now=at(9, m)).number for m in (0, 1, 2)]
    assert numbers == ["A-001", "A-002", "A-003"]
    assert workflow.issue(aktogay, reg_id=AKTOGAY, now=at(9, 3)).number == "A-001"  # its own sequence
    booked = workflow.issue(mlsp, reg_id=SL, now=at(9, 4), booked_for=at(9, 30))
    assert booked.number == "B-001"  # booked talons have their own series
    assert workflow.issue(mlsp, reg_id=PA, now=at(9, 5)).number == "A-004"
    assert workflow.issue(mlsp, reg_id=PA, now=at(9, 0, day=20)).number == "A-001"  # a new day starts again


def test_the_norm_is_the_acts_with_its_clause(demo_offices, clock):
    visit = workflow.issue(who(MLSP_PSC), reg_id=PA, now=at(9, 0))
    queue = shipped_catalog().get(PA).channel("psc").queue
    assert (visit.norm_wait_minutes, visit.norm_service_minutes) == (queue.max_wait.minutes, 15) == (15, 15)
    assert visit.norm_cite == "annex 3, items 3.2, 3.3, 7.1" and visit.channel == "psc"
    other = workflow.issue(who("aktogay-2013-psc.psc-consultant"), reg_id=AKTOGAY, now=at(9, 0))
    assert (other.norm_wait_minutes, other.norm_service_minutes, other.norm_cite) == (30, 30, "cl. 7, cl. 9.2, cl. 9.3")

    kiosk = browser(MLSP_PSC)
    page = kiosk.get("/staff/hall/kiosk/").content.decode()
    assert f'value="{PA}"' in page and f'value="{SL}"' in page  # a button per service of the office
    page = kiosk.post("/staff/hall/kiosk/", {"service": PA}).content.decode()
    assert "A-002" in page and "1 visitor is ahead of you." in page
    assert "you wait at most 15 min (annex 3, items 3.2, 3.3, 7.1)" in page


def test_a_service_the_hall_does_not_take_is_refused(demo_offices, clock):
    with pytest.raises(Invalid) as exc:
        workflow.issue(who(MLSP_PSC), reg_id=AKTOGAY, now=at(9, 0))
    assert exc.value.field == "service"
    response = browser(MLSP_PSC).post("/staff/hall/kiosk/", {"service": "no/such"})
    assert response.status_code == 422 and "does not take" in response.content.decode()
    assert not Visit.objects.exists()


# --- priority and booking, as the acts give them -------------------------------------------------------------

def test_call_next_takes_priority_first_then_the_earliest(almaty_psc, clock):
    HallPolicy.objects.create(office=almaty_psc, priority_basis="Order of the PSC No. 7 (veterans, group 1)")
    inspector = who("almaty-2012-psc.psc-hall-inspector")
    first = workflow.issue(inspector, reg_id=ALMATY_AIDS, now=at(9, 0))
    second = workflow.issue(inspector, reg_id=ALMATY_AIDS, now=at(9, 1))
    urgent = workflow.issue(inspector, reg_id=ALMATY_AIDS, now=at(9, 2), priority=True,
                            priority_reason="WWII veteran")
    called = [workflow.call_next(inspector, window=w, now=at(9, 5)) for w in (1, 2, 3)]
    assert [v.number for v in called] == [urgent.number, first.number, second.number]
    assert workflow.call_next(inspector, window=4, now=at(9, 6)) is None  # nobody left


def test_priority_only_where_the_act_or_the_office_gives_it(almaty_psc, clock):
    # mlsp-2021: "without expedited service" (priority: false) — no office can give it.
    with pytest.raises(Invalid) as exc:
        workflow.issue(who(MLSP_PSC), reg_id=PA, now=at(9, 0), priority=True, priority_reason="veteran")
    assert exc.value.field == "priority" and "annex 3, items 3.2, 3.3, 7.1" in exc.value.message
    # almaty-2012 is silent: only with the office's basis, and a reason.
    inspector = who("almaty-2012-psc.psc-hall-inspector")
    with pytest.raises(Invalid) as exc:
        workflow.issue(inspector, reg_id=ALMATY_AIDS, now=at(9, 0), priority=True, priority_reason="veteran")
    assert exc.value.field == "priority"
    HallPolicy.objects.create(office=almaty_psc, priority_basis="Order No. 7")
    with pytest.raises(Invalid) as exc:
        workflow.issue(inspector, reg_id=ALMATY_AIDS, now=at(9, 0), priority=True)
    assert exc.value.field == "priority_reason"
    assert not Visit.objects.exists()


def test_booking_where_the_act_allows_it(demo_offices, clock):
    mlsp = who(MLSP_PSC)
    early = workflow.issue(mlsp, reg_id=PA, now=at(9, 20), booked_for=at(9, 30))
    late = workflow.issue(mlsp, reg_id=PA, now=at(9, 40), booked_for=at(9, 30))
    assert early.queued_at == at(9, 30)  # came early: waits from the slot
    assert late.queued_at == at(9, 40)  # came late: from the arrival
    with pytest.raises(Invalid) as exc:  # aktogay-2013 cl. 7: "without advance booking"
        workflow.issue(who("aktogay-2013-psc.psc-consultant"), reg_id=AKTOGAY, now=at(9, 0), booked_for=at(9, 30))
    assert exc.value.field == "booked_for" and "cl. 7" in exc.value.message
    with pytest.raises(Invalid):
        workflow.issue(mlsp, reg_id=PA, now=at(9, 0), booked_for=at(9, 30, day=20))


# --- the window ----------------------------------------------------------------------------------------------

def test_a_visit_from_talon_to_served(demo_offices, clock):
    from qyzmet.cases.models import Case

    mlsp = who(MLSP_PSC)
    visit = workflow.issue(mlsp, reg_id=PA, now=at(9, 0))
    called = workflow.call_next(mlsp, window=3, now=at(9, 4))
    assert (called.pk, called.window, called.state) == (visit.pk, 3, "called")
    with pytest.raises(Conflict, match="Window 3 has talon A-001 open"):
        workflow.call_next(mlsp, window=3, now=at(9, 5))
    with pytest.raises(Conflict, match="service has not started"):
        workflow.finish(mlsp, visit.pk, outcome="served", now=at(9, 5))
    workflow.recall(mlsp, visit.pk, at(9, 6))
    workflow.start(mlsp, visit.pk, at(9, 7))
    with pytest.raises(Invalid) as exc:
        workflow.finish(mlsp, visit.pk, outcome="served", now=at(9, 20), case_number="Q2025-9999999")
    assert exc.value.field == "case"
    done = workflow.finish(mlsp, visit.pk, outcome="served", now=at(9, 20))
    assert (done.state, done.outcome, done.recalls, done.called_at) == ("done", "served", 1, at(9, 4))
    assert not Case.objects.exists() and done.case is None


def test_urgency_at_the_exact_boundaries(demo_offices, clock):
    """15 minutes from 10:00: a quarter (3 min 45 s) left at 10:11:15 is still on track; overdue only after
    10:15:00 — the rule of ``access.urgency``."""
    visit = workflow.issue(who(MLSP_PSC), reg_id=PA, now=at(10, 0))
    client = browser(MLSP_PSC)

    def tag() -> str:
        page = client.get("/staff/hall/").content.decode()
        row = page.split(f"<th scope=\"row\">{visit.number}", 1)[1].split("</tr>", 1)[0]
        return row.split('q-tag q-tag--', 1)[1].split('"', 1)[0]

    for moment, expected in ((at(10, 11, 15), "on-track"), (at(10, 11, 16), "at-risk"), (at(10, 15, 0), "at-risk"),
                             (at(10, 15, 1), "overdue")):
        clock.at = moment
        assert tag() == expected, moment
    workflow.call_next(who(MLSP_PSC), window=1, now=at(10, 15, 1))
    workflow.start(who(MLSP_PSC), visit.pk, at(10, 16))
    for moment, expected in ((at(10, 27, 15), "on-track"), (at(10, 27, 16), "at-risk"), (at(10, 31, 1), "overdue")):
        clock.at = moment
        page = client.get("/staff/hall/").content.decode()
        serving = page.split('id="serving"', 1)[1].split("</table>", 1)[0]
        assert f"q-tag--{expected}" in serving, moment


# --- the day's summary ---------------------------------------------------------------------------------------

@pytest.fixture
def morning(demo_offices, clock):
    """Worked out by hand, norm 15 min wait and 15 min service (annex 3, items 3.2, 3.3, 7.1):

    A-001 09:00, called 09:10 (10 min), served 09:10-09:20 (10)        within both
    A-002 09:05, called 09:25 (20 min), served 09:26-09:46 (20)        over both
    A-003 09:15, called 09:26 (11 min), did not come                   within
    A-004 09:40, still waiting at 10:00 (20 min)                        over, still waiting
    A-005 09:50, still waiting at 10:00 (10 min)                        not measured yet
    """
    mlsp = who(MLSP_PSC)
    v = [workflow.issue(mlsp, reg_id=PA, now=at(9, m)) for m in (0, 5, 15, 40, 50)]
    assert workflow.call_next(mlsp, window=1, now=at(9, 10)).pk == v[0].pk
    workflow.start(mlsp, v[0].pk, at(9, 10))
    workflow.finish(mlsp, v[0].pk, outcome="served", now=at(9, 20))
    assert workflow.call_next(mlsp, window=2, now=at(9, 25)).pk == v[1].pk
    workflow.start(mlsp, v[1].pk, at(9, 26))
    assert workflow.call_next(mlsp, window=1, now=at(9, 26)).pk == v[2].pk
    workflow.finish(mlsp, v[2].pk, outcome="no-show", now=at(9, 28))
    workflow.finish(mlsp, v[1].pk, outcome="served", now=at(9, 46))
    return v


def test_the_days_summary_by_hand(morning, api_as):
    body = api_as(MLSP_PSC).get("/hall/summary").json()
    assert (body["visitors"], body["served"], body["no_show"]) == (5, 2, 1)
    assert body["within_wait"] == 0.5  # of A-001..A-004
    assert body["within_service"] == 0.5  # A-001 of
    [pa] = body["services"]
    assert pa["mean_wait_minutes"] == round((10 + 20 + 11) / 3, 2) and pa["p90_wait_minutes"] == 20
    assert pa["norm"] == {"max_wait_minutes": 15, "max_service_minutes": 15, "cite": "annex 3, items 3.2, 3.3, 7.1"}
    assert [(x["number"], x["kind"], x["took_minutes"], x["still_open"]) for x in body["violations"]] == [
        ("A-002", "service", 20, False), ("A-002", "wait", 20, False), ("A-004", "wait", 20, True)]
    # The model: 5 talons in the first opening hour (09:00-20:00 schedule), 15 min mean service, 2 windows.
    load = body["load"]
    assert (load["arrivals_per_hour"], load["open_hours"], load["mean_service_minutes"], load["windows"]) == \
        (5, 1, 15, 2)
    exact = erlang_c(Hall(5, 15, 2), 15)
    assert load["predicted_p_wait"] == round(exact.p_wait, 4) == round(2.0833 / 4.3333, 4)
    assert load["windows_needed"] == windows_needed(5, 15, 15)


def test_the_hall_page_shows_the_day(morning):
    page = browser(MLSP_PSC).get("/staff/hall/").content.decode()
    waiting = page.split('id="waiting"', 1)[1].split("</table>", 1)[0]
    assert "A-004" in waiting and "q-tag--overdue" in waiting and "A-005" in waiting
    assert "Waiting: 2 visitors" in page
    summary = page.split('id="summary"', 1)[1].split("</dl>", 1)[0]
    assert "50 %" in summary and "2 of 4" in summary and "1 of 2" in summary
    violations = page.split('id="violations"', 1)[1].split("</table>", 1)[0]
    assert violations.count("A-002") == 2 and "still waiting" in violations
    assert "annex 3, items 3.2, 3.3, 7.1" in violations
    assert "13 min 40 s" in page and "20 min" in page  # average and 90th percentile of the waits
    assert "5.0 visitors an hour" in page
    # The refresh asks for the live part only.
    part = browser(MLSP_PSC).get("/staff/hall/", headers={"HX-Request": "true", "HX-Target": "hall-live"})
    assert part.content.decode().lstrip().startswith('<div id="hall-live"')
    # Another day's summary; a bad date names the field.
    assert "Nobody is waiting" not in browser(MLSP_PSC).get("/staff/hall/", {"date": "2025-03-18"}).content.decode()
    bad = browser(MLSP_PSC).get("/staff/hall/", {"date": "yesterday"})
    assert bad.status_code == 422 and 'href="#f-date"' in bad.content.decode()


def test_queue_report_command(morning, capsys):
    from qyzmet.cli import main

    assert main(["queue", "report", "--office", "mlsp-2021-psc", "--format", "json"]) == 1  # violations
    out = json.loads(capsys.readouterr().out)
    assert out["within_wait"] == 0.5 and out["load"]["windows"] == 2
    assert main(["queue", "report", "--office", "mlsp-2021-psc", "--windows", "4"]) == 1
    text = capsys.readouterr().out
    assert "violation: A-004" in text and "4 windows" in text and "Erlang-C:" in text
    assert main(["queue", "report", "--office", "nowhere"]) == 2
    assert "--office" in capsys.readouterr().err


def test_the_board_and_the_kiosk(demo_offices, clock):
    client = browser(MLSP_PSC)
    client.post("/staff/hall/kiosk/", {"service": PA})
    client.post("/staff/hall/kiosk/", {"service": SL})
    response = client.post("/staff/hall/call/", {"window": "4"})
    assert response.status_code == 302
    board = client.get("/staff/hall/board/").content.decode()
    calling = board.split('id="calling"', 1)[1].split("</table>", 1)[0]
    assert "<td>A-001</td><td>4</td>" in calling and "A-002" not in calling
    assert "1 visitor waiting" in board
    # The hall page remembers the window and offers its actions.
    page = client.get("/staff/hall/").content.decode()
    assert "Window 4" in page and "Start the service" in page


# --- who may -------------------------------------------------------------------------------------------------

def test_another_office_gets_404_and_a_provider_403(demo_offices, clock, api_as):
    visit = workflow.issue(who(MLSP_PSC), reg_id=PA, now=at(9, 0))
    other = browser("aktogay-2013-psc.psc-consultant")
    assert other.post(f"/staff/hall/visits/{visit.pk}/start/").status_code == 404
    assert api_as("aktogay-2013-psc.psc-consultant").post(f"/hall/visits/{visit.pk}/start").status_code == 404
    assert api_as("aktogay-2013-psc.psc-consultant").get(f"/hall/visits/{visit.pk}").status_code == 404
    assert browser("mlsp-2021-provider.specialist").get("/staff/hall/").status_code == 403
    assert Visit.objects.get(pk=visit.pk).state == "waiting"


# --- the API -------------------------------------------------------------------------------------------------

def test_the_api_issue_call_start_finish(demo_offices, clock, api_as):
    api = api_as(MLSP_PSC)
    talon = api.post("/hall/talons", {"service": PA}, key="talon-1")
    assert talon.status_code == 201 and talon.json()["number"] == "A-001"
    again = api.post("/hall/talons", {"service": PA}, key="talon-1")  # a retried request prints no second talon
    assert again.json()["id"] == talon.json()["id"] and Visit.objects.count() == 1
    clock.at = at(10, 12)
    state = api.get("/hall/state").json()
    [row] = state["waiting"]
    assert (row["waited_minutes"], row["urgency"]) == (12, "at-risk")
    assert row["norm"]["cite"] == "annex 3, items 3.2, 3.3, 7.1"
    called = api.post("/hall/call-next", {"window": 2}).json()
    assert (called["number"], called["window"], called["state"]) == ("A-001", 2, "called")
    assert api.post(f"/hall/visits/{called['id']}/start").json()["state"] == "serving"
    clock.at = at(10, 30)
    done = api.post(f"/hall/visits/{called['id']}/finish", {"outcome": "served"}).json()
    assert (done["outcome"], done["service_minutes"], done["urgency"]) == ("served", 18, "overdue")


@pytest.mark.parametrize("path, body, status, field", [
    ("/hall/talons", {}, 422, "service"),
    ("/hall/talons", {"service": "no/such"}, 422, "service"),
    ("/hall/talons", {"service": PA, "priority": True, "priority_reason": "x"}, 422, "priority"),
    ("/hall/talons", {"service": PA, "booked_for": "2025-03-20T09:30:00+05:00"}, 422, "booked_for"),
    ("/hall/talons", {"service": PA, "colour": "red"}, 422, "colour"),
    ("/hall/call-next", {"window": 0}, 422, "window"),
    ("/hall/call-next", {}, 422, "window"),
])
def test_api_validation_names_the_field(demo_offices, clock, api_as, path, body, status, field):
    response = api_as(MLSP_PSC).post(path, body)
    assert response.status_code == status
    assert response.json()["error"]["field"] == field
    assert not Visit.objects.exists()


def test_api_call_next_with_nobody_waiting_and_finish_errors(demo_offices, clock, api_as):
    api = api_as(MLSP_PSC)
    empty = api.post("/hall/call-next", {"window": 1})
    assert empty.status_code == 409 and empty.json()["error"]["code"] == "queue-empty"
    visit = api.post("/hall/talons", {"service": PA}).json()
    bad = api.post(f"/hall/visits/{visit['id']}/finish", {"outcome": "vanished"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "outcome"
    early = api.post(f"/hall/visits/{visit['id']}/finish", {"outcome": "served"})
    assert early.status_code == 409 and "not been called" in early.json()["error"]["message"]
    api.post("/hall/call-next", {"window": 1})
    redirected = api.post(f"/hall/visits/{visit['id']}/finish", {"outcome": "redirected"})
    assert redirected.status_code == 422 and redirected.json()["error"]["field"] == "note"
    assert Visit.objects.get(pk=visit["id"]).state == "called"
    assert api_as("mlsp-2021-provider.specialist").get("/hall/state").status_code == 403


# --- two windows at once (PostgreSQL) ------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (SKIP LOCKED) are PostgreSQL's")
def test_two_windows_calling_at_once_never_get_the_same_visitor(demo_offices, clock):
    from django.db import connections, transaction

    mlsp = who(MLSP_PSC)
    visits = [workflow.issue(mlsp, reg_id=PA, now=at(9, m)) for m in range(8)]
    office_id = visits[0].office_id

    # 1. Deterministic: window 1's transaction holds the first visitor's row; window 2 must take the second
    #    at once (skipped, not waited for) — and the first is not given twice after window 1 commits.
    locked, done = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def hold_first() -> None:
        try:
            with transaction.atomic():
                results["held"] = workflow._next_for_update(office_id, at(9, 0).date()).pk
                locked.set()
                done.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_first)
    holder.start()
    assert locked.wait(10)
    second = workflow.call_next(mlsp, window=2, now=at(9, 30))
    done.set()
    holder.join(10)
    assert results["held"] == visits[0].pk and second.pk == visits[1].pk

    # 2. Six windows pressing "next" together get six different visitors.
    barrier = threading.Barrier(6)
    picked: list[int] = []
    errors: list[BaseException] = []

    def press(window: int) -> None:
        try:
            barrier.wait(10)
            visit = workflow.call_next(mlsp, window=window, now=at(9, 31))
            picked.append(visit.pk)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(w,)) for w in range(3, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors
    assert len(set(picked)) == 6 and visits[1].pk not in picked
    assert Visit.objects.filter(state="called").count() == 7
