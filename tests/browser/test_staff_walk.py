"""One aktogay-2013/prosthetic-docs application carried through the PSC route in a real browser.

Each role signs in on its own and does its step the way a person would: the PSC consultant registers
the application at the counter, the hall inspector accepts it and prints the receipt, the accumulation
sector sends the registry, the department's clerk takes it over, the head appoints the executor, the
sector head checks, the specialist drafts, the sector head endorses, the head signs, the clerk sends
the result back with a registry, and the issuance inspector hands it over.  Then the citizen looks the
application up.  Screenshots of every page land in test-artifacts/screenshots.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urljoin

import pytest

from qyzmet.cases.models import Case
from qyzmet.cases.services import sync_catalog
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD, build_directory

REG = "aktogay-2013/prosthetic-docs"
PSC = "aktogay-2013-psc"
DEPT = "aktogay-2013-provider"
IIN = make_iin(dt.date(1964, 9, 14), "male", 812)


@pytest.fixture
def directory():
    sync_catalog()
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith("aktogay-2013/")])


@pytest.fixture
def as_role(page, visit, screenshot, assert_accessible):
    """``as_role("psc-consultant")`` signs the previous person out and this role's account in."""

    def sign_in(role: str, office: str = PSC):
        page.context.clear_cookies()
        visit("/login", "en")
        page.get_by_label("Username", exact=True).fill(f"{office}.{role}")
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(re.compile(r"/staff/$"))
        return page

    return sign_in


def open_case_from_inbox(page, number: str) -> None:
    page.get_by_role("link", name=number, exact=True).click()
    page.wait_for_load_state()


def do_step(page, note: str = "") -> None:
    if note:
        page.get_by_label("Note (the step's output)").fill(note)
    page.locator("#complete-form button[type=submit]").click()
    page.wait_for_load_state()


def test_each_role_carries_one_case_through_the_psc_route(directory, page, visit, as_role, screenshot,
                                                         assert_accessible):
    # 1. The PSC consultant registers the application at the counter.
    as_role("psc-consultant")
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Find the service (Kazakh, Russian or English)").fill("протез")
    page.get_by_role("link", name=re.compile("Preparing documents for disabled persons")).click()  # English UI
    page.get_by_label("Applicant's IIN").fill(IIN)
    page.get_by_label("Applicant's full name").fill("Бауыржан Нұрғалиев")
    page.get_by_label("Mobile phone (for SMS notices)").fill("+7 701 555 44 33")
    page.get_by_label("Applicant category").select_option("general-disease")
    # The category's own checklist arrives by htmx and replaces the full list shown before a category
    # is chosen; ticking before it lands would tick boxes that are about to be replaced.
    page.locator("#f-documents", has_text="Checklist for").wait_for()
    for code in ("application", "id-copy", "irp-extract"):
        page.locator(f"#doc-{code}").check()
    screenshot("01-intake-form")
    assert_accessible("intake form")
    page.get_by_role("button", name="Register the application").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert page.get_by_role("heading", level=1).inner_text().endswith(case.number)
    assert case.checklist.filter(present=True).count() == 3
    screenshot("02-case-registered")
    assert_accessible("case page")
    do_step(page, "documents checked, journal entry 17")

    # 2. The hall inspector accepts the documents and hands over the receipt.
    as_role("psc-hall-inspector")
    open_case_from_inbox(page, case.number)
    page.get_by_role("button", name="Accept the documents").click()
    page.wait_for_load_state()
    receipt = page.locator("#receipt")
    assert case.number in receipt.inner_text()
    assert page.locator("#receipt-receiver").inner_text().strip()  # the receiver's name is on it
    assert re.search(r"\d", page.locator("#receipt-due").inner_text())  # and the date of the result
    screenshot("03-receipt")
    assert_accessible("receipt")
    # One click prints the PSC receipt: the button opens the stored PDF.
    printed = page.locator("#print-papers a").first
    pdf = page.request.get(urljoin(page.url, printed.get_attribute("href")))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    # 3. The accumulation sector forms the registry and sends it to the department.
    as_role("psc-accumulation-specialist")
    page.get_by_role("link", name="Registries").click()
    assert case.number in page.locator("#ready").inner_text()
    screenshot("04-registry-ready")
    page.get_by_role("button", name="Form the registry and send it").click()
    page.wait_for_load_state()
    registry_number = page.get_by_role("heading", level=1).inner_text().split()[-1]
    assert registry_number.startswith("R")
    screenshot("05-registry-sent")

    # 4. The department's records clerk takes the case over against the registry.
    as_role("records-specialist", DEPT)
    page.get_by_role("link", name="Registries").click()
    row = page.locator("#incoming tr", has_text=case.number)
    assert registry_number in row.inner_text()
    screenshot("06-registry-incoming")
    row.get_by_role("button", name="Take over").click()
    page.wait_for_load_state()

    # 5-8. Head, sector head, specialist, sector head.
    for role, note in (("head", "executor: the sector's specialist"), ("sector-head", "package complete"),
                       ("specialist", "notification drafted"), ("sector-head", "endorsed")):
        as_role(role, DEPT)
        open_case_from_inbox(page, case.number)
        do_step(page, note)

    # 9. The head signs the decision; the intake inspector could not have.
    as_role("head", DEPT)
    open_case_from_inbox(page, case.number)
    page.locator("#complete-form button[type=submit]").click()  # nothing chosen: the form says what is missing
    page.wait_for_load_state()
    assert page.locator(".q-error-summary").is_visible()
    screenshot("07-decision-error")
    page.get_by_label("Positive result").check()
    screenshot("08-decision")
    assert_accessible("decision form")
    page.get_by_role("button", name="Sign the decision").click()
    page.wait_for_load_state()

    # 10. The clerk sends the signed result back to the PSC with a registry.
    as_role("records-specialist", DEPT)
    page.get_by_role("link", name="Registries").click()
    page.get_by_role("button", name="Form the registry and send it").click()
    page.wait_for_load_state()

    # 11. The issuance inspector takes the registry over and hands the result to the applicant.
    as_role("psc-issuance-inspector")
    page.get_by_role("link", name="Registries").click()
    page.locator("#incoming tr", has_text=case.number).get_by_role("button", name="Take over").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="My tasks").click()
    open_case_from_inbox(page, case.number)
    page.get_by_role("button", name="Hand the result over").click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == "issued" and case.outcome == "positive" and case.in_term
    page.goto(page.url.split("/staff/")[0] + f"/staff/cases/{case.pk}/")
    timeline = page.locator("#timeline").inner_text()
    assert timeline.count("annex 2, table 1 (alternative process)") == 11  # every step with its clause
    screenshot("09-case-issued")
    assert_accessible("issued case")

    # The citizen looks the application up, in Kazakh.
    page.context.clear_cookies()
    visit("/my-application", "kk")
    page.get_by_label("Өтініш нөмірі", exact=True).fill(case.number)
    page.get_by_label("ЖСН", exact=True).fill(IIN)
    page.get_by_role("button", name="Тексеру", exact=True).click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert case.number in text and "Бауыржан" not in text  # status, never the applicant's data
    screenshot("10-citizen-lookup")
    assert_accessible("citizen lookup of the issued case")

    # Their papers are on the page; the QR's address shows the notification verified.
    from qyzmet.documents.models import Document

    notification = Document.objects.get(case=case, form="notification")
    link = page.locator("#documents a", has_text=notification.title).first
    assert page.request.get(urljoin(page.url, link.get_attribute("href"))).headers["content-type"] == "application/pdf"
    visit(f"/verify/{notification.code}", "kk")
    assert "Түпнұсқа және жарамды" in page.locator("main").inner_text()
    screenshot("11-document-verified")
    assert_accessible("document verification page")
