"""The citizen pages and sign-in in a real browser: keyboard, focus, languages, and axe-core's WCAG checks."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest

from qyzmet.cases import services
from qyzmet.cases.models import Case, RegulationVersion
from qyzmet.core.calendar import parse_instant
from qyzmet.core.engine import CompleteStep, Submit
from qyzmet.core.iin import make_iin

IIN = make_iin(dt.date(1970, 2, 3), "female", 55)
OTHER_IIN = make_iin(dt.date(1988, 11, 30), "male", 7)
START = parse_instant("2025-03-19T10:00")
LOOKUP = "/my-application"

TEXTS = {
    "kk": {"heading": "Өтінішімді тексеру", "number": "Өтініш нөмірі", "iin": "ЖСН", "button": "Тексеру",
           "summary": "Қате табылды", "no-number": "Өтініш нөмірін енгізіңіз", "no-iin": "ЖСН-ді енгізіңіз",
           "bad-iin": "Бұл ЖСН жарамсыз", "not-found": "Осы нөмір мен ЖСН бойынша өтініш табылмады",
           "status": "Орындалуда", "term": "2025 жылғы 8 сәуір, 20:00"},
    "ru": {"heading": "Проверить моё заявление", "number": "Номер заявления", "iin": "ИИН", "button": "Проверить",
           "summary": "Обнаружена ошибка", "no-number": "Введите номер заявления", "no-iin": "Введите ИИН",
           "bad-iin": "Этот ИИН недействителен", "not-found": "Заявление с таким номером и ИИН не найдено",
           "status": "В работе", "term": "8 апреля 2025 г. 20:00"},
    "en": {"heading": "Check my application", "number": "Application number", "iin": "IIN", "button": "Check",
           "summary": "There is a problem", "no-number": "Enter the application number", "no-iin": "Enter the IIN",
           "bad-iin": "This IIN is not valid", "not-found": "No application with this number and IIN",
           "status": "In progress", "term": "April 8, 2025, 8 p.m."},
}


def accepted_case() -> Case:
    """A PSC application whose documents were accepted: in progress, with its term fixed (8 April 20:00)."""
    services.sync_catalog()
    row = RegulationVersion.objects.get(reg_id="aktogay-2013/prosthetic-docs")
    case = services.submit(row, Submit("psc", IIN, "general-disease", ("application", "id-copy", "irp-extract")),
                           START).case
    services.apply_event(case, CompleteStep(1), START)  # the PSC consultant
    services.apply_event(case, CompleteStep(2), START)  # the hall inspector accepts: receipt, term set
    case.refresh_from_db()
    assert case.status == "in-progress"
    return case


def fill_and_check(page, lang: str, number: str, iin: str) -> None:
    page.get_by_label(TEXTS[lang]["number"], exact=True).fill(number)
    page.get_by_label(TEXTS[lang]["iin"], exact=True).fill(iin)
    page.get_by_role("button", name=TEXTS[lang]["button"], exact=True).click()
    page.wait_for_load_state()


def active(page, expression: str):
    return page.evaluate(f"() => {{ const el = document.activeElement; return {expression}; }}")


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_an_empty_lookup_shows_a_focused_error_summary_linking_to_the_fields(visit, page, lang, screenshot,
                                                                          assert_accessible):
    t = TEXTS[lang]
    visit(LOOKUP, lang)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("heading", level=1).inner_text() == t["heading"]
    assert_accessible("empty form")

    page.get_by_role("button", name=t["button"], exact=True).click()
    page.wait_for_load_state()
    summary = page.locator(".q-error-summary")
    assert summary.get_by_role("heading").inner_text() == t["summary"]
    assert active(page, "el.classList.contains('q-error-summary')"), "the error summary should take focus"
    assert page.title().startswith(("Қате:", "Ошибка:", "Error:"))
    number_input = page.get_by_label(t["number"], exact=True)
    assert number_input.get_attribute("aria-invalid") == "true"
    assert t["no-number"] in page.locator("#id_number_error").inner_text()
    screenshot("errors")
    assert_accessible("with errors")

    # Following a summary link puts the cursor in the field, ready to type.
    summary.get_by_role("link", name=t["no-iin"]).click()
    assert active(page, "el.id") == "id_iin"
    summary.get_by_role("link", name=t["no-number"]).click()
    assert active(page, "el.id") == "id_number"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_wrong_iin_is_an_error_on_the_iin_field(visit, page, lang):
    visit(LOOKUP, lang)
    bad = IIN[:11] + str((int(IIN[11]) + 1) % 10)  # a wrong check digit
    fill_and_check(page, lang, "Q2025-0000001", bad)
    assert TEXTS[lang]["bad-iin"] in page.locator("#id_iin_error").inner_text()
    assert page.get_by_label(TEXTS[lang]["iin"], exact=True).get_attribute("aria-invalid") == "true"
    assert page.get_by_label(TEXTS[lang]["number"], exact=True).get_attribute("aria-invalid") is None


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_real_application_is_found_with_its_status_and_due_date(visit, page, lang, screenshot, assert_accessible):
    case = accepted_case()
    visit(LOOKUP, lang)
    fill_and_check(page, lang, case.number, IIN)
    main = page.locator("main")
    assert case.number in page.get_by_role("heading", level=1).inner_text()
    assert TEXTS[lang]["status"] in main.inner_text()
    assert TEXTS[lang]["term"] in main.inner_text()
    assert IIN not in page.content()
    screenshot("result")
    assert_accessible("with a result")


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_wrong_iin_for_a_real_number_gets_the_neutral_answer(visit, page, lang, assert_accessible):
    case = accepted_case()
    visit(LOOKUP, lang)
    fill_and_check(page, lang, case.number, OTHER_IIN)
    notice = page.locator(".q-notice")
    assert notice.get_by_role("heading").inner_text() == TEXTS[lang]["not-found"]
    assert TEXTS[lang]["status"] not in page.locator("main").inner_text()
    assert_accessible("not found")


def test_the_language_switcher_changes_the_page_language_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(live_server.url + LOOKUP)
        assert tab.locator("html").get_attribute("lang") == "en"  # Accept-Language of a default context
        tab.get_by_role("button", name="Қазақша").click()
        tab.wait_for_load_state()
        assert tab.url == live_server.url + LOOKUP, "the switcher should come back to the same page"
        assert tab.locator("html").get_attribute("lang") == "kk"
        assert tab.get_by_role("heading", level=1).inner_text() == TEXTS["kk"]["heading"]
        tab.get_by_role("button", name="Русский").click()
        tab.wait_for_load_state()
        assert tab.get_by_role("heading", level=1).inner_text() == TEXTS["ru"]["heading"]
        assert tab.get_by_role("button", name="Русский").get_attribute("aria-current") == "true"
        assert tab.get_by_role("button", name="English").get_attribute("lang") == "en"
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_home_and_login_pages_pass_axe(visit, page, lang, screenshot, assert_accessible):
    visit("/", lang)
    assert_accessible("home")
    screenshot("home")
    page.get_by_role("link", name=TEXTS[lang]["heading"]).click()
    page.wait_for_load_state()
    assert page.url.endswith(LOOKUP)
    visit("/login", lang)
    assert_accessible("login")
    page.locator("button.q-button").click()  # sign in with nothing filled in
    page.wait_for_load_state()
    assert page.locator(".q-error-summary").is_visible()
    screenshot("login-errors")
    assert_accessible("login with errors")


def test_tab_from_the_top_reaches_the_skip_link_first_and_it_moves_focus_to_main(visit, page, screenshot):
    visit("/", "kk")
    page.keyboard.press("Tab")
    assert active(page, "el.className") == "q-skip-link"
    assert active(page, "el.getAttribute('href')") == "#main"
    box = page.locator(".q-skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "a focused skip link must be on screen"
    screenshot("skip-link")
    page.keyboard.press("Enter")
    assert active(page, "el.id") == "main"


def test_staff_sign_in_inbox_and_sign_out(visit, page, screenshot, assert_accessible):
    from django.contrib.auth import get_user_model

    from qyzmet.directory.models import Office, Organisation, RoleAssignment, Staff

    org = Organisation.objects.create(code="aktogay-psc", kind="psc", name_kk="ХҚКО", name_ru="ЦОН")
    office = Office.objects.create(organisation=org, code="aktogay-psc-1", name_kk="Ақтоғай ХҚКО",
                                   name_ru="ЦОН Актогай", schedule="psc")
    user = get_user_model().objects.create_user("inspector", password="a-long-password-1")
    RoleAssignment.objects.create(staff=Staff.objects.create(user=user, office=office, full_name="Inspector"),
                                  role="psc-hall-inspector")
    visit("/login", "kk")
    page.get_by_label("Пайдаланушы аты", exact=True).fill("inspector")
    page.get_by_label("Құпиясөз", exact=True).fill("a-long-password-1")
    page.get_by_role("button", name="Кіру", exact=True).click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/staff/"
    nav = page.get_by_role("navigation", name="Қызметкер мәзірі")
    assert "inspector" in nav.inner_text() and "Ақтоғай ХҚКО" in nav.inner_text()
    assert nav.locator("a[aria-current=page]").get_attribute("href") == "/staff/"
    screenshot("inbox")
    assert_accessible("inbox with the staff bar")
    nav.get_by_role("button", name="Шығу").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/"  # signed out, back on the home page
    assert page.get_by_role("navigation", name="Қызметкер мәзірі").count() == 0
