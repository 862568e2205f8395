"""Applying online in a real browser: keyboard-usable, errors announced, axe-core finds no WCAG issue."""

from __future__ import annotations

import datetime as dt

import pytest

from qyzmet.cases.models import Case
from qyzmet.cases.services import sync_catalog
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import build_directory

IIN = make_iin(dt.date(1981, 4, 9), "male", 90)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_citizen_applies_online_for_a_doctors_appointment(visit, page, screenshot, assert_accessible, lang):
    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mangystau-2015/")])
    visit("/apply", lang)
    assert_accessible("list of online services")
    page.locator("#online-services a").first.wait_for()
    page.goto(page.url + "/mangystau-2015/tb-certificate")
    page.locator("#apply-form button[type=submit]").click()
    page.wait_for_load_state()
    summary = page.locator(".q-error-summary")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('q-error-summary')")
    screenshot("errors")
    assert_accessible("form with errors")
    page.locator("#id_iin").fill(IIN)
    page.locator("#id_name").fill("Ғалым Бекмұхамбетов")
    page.locator("#id_phone").fill("+7 705 000 11 22")
    page.locator("#apply-form button[type=submit]").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert page.locator("#application-number").inner_text() == case.number
    screenshot("sent")
    assert_accessible("application sent")
