"""The step-by-step check against the health acts' step norms: numbers worked out by hand.

The polyclinic works the "department" schedule: Monday to Friday 09:00-13:00 and 14:00-18:00.  Nauryz 2025:
21-23 March are holidays and the Saturday and Sunday ones move to Monday 24 and Tuesday 25, so after Thursday
20 March the next working day is Wednesday 26 March.

The registrar's step of an appointment at the counter (annex 2, route main, step 1) has the norm "not more than
10 minutes" (cl. 5.1, 6.1, 8.1).  Four cases:

====  =====================  =====================  ==========================================  =======  ======
case  opened                 closed                 working time                                 due      late
====  =====================  =====================  ==========================================  =======  ======
A     Wed 19 Mar 12:55       Wed 19 Mar 14:03       12:55-13:00 + 14:00-14:03 = 8 min (lunch)    14:05    no
B     Thu 20 Mar 17:55       Wed 26 Mar 09:07       17:55-18:00 + 09:00-09:07 = 12 min (Nauryz)  26 09:05  2 min
C     Wed 19 Mar 10:00       Wed 19 Mar 10:04       4 min                                       10:10    no
D     Wed 19 Mar 11:00       Wed 19 Mar 11:30       30 min                                      11:10    20 min
====  =====================  =====================  ==========================================  =======  ======

Mean (8 + 12 + 4 + 30) / 4 = 13.5 min; the nearest-rank 90th percentile of four values is the ceil(3.6) = 4th
smallest: 30 min.  An attachment request (annex 3) gives the provider's steps with no norm: step 4 opened
19 Mar 10:00 and closed 15:30 took 10:00-13:00 + 14:00-15:30 = 270 working minutes, and is never "late".
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qyzmet.cases import workflow
from qyzmet.cases.access import actor_for
from qyzmet.cases.models import Task
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.directory.models import Office, RoleAssignment, Staff
from qyzmet.health import attachment as A
from qyzmet.health import step_norms as N

POLYCLINIC = "mangystau-2015-polyclinic"
REGISTRAR = f"{POLYCLINIC}.registrar"
APPOINTMENT = "mangystau-2015/doctor-appointment"
ACTS = (APPOINTMENT, "mangystau-2015/phc-attachment")


def at(day: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hh, mm, tzinfo=ALMATY)


@pytest.fixture
def office(db, clock) -> Office:
    from qyzmet.cases.services import sync_catalog
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory

    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id in ACTS])
    return Office.objects.get(code=POLYCLINIC)


def actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def appointment(opened: dt.datetime, closed: dt.datetime, serial: int) -> str:
    """A counter appointment opened and answered at the instants given (the engine sets due and late)."""
    registrar = actor(REGISTRAR)
    iin = make_iin(dt.date(1975, 1, 1) + dt.timedelta(days=serial), "female", serial)
    case = workflow.intake(registrar, workflow.Application(regulation=APPOINTMENT, iin=iin, category="",
                                                           name="Серікова Айгүл", route="main"), opened)
    task = Task.objects.get(case=case, closed_at__isnull=True)
    answer = "Қабылдау 27.03.2025 10:00"
    workflow.complete(registrar, task.pk, workflow.Completion(note=answer, decision="positive", reason=answer), closed)
    return case.number


@pytest.fixture
def cases(office) -> dict[str, str]:
    numbers = {
        "A": appointment(at(19, 12, 55), at(19, 14, 3), 1),
        "B": appointment(at(20, 17, 55), at(26, 9, 7), 2),
        "C": appointment(at(19, 10), at(19, 10, 4), 3),
        "D": appointment(at(19, 11), at(19, 11, 30), 4),
        "outside": appointment(at(3, 10), at(3, 10, 5), 5),  # 3 March: before the period
    }
    provider = actor(f"{POLYCLINIC}.provider")
    request = A.request_online(POLYCLINIC, make_iin(dt.date(1990, 6, 1), "male", 9), "Оспанов Ғалым", "", at(19, 10))
    A.process(provider, request.pk, at(19, 15, 30))
    A.process(provider, request.pk, at(19, 15, 40))
    numbers["attachment"] = request.number
    return numbers


def test_p90_is_the_nearest_rank():
    assert N.p90([]) is None
    assert N.p90([5]) == 5
    assert N.p90([3, 1, 2]) == 3  # ceil(2.7) = 3rd smallest
    assert N.p90(list(range(1, 11))) == 9  # ceil(9.0) = 9th of 1..10
    assert N.p90(list(range(1, 12))) == 10  # ceil(9.9) = 10th of 1..11


def test_the_engine_counts_the_due_instants_through_the_lunch_break_and_nauryz(cases):
    tasks = {t.case.number: t for t in Task.objects.filter(case__regulation__reg_id=APPOINTMENT)
             .select_related("case")}
    assert tasks[cases["A"]].due == at(19, 14, 5) and tasks[cases["A"]].late is False
    assert tasks[cases["B"]].due == at(26, 9, 5) and tasks[cases["B"]].late is True
    assert tasks[cases["D"]].due == at(19, 11, 10) and tasks[cases["D"]].late is True


def test_the_report_per_service_and_step(office, cases):
    report = N.report(office, dt.date(2025, 3, 19), dt.date(2025, 3, 31))
    rows = {(r.reg_id, r.step): r for r in report.rows}
    counter = rows[(APPOINTMENT, 1)]
    assert (counter.passed, counter.cases, counter.late) == (4, 4, 2)
    assert counter.mean_seconds == 13.5 * 60 and counter.p90_seconds == 30 * 60 and counter.max_seconds == 30 * 60
    assert (str(counter.norm), counter.norm_seconds, counter.cite, counter.schedule) == (
        "10 minutes", 600, "cl. 5.1, cl. 6.1, cl. 8.1", "department")
    # The attachment's provider steps: measured, but the act gives them no norm, so nothing is late.
    check = rows[("mangystau-2015/phc-attachment", 4)]
    assert (check.passed, check.late, check.norm, check.mean_seconds) == (1, 0, None, 270 * 60)
    assert rows[("mangystau-2015/phc-attachment", 6)].mean_seconds == 10 * 60
    # The applicant's own portal steps are nobody's work at the office: not in the report.
    assert {r.step for r in report.rows if r.reg_id == "mangystau-2015/phc-attachment"} == {4, 6}
    late = [(x.number, x.worked_seconds // 60, x.over_seconds // 60) for x in report.late]
    assert late == [(cases["D"], 30, 20), (cases["B"], 12, 2)]
    assert report.late[0].closed_by == REGISTRAR

    # The period is closed days: B finished on 26 March falls out of 19-25 March.
    week = N.report(office, dt.date(2025, 3, 19), dt.date(2025, 3, 25), service=APPOINTMENT)
    assert [(r.passed, r.late, r.mean_seconds, r.p90_seconds) for r in week.rows] == [(3, 1, 14 * 60, 30 * 60)]


def test_the_staff_page(office, cases):
    client = Client()
    client.force_login(get_user_model().objects.get(username=REGISTRAR))
    client.cookies["qyzmet_language"] = "en"
    page = client.get("/staff/health/steps/?from=2025-03-19&to=2025-03-31").content.decode()
    assert "6 steps done, 2 late" in page  # four appointments and the attachment's two provider steps
    assert "10 minutes" in page and "cl. 5.1, cl. 6.1, cl. 8.1" in page and "13.5" in page and "30.0" in page
    assert "the act gives no norm" in page and "270.0" in page
    assert cases["B"] in page and cases["D"] in page and cases["A"] not in page
    only = client.get(f"/staff/health/steps/?from=2025-03-19&to=2025-03-31&service={APPOINTMENT}").content.decode()
    assert "4 steps done, 2 late" in only and "the act gives no norm" not in only

    bad = client.get("/staff/health/steps/?from=2025-13-01&to=2025-03-31")
    assert bad.status_code == 400 and "Enter the day as YYYY-MM-DD" in bad.content.decode()
    backwards = client.get("/staff/health/steps/?from=2025-03-31&to=2025-03-01")
    assert backwards.status_code == 400 and "cannot be before the first day" in backwards.content.decode()
    unknown = client.get("/staff/health/steps/?from=2025-03-01&to=2025-03-31&service=nope")
    assert unknown.status_code == 400 and "No service" in unknown.content.decode()


def test_where_the_office_has_a_head_only_the_head_reads_it(office, cases):
    user = get_user_model().objects.create_user(username=f"{POLYCLINIC}.head", password="x")
    RoleAssignment.objects.create(staff=Staff.objects.create(user=user, office=office, full_name="Бас дәрігер"),
                                  role="head")
    registrar, head = Client(), Client()
    registrar.force_login(get_user_model().objects.get(username=REGISTRAR))
    head.force_login(user)
    assert registrar.get("/staff/health/steps/?from=2025-03-19&to=2025-03-31").status_code == 403
    assert head.get("/staff/health/steps/?from=2025-03-19&to=2025-03-31").status_code == 200


def test_the_cli_prints_table_json_and_csv(cases, capsys):
    from qyzmet.cli import main

    args = ["report", "steps", "--office", POLYCLINIC, "--from", "2025-03-19", "--to", "2025-03-31"]
    assert main([*args, "--format", "json"]) == 1  # some steps were late
    data = json.loads(capsys.readouterr().out)
    step = next(s for s in data["steps"] if s["regulation"] == APPOINTMENT)
    assert (step["passed"], step["late"], step["mean_minutes"], step["p90_minutes"], step["norm_minutes"]) == (
        4, 2, 13.5, 30.0, 10.0)
    assert [(x["number"], x["over_minutes"]) for x in data["late_steps"]] == [(cases["D"], 20.0), (cases["B"], 2.0)]

    assert main(args) == 1
    table = capsys.readouterr().out
    assert "6 steps done, 2 late" in table and "10 minutes" in table and f"late: {cases['D']}" in table
    assert "no norm" in table

    assert main([*args, "--format", "csv"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("regulation,version,route,step,role,norm")
    assert any(line.startswith(f"{APPOINTMENT},1,main,1,registrar,10 minutes,10.0,") for line in lines)
    assert any(line.startswith(f"{cases['B']},{APPOINTMENT},main,1,") for line in lines)

    # One day with a late step: exit 1; a day without: exit 0.
    assert main([*args[:4], "--from", "2025-03-19", "--to", "2025-03-19", "--service", APPOINTMENT]) == 1
    capsys.readouterr()
    assert main([*args[:4], "--from", "2025-03-03", "--to", "2025-03-03"]) == 0
    assert "1 steps done, 0 late" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "says"), [
    (["--office", "nowhere", "--from", "2025-03-01", "--to", "2025-03-31"], "--office: no office"),
    (["--office", POLYCLINIC, "--from", "01.03.2025", "--to", "2025-03-31"], "--from: Enter the day as YYYY-MM-DD"),
    (["--office", POLYCLINIC, "--from", "2025-03-31", "--to", "2025-03-01"], "--to: The last day cannot be before"),
    (["--office", POLYCLINIC, "--from", "2024-01-01", "--to", "2025-03-31"], "--to: One report covers at most 366"),
    (["--office", POLYCLINIC, "--from", "2025-03-01", "--to", "2025-03-31", "--service", "x/y"], "--service: No"),
])
def test_the_cli_refuses_bad_input_in_one_line(office, capsys, argv, says):
    from qyzmet.cli import main

    assert main(["report", "steps", *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_the_api_gives_the_same_numbers(cases, api_as):
    api = api_as(REGISTRAR)
    body = api.get("/health/steps", **{"from": "2025-03-19", "to": "2025-03-31"}).json()
    step = next(s for s in body["steps"] if s["regulation"] == APPOINTMENT)
    assert (step["passed"], step["late"], step["p90_minutes"]) == (4, 2, 30.0)
    bad = api.get("/health/steps", **{"from": "2025-03-31", "to": "2025-03-01"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "to"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_page_renders_in_kazakh_and_russian(cases, lang):
    client = Client()
    client.force_login(get_user_model().objects.get(username=REGISTRAR))
    client.cookies["qyzmet_language"] = lang
    response = client.get("/staff/health/steps/?from=2025-03-19&to=2025-03-31")
    assert response.status_code == 200 and f'lang="{lang}"' in response.content.decode()
    assert "cl. 5.1, cl. 6.1, cl. 8.1" in response.content.decode()  # the clause as the act file cites it
