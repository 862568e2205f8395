"""A sign-language month crossing the 60-hour year cap, walked in a real browser (mlsp-2021 annex 1 cl. 44).

Мадина's order was accepted 65 days ago (set up in Python: the live server runs on the real clock), and 56 of
her 60 department-paid hours of the year are already journaled in the previous month.  The supplier journals
6 more hours in the browser: refused with the clause until it confirms that the 2 hours above 60 are hers, then
recorded.  The month's act pays 60 h × 15 % of the minimum wage and shows her 2 hours; she signs it in Kazakh.
axe-core finds no WCAG 2.1 AA issue on the pages visited.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone
from test_portal import issue
from test_portal_walk import row_value, sign_in_account, sign_in_citizen, supplier_with_login

from qyzmet.cases.services import sync_catalog
from qyzmet.core.calendar import to_local
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import build_directory
from qyzmet.payments import workflow as pay
from qyzmet.payments.models import MinimumWage, ServiceAct
from qyzmet.portal import workflow

SL = "mlsp-2021/sign-language"
LOGIN, PASSWORD = "ishara.supplier", "pw-sign-walk-1"
WAGE = Decimal("85000")  # the minimum wage entered for the year: 15 % of it is 12 750.00 ₸ an hour


def test_a_sign_language_month_crossing_60_hours_a_year(visit, page, screenshot, assert_accessible):
    sync_catalog()
    directory = build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])
    now = timezone.now()
    today = to_local(now).date()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    first = last_month_end.replace(day=1)
    MinimumWage.objects.create(year=first.year, amount=WAGE, source="Republican Budget Law (test figure)")
    su = supplier_with_login(directory.provider_of[SL], SL, 51, ("«Ишара» ЖШС", "ТОО «Ишара»"), LOGIN, PASSWORD,
                             "Асель Нұрова", unit="hour", price=Decimal("12750"))
    supplier = su.supplier
    case = issue(directory, SL, now - dt.timedelta(days=70), serial=91, name="Мадина Оспанова")
    workflow.accept_contract(case.queue_entry, now - dt.timedelta(days=66))
    order = workflow.form_order(case.queue_entry, workflow.OrderForm(supplier.pk, sl_format="online"),
                                now - dt.timedelta(days=66))
    workflow.supplier_review(su, order.pk, True, "", now - dt.timedelta(days=65))
    for n in range(7):  # 1st–7th of last month, 8 hours each: 56 hours
        pay.add_journal_entry(su, order.pk, pay.DayForm(first + dt.timedelta(days=n), Decimal("8")), now)

    sign_in_account(page, visit, LOGIN, PASSWORD, f"/portal/supplier/orders/{order.pk}/journal/")
    assert "56" in page.locator("main").inner_text()
    assert_accessible("sign-language journal at 56 hours")
    day = first + dt.timedelta(days=9)
    page.get_by_label("Day of the service").fill(day.isoformat())
    page.get_by_label("Hours", exact=True).fill("6")
    page.get_by_role("button", name="Add to the journal").click()
    page.wait_for_load_state()
    error = page.locator(".q-error-summary").inner_text()
    assert "annex 1, cl. 44" in error and "Only 4" in error and "2 hours above them" in error
    screenshot("01-above-60-refused")
    assert_accessible("journal, hours above 60 refused")
    page.get_by_label("Day of the service").fill(day.isoformat())
    page.get_by_label("Hours", exact=True).fill("6")
    page.get_by_label("The recipient pays the hours above 60 a year from own funds (annex 1, cl. 44)").check()
    page.get_by_role("button", name="Add to the journal").click()
    page.wait_for_load_state()
    assert "The day is in the journal." in page.locator(".q-messages").inner_text()

    page.get_by_label("Month of the act").fill(f"{first:%Y-%m}")
    page.get_by_role("button", name="Form the act of the month").click()
    page.wait_for_url(re.compile(r"/portal/supplier/acts/\d+/$"))
    act = ServiceAct.objects.get(order=order)
    # 62 hours journaled; the department pays 60 × 12 750.00 = 765 000.00; the recipient's 2 hours are hers.
    assert row_value(page, "Hours journaled") == "62.00"
    assert row_value(page, "Hours paid by the recipient").startswith("2.00")
    assert row_value(page, "Amount the department pays") == "765000.00 ₸"
    assert row_value(page, "Rate").startswith("12750.00 ₸ / hour")
    assert_accessible("sign-language act")
    page.get_by_role("button", name="Sign the act").click()
    page.wait_for_load_state()
    screenshot("02-act-signed-by-supplier")

    sign_in_citizen(page, visit, case.number, case.applicant_iin, "kk")
    visit(f"/portal/cabinet/acts/{act.pk}/", "kk")
    assert "765000,00" in page.locator("main").inner_text()
    assert_accessible("sign-language act for the recipient, kk")
    page.get_by_role("button", name="Актіге қол қою", exact=True).click()
    page.wait_for_load_state()
    act.refresh_from_db()
    assert act.state == "signed" and act.amount == Decimal("765000.00") and act.recipient_paid_hours == 2
