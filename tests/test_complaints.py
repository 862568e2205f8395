"""Complaints under the acts (issue 12): registered with a number, a receiver and a term on the legal calendar,
answered with a paper, escalated to the quality authority, and the court named after it.

The terms are worked out by hand below, from the holiday law (Nauryz 21-23 March; a holiday on a weekend moves
to the next working day, so 2026's Nauryz closes 21-25 March; 1, 7 and 9 May, Victory Day on a Saturday
observed on Monday 11 May) and the offices' schedules in the acts: the employment department's acceptance hours
(mlsp-2021 "ed-reception", Mon-Fri 09:00-13:00 and 14:30-17:30), the State Corporation branch ("sc-branch",
Mon-Sat 09:00-20:00) and the quality authority's inspectorate (the built-in department schedule, Mon-Fri
09:00-13:00 and 14:00-18:00).  "Within N working days from the day of registration": that day is not counted.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from qyzmet.api.tokens import create_token
from qyzmet.cases import services
from qyzmet.cases.access import actor_for
from qyzmet.cases.models import Case
from qyzmet.complaints import demo as complaints_demo
from qyzmet.complaints import workflow
from qyzmet.complaints.models import Complaint, History
from qyzmet.core import engine
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD, build_directory
from qyzmet.documents.models import Document

pytestmark = pytest.mark.django_db

SANATORIUM = "mlsp-2021/sanatorium"
AKTOGAY = "aktogay-2013/prosthetic-docs"
DEPT, PSC = "mlsp-2021-provider", "mlsp-2021-psc"


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=ALMATY)


class Clock:
    def __init__(self, start: dt.datetime):
        self.at = start

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fixed = Clock(at(2026, 3, 20))
    monkeypatch.setattr(timezone, "now", fixed)
    return fixed


@pytest.fixture
def directory(db, settings):
    services.sync_catalog()
    regs = [r for r in shipped_catalog().regulations if r.id.startswith(("mlsp-2021/", "aktogay-2013/",
                                                                         "ulytau-2012/"))]
    found = build_directory(regs)
    complaints_demo.accounts(found, DEMO_PASSWORD)
    return found


_serial = iter(range(1, 10_000))


def new_case(directory, reg_id: str = SANATORIUM, start: dt.datetime | None = None) -> Case:
    """A case submitted at the act's PSC (received there, worked by the provider)."""
    reg = shipped_catalog().get(reg_id)
    row = services.register_regulation(reg)
    category = reg.categories[0]
    iin = make_iin(dt.date(1970, 5, 4), "female", next(_serial))
    return services.submit(row, engine.Submit("psc", iin, category.code, category.documents),
                           start or at(2026, 3, 2), office=directory.office_for(reg, "psc"),
                           provider_office=directory.provider_of[reg_id],
                           applicant_name="Серікова Әлия Нұрланқызы").case


def login(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies["qyzmet_language"] = "en"
    return client


def actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def text_of(content: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


# --- the terms, by hand -----------------------------------------------------------------------------

def test_a_complaint_to_the_department_on_the_friday_before_nauryz_is_due_on_1_april(directory, clock):
    """Registered Friday 20 March 2026, 10:00, at the employment department (cl. 14.1 of annex 2: 5 working
    days from the day of registration).  The 20th is not counted; 21-22 is the weekend and Nauryz, 23 Nauryz,
    24-25 the days off the weekend's Nauryz days move to.  Day 1 Thu 26, 2 Fri 27, 3 Mon 30, 4 Tue 31, 5 Wed
    1 April: due at the department's closing, 17:30."""
    case = new_case(directory)
    specialist = login(f"{DEPT}.specialist")
    response = specialist.post(f"/staff/complaints/cases/{case.pk}/new/",
                               {"to": "provider", "text": "Мерзімінде жауап берілмеді."})
    assert response.status_code == 302
    complaint = Complaint.objects.get(case=case)
    assert complaint.due == at(2026, 4, 1, 17, 30)
    assert complaint.number == "Ш-2026-000001" and complaint.receiving_office.code == DEPT
    assert complaint.receiver_name and complaint.receiver_name.endswith(".")  # surname and initials
    assert (complaint.considering_office.code, complaint.role, complaint.cite) == (
        DEPT, "head", "cl. 14.1; cl. 14 (seventh paragraph)")
    page = specialist.get(f"/staff/complaints/{complaint.pk}/").content.decode()
    assert "April 1, 2026, 17:30" in page.replace("\xa0", " ") or "April 1, 2026, 5:30 p.m." in page
    assert "cl. 14.1" in page and "Nowruz Holiday" in page  # the why, with the clause and the closed days


def test_a_complaint_to_the_psc_head_counts_the_branch_s_saturdays(directory, clock):
    """The same Friday at the PSC branch (cl. 14.2): the branch works Monday to Saturday.  21-25 March closed
    as above; day 1 Thu 26, 2 Fri 27, 3 Sat 28, 4 Mon 30, 5 Tue 31 March: due at 20:00."""
    case = new_case(directory)
    complaint = workflow.file_at_counter(actor(f"{PSC}.psc-hall-inspector"), case.pk, to="psc",
                                         text="Қызметкер дөрекі сөйледі.", now=clock.at)
    assert complaint.due == at(2026, 3, 31, 20, 0)
    assert (complaint.considering_office.code, complaint.role) == (PSC, "psc-head")


def test_the_quality_authority_s_15_working_days_run_from_its_own_registration(directory, clock):
    """A complaint registered Monday 20 April 2026 at the department is due Monday 27 April 17:30 (Tue 21 … Fri
    24 are days 1-4, Mon 27 day 5).  Unanswered, it is escalated on Thursday 30 April: the authorised body's 15
    working days (cl. 14, eighth and ninth paragraphs) count from that registration.  1 May (Fri) is a holiday;
    day 1 Mon 4, 2 Tue 5, 3 Wed 6, (Thu 7 Defender of the Fatherland Day), 4 Fri 8, (Mon 11: Victory Day of
    Saturday 9 May, observed), 5 Tue 12, 6 Wed 13, 7 Thu 14, 8 Fri 15, 9-13 Mon 18-Fri 22, 14 Mon 25, 15 Tue
    26 May: due at the inspectorate's closing, 18:00."""
    case = new_case(directory)
    first = workflow.file_at_counter(actor(f"{DEPT}.specialist"), case.pk, to="provider", text="Жауап жоқ.",
                                     now=at(2026, 4, 20))
    assert first.due == at(2026, 4, 27, 17, 30)
    clock.at = at(2026, 4, 30)
    specialist = login(f"{DEPT}.specialist")
    response = specialist.post(f"/staff/complaints/{first.pk}/escalate/", {"text": "Мерзім өтті, жауап жоқ."})
    assert response.status_code == 302
    second = Complaint.objects.get(parent=first)
    assert (second.body, second.escalation_reason, second.role) == ("quality-authority", "term-passed",
                                                                    "quality-inspector")
    assert second.considering_office.code == complaints_demo.QUALITY_OFFICE
    assert second.due == at(2026, 5, 26, 18, 0)
    first.refresh_from_db()
    assert first.status == "escalated"
    # The inspector sees it on the inbox, and not the case (another body's office).
    inspector = login(f"{complaints_demo.QUALITY_OFFICE}.quality-inspector")
    inbox = inspector.get("/staff/").content.decode()
    assert second.number in inbox and "May 26, 2026" in inbox
    assert inspector.get(f"/staff/complaints/{second.pk}/").status_code == 200
    assert inspector.get(f"/staff/cases/{case.pk}/").status_code == 404


def test_an_act_without_a_complaint_procedure_gets_no_term(directory, clock):
    """Aktogay 2013 has no appeals section (its gap no-complaint-procedure): the complaint is registered with
    the provider's head, with no due date, and nothing above it."""
    case = new_case(directory, AKTOGAY)
    complaint = workflow.file_at_counter(actor("aktogay-2013-psc.psc-consultant"), case.pk, to="provider",
                                         text="Шағым.", now=clock.at)
    assert (complaint.due, complaint.entry, complaint.body, complaint.role) == (None, None, "provider", "head")
    page = login("aktogay-2013-provider.head").get(f"/staff/complaints/{complaint.pk}/").content.decode()
    assert "no-complaint-procedure" in page and "no due date is set" in page
    with pytest.raises(workflow.Conflict, match="no complaint procedure"):
        workflow.escalate(actor("aktogay-2013-provider.head"), complaint.pk, text="Келіспеймін.", now=clock.at)
    with pytest.raises(workflow.Invalid):
        workflow.file_at_counter(actor("aktogay-2013-psc.psc-consultant"), case.pk, to="quality-authority",
                                 text="Шағым.", now=clock.at)


# --- the head's inbox, answering, escalating -------------------------------------------------------

def test_the_head_sees_the_complaint_with_its_due_date_answers_and_the_applicant_escalates(directory, clock):
    case = new_case(directory)
    complaint = workflow.file_at_counter(actor(f"{DEPT}.specialist"), case.pk, to="provider",
                                         text="Мерзімінде жауап берілмеді.", now=clock.at)
    head = login(f"{DEPT}.head")
    inbox = head.get("/staff/").content.decode()
    assert 'id="inbox-complaints"' in inbox and complaint.number in inbox
    assert "April 1, 2026" in inbox and case.number in inbox
    clock.at = at(2026, 4, 1, 16, 0)  # 90 minutes before the due time: at risk
    inbox = head.get("/staff/").content.decode()
    assert 'data-urgency="at-risk"' in inbox
    # The specialist may see it but not answer (the act: the head of the department).
    assert login(f"{DEPT}.specialist").post(f"/staff/complaints/{complaint.pk}/answer/",
                                            {"outcome": "rejected", "answer": "Жоқ."}).status_code == 403
    response = head.post(f"/staff/complaints/{complaint.pk}/answer/", {"outcome": "", "answer": ""})
    assert response.status_code == 422 and "Choose the answer" in response.content.decode()
    assert head.post(f"/staff/complaints/{complaint.pk}/answer/",
                     {"outcome": "rejected", "answer": "Мерзім бұзылмаған."}).status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome, complaint.answered_at) == ("answered", "rejected", clock.at)
    assert complaint.number not in head.get("/staff/").content.decode()  # answered: off the inbox
    # The applicant disagrees: the next level, 15 working days from its registration.
    child = workflow.escalate(actor(f"{DEPT}.specialist"), complaint.pk, text="Келіспеймін.", now=clock.at)
    assert (child.escalation_reason, child.parent_id, child.body) == ("disagreement", complaint.pk,
                                                                      "quality-authority")
    with pytest.raises(workflow.Conflict, match="already escalated"):
        workflow.escalate(actor(f"{DEPT}.specialist"), complaint.pk, text="Тағы.", now=clock.at)
    # Above the quality authority the act names only the court.
    inspector = actor(f"{complaints_demo.QUALITY_OFFICE}.quality-inspector")
    workflow.answer(inspector, child.pk, outcome="rejected", text="Негізсіз.", now=clock.at)
    with pytest.raises(workflow.Conflict, match="court") as refused:
        workflow.escalate(inspector, child.pk, text="Келіспеймін.", now=clock.at)
    assert "cl. 14 (last paragraph)" in str(refused.value)
    page = login(f"{complaints_demo.QUALITY_OFFICE}.quality-inspector").get(
        f"/staff/complaints/{child.pk}/").content.decode()
    assert 'id="court-route"' in page and "cl. 14 (last paragraph)" in page
    assert list(History.objects.filter(complaint=complaint).values_list("kind", flat=True)) == [
        "registered", "answered", "escalated"]


def test_escalation_within_the_term_and_without_an_answer_is_refused(directory, clock):
    case = new_case(directory)
    complaint = workflow.file_at_counter(actor(f"{DEPT}.specialist"), case.pk, to="provider", text="Шағым.",
                                         now=clock.at)
    with pytest.raises(workflow.Conflict, match="is due by"):
        workflow.escalate(actor(f"{DEPT}.specialist"), complaint.pk, text="Тез.", now=at(2026, 4, 1, 17, 0))
    child = workflow.escalate(actor(f"{DEPT}.specialist"), complaint.pk, text="Мерзім өтті.",
                              now=at(2026, 4, 1, 17, 31))
    assert child.escalation_reason == "term-passed"


def test_a_psc_inspector_cannot_answer_a_provider_complaint_and_another_office_sees_nothing(directory, clock):
    case = new_case(directory)
    complaint = workflow.file_at_counter(actor(f"{DEPT}.specialist"), case.pk, to="provider", text="Шағым.",
                                         now=clock.at)
    psc = login(f"{PSC}.psc-hall-inspector")
    assert psc.get(f"/staff/complaints/{complaint.pk}/").status_code == 200  # its own case: seen
    assert psc.post(f"/staff/complaints/{complaint.pk}/answer/",
                    {"outcome": "upheld", "answer": "Иә."}).status_code == 403
    stranger = login("ulytau-2012-provider.specialist")
    assert stranger.get(f"/staff/complaints/{complaint.pk}/").status_code == 404
    assert stranger.get(f"/staff/complaints/cases/{case.pk}/new/").status_code == 404
    assert stranger.post(f"/staff/complaints/cases/{case.pk}/new/",
                         {"to": "provider", "text": "Шағым."}).status_code == 404
    assert Complaint.objects.filter(case=case).count() == 1


def test_a_complaint_needs_its_text_and_a_body_the_act_gives(directory, clock):
    case = new_case(directory)
    specialist = login(f"{DEPT}.specialist")
    response = specialist.post(f"/staff/complaints/cases/{case.pk}/new/", {"to": "provider", "text": "  "})
    assert response.status_code == 422 and "Write what the complaint is about." in response.content.decode()
    response = specialist.post(f"/staff/complaints/cases/{case.pk}/new/", {"to": "court", "text": "Шағым."})
    assert response.status_code == 422 and "Choose whom the complaint is addressed to." in response.content.decode()
    assert not Complaint.objects.exists()


def test_numbers_run_per_receiving_office_and_year(directory, clock):
    case = new_case(directory)
    dept, psc = actor(f"{DEPT}.specialist"), actor(f"{PSC}.psc-hall-inspector")
    numbers = [workflow.file_at_counter(who, case.pk, to="provider", text="Шағым.", now=when).number
               for who, when in ((dept, clock.at), (dept, clock.at), (psc, clock.at), (dept, at(2027, 1, 5)))]
    assert numbers == ["Ш-2026-000001", "Ш-2026-000002", "Ш-2026-000001", "Ш-2027-000001"]


# --- the applicant online ----------------------------------------------------------------------------

def test_the_applicant_files_online_only_after_proving_the_case(directory, clock):
    case = new_case(directory)
    client = Client()
    client.cookies["qyzmet_language"] = "en"
    wrong = make_iin(dt.date(1970, 5, 4), "female", 9_999)
    client.post("/my-application", {"number": case.number, "iin": wrong})
    response = client.post(f"/my-application/complaints/{case.pk}/", {"to": "provider", "text": "Шағым."})
    assert response.status_code == 404
    assert case.number not in response.content.decode() and not Complaint.objects.exists()

    looked_up = client.post("/my-application", {"number": case.number, "iin": case.applicant_iin})
    assert 'id="complaints"' in looked_up.content.decode()
    response = client.post(f"/my-application/complaints/{case.pk}/", {"to": "provider", "text": "Шағым."})
    assert response.status_code == 200
    complaint = Complaint.objects.get(case=case)
    assert (complaint.channel, complaint.receiver_name, complaint.receiving_office.code) == ("online", "", DEPT)
    body = response.content.decode()
    assert complaint.number in body and "April 1, 2026" in body
    # The papers download from the applicant's session, like the case's other documents.
    receipt = Document.objects.get(form=f"complaint-receipt-{complaint.pk}", lang="kk")
    assert client.get(f"/my-application/documents/{receipt.pk}.pdf").status_code == 200
    assert Client().get(f"/my-application/documents/{receipt.pk}.pdf").status_code == 404


# --- the papers ----------------------------------------------------------------------------------------

def test_the_receipt_and_the_answer_are_papers_in_kazakh_and_russian(directory, clock):
    case = new_case(directory)
    complaint = workflow.file_at_counter(actor(f"{DEPT}.specialist"), case.pk, to="provider",
                                         text="Мерзімінде жауап берілмеді.", now=clock.at)
    kk = text_of(bytes(Document.objects.get(form=f"complaint-receipt-{complaint.pk}", lang="kk").content))
    assert "Шағымның тіркелгені туралы белгі" in kk and complaint.number in kk
    assert complaint.receiver_name in kk and "01.04.2026 17:30" in kk and "5 жұмыс күні" in kk
    assert "Шағымды қабылдаған адамның тегі мен аты-жөні" in kk and "Жауап алу орны" in kk
    ru = text_of(bytes(Document.objects.get(form=f"complaint-receipt-{complaint.pk}", lang="ru").content))
    assert "Отметка о регистрации жалобы" in ru and "5 рабочих дней" in ru
    workflow.answer(actor(f"{DEPT}.head"), complaint.pk, outcome="partly", text="Ішінара расталды.", now=clock.at)
    answer = text_of(bytes(Document.objects.get(form=f"complaint-answer-{complaint.pk}", lang="kk").content))
    assert "Шағымға жауап" in answer and "Шағым ішінара қанағаттандырылды" in answer
    assert "Ішінара расталды." in answer and "15 (он бес) жұмыс күні" in answer  # the next level, in the act's words
    # Staff who see the complaint download them; the quality inspector too, through the complaint.
    head = login(f"{DEPT}.head")
    doc = Document.objects.get(form=f"complaint-answer-{complaint.pk}", lang="ru")
    response = head.get(f"/staff/complaints/{complaint.pk}/papers/{doc.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


# --- the API -------------------------------------------------------------------------------------------

def api(username: str):
    _, raw = create_token(get_user_model().objects.get(username=username), "tests")
    client = Client()
    headers = {"Authorization": f"Bearer {raw}"}

    def post(path: str, body: dict, key: str | None = None):
        extra = {**headers, **({"Idempotency-Key": key} if key else {})}
        return client.post(f"/api/v1{path}", body, content_type="application/json", headers=extra)

    def get(path: str):
        return client.get(f"/api/v1{path}", headers=headers)

    return post, get


def test_the_api_files_lists_answers_and_escalates_with_field_errors(directory, clock):
    case = new_case(directory)
    post, get = api(f"{DEPT}.specialist")
    missing = post(f"/cases/{case.number}/complaints", {"to": "provider"})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "text"
    wrong = post(f"/cases/{case.number}/complaints", {"to": "court", "text": "Шағым."})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "to"
    extra = post(f"/cases/{case.number}/complaints", {"to": "provider", "text": "Шағым.", "body": "x"})
    assert extra.status_code == 422 and extra.json()["error"]["field"] == "body"
    assert post("/cases/Q2026-9999999/complaints", {"to": "provider", "text": "Шағым."}).status_code == 404
    first = post(f"/cases/{case.number}/complaints", {"to": "provider", "text": "Шағым."}, key="k-1")
    again = post(f"/cases/{case.number}/complaints", {"to": "provider", "text": "Шағым."}, key="k-1")
    assert first.status_code == 201 and again.json() == first.json() and Complaint.objects.count() == 1
    body = first.json()
    assert body["due"].startswith("2026-04-01T17:30") and body["channel"] == "api" and body["cite"]
    assert body["number"] == "Ш-2026-000001" and len(body["documents"]) == 2
    assert [c["number"] for c in get(f"/cases/{case.number}/complaints").json()["items"]] == [body["number"]]
    forbidden = post(f"/complaints/{body['id']}/answer", {"outcome": "rejected", "text": "Жоқ."})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    head_post, head_get = api(f"{DEPT}.head")
    assert [c["number"] for c in head_get("/complaints?status=open").json()["items"]] == [body["number"]]
    bad = head_post(f"/complaints/{body['id']}/answer", {"outcome": "maybe", "text": "Жоқ."})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "outcome"
    answered = head_post(f"/complaints/{body['id']}/answer", {"outcome": "rejected", "text": "Жоқ."})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    escalated = post(f"/complaints/{body['id']}/escalate", {"text": "Келіспеймін."})
    assert escalated.status_code == 201 and escalated.json()["body"] == "quality-authority"
    assert escalated.json()["parent"] == body["id"] and escalated.json()["escalation_reason"] == "disagreement"
    refused = post(f"/complaints/{escalated.json()['id']}/escalate", {"text": "Тағы."})
    assert refused.status_code == 409
    stranger_post, _ = api("ulytau-2012-provider.specialist")
    assert stranger_post(f"/cases/{case.number}/complaints", {"to": "provider", "text": "Ш."}).status_code == 404


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_complaint_page_renders_in_each_language(directory, clock, lang):
    case = new_case(directory)
    complaint = workflow.file_at_counter(actor(f"{DEPT}.specialist"), case.pk, to="provider", text="Шағым.",
                                         now=clock.at)
    head = login(f"{DEPT}.head")
    head.cookies["qyzmet_language"] = lang
    for url in ("/staff/", "/staff/complaints/", "/staff/complaints/?show=all", f"/staff/complaints/{complaint.pk}/",
                f"/staff/cases/{case.pk}/"):
        response = head.get(url)
        assert response.status_code == 200 and complaint.number in response.content.decode(), url
    assert head.get(f"/staff/complaints/cases/{case.pk}/new/").status_code == 200
    overdue = head.get("/staff/complaints/?show=overdue")  # due 1 April: not yet
    assert overdue.status_code == 200 and complaint.number not in overdue.content.decode()
    citizen = Client()
    citizen.cookies["qyzmet_language"] = lang
    page = citizen.post("/my-application", {"number": case.number, "iin": case.applicant_iin}).content.decode()
    assert complaint.number in page
    assert citizen.get(f"/my-application/complaints/{case.pk}/").status_code == 200
    if lang == "kk":  # the act's own words for the addressee, in Kazakh
        assert "Жұмыспен қамту бөлімдері басшыларының атына" in page
