"""Compliance monitoring for heads and regulators: numbers worked out by hand on a simulated clock.

The department works Monday to Friday 09:00-13:00 and 14:00-18:00.  March 2025: Saturday 8 March moves to
Monday 10 March; Nauryz 21-23 March, the Saturday and Sunday ones moved to Monday 24 and Tuesday 25.

Aktogay prosthetic documents at the department (route main): step 1 the specialist accepts (15 minutes,
annex 2 table 1 row 1), 2 the specialist (3 working days), 3 the sector head (2), 4 the head decides (2), 5 the
specialist issues (3); the term is 10 working days (cl. 9.1).

=====  =================  ====================================================  =========================
case   submitted          what happens                                          counts as
=====  =================  ====================================================  =========================
A      Mon 3 Mar 10:00    step 1 in 5 min, one step a day, issued Fri 7 Mar      in term
B      Mon 3 Mar 11:00    step 1 in 30 min (due 11:15), then as A               in term, step 1 late
C      Tue 4 Mar 10:00    step 1 in 10 min; step 2 (due Fri 7 Mar 18:00) done    overdue (closed late),
                          Wed 26 Mar; issued Wed 26 Mar (term due 19 Mar)        step 2 late
D      Wed 5 Mar 10:00    step 1 in 12 min; refused Tue 11 Mar, issued 12 Mar    in term, refused
F      Thu 6 Mar 10:00    step 1 in 8 min; left at step 2 (due 12 Mar 18:00)     overdue (open), step 2 late
P      Mon 3 Mar 10:00    at the Aktogay PSC: step 1 in 20 min, step 2 (30        overdue (open) in both
                          min) in 40 — late — and left at step 3                 offices, 2 late PSC steps
G      Mon 3 Mar 10:00    Ulytau department: step 1 in 5 min, left at step 2    overdue (open), step 2 late
M      Wed 5 Mar 10:00    MLSP department: acceptance refused (a document        acceptance refusal
                          missing, annex 4 item 3.3)
old    Mon 3 Feb 10:00    Aktogay, issued Fri 7 Feb                              not in March
=====  =================  ====================================================  =========================

Step 1 at the department, in working minutes: A 5, B 30, C 10, D 12, F 8 — mean 65 / 5 = 13.0; the
nearest-rank 90th percentile of five values is the ceil(4.5) = 5th smallest, 30 minutes: over the 15-minute norm.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from qyzmet.cases import workflow
from qyzmet.cases.access import AccessDenied, actor_for
from qyzmet.cases.models import Case, Task
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.directory.models import Office, RoleAssignment, Staff
from qyzmet.monitoring import compliance as C
from qyzmet.monitoring.scope import everything, scope_for

DEPT = "aktogay-2013-provider"
PSC = "aktogay-2013-psc"
ULYTAU = "ulytau-2012-provider"
MLSP = "mlsp-2021-provider"
REGULATOR = "karaganda-regulator.regulator"
AKTOGAY = "aktogay-2013/prosthetic-docs"
ULYTAU_REG = "ulytau-2012/aids-hygiene-docs"
MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


def at(month: int, day: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hh, mm, tzinfo=ALMATY)


def actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def open_task(case: Case) -> Task:
    return Task.objects.get(case=case, closed_at__isnull=True)


def run(office: str, reg_id: str, category: str, documents: tuple[str, ...], times: list[dt.datetime],
        serial: int, *, refuse: bool = False, route: str = "main") -> Case:
    """Intake at ``times[0]``, then step n done at ``times[n]`` by the office's account of its role."""
    from qyzmet.cases.services import regulation_of

    clerk = actor(f"{office}.{'psc-consultant' if route == 'psc' else 'specialist'}")
    iin = make_iin(dt.date(1970, 1, 1) + dt.timedelta(days=serial), "female", 300 + serial)
    case = workflow.intake(clerk, workflow.Application(
        regulation=reg_id, iin=iin, category=category, documents=documents, name="Серікова Әлия",
        phone="+7 701 234 56 78", route=route), times[0])
    reg = regulation_of(case.regulation)
    for n, when in enumerate(times[1:], start=1):
        task = open_task(case)
        assert task.step == n
        step = reg.route(case.route).step(n)
        who = actor(f"{task.office.code}.{step.role}")
        if step.decides:
            done = workflow.Completion(decision="refusal", grounds=("medical-contraindications",),
                                       reason="қарсы көрсетілімдер бар") if refuse else \
                workflow.Completion(decision="positive")
        else:
            done = workflow.Completion()
        case = workflow.complete(who, task.pk, done, when)
    return case


DOCS = ("application", "id-copy", "irp-extract")


@pytest.fixture
def month(demo_offices, clock) -> dict[str, str]:
    """The cases of the table above; the clock stands at 15 April, after the month."""
    clock.at = at(4, 15, 10)
    day = {d: at(3, d, 10) for d in range(1, 32)}
    numbers = {
        "A": run(DEPT, AKTOGAY, "general-disease", DOCS, [at(3, 3, 10), at(3, 3, 10, 5), at(3, 4, 10), at(3, 5, 10),
                                                           at(3, 6, 10), at(3, 7, 10)], 1),
        "B": run(DEPT, AKTOGAY, "general-disease", DOCS, [at(3, 3, 11), at(3, 3, 11, 30), at(3, 4, 11), at(3, 5, 11),
                                                           at(3, 6, 11), at(3, 7, 11)], 2),
        "C": run(DEPT, AKTOGAY, "general-disease", DOCS, [at(3, 4, 10), at(3, 4, 10, 10), day[26], at(3, 26, 11),
                                                           at(3, 26, 12), at(3, 26, 15)], 3),
        "D": run(DEPT, AKTOGAY, "general-disease", DOCS, [at(3, 5, 10), at(3, 5, 10, 12), day[6], day[7], day[11],
                                                           day[12]], 4, refuse=True),
        "F": run(DEPT, AKTOGAY, "general-disease", DOCS, [at(3, 6, 10), at(3, 6, 10, 8)], 5),
        "P": run(PSC, AKTOGAY, "general-disease", DOCS, [at(3, 3, 10), at(3, 3, 10, 20), at(3, 3, 11)], 6,
                 route="psc"),
        "G": run(ULYTAU, ULYTAU_REG, "surdo-wwii-participant-or-disabled",
                 ("application", "irp-extract", "id-copy", "war-certificate-copy"), [at(3, 3, 10), at(3, 3, 10, 5)], 7),
        "old": run(DEPT, AKTOGAY, "general-disease", DOCS, [at(2, 3, 10), at(2, 3, 10, 5), at(2, 4, 10),
                                                             at(2, 5, 10), at(2, 6, 10), at(2, 7, 10)], 8),
    }
    clerk = actor(f"{MLSP}.specialist")
    m = workflow.intake(clerk, workflow.Application(
        regulation="mlsp-2021/mobility-means", iin=make_iin(dt.date(1980, 2, 2), "male", 309),
        category="disabled-person",
        documents=("application", "identity-document"), name="Оспанов Ғалым", phone="+7 701 234 56 79"), at(3, 5, 10))
    workflow.refuse_acceptance(clerk, open_task(m).pk, "incomplete-package", "", at(3, 5, 10, 10))
    numbers["M"] = m.number
    return {k: (v.number if isinstance(v, Case) else v) for k, v in numbers.items()}


def make_head(office_code: str, role: str) -> str:
    office = Office.objects.get(code=office_code)
    user = get_user_model().objects.create_user(username=f"{office_code}.{role}", password="x")
    RoleAssignment.objects.create(staff=Staff.objects.create(user=user, office=office, full_name="Бастық"), role=role)
    return user.username


def client_of(username: str, lang: str = "en") -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies["qyzmet_language"] = lang
    return client


def question(username: str, **kw) -> C.Question:
    return C.ask(scope_for(actor(username)), "2025-03-01", "2025-03-31", **kw)


def test_the_cases_are_what_the_table_says(month):
    c = Case.objects.get(number=month["C"])
    assert c.closed_at == at(3, 26, 15) and c.term_due < c.closed_at and c.in_term is False
    late = {(t.case.number, t.step) for t in Task.objects.filter(late=True).select_related("case")}
    assert late == {(month["B"], 1), (month["C"], 2), (month["P"], 2)}
    assert Case.objects.get(number=month["M"]).status == "acceptance-refused"


def test_the_department_heads_numbers(month):
    r = C.report(question(f"{DEPT}.head"))
    t = r.totals
    # A, B, C, D, F received here and P worked here.
    assert (t["cases"], t["in_term"], t["overdue"], t["closed_late"], t["open_overdue"]) == (6, 3, 3, 1, 2)
    assert (t["refused"], t["acceptance_refused"], t["no_term"], t["open"]) == (1, 0, 0, 2)
    # The department's own steps only: B's step 1, C's and F's step 2 (P's late steps are the PSC's).
    assert (t["steps"], t["late_steps"], t["steps_closed_late"], t["open_late"]) == (5 + 5 + 5 + 5 + 2, 3, 2, 1)
    assert [(row.code, row.counts["cases"], row.counts["overdue"], row.counts["late_steps"])
            for row in r.tables["office"]] == [(DEPT, 6, 3, 3)]
    routes = {(row.key["service"], row.key["route"]): row.counts for row in r.tables["route"]}
    assert routes[(AKTOGAY, "main")]["cases"] == 5 and routes[(AKTOGAY, "psc")]["overdue"] == 1

    steps = {(row.key["route"], int(row.key["step"])): row for row in r.tables["step"]}
    first = steps[("main", 1)]
    assert (first.counts["steps"], first.counts["done"], first.counts["late_steps"]) == (5, 5, 1)
    assert first.mean_seconds == 13 * 60 and first.p90_seconds == 30 * 60 and first.over_norm is True
    assert (first.norm, first.cite) == ("15 minutes", "annex 2, table 1, row 1")
    second = steps[("main", 2)]
    assert (second.counts["steps"], second.counts["done"], second.counts["late_steps"],
            second.counts["open_late"]) == (5, 4, 2, 1)
    # One of the four finished steps 2 closed after its due: more than one in ten, so the 90th percentile is over.
    assert second.over_norm is True and second.norm == "3 working days"
    staff = {row.code: row.counts for row in r.tables["staff"]}
    assert staff[f"{DEPT}.specialist"] == {"done": 13, "closed_late": 2}
    assert staff[f"{DEPT}.head"] == {"done": 4, "closed_late": 0}
    # The trend: the week each term fell due; C and F overdue, P's too (its department works it).
    assert sum(w.in_term for w in r.weeks) == 3 and sum(w.overdue for w in r.weeks) == 3
    assert [w.label for w in r.weeks] == ["2025-W09", "2025-W10", "2025-W11", "2025-W12", "2025-W13", "2025-W14"]


def test_the_psc_head_sees_the_psc_only(month):
    head = make_head(PSC, "psc-head")
    r = C.report(question(head))
    assert (r.totals["cases"], r.totals["overdue"], r.totals["late_steps"]) == (1, 1, 2)
    assert [row.code for row in r.tables["office"]] == [PSC]
    assert {(int(row.key["step"]), row.counts["late_steps"]) for row in r.tables["step"]} == {(1, 0), (2, 1), (3, 1)}


def test_the_regulator_sees_the_region_and_nothing_else(month):
    r = C.report(question(REGULATOR))
    offices = {row.code: row.counts for row in r.tables["office"]}
    assert set(offices) == {DEPT, PSC, ULYTAU, "ulytau-2012-psc"}
    assert (offices[DEPT]["cases"], offices[PSC]["cases"], offices[ULYTAU]["cases"]) == (6, 1, 1)
    # P counts in the PSC's row and the department's, once in the totals; the MLSP case is not in the region.
    assert (r.totals["cases"], r.totals["overdue"], r.totals["acceptance_refused"]) == (7, 4, 0)
    assert r.totals["late_steps"] == 3 + 2 + 1
    with pytest.raises(AccessDenied):
        question(REGULATOR, office=MLSP)
    one = C.report(question(REGULATOR, office=ULYTAU))
    assert (one.totals["cases"], one.totals["overdue"], one.totals["late_steps"]) == (1, 1, 1)


def test_the_period_is_read_as_of_its_end_or_now(month):
    """Mid-March (12 March 12:00) C's step 2 is already late, F's not yet; no term has passed."""
    q = C.ask(scope_for(actor(f"{DEPT}.head")), "2025-03-01", "2025-03-31", now=at(3, 12, 12))
    t = C.report(q).totals
    assert (t["cases"], t["in_term"], t["overdue"]) == (6, 6, 0)
    assert t["late_steps"] == 2  # B's step 1 (closed late) and C's step 2 (open past its due at noon)
    # February: only the old case; a case open across months counts in each month it was open.
    feb = C.report(C.ask(scope_for(actor(f"{DEPT}.head")), "2025-02-01", "2025-02-28"))
    assert (feb.totals["cases"], feb.totals["in_term"], feb.totals["overdue"]) == (1, 1, 0)


def test_scope_rules(month):
    with pytest.raises(AccessDenied):
        scope_for(actor(f"{DEPT}.specialist"))
    assert [o.code for o in scope_for(actor(f"{ULYTAU}.head")).offices] == [ULYTAU]
    with pytest.raises(AccessDenied):
        question(f"{DEPT}.head", office=ULYTAU)
    with pytest.raises(workflow.Invalid) as bad:
        question(f"{DEPT}.head", office="nowhere")
    assert bad.value.field == "office"
    assert len(everything().offices) == Office.objects.count()


def test_the_overview_page(month):
    page = client_of(f"{DEPT}.head").get("/staff/monitoring/", MARCH)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/staff/monitoring/"' in html  # the staff bar's link
    assert 'id="chart-trend"' in html and 'id="chart-worst"' in html and 'id="chart-offices"' in html
    assert html.count("<title id=") == 3 and html.count("<desc id=") == 3 and "<script" not in html.split("<main")[-1]
    assert "Cases whose term fell due, by week" in html and "2025-W12" in html
    assert "15 minutes" in html and "annex 2, table 1, row 1" in html and "90th percentile over the norm" in html
    assert "13 min" in html and "30 min" in html
    assert 'id="rows-staff"' in html and 'id="rows-step"' in html
    assert "ulytau" not in html
    # A row's drill-down: the department's late steps and overdue cases, each with a link to its case.
    drill = client_of(f"{DEPT}.head").get("/staff/monitoring/violations/", {**MARCH, "office": DEPT})
    text = drill.content.decode()
    assert drill.status_code == 200 and "3 cases past the service's term" in text and "3 late steps" in text
    c = Case.objects.get(number=month["C"])
    assert f'href="/staff/cases/{c.pk}/"' in text and month["F"] in text and month["P"] in text
    assert month["A"] not in text and "cl. 9.1" in text
    step = client_of(f"{DEPT}.head").get("/staff/monitoring/violations/", {
        **MARCH, "service": AKTOGAY, "route": "main", "step": "1"}).content.decode()
    assert "1 late step" in step and month["B"] in step and month["C"] not in step and "past the service" not in step
    staff = client_of(f"{DEPT}.head").get("/staff/monitoring/violations/", {
        **MARCH, "staff": f"{DEPT}.specialist"}).content.decode()
    assert "2 late steps" in staff and month["B"] in staff and month["C"] in staff and month["F"] not in staff


def test_the_page_refuses_others_and_bad_input(month):
    assert client_of(f"{DEPT}.specialist").get("/staff/monitoring/", MARCH).status_code == 403
    assert client_of(f"{DEPT}.head").get("/staff/monitoring/", {**MARCH, "office": ULYTAU}).status_code == 403
    assert 'href="/staff/monitoring/"' not in client_of(f"{DEPT}.specialist").get("/staff/").content.decode()
    bad = client_of(f"{DEPT}.head").get("/staff/monitoring/", {"from": "2025-13-01", "to": "2025-03-31"})
    assert bad.status_code == 400 and "Enter the day as YYYY-MM-DD" in bad.content.decode()
    unknown = client_of(f"{DEPT}.head").get("/staff/monitoring/", {**MARCH, "service": "nope"})
    assert unknown.status_code == 400 and "No service" in unknown.content.decode()
    region = client_of(REGULATOR).get("/staff/monitoring/", MARCH).content.decode()
    assert "Karaganda region: 4 offices" in region and "Aktogay District" in region and "mlsp" not in region


def test_csv_and_xlsx_exports(month):
    from openpyxl import load_workbook

    head = client_of(f"{DEPT}.head")
    response = head.get("/staff/monitoring/export.csv", {**MARCH, "table": "office"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Office", "Code", "Cases", "In term", "Overdue"]
    assert rows[1][1:5] == [DEPT, "6", "3", "3"] and len(rows) == 2
    ru = client_of(f"{DEPT}.head", "ru").get("/staff/monitoring/export.csv", {**MARCH, "table": "office"})
    with translation.override("ru"):  # the headers follow the page's language
        expected = [_("Office"), _("Code"), _("Cases")]
    assert next(csv.reader(io.StringIO(ru.content.decode("utf-8-sig"))))[:3] == expected

    book = head.get("/staff/monitoring/export.xlsx", MARCH)
    assert book["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = load_workbook(io.BytesIO(book.content))
    assert wb.sheetnames == ["Summary", "By office", "By service", "By route", "By step", "By staff member",
                             "Violations"]
    office = [list(r) for r in wb["By office"].iter_rows(values_only=True)]
    assert office[1][1:5] == [DEPT, 6, 3, 3]
    numbers = {r[0] for r in wb["Violations"].iter_rows(min_row=2, values_only=True)}
    assert numbers == {month["B"], month["C"], month["F"], month["P"]}
    assert head.get("/staff/monitoring/export.csv", {**MARCH, "table": "nope"}).status_code == 400


def test_the_api(month, api_client_of):
    api = api_client_of(f"{DEPT}.head")
    body = api.get("/monitoring/compliance", **MARCH, group="office").json()
    assert body["scope"] == {"kind": "office", "offices": [DEPT]} and body["totals"]["overdue"] == 3
    assert [(r["code"], r["cases"]) for r in body["tables"]["office"]] == [(DEPT, 6)]
    steps = api.get("/monitoring/compliance", **MARCH, group="step").json()["tables"]["step"]
    first = next(s for s in steps if s["key"] == {"service": AKTOGAY, "route": "main", "step": "1", "version": "1"})
    assert (first["p90_minutes"], first["mean_minutes"], first["over_norm"]) == (30.0, 13.0, True)
    v = api.get("/monitoring/violations", **MARCH, kind="step").json()["step"]
    assert v["count"] == 3 and {i["number"] for i in v["items"]} == {month["B"], month["C"], month["F"]}
    item = next(i for i in v["items"] if i["number"] == month["B"])
    assert (item["step"], item["norm"], item["cite"], item["closed_by"]) == (1, "15 minutes", "annex 2, table 1, row 1",
                                                                             f"{DEPT}.specialist")

    for params, status, field in [
        ({"from": "2025-13-01", "to": "2025-03-31"}, 422, "from"),
        ({"from": "2025-03-31", "to": "2025-03-01"}, 422, "to"),
        ({**MARCH, "office": "nowhere"}, 422, "office"),
        ({**MARCH, "service": "x/y"}, 422, "service"),
        ({**MARCH, "group": "planet"}, 422, "group"),
        ({**MARCH, "office": ULYTAU}, 403, None),
    ]:
        bad = api.get("/monitoring/compliance", **params)
        assert bad.status_code == status, params
        assert set(bad.json()["error"]) == {"code", "message", "field"} and bad.json()["error"]["field"] == field
    assert api_client_of(f"{DEPT}.specialist").get("/monitoring/compliance", **MARCH).status_code == 403


def test_the_cli(month, capsys):
    from qyzmet.cli import main

    args = ["report", "compliance", "--from", "2025-03-01", "--to", "2025-03-31"]
    assert main([*args, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    # Every office: the regulator's seven cases and the MLSP acceptance refusal.
    assert (data["totals"]["cases"], data["totals"]["acceptance_refused"], data["totals"]["overdue"]) == (8, 1, 4)
    assert {v["number"] for v in data["violations"] if v["kind"] == "term"} == {month[k] for k in "CFPG"}

    assert main([*args, "--office", DEPT]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{DEPT} 2025-03-01 – 2025-03-31") and "6 cases, 3 in term, 3 overdue" in out
    assert f"late step: {month['B']} {AKTOGAY} step 1" in out

    assert main([*args, "--office", DEPT, "--format", "csv", "--group", "staff"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Staff member,Office,Code,Steps done,Done late"
    assert any(line.endswith(f",{DEPT},{DEPT}.specialist,13,2") for line in lines)

    assert main(["report", "compliance", "--from", "2025-04-01", "--to", "2025-04-02", "--office", MLSP]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(("argv", "says"), [
    (["--from", "2025-03-01", "--to", "2025-03-31", "--office", "nowhere"], "--office: No office"),
    (["--from", "01.03.2025", "--to", "2025-03-31"], "--from: Enter the day as YYYY-MM-DD"),
    (["--from", "2025-03-01", "--to", "2025-03-31", "--service", "x/y"], "--service: No service"),
])
def test_the_cli_refuses_bad_input(demo_offices, capsys, argv, says):
    from qyzmet.cli import main

    assert main(["report", "compliance", *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_health_acts_are_monitored_step_by_step(db, clock):
    from qyzmet.cases.services import sync_catalog
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory

    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id == "mangystau-2015/phc-certificate"])
    office = Office.objects.get(code="mangystau-2015-polyclinic")
    r = C.report(C.ask(C.Scope("office", (office,)), "2025-03-01", "2025-03-31"))
    assert [(n.service, n.route) for n in r.no_term] == [("mangystau-2015/phc-certificate", "main")]
    assert "step durations only, no total term" in r.no_term[0].cite


def test_the_fast_working_clock_agrees_with_the_calendar(db):
    """The overview times every finished step with running day totals; they must equal the calendar's own
    count (lunch breaks, weekends, Nauryz and 8 March's transfer included)."""
    import random

    from qyzmet.cases.services import calendars_of, sync_catalog
    from qyzmet.core.loader import shipped_catalog

    sync_catalog()
    cal = calendars_of(shipped_catalog().get(AKTOGAY))("department")
    clock = C._WorkClock(cal)
    rng = random.Random(14)
    base = at(2, 20, 0)
    for _round in range(400):
        a = base + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 50))
        b = a + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 20))
        if rng.random() < 0.3:
            a, b = b, a  # an earlier instant asked after a later one extends the totals backwards
        assert clock.between(a, b) == cal.working_seconds_between(a, b), (a, b)


def test_the_regulator_opens_a_case_of_the_region_from_the_drill_down_but_not_one_outside(month):
    regulator = client_of(REGULATOR)
    listing = regulator.get("/staff/monitoring/violations/", MARCH).content.decode()
    inside = (Case.objects.filter(office__code=ULYTAU).first()
              or Case.objects.filter(provider_office__code=ULYTAU).first())
    assert f"/staff/cases/{inside.pk}/" in listing or inside.number in listing
    page = regulator.get(f"/staff/cases/{inside.pk}/")
    assert page.status_code == 200 and inside.number in page.content.decode()
    outside = Case.objects.filter(office__code=MLSP).first() or Case.objects.filter(provider_office__code=MLSP).first()
    assert regulator.get(f"/staff/cases/{outside.pk}/").status_code == 404
    # Reading is all: the region's steps stay with their offices' roles.
    assert not Task.objects.filter(closed_at__isnull=True, office__code=ULYTAU, role="regulator").exists()
