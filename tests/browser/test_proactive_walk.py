"""A proactive personal-assistant case in a real browser: the specialist enters the IPR data and sends the
request, the citizen answers with the code from the SMS, the case is decided and the recipient finds their
place in the E-Sobes queue in the Portal cabinet.  axe-core finds no WCAG 2.1 AA issue on any page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from qyzmet.cases import services
from qyzmet.cases.models import Case
from qyzmet.cases.services import sync_catalog
from qyzmet.core import engine
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD, build_directory
from qyzmet.notify.models import Sms

PA = "mlsp-2021/personal-assistant"
IIN = make_iin(dt.date(1979, 8, 30), "female", 55)
SEND = {"kk": "Жауапты жіберу", "ru": "Отправить ответ"}
CONSENT_RECEIVED = {"kk": "Келісіміңіз қабылданды", "ru": "Ваше согласие получено"}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_ipr_data_to_consent_by_code_to_the_portal_queue(visit, page, screenshot, assert_accessible, lang):
    sync_catalog()
    directory = build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])
    office = directory.provider_of[PA]

    # The department specialist enters the IPR data that came outside the data bank, and sends the request.
    page.context.clear_cookies()
    visit("/login", "en")
    page.get_by_label("Username", exact=True).fill(f"{office.code}.specialist")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/$"))
    page.get_by_role("link", name="Proactive requests", exact=True).first.click()
    page.wait_for_load_state()
    assert_accessible("proactive requests, empty")
    page.locator("form[action$='/proactive/staff/ipr/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".q-error-summary").is_visible()
    assert_accessible("IPR form with errors")
    page.locator("#id_regulation").select_option(PA)
    page.locator("#id_iin").fill(IIN)
    page.locator("#id_name").fill("Гүлнар Әміртайқызы")
    page.locator("#id_phone").fill("+7 701 555 44 33")
    page.locator(f"#id_language input[value='{lang}'], input[name='language'][value='{lang}']").first.check()
    page.locator("#id_measures").fill("жеке көмекшінің қызметтері, тәулігіне 8 сағат")
    page.locator("#id_source").fill("ОЖБ № 4410 / 30.11.2026")
    page.locator("form[action$='/proactive/staff/ipr/'] button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator("tr", has_text="Гүлнар Әміртайқызы")
    assert "Sent, waiting for the answer" in row.inner_text()
    screenshot("request sent")
    assert_accessible("request sent")

    sms = Sms.objects.get(code="proactive-request")
    consent = re.search(r"(\d{6})", sms.text.split(":", 1)[1]).group(1)

    # The citizen answers on the page, in their language: first a wrong code, then the consent code.
    page.context.clear_cookies()
    visit("/proactive/answer/", lang)
    assert_accessible("answer page")
    page.locator("#id_iin").fill(IIN)
    page.locator("#id_code").fill("000000" if consent != "000000" else "000001")
    page.get_by_role("button", name=SEND[lang], exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".q-notice--warning").is_visible()
    assert_accessible("wrong code")
    page.locator("#id_iin").fill(IIN)
    page.locator("#id_code").fill(consent)
    page.get_by_role("button", name=SEND[lang], exact=True).click()
    page.wait_for_load_state()
    case = Case.objects.get(applicant_iin=IIN)
    notice = page.locator(".q-notice--success")
    assert case.number in notice.inner_text() and CONSENT_RECEIVED[lang] in notice.inner_text()
    assert case.status == "in-progress" and case.accepted_at is not None
    screenshot("consent received")
    assert_accessible("consent received")

    # The specialist reports the decision; the recipient signs in to the Portal cabinet.
    now = timezone.now()
    services.apply_event(case, engine.Decide("positive"), now)
    services.apply_event(case, engine.CompleteStep(case.current_step), now)
    visit("/portal/cabinet/", lang)
    page.locator("#id_number").fill(case.number)
    page.locator("#id_iin").fill(IIN)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "1" in page.locator("main").inner_text()  # the first place in the queue of this service
    screenshot("cabinet")
    assert_accessible("cabinet")
