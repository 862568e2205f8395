"""A walking wheelchair asked for too early, then in time, in a real browser (issue 11, "tried as a new user").

The department's specialist finds the recipient's entitlements page, records the walking wheelchair received
three years ago from its act, and registers an application for a new one at the counter: it is refused
acceptance on annex 4 cl. 25 with the day it becomes possible.  A second recipient, whose chair is four years
old, is accepted.  The first recipient then sees in their cabinet, in Kazakh, from when the next one comes.
Every page passes axe-core.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import formats, timezone, translation

from qyzmet.cases.models import Case
from qyzmet.cases.services import sync_catalog
from qyzmet.core.calendar import to_local
from qyzmet.core.entitlement import add_period
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.norms import Period
from qyzmet.demo import DEMO_PASSWORD, build_directory

REG = "mlsp-2021/mobility-means"
WALKING = "Basic manually driven walking (outdoor) wheelchair"
EARLY = make_iin(dt.date(1979, 4, 2), "female", 611)
IN_TIME = make_iin(dt.date(1968, 11, 20), "male", 612)


@pytest.fixture
def directory():
    sync_catalog()
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])


def years_ago(today: dt.date, n: int) -> dt.date:
    """The same date n years back (28 February for a 29 February): a receipt whose period ends today + …"""
    try:
        return today.replace(year=today.year - n)
    except ValueError:
        return today.replace(year=today.year - n, day=28)


def sign_in(page, visit, username: str) -> None:
    page.context.clear_cookies()
    visit("/login", "en")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/$"))


def record_receipt(page, iin: str, received: dt.date) -> None:
    page.get_by_role("link", name="Entitlements", exact=True).click()
    page.get_by_label("Recipient's IIN").fill(iin)
    page.get_by_role("button", name="Show", exact=True).click()
    page.locator("#f-item").select_option(label=WALKING)
    page.locator("#f-received_on").fill(received.isoformat())
    page.locator("#f-note").fill(f"Act No. 14 of {received:%d.%m.%Y}")
    page.get_by_role("button", name="Record the receipt", exact=True).click()
    page.locator("#ledger").wait_for()


def apply(page, iin: str, name: str) -> None:
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Find the service (Kazakh, Russian or English)").fill("wheelchair")
    page.get_by_role("link", name=re.compile("special mobility means")).first.click()
    page.get_by_label("Applicant's IIN").fill(iin)
    page.get_by_label("Applicant's full name").fill(name)
    page.get_by_label("Mobile phone (for SMS notices)").fill("+7 701 555 12 34")
    page.get_by_label("Applicant category").select_option("disabled-person")
    page.locator("#f-documents", has_text="Checklist for").wait_for()
    page.locator("#f-item").select_option(label=WALKING + " (№ 1)")
    page.get_by_label("Person with a disability (any group), as the IPR provides").check()
    page.get_by_role("button", name="Register the application").click()
    page.wait_for_url(re.compile(r"/staff/cases/\d+/$"))


def test_a_walking_wheelchair_too_early_and_in_time(directory, page, visit, screenshot, assert_accessible):
    today = to_local(timezone.now()).date()
    three, four = years_ago(today, 3), years_ago(today, 4)
    earliest = add_period(three, Period(4, "year"))

    sign_in(page, visit, "mlsp-2021-provider.specialist")
    record_receipt(page, EARLY, three)
    assert page.locator("#standing").get_by_text("From ").is_visible()
    screenshot("01-entitlements-page")
    assert_accessible("entitlements page")

    apply(page, EARLY, "Айгүл Сейітқызы")
    with translation.override("en"):
        day = formats.date_format(earliest, "DATE_FORMAT")
    panel = page.locator("#entitlement").inner_text()
    assert f"Not before {day}" in panel and "cl. 26" in panel
    case = Case.objects.get(applicant_iin=EARLY)
    assert (case.status, case.grounds) == ("acceptance-refused", ["replacement-too-early"])
    screenshot("02-refused-at-intake")
    assert_accessible("case refused at intake")

    record_receipt(page, IN_TIME, four)
    apply(page, IN_TIME, "Ерболат Қуанышұлы")
    assert "May receive it" in page.locator("#entitlement").inner_text()
    assert Case.objects.get(applicant_iin=IN_TIME).status == "submitted"
    screenshot("03-accepted")
    assert_accessible("case accepted")

    # The recipient's cabinet, in Kazakh: from when the next walking chair comes.
    page.context.clear_cookies()
    visit("/portal/cabinet/", "kk")
    page.locator("#id_number").fill(Case.objects.get(applicant_iin=EARLY).number)
    page.locator("#id_iin").fill(EARLY)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/portal/cabinet/$"))
    with translation.override("kk"):
        kk_day = formats.date_format(earliest, "DATE_FORMAT")
    section = page.locator("#entitlements").inner_text()
    assert "Қол жетекті негізгі серуен кресло-арбасы" in section and kk_day in section
    screenshot("04-cabinet-kk")
    assert_accessible("cabinet with entitlements")
