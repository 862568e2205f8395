"""A sanatorium stay walked in a real browser (mlsp-2021 annex 2, annex 7; Order No. 14).

- Айгүл sends an order in her cabinet for a 14-day stay at 22 000 ₸ a bed-day; the department's guaranteed sum
  is 18 500 ₸ a bed-day, so the cabinet shows 308 000 ₸, of which 259 000 ₸ guaranteed and a 49 000 ₸
  surcharge she pays on arrival.  The sanatorium accepts in its cabinet, filling in the bed notice's blanks;
  she downloads the signed notice.
- Бауыржан's stay has already happened (set up in Python: the live server runs on the real clock).  The
  sanatorium forms the act of the stay (14 bed-days), signs it; he signs it in his cabinet; the department's
  specialist records the payment of 259 000 ₸, and also opens the order page and the yearly plans.

The citizens' pages are walked in Kazakh and in Russian; the sanatorium and the department work in English.
axe-core finds no WCAG 2.1 AA issue on any page visited.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from test_portal import issue
from test_portal_walk import row_value, sign_in_account, sign_in_citizen, supplier_with_login

from qyzmet.cases.services import sync_catalog
from qyzmet.core.calendar import to_local
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD, build_directory
from qyzmet.payments.models import ServiceAct
from qyzmet.portal import workflow
from qyzmet.portal.models import BedNotice, GuaranteedSum, Order

SANATORIUM = "mlsp-2021/sanatorium"
LOGIN, PASSWORD = "shipagar.sanatorium", "pw-sanatorium-walk-1"

OPEN = {"kk": "Ашу: ", "ru": "Открыть: "}
SIGN_CONTRACT = {"kk": "Жария шартқа қол қою", "ru": "Подписать публичный договор"}
SEND_ORDER = {"kk": "Қол қойып, тапсырысты жіберу", "ru": "Подписать и отправить заказ"}
ACTS = {"kk": "Көрсетілген қызметтер актілері", "ru": "Акты оказанных услуг"}
SIGN_ACT = {"kk": "Актіге қол қою", "ru": "Подписать акт"}


def localised(value: str, lang: str) -> str:
    return value.replace(".", ",") if lang in ("kk", "ru") else value


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_bed_notice_stay_act_signatures_and_reimbursement_of_a_sanatorium_stay(visit, page, screenshot,
                                                                               assert_accessible, lang):
    sync_catalog()
    directory = build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])
    office = directory.provider_of[SANATORIUM]
    now = timezone.now()
    today = to_local(now).date()
    GuaranteedSum.objects.create(reg_id=SANATORIUM, valid_from=today - dt.timedelta(days=400),
                                 amount=Decimal("18500"), source="the department's figure under Order No. 14")
    su = supplier_with_login(office, SANATORIUM, 41, ("«Шипагер» санаторийі", "Санаторий «Шипагер»"), LOGIN, PASSWORD,
                             "Дина Омарова", unit="bed-day", price=Decimal("22000"), address="Алматы, Әл-Фараби 1",
                             capacity=10, profile="тірек-қимыл аппараты")
    sanatorium = su.supplier

    # Бауыржан: ordered 60 days ago for a stay 40 to 27 days ago, accepted, arrived and left on the dates.
    stayed = issue(directory, SANATORIUM, now - dt.timedelta(days=64), serial=82, name="Бауыржан Серіков")
    arrival = today - dt.timedelta(days=40)
    workflow.accept_contract(stayed.queue_entry, now - dt.timedelta(days=60))
    old = workflow.form_order(stayed.queue_entry, workflow.OrderForm(
        sanatorium.pk, arrival_date=arrival, departure_date=arrival + dt.timedelta(days=13)),
        now - dt.timedelta(days=60))
    workflow.supplier_review(su, old.pk, True, "", now - dt.timedelta(days=59))
    workflow.record_stay(su, old.pk, "arrived", now - dt.timedelta(days=40))
    workflow.record_stay(su, old.pk, "completed", now - dt.timedelta(days=27))
    new = issue(directory, SANATORIUM, now - dt.timedelta(days=2), serial=81, name="Айгүл Нұрланқызы")
    entry = new.queue_entry

    # --- 1. Айгүл orders a 14-day stay and sees its sums. --------------------------------------------------
    sign_in_citizen(page, visit, new.number, new.applicant_iin, lang)
    page.locator("main section", has_text=new.number).get_by_role("link", name=re.compile("^" + OPEN[lang])).click()
    page.wait_for_url(re.compile(rf"/portal/cabinet/entries/{entry.pk}/$"))
    page.get_by_role("button", name=SIGN_CONTRACT[lang], exact=True).click()
    page.wait_for_load_state()
    start = today + dt.timedelta(days=30)
    page.locator(f"input[name=supplier][value='{sanatorium.pk}']").check()
    page.locator("#id_arrival_date").fill(start.isoformat())
    page.locator("#id_departure_date").fill((start + dt.timedelta(days=13)).isoformat())
    page.get_by_role("button", name=SEND_ORDER[lang], exact=True).click()
    page.wait_for_load_state()
    order = Order.objects.get(entry=entry)
    mine = page.locator("main section", has_text=order.number).inner_text()
    # 14 × 22 000 = 308 000; 14 × 18 500 = 259 000; the rest, 49 000, is hers.
    for amount in ("308000.00", "259000.00", "49000.00"):
        assert localised(amount, lang) in mine, amount
    screenshot("01-order-with-sums")
    assert_accessible("entry with the order's sums")

    # --- 2. The sanatorium accepts, filling in the bed notice. --------------------------------------------
    sign_in_account(page, visit, LOGIN, PASSWORD, "/portal/supplier/")
    page.locator("tr", has_text=order.number).get_by_role("link", name=order.number).click()
    page.wait_for_load_state()
    assert row_value(page, "Surcharge, paid by the recipient on arrival").startswith("49000.00 ₸")
    assert_accessible("sanatorium order with the bed notice fields")
    page.get_by_label("Accept the order").check()
    page.get_by_label("Check-in time").fill("14:00")
    page.get_by_label("Check-out time").fill("12:00")
    page.get_by_label("Accommodation: bed-place, bed, floor, room").fill("2 орынды нөмір, 3-қабат, лифт бар")
    page.get_by_role("button", name="Sign and send the answer").click()
    page.wait_for_load_state()
    assert row_value(page, "State") == "Accepted by the supplier"
    notice = BedNotice.objects.get(order=order)
    assert notice.details["check_in"] == "14:00"
    screenshot("02-accepted-with-notice")

    # --- 3. Айгүл finds the signed notice in her cabinet. ------------------------------------------------
    sign_in_citizen(page, visit, new.number, new.applicant_iin, lang)
    visit(f"/portal/cabinet/entries/{entry.pk}/", lang)
    link = page.locator(f"a[href$='/portal/cabinet/orders/{order.pk}/bed-notice/']")
    assert link.count() == 1 and notice.number in link.inner_text()
    pdf = page.request.get(page.url.split("/portal/")[0] + link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body() == bytes(notice.pdf)
    assert_accessible("entry with the bed notice")

    # --- 4. The sanatorium forms and signs the act of Бауыржан's stay. ------------------------------------
    sign_in_account(page, visit, LOGIN, PASSWORD, f"/portal/supplier/orders/{old.pk}/")
    assert_accessible("completed stay")
    page.get_by_role("button", name="Form the act of the stay").click()
    page.wait_for_url(re.compile(r"/portal/supplier/acts/\d+/$"))
    act = ServiceAct.objects.get(order=old)
    assert row_value(page, "Bed-days stayed").startswith("14")
    assert row_value(page, "Amount the department pays") == "259000.00 ₸"
    assert row_value(page, "Surcharge paid by the recipient on arrival").startswith("49000.00 ₸")
    assert_accessible("stay act")
    page.get_by_role("button", name="Sign the act").click()
    page.wait_for_load_state()
    screenshot("03-stay-act-signed-by-sanatorium")

    # --- 5. Бауыржан signs; the department pays and looks at the order and the plans. ---------------------
    sign_in_citizen(page, visit, stayed.number, stayed.applicant_iin, lang)
    page.get_by_role("link", name=ACTS[lang], exact=True).click()
    page.wait_for_load_state()
    page.locator("tr", has_text=act.number).get_by_role("link", name=act.number).click()
    page.wait_for_load_state()
    assert_accessible("stay act for the recipient")
    page.get_by_role("button", name=SIGN_ACT[lang], exact=True).click()
    page.wait_for_load_state()
    sign_in_account(page, visit, f"{office.code}.specialist", DEMO_PASSWORD, f"/portal/acts/{act.pk}/")
    page.get_by_label("Payment order number").fill("ПП-2201")
    page.get_by_role("button", name="Record payment").click()
    page.wait_for_url(re.compile(r"/portal/acts/$"))
    act.refresh_from_db()
    assert act.state == "paid" and act.payment.amount == Decimal("259000.00")
    visit(f"/portal/orders/{old.pk}/", "en")
    assert act.number in page.locator("main").inner_text()
    assert_accessible("department's order page")
    visit("/portal/plans/", "en")
    assert "25" in page.locator("main table").first.inner_text()
    assert_accessible("activity plans")
    screenshot("04-plans")
