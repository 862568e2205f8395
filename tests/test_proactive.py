"""The proactive channel (mlsp-2021): IPR data → request SMS with codes → consent, refusal or silence.

Dates worked out by hand on the department schedule (Monday-Friday 09:00-18:00; 16 December is
Independence Day; a term "from the day the request was sent" starts counting on the next working day).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from qyzmet.cases import services
from qyzmet.cases.models import Case
from qyzmet.cases.services import sync_catalog
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core import engine
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import build_directory
from qyzmet.notify import worker
from qyzmet.notify.models import InboundSms, Sms
from qyzmet.portal.models import QueueEntry
from qyzmet.proactive import workflow
from qyzmet.proactive.models import AnswerAttempt, ConsentRequest

pytestmark = pytest.mark.django_db

PA = "mlsp-2021/personal-assistant"
PROSTHETIC = "mlsp-2021/prosthetic-aid"
PHONE = "+77012345678"
SECRET = "inbound-secret-for-tests"


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=ALMATY)


FRIDAY = at(2026, 12, 4, 16, 30)


@pytest.fixture
def directory():
    sync_catalog()
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])


def ipr(directory, reg_id: str = PA, *, serial: int = 1, phone: str = PHONE, now: dt.datetime = FRIDAY,
        language: str = "kk"):
    data = workflow.IprData(regulation=reg_id, iin=make_iin(dt.date(1980, 2, 29), "male", serial),
                            name="Серік Әбілұлы", phone=phone, measures="жеке көмекші, тәулігіне 8 сағат",
                            source="ОЖБ № 118 / 01.12.2026", language=language, disability_group="I")
    office = directory.provider_of[reg_id]
    return workflow.receive_ipr(data, office, now)


def sent(directory, reg_id: str = PA, **kw):
    return workflow.send_request(ipr(directory, reg_id, **kw), kw.get("now", FRIDAY))


# --- the request ---------------------------------------------------------------------------------------------


def test_the_request_sms_carries_two_codes_that_are_stored_only_as_digests(directory):
    request, consent, refusal = sent(directory)
    case = request.case
    assert (case.route, case.channel, case.status, case.current_step) == ("proactive", "proactive", "submitted", 2)
    [sms] = Sms.objects.filter(case=case, code="proactive-request")
    assert consent in sms.text and refusal in sms.text and consent != refusal
    assert sms.phone == PHONE and sms.cite.startswith("cl. 12")
    stored = " ".join(str(v) for v in ConsentRequest.objects.filter(pk=request.pk).values().get().values())
    assert consent not in stored and refusal not in stored


def test_the_answer_is_due_at_the_end_of_the_third_working_day_after_sending(directory):
    request, *_ = sent(directory)  # Friday 4 December 16:30 → Mon 7, Tue 8, Wed 9
    assert request.answer_due == at(2026, 12, 9, 18, 0)
    assert "3 working days" in request.answer_why and "cl. 14" in request.answer_cite


def test_a_second_request_for_the_same_service_and_recipient_is_refused(directory):
    sent(directory)
    with pytest.raises(Conflict):
        ipr(directory)


@pytest.mark.parametrize(("field", "change"), [
    ("iin", {"iin": "800229300123"}), ("phone", {"phone": "+7 495 123 45 67"}),
    ("regulation", {"regulation": "almaty-2012/home-care"}), ("measures", {"measures": " "}),
    ("disability_group", {"disability_group": "IV"}),
])
def test_bad_ipr_data_name_the_field(directory, field, change):
    base = dict(regulation=PA, iin=make_iin(dt.date(1980, 2, 29), "male", 1), name="Серік", phone=PHONE,
                measures="жеке көмекші", source="ОЖБ № 1")
    with pytest.raises(Invalid) as exc:
        workflow.receive_ipr(workflow.IprData(**{**base, **change}), directory.provider_of[PA], FRIDAY)
    assert exc.value.field == field


# --- consent ----------------------------------------------------------------------------------------------------


def test_consent_on_the_page_makes_it_the_application_date_and_starts_ten_working_days(directory):
    request, consent, _ = sent(directory)
    iin = request.case.applicant_iin
    result = workflow.answer(consent, at(2026, 12, 8, 11, 0), channel="web", iin=iin)
    assert result.outcome == "consent"
    case = Case.objects.get(pk=request.case_id)
    assert case.accepted_at == at(2026, 12, 8, 11, 0)
    # Wed 9, Thu 10, Fri 11, Mon 14, Tue 15, (Wed 16 a holiday), Thu 17, Fri 18, Mon 21, Tue 22, Wed 23.
    assert case.term_due == at(2026, 12, 23, 18, 0)
    # The confirmation SMS (step 3) and the state systems' queries (step 4) are done by the system.
    assert case.current_step == 5 and case.status == "in-progress"
    assert Sms.objects.filter(case=case, code="consent-confirmed").count() == 1
    done = list(case.events.filter(kind="complete-step").values_list("payload__n", "payload__by"))
    assert done == [(1, "specialist"), (2, "recipient"), (3, "e-sobes"), (4, "e-sobes")]


def test_a_code_works_once(directory):
    request, consent, refusal = sent(directory)
    iin = request.case.applicant_iin
    assert workflow.answer(consent, at(2026, 12, 7), channel="web", iin=iin).outcome == "consent"
    assert workflow.answer(consent, at(2026, 12, 7, 11), channel="web", iin=iin).outcome == "used-code"
    assert workflow.answer(refusal, at(2026, 12, 7, 12), channel="web", iin=iin).outcome == "used-code"
    assert Case.objects.get(pk=request.case_id).status == "in-progress"


def test_consent_then_decision_puts_the_recipient_in_the_portal_queue(directory):
    request, consent, _ = sent(directory)
    workflow.answer(consent, at(2026, 12, 7), channel="web", iin=request.case.applicant_iin)
    case = Case.objects.get(pk=request.case_id)
    services.apply_event(case, engine.Decide("positive"), at(2026, 12, 8))
    services.apply_event(case, engine.CompleteStep(5), at(2026, 12, 8, 10, 5))
    entry = QueueEntry.objects.get(case=case)
    assert entry.registered_at == at(2026, 12, 7)  # the consent date is the first registration
    assert Sms.objects.filter(case=case, code="decision").count() == 1


# --- refusal, by SMS through the webhook ------------------------------------------------------------------------


def inbound(client: Client, text: str, phone: str = PHONE):
    return client.post("/notify/sms/inbound", {"phone": phone, "text": text}, content_type="application/json",
                       headers={"X-Qyzmet-Webhook-Secret": SECRET})


def test_a_refusal_by_sms_closes_the_request_with_the_acts_sms(directory, monkeypatch):
    monkeypatch.setenv("QYZMET_SMS_WEBHOOK_SECRET", SECRET)
    request, _, refusal = sent(directory)
    response = inbound(Client(), f"Жоқ {refusal}")
    assert response.status_code == 201
    case = Case.objects.get(pk=request.case_id)
    assert (case.status, case.current_step) == ("request-closed", None)
    assert ConsentRequest.objects.get(pk=request.pk).state == "declined"
    [sms] = Sms.objects.filter(case=case, code="consent-refused")
    assert sms.phone == PHONE
    assert InboundSms.objects.get().processed_at is not None
    assert AnswerAttempt.objects.get().outcome == "refusal"


def test_an_answer_left_unread_by_the_webhook_is_read_by_the_sweep(directory):
    request, consent, _ = sent(directory)
    InboundSms.objects.create(phone=PHONE, text=consent, received_at=at(2026, 12, 7, 9, 30))
    done = worker.run_sweeps(at(2026, 12, 7, 9, 31))
    assert done == {"inbound answers read": 1}
    case = Case.objects.get(pk=request.case_id)
    assert case.accepted_at == at(2026, 12, 7, 9, 30)  # timed when it arrived, not when it was read


# --- silence -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("reg_id", "code"), [(PA, "no-answer"), (PROSTHETIC, "proactive-expired")])
def test_no_answer_deletes_the_request_once_the_third_working_day_ends(directory, reg_id, code):
    request, *_ = sent(directory, reg_id)
    assert worker.run_sweeps(at(2026, 12, 9, 17, 59)) == {}
    assert worker.run_sweeps(at(2026, 12, 9, 18, 1)) == {"proactive requests expired": 1}
    case = Case.objects.get(pk=request.case_id)
    assert case.status == "request-closed" and case.state["request_closed"] == "expired"
    assert Sms.objects.filter(case=case, code=code).count() == 1
    assert ConsentRequest.objects.get(pk=request.pk).state == "expired"


def test_an_answer_after_the_term_is_late_and_deletes_the_request(directory):
    request, consent, _ = sent(directory)
    result = workflow.answer(consent, at(2026, 12, 10, 9, 0), channel="web", iin=request.case.applicant_iin)
    assert result.outcome == "late"
    assert Case.objects.get(pk=request.case_id).status == "request-closed"


# --- wrong codes -----------------------------------------------------------------------------------------------------


def test_five_wrong_codes_lock_the_request_and_every_try_is_logged(directory):
    request, consent, refusal = sent(directory)
    iin = request.case.applicant_iin
    wrong = next(c for c in ("111111", "222222") if c not in (consent, refusal))
    lefts = [workflow.answer(wrong, at(2026, 12, 7, 10, i), channel="web", iin=iin).tries_left for i in range(5)]
    assert lefts == [4, 3, 2, 1, 0]
    assert workflow.answer(consent, at(2026, 12, 7, 11), channel="web", iin=iin).outcome == "locked"
    assert Case.objects.get(pk=request.case_id).status == "submitted"
    assert list(AnswerAttempt.objects.values_list("outcome", flat=True).order_by("id")) == ["wrong-code"] * 5 + [
        "locked"]
    # The lock holds answers back, not the legal term: the request still lapses after three working days.
    assert worker.run_sweeps(at(2026, 12, 9, 18, 1)) == {"proactive requests expired": 1}


def test_an_answer_from_a_person_with_no_request_is_logged_as_such(directory):
    result = workflow.answer("123456", at(2026, 12, 7), channel="web", iin=make_iin(dt.date(1990, 1, 1), "male", 7))
    assert result.outcome == "no-request" and AnswerAttempt.objects.get().outcome == "no-request"


def test_the_request_text_names_the_codes_in_the_recipients_language(directory):
    request, consent, _ = sent(directory, language="ru")
    sms = Sms.objects.get(case=request.case, code="proactive-request")
    assert sms.language == "ru" and re.search(rf"Согласие: ответьте {consent}", sms.text)


# --- the pages -------------------------------------------------------------------------------------------------------


def test_the_citizen_answers_on_the_page_in_kazakh(directory):
    request, consent, _ = sent(directory, now=timezone.now())
    client = Client()
    page = client.get("/proactive/answer/")
    assert page.status_code == 200 and "ЖСН" in page.content.decode()
    wrong = "000000" if consent != "000000" else "000001"
    response = client.post("/proactive/answer/", {"iin": request.case.applicant_iin, "code": wrong})
    assert response.status_code == 422
    response = client.post("/proactive/answer/", {"iin": request.case.applicant_iin, "code": consent})
    assert response.status_code == 200
    html = response.content.decode()
    assert request.case.number in html and "Келісіміңіз" in html
    assert Case.objects.get(pk=request.case_id).status == "in-progress"


def test_a_malformed_code_is_refused_by_the_form_without_touching_the_request(directory):
    request, *_ = sent(directory, now=timezone.now())
    client = Client()
    client.cookies["qyzmet_language"] = "en"
    response = client.post("/proactive/answer/", {"iin": request.case.applicant_iin, "code": "12ab"})
    assert response.status_code == 422 and "The code is six digits" in response.content.decode()
    assert ConsentRequest.objects.get(pk=request.pk).wrong_attempts == 0


def test_the_specialist_enters_ipr_data_and_sends_the_request(directory):
    office = directory.provider_of[PA]
    user = directory.users[(office.pk, "specialist")]
    client = Client()
    client.force_login(user)
    client.cookies["qyzmet_language"] = "en"
    data = {"regulation": PA, "iin": make_iin(dt.date(1975, 3, 1), "female", 3), "name": "Айгүл Нұрланқызы",
            "phone": "8 701 765 43 21", "language": "ru", "disability_group": "I", "measures": "жеке көмекші",
            "source": "ОЖБ № 77 / 02.12.2026", "send": "on"}
    response = client.post("/proactive/staff/ipr/", data)
    assert response.status_code == 302
    page = client.get("/proactive/staff/").content.decode()
    assert "Айгүл Нұрланқызы" in page and "Sent, waiting for the answer" in page
    request = ConsentRequest.objects.get(ipr__recipient_name="Айгүл Нұрланқызы")
    assert request.phone == "+77017654321" and request.case.provider_office_id == office.pk
    bad = client.post("/proactive/staff/ipr/", {**data, "iin": "123"})
    assert bad.status_code == 422 and "The IIN must be 12 digits" in bad.content.decode()


# --- the API ----------------------------------------------------------------------------------------------------------


def api_headers(user) -> dict:
    from qyzmet.api.tokens import create_token

    _, raw = create_token(user, "tests")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_receives_ipr_data_sends_the_request_and_takes_the_answer(directory):
    client = Client()
    headers = api_headers(directory.users[(directory.provider_of[PA].pk, "specialist")])
    body = {"service": PA, "iin": make_iin(dt.date(1966, 6, 6), "male", 4), "name": "Ерлан Қайратұлы",
            "phone": "+7 707 111 22 33", "measures": "жеке көмекші", "source": "ОЖБ № 5 / 03.12.2026"}
    response = client.post("/api/v1/proactive/ipr", body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["request"]["state"] == "sent" and "cl. 14" in out["request"]["answer_cite"]
    sms = Sms.objects.get(case__number=out["request"]["case"], code="proactive-request")
    consent = re.search(r"Келісім: (\d{6})", sms.text).group(1)
    answered = client.post("/api/v1/proactive/answer", {"iin": body["iin"], "code": consent},
                           content_type="application/json")
    assert answered.status_code == 200
    assert answered.json()["outcome"] == "consent" and answered.json()["status"] == "in-progress"
    listed = client.get("/api/v1/proactive/ipr?state=consented", headers=headers).json()
    assert [i["recipient_name"] for i in listed["items"]] == ["Ерлан Қайратұлы"]


@pytest.mark.parametrize(("change", "field"), [({"iin": "12"}, "iin"), ({"phone": "123"}, "phone"),
                                               ({"service": "nope/nothing"}, "service"), ({"colour": "red"}, "colour")])
def test_the_api_names_the_wrong_field(directory, change, field):
    headers = api_headers(directory.users[(directory.provider_of[PA].pk, "specialist")])
    body = {"service": PA, "iin": make_iin(dt.date(1966, 6, 6), "male", 4), "name": "Ерлан", "phone": PHONE,
            "measures": "жеке көмекші", "source": "ОЖБ № 5", **change}
    response = Client().post("/api/v1/proactive/ipr", body, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert field in (response.json()["error"].get("field") or "") + response.json()["error"]["message"]
    assert not ConsentRequest.objects.exists()


def test_a_psc_inspector_cannot_send_proactive_requests(directory):
    psc = directory.offices[("mlsp-2021", "psc")]
    user = next(u for (office, _role), u in directory.users.items() if office == psc.pk)
    response = Client().get("/api/v1/proactive/ipr", headers=api_headers(user))
    assert response.status_code == 403


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_proactive_pages_show_no_english_ui_text(directory, lang):
    from test_i18n import english_leftovers, visible_text

    now = timezone.now()
    request, consent, _ = sent(directory, now=now, language=lang)
    ipr(directory, serial=2, now=now)  # one record not yet sent
    citizen = Client()
    citizen.cookies["qyzmet_language"] = lang
    answered = citizen.post("/proactive/answer/", {"iin": request.case.applicant_iin, "code": consent})
    wrong = citizen.post("/proactive/answer/", {"iin": request.case.applicant_iin, "code": "12"})
    staff = Client()
    staff.force_login(directory.users[(directory.provider_of[PA].pk, "specialist")])
    staff.cookies["qyzmet_language"] = lang
    listed = staff.get("/proactive/staff/")
    for name, response in (("answered", answered), ("wrong", wrong), ("staff list", listed)):
        text = visible_text(response.content.decode(), lang)
        assert not english_leftovers(text, lang), f"{lang} {name}: {english_leftovers(text, lang)}"
    assert "ЖСН" in visible_text(answered.content.decode(), lang) or lang == "ru"
