"""The yearly "Planning of activities" record of E-Sobes (mlsp-2021, Order No. 61): due date, states, entry.

The acts: the departments fill in the module every year "by 25 December of the year preceding the planned
year" (annex 1 cl. 33, annex 2 cl. 22, annex 3 cl. 22 and 78, annex 4 cl. 21).  The dates below are worked
out by hand from that sentence, not from the code.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qyzmet.api.tokens import create_token
from qyzmet.cases import services
from qyzmet.cases.access import AccessDenied, actor_for
from qyzmet.cases.services import sync_catalog
from qyzmet.cases.workflow import Invalid
from qyzmet.core import engine
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import build_directory
from qyzmet.directory.models import ServicePoint
from qyzmet.portal import planning
from qyzmet.portal.models import ActivityPlan, QueueEntry, Supplier, SupplierUser

pytestmark = pytest.mark.django_db

PA = "mlsp-2021/personal-assistant"
SANATORIUM = "mlsp-2021/sanatorium"
AIDS = "mlsp-2021/technical-aids"
UTC = dt.UTC


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=ALMATY)


@pytest.fixture
def directory():
    """The mlsp-2021 department (all six services) and the Aktogay department, whose specialist keeps no
    E-Sobes plan: it provides none of the mlsp-2021 services."""
    sync_catalog()
    acts = ("mlsp-2021/", "aktogay-2013/")
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith(acts)])


def user(directory, reg_id: str, role: str = "specialist"):
    return get_user_model().objects.get(username=f"{directory.provider_of[reg_id].code}.{role}")


def actor(directory, reg_id: str = PA, role: str = "specialist"):
    return actor_for(user(directory, reg_id, role))


def signed_in(u, lang: str | None = None) -> Client:
    client = Client()
    client.force_login(u)
    if lang:
        client.cookies["qyzmet_language"] = lang
    return client


def api(u) -> dict:
    _, raw = create_token(u, "tests")
    return {"Authorization": f"Bearer {raw}"}


def put(client: Client, path: str, body: dict, headers: dict):
    return client.put(f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers)


def waiting_case(directory, reg_id: str, start: dt.datetime, serial: int):
    """A case run to its positive result at the PSC, which puts the recipient in the E-Sobes queue."""
    reg = shipped_catalog().get(reg_id)
    category = reg.category("disabled-person")
    case = services.submit(services.register_regulation(reg),
                           engine.Submit("psc", make_iin(dt.date(1970, 5, 4), "female", serial), category.code,
                                         category.documents), start,
                           office=directory.office_for(reg, "psc"), provider_office=directory.provider_of[reg_id],
                           applicant_name="Әлия Серікқызы").case
    now = start
    for step in reg.route("psc").steps:
        now += dt.timedelta(minutes=10)
        if step.decides:
            services.apply_event(case, engine.Decide("positive"), now)
        case = services.apply_event(case, engine.CompleteStep(step.n), now).case
    return case.queue_entry


def row_of(rows, reg_id: str) -> planning.PlanRow:
    [row] = [r for r in rows if r.reg_id == reg_id]
    return row


# --- the due date -------------------------------------------------------------------------------------


def test_the_plan_is_due_on_25_december_of_the_year_before_with_each_act_s_clause():
    assert planning.due_date(2026) == dt.date(2025, 12, 25)
    assert planning.due_date(2021) == dt.date(2020, 12, 25)
    assert planning.CITES == {
        "mlsp-2021/personal-assistant": "annex 1, cl. 33", "mlsp-2021/sign-language": "annex 1, cl. 33",
        "mlsp-2021/sanatorium": "annex 2, cl. 22", "mlsp-2021/prosthetic-aid": "annex 3, cl. 22",
        "mlsp-2021/technical-aids": "annex 3, cl. 78", "mlsp-2021/mobility-means": "annex 4, cl. 21"}


def test_a_due_date_on_a_saturday_is_not_moved_to_the_next_working_day():
    # 25 December 2027 is a Saturday (1 January 2027 is a Friday; 25 December is day 359: 358 days later,
    # 51 weeks and 1 day, a Saturday).  A term of N days would end on Monday 27 December; this date stays.
    assert dt.date(2027, 12, 25).isoweekday() == 6
    assert planning.due_date(2028) == dt.date(2027, 12, 25)
    why = planning.due_why(2028, AIDS)
    assert "annex 3, cl. 78" in why and "not moved" in why and "2027-12-25" in why


# --- states -------------------------------------------------------------------------------------------


def test_entered_by_the_end_of_25_december_local_time_is_on_time_and_after_it_late(directory):
    specialist = actor(directory)
    planning.save_plan(specialist, PA, 2026, 40, None, "", at(2025, 12, 25, 23, 0))
    # 26 December 00:10 in Almaty is still 25 December 19:10 in UTC: the local day decides.
    planning.save_plan(specialist, SANATORIUM, 2026, 12, None, "", dt.datetime(2025, 12, 25, 19, 10, tzinfo=UTC))
    rows = planning.status(specialist.office_id, 2026, dt.date(2026, 1, 10))
    assert (row_of(rows, PA).state, row_of(rows, SANATORIUM).state) == ("on-time", "late")


def test_not_entered_is_missing_with_days_left_until_the_due_day_and_overdue_after_it(directory):
    office = directory.provider_of[PA]
    early = row_of(planning.status(office, 2026, dt.date(2025, 12, 20)), PA)
    assert (early.state, early.days_left) == ("missing", 5)
    assert row_of(planning.status(office, 2026, dt.date(2025, 12, 25)), PA).days_left == 0  # the last day
    late = row_of(planning.status(office, 2026, dt.date(2025, 12, 26)), PA)
    assert (late.state, late.days_left, late.plan) == ("overdue", None, None)


def test_a_changed_plan_keeps_its_first_entry_time_and_records_who_changed_it(directory):
    first = planning.save_plan(actor(directory), PA, 2026, 40, Decimal("1500000"), "", at(2025, 12, 20))
    head = actor(directory, role="head")
    again = planning.save_plan(head, PA, 2026, 55, Decimal("1800000.50"), "more requests", at(2026, 1, 15))
    assert again.pk == first.pk and ActivityPlan.objects.count() == 1
    again.refresh_from_db()
    assert (again.recipients, again.budget, again.note) == (55, Decimal("1800000.50"), "more requests")
    assert again.entered_at == at(2025, 12, 20) and again.entered_by_id == head.user_id
    assert row_of(planning.status(head.office_id, 2026, dt.date(2026, 1, 15)), PA).state == "on-time"


def test_planned_persons_stand_beside_those_waiting_in_the_office_queue(directory):
    specialist = actor(directory)
    entry = waiting_case(directory, PA, at(2025, 3, 3), serial=1)
    waiting_case(directory, PA, at(2025, 3, 4), serial=2)
    planning.save_plan(specialist, PA, 2026, 40, None, "", at(2025, 12, 1))
    row = row_of(planning.status(specialist.office_id, 2026, dt.date(2025, 12, 2)), PA)
    assert (row.planned, row.waiting) == (40, 2)
    QueueEntry.objects.filter(pk=entry.pk).update(state=QueueEntry.State.SERVED)
    assert row_of(planning.status(specialist.office_id, 2026, dt.date(2025, 12, 2)), PA).waiting == 1
    assert row_of(planning.status(specialist.office_id, 2026, dt.date(2025, 12, 2)), SANATORIUM).waiting == 0


# --- what may be entered ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "field"), [
    ({"recipients": -1}, "recipients"),
    ({"recipients": "40"}, "recipients"),
    ({"budget": Decimal("-5")}, "budget"),
    ({"budget": Decimal("100.005")}, "budget"),
    ({"budget": "a lot"}, "budget"),
    ({"year": 2020}, "year"),  # before the act
    ({"year": 2027}, "year"),  # now is 2025: next year is the latest one may plan
    ({"reg_id": "aktogay-2013/prosthetic-docs"}, "reg_id"),
    ({"reg_id": "mlsp-2021/no-such"}, "reg_id"),
    ({"note": "x" * 2001}, "note"),
])
def test_a_wrong_value_is_refused_naming_its_field_and_saves_nothing(directory, change, field):
    values = {"reg_id": PA, "year": 2026, "recipients": 40, "budget": None, "note": "", **change}
    with pytest.raises(Invalid) as exc:
        planning.save_plan(actor(directory), now=at(2025, 12, 1), **values)
    assert exc.value.field == field
    if field != "note":
        assert "cl. " in exc.value.message  # the clause is named
    assert not ActivityPlan.objects.exists()


def test_a_service_the_office_does_not_provide_is_neither_listed_nor_planned(directory):
    specialist = actor(directory)
    ServicePoint.objects.filter(provider_id=specialist.office_id, reg_id=SANATORIUM).delete()
    assert SANATORIUM not in [r.reg_id for r in planning.status(specialist.office_id, 2026, dt.date(2025, 6, 1))]
    with pytest.raises(Invalid) as exc:
        planning.save_plan(specialist, SANATORIUM, 2026, 5, None, "", at(2025, 6, 1))
    assert exc.value.field == "reg_id" and "annex 2, cl. 22" in exc.value.message


def test_only_department_staff_of_an_mlsp_office_plan(directory):
    aktogay = actor(directory, "aktogay-2013/prosthetic-docs")
    assert aktogay is not None and aktogay.roles & {"specialist"}
    with pytest.raises(AccessDenied):
        planning.require_planner(aktogay)
    with pytest.raises(Invalid) as exc:
        planning.save_plan(aktogay, PA, 2026, 5, None, "", at(2025, 6, 1))
    assert exc.value.field == "reg_id"
    psc = get_user_model().objects.filter(username__startswith=directory.offices[("mlsp-2021", "psc")].code).first()
    with pytest.raises(AccessDenied):
        planning.save_plan(actor_for(psc), PA, 2026, 5, None, "", at(2025, 6, 1))
    with pytest.raises(AccessDenied):
        planning.save_plan(None, PA, 2026, 5, None, "", at(2025, 6, 1))


def test_the_demo_enters_next_year_s_plans_on_time_and_leaves_one_missing(directory):
    office = directory.provider_of[PA]
    plans = planning.demo_plans(office, at(2025, 12, 28))  # past this year's due day: entered on it, before now
    rows = planning.status(office, 2026, dt.date(2025, 12, 28))
    assert [r.state for r in rows] == ["on-time"] * 5 + ["overdue"]
    assert all(p.entered_at <= at(2025, 12, 28) and p.note == planning.DEMO_NOTE for p in plans)


# --- the page --------------------------------------------------------------------------------------------


def test_the_page_renders_in_kazakh_and_lists_every_service_with_its_due_date(directory, clock):
    page = signed_in(user(directory, PA)).get("/portal/plans/")  # no language chosen: Kazakh, the default
    body = page.content.decode()
    assert page.status_code == 200 and 'lang="kk"' in body
    assert body.count('<time datetime="2025-12-25">') == 6  # next year (2026) by default, now is March 2025
    assert "annex 3, cl. 78" in body and 'class="q-table"' in body and "<caption" in body
    assert '<label class="q-label" for="id_recipients">' in body


def test_the_page_saves_a_plan_and_shows_it_for_its_year(directory, clock):
    client = signed_in(user(directory, PA), "en")
    answer = client.post("/portal/plans/", {"reg_id": SANATORIUM, "year": "2026", "recipients": "30",
                                            "budget": "2500000.00", "note": ""})
    assert answer.status_code == 302 and answer["Location"].endswith("?year=2026")
    plan = ActivityPlan.objects.get()
    assert (plan.reg_id, plan.year, plan.recipients, plan.entered_at) == (SANATORIUM, 2026, 30, clock.at)
    body = client.get(answer["Location"]).content.decode()
    assert "Entered on time" in body and "2500000" in body
    assert 'class="q-tag q-tag--overdue"' not in body
    # This year's plans were due on 25 December 2024 and nobody entered them: overdue.
    body = client.get("/portal/plans/", {"year": "2025"}).content.decode()
    assert body.count('class="q-tag q-tag--overdue"') == 6


def test_a_page_error_names_the_field_in_the_summary_and_saves_nothing(directory, clock):
    client = signed_in(user(directory, PA), "en")
    page = client.post("/portal/plans/", {"reg_id": PA, "year": "2026", "recipients": "-3", "budget": "10.555"})
    body = page.content.decode()
    assert page.status_code == 422
    assert "<title>Error:" in body and "q-error-summary" in body
    assert 'href="#id_recipients"' in body and 'href="#id_budget"' in body  # both listed at once
    assert 'aria-invalid="true"' in body and "annex 1, cl. 33" in body
    assert not ActivityPlan.objects.exists()


def test_suppliers_citizens_and_other_offices_are_refused_the_page(directory, clock):
    supplier = Supplier.objects.create(name_kk="Өнім беруші", name_ru="Поставщик", bin="150340000012")
    supplier_user = get_user_model().objects.create_user("sup-plans")
    SupplierUser.objects.create(user=supplier_user, supplier=supplier, full_name="Өкіл")
    assert signed_in(supplier_user).get("/portal/plans/").status_code == 403
    aktogay = signed_in(user(directory, "aktogay-2013/prosthetic-docs"))
    assert aktogay.get("/portal/plans/").status_code == 403
    assert aktogay.post("/portal/plans/", {"reg_id": PA, "year": "2026", "recipients": "1"}).status_code == 403
    citizen = Client()  # a recipient is no Django user: sent to the staff sign-in, shown nothing
    answer = citizen.get("/portal/plans/")
    assert answer.status_code == 302 and "/portal/plans/" in answer["Location"] and "login" in answer["Location"]
    assert not ActivityPlan.objects.exists()


def test_the_staff_menu_links_the_page_only_for_an_mlsp_office(directory, clock):
    assert 'href="/portal/plans/"' in signed_in(user(directory, PA)).get("/staff/").content.decode()
    aktogay = signed_in(user(directory, "aktogay-2013/prosthetic-docs")).get("/staff/").content.decode()
    assert 'href="/portal/plans/"' not in aktogay


# --- the API ---------------------------------------------------------------------------------------------


def test_api_lists_the_year_and_saves_a_plan(directory, clock):
    headers = api(user(directory, PA))
    c = Client()
    listed = c.get("/api/v1/portal/plans", {"year": 2026}, headers=headers)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert len(items) == 6 and {i["state"] for i in items} == {"missing"}
    first = items[0]
    assert (first["due"], first["cite"], first["plan"]) == ("2025-12-25", "annex 1, cl. 33", None)
    saved = put(c, f"/portal/plans/2026/{AIDS}", {"recipients": 14, "budget": "950000.00"}, headers)
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert (body["service"], body["state"], body["cite"]) == (AIDS, "on-time", "annex 3, cl. 78")
    assert body["plan"]["recipients"] == 14 and body["plan"]["entered_at"].startswith("2025-03-19T10:00:00+05:00")
    clock.advance(days=300)  # 2026-01-13: changed after the due day, still judged on the first entry
    again = put(c, f"/portal/plans/2026/{AIDS}", {"recipients": 20}, headers).json()
    assert again["state"] == "on-time" and again["plan"]["recipients"] == 20 and again["plan"]["budget"] is None


@pytest.mark.parametrize(("path", "body", "field"), [
    (f"/portal/plans/2026/{PA}", {"recipients": -1}, "recipients"),
    (f"/portal/plans/2026/{PA}", {"recipients": 1, "budget": "1.999"}, "budget"),
    (f"/portal/plans/2030/{PA}", {"recipients": 1}, "year"),
    ("/portal/plans/2026/mlsp-2021/nothing", {"recipients": 1}, "reg_id"),
    (f"/portal/plans/2026/{PA}", {"recipients": 1, "people": 3}, "people"),
])
def test_api_gives_422_naming_the_field(directory, clock, path, body, field):
    answer = put(Client(), path, body, api(user(directory, PA)))
    assert answer.status_code == 422 and answer.json()["error"]["field"] == field
    assert not ActivityPlan.objects.exists()


def test_api_refuses_suppliers_anonymous_callers_and_other_offices(directory, clock):
    supplier = Supplier.objects.create(name_kk="Өнім беруші", name_ru="Поставщик", bin="150340000012")
    supplier_user = get_user_model().objects.create_user("sup-plans-api")
    SupplierUser.objects.create(user=supplier_user, supplier=supplier, full_name="Өкіл")
    c = Client()
    for headers, status in ((api(supplier_user), 403), ({}, 401),
                            (api(user(directory, "aktogay-2013/prosthetic-docs")), 403)):
        assert c.get("/api/v1/portal/plans", headers=headers).status_code == status
        assert put(c, f"/portal/plans/2026/{PA}", {"recipients": 1}, headers).status_code == status
    assert not ActivityPlan.objects.exists()

