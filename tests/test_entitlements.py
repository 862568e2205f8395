"""Entitlements at work: the ledger, the replacement check at intake, the case page, the recipient's page.

Tried as a new user would: the department records the walking wheelchair a recipient received, and an
application for a new one three years later is refused at the counter on cl. 25 with the date it becomes
possible; four years later it is accepted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qyzmet.cases.models import Case
from qyzmet.core.iin import make_iin
from qyzmet.entitlements.models import Receipt, Request

MOBILITY = "mlsp-2021/mobility-means"
WALKING = "wheelchair-manual-walking"


@pytest.fixture
def specialist(demo_offices, clock) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="mlsp-2021-provider.specialist"))
    client.cookies["qyzmet_language"] = "en"
    return client


def record(client: Client, iin: str, received: str, item: str = WALKING, note: str = "Act No. 12") -> object:
    return client.post("/staff/entitlements/", {"iin": iin, "what": "receipt", "item": f"{MOBILITY}|{item}",
                                                "received_on": received, "quantity": "1", "note": note})


def apply(client: Client, iin: str, item: str = WALKING, **extra) -> object:
    data = {"iin": iin, "name": "Әбілқайыр Нұрлан Серікұлы", "phone": "+7 701 234 56 78", "language": "kk",
            "category": "disabled-person", "item": item, "quantity": "1",
            "recipient_categories": ["disabled-person"], **extra}
    return client.post(f"/staff/intake/{MOBILITY}/", data)


def test_a_walking_wheelchair_three_years_on_is_refused_four_years_on_accepted(specialist, clock):
    """Today is 19 March 2025 (the clock fixture)."""
    three = make_iin(dt.date(1980, 1, 2), "male", 11)
    assert record(specialist, three, "2022-03-19").status_code == 302
    response = apply(specialist, three)
    assert response.status_code == 302
    case = Case.objects.get(applicant_iin=three)
    assert (case.status, case.grounds) == ("acceptance-refused", ["replacement-too-early"])
    note = case.events.filter(kind="refuse-acceptance").get().payload["note"]
    assert "2026 жылғы 19 наурыз" in note and "cl. 26" in note  # in Kazakh, the case's language
    page = specialist.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Not before March 19, 2026" in page and "cl. 26" in page
    req = Request.objects.get(case=case)
    assert (req.allowed, req.earliest, req.reason) == (False, dt.date(2026, 3, 19), "too-early")

    four = make_iin(dt.date(1980, 1, 2), "male", 12)
    record(specialist, four, "2021-03-19")
    apply(specialist, four)
    case = Case.objects.get(applicant_iin=four)
    assert case.status == "submitted" and case.grounds == []
    assert Request.objects.get(case=case).allowed is True


def test_an_application_without_the_item_is_not_registered(specialist):
    iin = make_iin(dt.date(1980, 1, 2), "male", 13)
    response = apply(specialist, iin, item="")
    assert response.status_code == 400
    assert "Choose the item the IPR measure calls for." in response.content.decode()
    response = apply(specialist, iin, item="jetpack")
    assert response.status_code == 400 and "Unknown item" in response.content.decode()
    assert not Case.objects.filter(applicant_iin=iin).exists()


def test_the_ledger_refuses_bad_entries_and_keeps_the_good_ones(specialist):
    iin = make_iin(dt.date(1975, 6, 1), "female", 21)
    assert record(specialist, iin, "2030-01-01").status_code == 422  # the future
    assert record(specialist, iin, "2024-01-01", note="").status_code == 422  # known from nothing
    assert record(specialist, iin, "2024-01-01", item="nothing").status_code == 422
    bad = specialist.post("/staff/entitlements/", {"iin": "123", "what": "receipt", "item": f"{MOBILITY}|{WALKING}",
                                                   "received_on": "2024-01-01", "note": "x"})
    assert bad.status_code == 422
    assert not Receipt.objects.filter(recipient_iin=iin).exists()
    assert record(specialist, iin, "2024-02-29", item="wheelchair-active-universal").status_code == 302
    page = specialist.get("/staff/entitlements/", {"iin": iin}).content.decode()
    # The universal chair's 5 years from a leap day end on 28 February 2029, and it blocks the other set.
    assert "Feb. 28, 2029" in page


def test_the_psc_inspector_sees_but_does_not_write_the_ledger(demo_offices, clock):
    client = Client()
    client.force_login(get_user_model().objects.get(username="mlsp-2021-psc.psc-hall-inspector"))
    client.cookies["qyzmet_language"] = "en"
    iin = make_iin(dt.date(1975, 6, 1), "female", 22)
    assert client.get("/staff/entitlements/", {"iin": iin}).status_code == 200
    assert record(client, iin, "2024-01-01").status_code == 403
    assert not Receipt.objects.exists()


def test_findings_flag_the_indications_row(specialist):
    """Annex 2 row 1: a manual chair needs a severe walking impairment; sitting that worsens the disease rules
    it out.  The specialist records the findings and the case page names the row."""
    iin = make_iin(dt.date(1980, 1, 2), "male", 14)
    apply(specialist, iin)
    case = Case.objects.get(applicant_iin=iin)
    specialist.post(f"/staff/entitlements/cases/{case.pk}/findings/", {"conditions": ["sitting-progression"],
                                                                      "weight": "120"})
    page = specialist.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Ruled out by a contraindication of row 1 (annex 2, row 1)" in page
    assert "Not supported by the indications of row 1" in page
    assert "110" in page  # the note on an increased load capacity
    bad = specialist.post(f"/staff/entitlements/cases/{case.pk}/findings/", {"conditions": ["flying"]})
    assert bad.status_code == 302
    assert Request.objects.get(case=case).findings["conditions"] == ["sitting-progression"]


# --- the API -------------------------------------------------------------------------------------------------

def test_the_api_intake_ledger_and_check(api_as, clock):
    staff = api_as("mlsp-2021-provider.specialist")
    iin = make_iin(dt.date(1990, 7, 7), "female", 31)
    r = staff.post(f"/recipients/{iin}/receipts", {"service": MOBILITY, "item": WALKING, "received_on": "2022-03-20",
                                                  "note": "Act No. 7 of 20.03.2022"})
    assert r.status_code == 201, r.content
    body = {"regulation": MOBILITY, "channel": "provider", "category": "disabled-person",
            "applicant": {"iin": iin, "name": "Сәуле Өміржанқызы", "phone": "+77012345678"},
            "entitlement": {"item": WALKING, "categories": ["disabled-person"]}}
    case = staff.post("/cases", body, key="ent-1").json()
    assert case["status"] == "acceptance-refused", case
    assert (case["entitlement"]["item"], case["entitlement"]["earliest"], case["entitlement"]["cite"]) == (
        WALKING, "2026-03-20", "cl. 26")
    got = staff.get(f"/recipients/{iin}/entitlements", on="2025-03-19").json()
    walking = next(i for i in got["items"] if i["item"] == WALKING)
    assert (walking["allowed"], walking["earliest"], walking["cite"]) == (False, "2026-03-20", "cl. 26")
    assert got["receipts"][0]["note"] == "Act No. 7 of 20.03.2022"
    check = staff.get(f"/recipients/{iin}/entitlements/check", service=MOBILITY, item=WALKING,
                      category="disabled-person", on="2026-03-20").json()
    assert (check["allowed"], check["reason"]) == (True, "period-passed")


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/recipients/123/entitlements", {}, "iin"),
    ("/recipients/{iin}/entitlements/check", {"service": "nope/x", "item": WALKING}, "regulation"),
    ("/recipients/{iin}/entitlements/check", {"service": MOBILITY, "item": "jetpack"}, "entitlement.item"),
    ("/recipients/{iin}/entitlements/check", {"service": MOBILITY, "item": WALKING, "category": "martian"},
     "entitlement.categories"),
])
def test_the_api_names_the_wrong_field(api_as, path, params, field):
    iin = make_iin(dt.date(1990, 7, 7), "female", 32)
    r = api_as("mlsp-2021-psc.psc-hall-inspector").get(path.format(iin=iin), **params)
    assert r.status_code == 422 and r.json()["error"]["field"] == field, r.content


def test_the_api_intake_needs_the_item(api_as):
    iin = make_iin(dt.date(1990, 7, 7), "female", 33)
    body = {"regulation": MOBILITY, "channel": "provider", "category": "disabled-person",
            "applicant": {"iin": iin, "name": "Сәуле", "phone": ""}}
    r = api_as("mlsp-2021-provider.specialist").post("/cases", body, key="ent-2")
    assert r.status_code == 422 and r.json()["error"]["field"] == "entitlement.item"
    assert not Case.objects.filter(applicant_iin=iin).exists()


def test_only_the_department_writes_the_ledger(api_as):
    iin = make_iin(dt.date(1990, 7, 7), "female", 34)
    r = api_as("mlsp-2021-psc.psc-hall-inspector").post(
        f"/recipients/{iin}/receipts", {"service": MOBILITY, "item": WALKING, "received_on": "2022-03-20", "note": "x"})
    assert r.status_code == 403


# --- the CLI -------------------------------------------------------------------------------------------------

def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    from qyzmet.cli import main

    code = main(["entitlement", "check", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_cli_says_yes_or_no_with_the_date(capsys):
    base = ("--regulation", MOBILITY, "--item", WALKING, "--category", "disabled-person", "--last-issued",
            "2022-05-12")
    code, out, _err = run_cli(capsys, *base, "--on", "2025-05-12")
    assert (code, out.strip()) == (1, "no: earliest 2026-05-12 (cl. 26) — too-early; received 2022-05-12, "
                                      "period 4 years")
    code, out, _err = run_cli(capsys, *base, "--on", "2026-05-12", "--format", "json")
    import json

    assert code == 0 and json.loads(out)["allowed"] is True


@pytest.mark.parametrize("args", [
    ("--regulation", "nope", "--item", WALKING),
    ("--regulation", "aktogay-2013/prosthetic-docs", "--item", WALKING),
    ("--regulation", MOBILITY, "--item", "jetpack"),
    ("--regulation", MOBILITY, "--item", WALKING, "--category", "martian"),
    ("--regulation", MOBILITY, "--item", WALKING, "--on", "12.05.2026"),
    ("--regulation", MOBILITY, "--item", WALKING, "--last-issued", "2027-01-01", "--on", "2026-01-01"),
    ("--regulation", MOBILITY, "--item", WALKING, "--last-issued", "2025-01-01:²"),
    ("--regulation", MOBILITY, "--item", WALKING, "--category", "disabled-person", "--last-issued", "9999-06-01",
     "--on", "9999-12-31"),
])
def test_the_cli_refuses_bad_input_with_exit_2(capsys, args):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == "" and err.startswith("qyzmet entitlement: ") and "Traceback" not in err


# --- the Portal order -----------------------------------------------------------------------------------------

def _goods_case(directory, start, serial: int, item: str = WALKING, quantity: int = 1):
    from tests.test_portal import issue

    case = issue(directory, MOBILITY, start, serial=serial)
    Request.objects.create(case=case, item=item, quantity=quantity, categories=["disabled-person"],
                           checked_on=start.date(), allowed=True, reason="first")
    return case


def test_the_order_is_checked_and_the_handover_goes_into_the_ledger(db):
    """The first walking chair is ordered, accepted and handed over: it is in the ledger from that day, and
    an order for another one the month after is refused with the date and clause."""
    from qyzmet.cases.services import sync_catalog
    from qyzmet.cases.workflow import Conflict
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory
    from qyzmet.portal import workflow as portal
    from qyzmet.portal.models import SupplierUser
    from tests.test_portal import at, supplier

    sync_catalog()
    directory = build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])
    sup = supplier(directory, MOBILITY, 5, price="250000", username="chairs")
    su = SupplierUser.objects.get(supplier=sup)
    case = _goods_case(directory, at(2025, 3, 3), 41)
    entry = case.queue_entry
    portal.accept_contract(entry, at(2025, 3, 5))
    order = portal.form_order(entry, portal.OrderForm(sup.pk, receipt_method="delivery"), at(2025, 3, 5))
    assert (order.item, order.quantity) == (WALKING, 1)
    portal.supplier_review(su, order.pk, True, "", at(2025, 3, 6))
    portal.record_stay(su, order.pk, "completed", at(2025, 3, 20))
    receipt = Receipt.objects.get(recipient_iin=case.applicant_iin)
    assert (receipt.item, receipt.received_on, receipt.source, receipt.order_id) == (
        WALKING, dt.date(2025, 3, 20), "order", order.pk)

    again = _goods_case(directory, at(2025, 4, 1), 41)  # the same person applies again
    entry = again.queue_entry
    portal.accept_contract(entry, at(2025, 4, 14))
    with pytest.raises(Conflict, match=r"cl\. 26"):
        portal.form_order(entry, portal.OrderForm(sup.pk, receipt_method="delivery"), at(2025, 4, 14))
    assert entry.orders.count() == 0


def test_the_receipt_of_refusal_says_why_and_from_when(specialist):
    """The annex 3 receipt lists what is missing; for a replacement asked for too early it gives the ground
    and the date instead, in Kazakh and in Russian."""
    from qyzmet.documents.models import Document

    iin = make_iin(dt.date(1980, 1, 2), "male", 15)
    record(specialist, iin, "2022-03-19")
    apply(specialist, iin, documents=["application", "identity-document"])
    case = Case.objects.get(applicant_iin=iin)
    papers = {d.lang: " ".join(value for _label, value in d.fields["rows"])
              for d in Document.objects.filter(case=case, form="acceptance-refusal-receipt")}
    kk = papers["kk"]  # the case's language; the Russian twin is issued on request, from the same facts
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.entitlements.workflow import refusal_reason

    ground = shipped_catalog().get(MOBILITY).acceptance_refusal_ground("replacement-too-early")
    ru = refusal_reason(case, ground, "ru")
    assert "ауыстыруға өтініш" in kk and "2026 жылғы 19 наурыз" in kk and "25, 26" in kk
    assert "после истечения срока" in ru and "19 марта 2026" in ru and "п. 25, 26" in ru


def test_the_items_kind_decides_its_manufacturing_term(db):
    """A corset is a complex prosthetic-orthopaedic means (cl. 3 def. 8): 45 working days (cl. 36), never 7."""
    from qyzmet.cases.services import sync_catalog
    from qyzmet.cases.workflow import Invalid
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory
    from qyzmet.portal import manufacture
    from qyzmet.portal import workflow as portal
    from qyzmet.portal.models import SupplierUser
    from tests.test_portal import at, issue, supplier

    sync_catalog()
    directory = build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])
    sup = supplier(directory, "mlsp-2021/prosthetic-aid", 71, username="corsets")
    su = SupplierUser.objects.get(supplier=sup)
    case = issue(directory, "mlsp-2021/prosthetic-aid", at(2026, 1, 19), serial=71)
    Request.objects.create(case=case, item="corset", categories=["disabled-person"], checked_on=dt.date(2026, 1, 19),
                           allowed=True, reason="first")
    portal.accept_contract(case.queue_entry, at(2026, 1, 26))
    order = portal.form_order(case.queue_entry, portal.OrderForm(sup.pk), at(2026, 1, 26))
    portal.supplier_review(su, order.pk, True, "", at(2026, 1, 26, 12))
    with pytest.raises(Invalid, match=r"cl\. 36"):
        manufacture.start_production(su, order.pk, "small", at(2026, 2, 2, 10))
    order = manufacture.start_production(su, order.pk, "complex", at(2026, 2, 2, 10))
    assert order.make_due.date() == dt.date(2026, 4, 10)  # the same 45 working days test_portal works by hand


def test_a_hygiene_order_stays_within_the_years_norm(db):
    """Cl. 102: 600 of the 730 diapers of 2026 received; an order of 200 more is refused until 1 January, 130 go."""
    from qyzmet.cases.services import sync_catalog
    from qyzmet.cases.workflow import Conflict, Invalid
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory
    from qyzmet.portal import workflow as portal
    from tests.test_portal import at, issue, supplier

    aids = "mlsp-2021/technical-aids"
    sync_catalog()
    directory = build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])
    sup = supplier(directory, aids, 81)
    case = issue(directory, aids, at(2026, 9, 1), serial=81)
    Request.objects.create(case=case, item="diapers", quantity=200, categories=["disabled-person"],
                           checked_on=dt.date(2026, 9, 1), allowed=True, reason="quantity-left")
    for month in (1, 4, 7):
        Receipt.objects.create(recipient_iin=case.applicant_iin, reg_id=aids, item="diapers", quantity=200,
                               received_on=dt.date(2026, month, 10), source="record", recorded_at=at(2026, 9, 1),
                               note="Act")
    entry = case.queue_entry
    portal.accept_contract(entry, at(2026, 10, 5))
    with pytest.raises(Conflict) as refused:
        portal.form_order(entry, portal.OrderForm(sup.pk, receipt_method="delivery", quantity=200), at(2026, 10, 5))
    assert "600 of 730" in str(refused.value) and "cl. 102" in str(refused.value)
    with pytest.raises(Invalid):
        portal.form_order(entry, portal.OrderForm(sup.pk, receipt_method="delivery", quantity=0), at(2026, 10, 5))
    order = portal.form_order(entry, portal.OrderForm(sup.pk, receipt_method="delivery", quantity=130),
                              at(2026, 10, 5))
    assert (order.item, order.quantity) == ("diapers", 130)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_entitlement_pages_show_no_english_ui_text(specialist, lang):
    from test_i18n import english_leftovers, visible_text

    specialist.cookies["qyzmet_language"] = lang  # the flash messages are worded when the POST is made
    iin = make_iin(dt.date(1980, 1, 2), "male", 16)
    record(specialist, iin, "2022-03-19", note="№ 12 акт")
    apply(specialist, iin)
    case = Case.objects.get(applicant_iin=iin)
    specialist.post(f"/staff/entitlements/cases/{case.pk}/findings/", {"conditions": ["sitting-progression"]})
    for url in (f"/staff/entitlements/?iin={iin}", f"/staff/cases/{case.pk}/", f"/staff/intake/{MOBILITY}/"):
        response = specialist.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode(), lang)
        assert not english_leftovers(text, lang), f"{lang} {url}: {english_leftovers(text, lang)}"


# --- found in review -----------------------------------------------------------------------------------------

def test_another_offices_staff_cannot_write_the_ledger(api_as):
    iin = make_iin(dt.date(1990, 7, 7), "female", 35)
    r = api_as("aktogay-2013-provider.specialist").post(
        f"/recipients/{iin}/receipts", {"service": MOBILITY, "item": WALKING, "received_on": "2022-03-20",
                                        "note": "x"})
    assert r.status_code == 403 and not Receipt.objects.exists()
    ok = api_as("mlsp-2021-provider.specialist").post(
        f"/recipients/{iin}/receipts", {"service": MOBILITY, "item": WALKING, "received_on": "2022-03-20",
                                        "note": "x"})
    assert ok.status_code == 201
    assert Receipt.objects.get().office.code == "mlsp-2021-provider"


def test_more_than_the_norm_is_a_wrong_quantity_not_a_refusal(specialist):
    iin = make_iin(dt.date(1980, 1, 2), "male", 17)
    response = apply(specialist, iin, quantity="2")
    assert response.status_code == 400 and not Case.objects.filter(applicant_iin=iin).exists()
    for bad in ("²", "99999999999999999999"):
        assert apply(specialist, iin, quantity=bad).status_code == 400
        assert specialist.post("/staff/entitlements/", {
            "iin": iin, "what": "receipt", "item": f"{MOBILITY}|{WALKING}", "received_on": "2024-01-01",
            "quantity": bad, "note": "x"}).status_code == 422


def test_findings_that_are_not_numbers_are_refused(specialist):
    iin = make_iin(dt.date(1980, 1, 2), "male", 18)
    apply(specialist, iin)
    case = Case.objects.get(applicant_iin=iin)
    assert specialist.post(f"/staff/entitlements/cases/{case.pk}/findings/", {"acuity": "nan"}).status_code == 302
    assert Request.objects.get(case=case).findings == {}


def test_a_second_order_while_one_is_open_is_refused(db):
    from qyzmet.cases.services import sync_catalog
    from qyzmet.cases.workflow import Conflict
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory
    from qyzmet.portal import workflow as portal
    from tests.test_portal import at, supplier

    sync_catalog()
    directory = build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])
    sup = supplier(directory, MOBILITY, 6, price="250000")
    first = _goods_case(directory, at(2025, 3, 3), 42).queue_entry
    second = _goods_case(directory, at(2025, 3, 4), 42).queue_entry  # the same person applied twice
    for entry in (first, second):
        portal.accept_contract(entry, at(2025, 3, 5))
    portal.form_order(first, portal.OrderForm(sup.pk, receipt_method="delivery"), at(2025, 3, 5))
    with pytest.raises(Conflict, match="already with a supplier"):
        portal.form_order(second, portal.OrderForm(sup.pk, receipt_method="delivery"), at(2025, 3, 5))
