"""Documents a citizen can hold: issued with their transitions, in kk and ru, downloadable, verifiable."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from qyzmet.cases import workflow
from qyzmet.cases.access import AccessDenied, actor_for
from qyzmet.cases.models import Case, Task
from qyzmet.cases.services import sync_catalog
from qyzmet.cli import main as qyzmet
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD, build_directory
from qyzmet.documents import plan
from qyzmet.documents.models import Document

pytestmark = pytest.mark.django_db

REG = "aktogay-2013/prosthetic-docs"
PSC = "aktogay-2013-psc"
DEPT = "aktogay-2013-provider"
START = dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)
IIN = make_iin(dt.date(1970, 5, 4), "female", 120)
NAME = "Әлия Серікқызы Құрманғалиева"


@pytest.fixture
def offices():
    sync_catalog()
    acts = ("aktogay-2013/", "mlsp-2021/")
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith(acts)]).offices


def actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def at(minutes: int) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


FOOTER = re.compile(r"\n[A-Z0-9]{4}(-[A-Z0-9]{4}){3}\n.*", re.S)  # the code, the note and the URL of each page


def text_of(content: bytes) -> str:
    """The PDF's body text, pages joined without their footers and whitespace removed (lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(FOOTER.sub("", page.extract_text()) for page in reader.pages))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def step(case: Case, username: str, minutes: int, **done) -> Case:
    task = Task.objects.get(case=case, closed_at__isnull=True)
    return workflow.complete(actor(username), task.pk, workflow.Completion(**done), at(minutes))


def accepted_at_psc(language: str = "kk") -> Case:
    app = workflow.Application(regulation=REG, iin=IIN, category="general-disease", name=NAME,
                               phone="+7 701 234 56 78", documents=("application", "id-copy", "irp-extract"),
                               language=language)
    case = workflow.intake(actor(f"{PSC}.psc-consultant"), app, at(0))
    step(case, f"{PSC}.psc-consultant", 5)
    return step(case, f"{PSC}.psc-hall-inspector", 10)


def decided(case: Case, outcome: str) -> Case:
    """Carry an accepted aktogay PSC case through the department to its decision and back to the PSC."""
    workflow.dispatch(actor(f"{PSC}.psc-accumulation-specialist"),
                      [Task.objects.get(case=case, closed_at__isnull=True).pk], at(20))
    clerk = actor(f"{DEPT}.records-specialist")
    workflow.acknowledge(clerk, case.registry_items.get().pk, at(30))
    step(case, f"{DEPT}.head", 40)
    step(case, f"{DEPT}.sector-head", 50)
    step(case, f"{DEPT}.specialist", 60)
    step(case, f"{DEPT}.sector-head", 70)
    if outcome == "positive":
        return step(case, f"{DEPT}.head", 80, decision="positive")
    return step(case, f"{DEPT}.head", 80, decision="refusal", grounds=("false-information",),
                reason="the IRP extract belongs to another person")


def test_the_psc_receipt_is_issued_once_at_acceptance_with_the_forms_fields(offices):
    case = accepted_at_psc()
    receipt = Document.objects.get(case=case)
    assert (receipt.form, receipt.lang) == ("receipt", "kk")
    text = text_of(bytes(receipt.content))
    assert squash("Тиісті құжаттардың қабылданғаны туралы қолхат") in text  # the clause 12.2 receipt's title
    assert case.number in text
    reg = shipped_catalog().get(REG)
    for field in next(f for f in reg.forms if f.code == "receipt").fields:
        assert squash(field.label.kk) in text  # every field of the form is on the paper
    assert squash("Жеке басын куәландыратын") in text or "құжат" in text  # the attached documents are listed
    inspector = get_user_model().objects.get(username=f"{PSC}.psc-hall-inspector").staff.full_name
    assert squash(inspector) in text  # the inspector who accepted the application
    assert Document.objects.filter(case=case).count() == 1


def test_a_positive_decision_issues_the_notification_and_a_refusal_the_reasoned_refusal(offices):
    positive = decided(accepted_at_psc(), "positive")
    assert set(Document.objects.filter(case=positive).values_list("form", flat=True)) == {"receipt", "notification"}
    refused = decided(accepted_at_psc("ru"), "refusal")
    refusal = Document.objects.get(case=refused, form="reasoned-refusal")
    assert refusal.lang == "ru"  # the citizen's language of service
    text = text_of(bytes(refusal.content))
    reg = shipped_catalog().get(REG)
    ground = reg.refusal_ground("false-information")
    assert squash(ground.text.ru) in text
    assert squash("п. " + ground.cite.removeprefix("cl. ")) in text or squash(ground.cite) in text  # its clause
    assert not Document.objects.filter(case=refused, form="notification").exists()


def test_the_other_language_is_issued_on_request_once(offices):
    case = accepted_at_psc()
    receipt = Document.objects.get(case=case)
    client = Client()
    client.login(username=f"{PSC}.psc-hall-inspector", password=DEMO_PASSWORD)
    url = reverse("staff:document", args=[receipt.pk])
    kk = client.get(url)
    assert kk.status_code == 200 and kk["Content-Type"] == "application/pdf"
    ru = client.get(url + "?lang=ru")
    assert squash("Расписка о приеме соответствующих документов") in text_of(ru.content)
    client.get(url + "?lang=ru")
    assert Document.objects.filter(case=case, form="receipt").count() == 2
    assert client.get(url + "?lang=de").status_code == 404


def test_the_case_page_lists_the_documents_and_the_receipt_page_prints_them(offices):
    case = accepted_at_psc()
    client = Client()
    client.login(username=f"{PSC}.psc-hall-inspector", password=DEMO_PASSWORD)
    receipt = Document.objects.get(case=case)
    link = reverse("staff:document", args=[receipt.pk])
    assert link in client.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert link in client.get(reverse("staff:receipt", args=[case.pk])).content.decode()
    stranger = Client()
    stranger.login(username="mlsp-2021-psc.psc-hall-inspector", password=DEMO_PASSWORD)
    assert stranger.get(link).status_code == 404  # another office's document


def test_the_qr_leads_to_a_verify_page_and_an_altered_field_fails(offices):
    case = accepted_at_psc()
    receipt = Document.objects.get(case=case)
    assert receipt.code.encode() in bytes(receipt.content)
    page = Client().get(f"/verify/{receipt.code}")
    body = page.content.decode()
    assert page.status_code == 200 and "Түпнұсқа және жарамды" in body and case.number in body
    assert case.applicant_iin not in body  # the public page masks the IIN
    lower = Client().get(f"/verify/{receipt.code.lower().replace('-', '')}")
    assert "Түпнұсқа және жарамды" in lower.content.decode()  # typed from paper, without dashes
    fields = receipt.fields
    fields["rows"][0][1] = fields["rows"][0][1].replace("Q", "X")
    Document.objects.filter(pk=receipt.pk).update(fields=fields)
    assert "Түпнұсқа емес" in Client().get(f"/verify/{receipt.code}").content.decode()
    assert Client().get("/verify/AAAA-BBBB-CCCC-DDDD").status_code == 404


def test_documents_verify_checks_a_file_against_its_record(offices, tmp_path, capsys):
    receipt = Document.objects.get(case=accepted_at_psc())
    good = tmp_path / "receipt.pdf"
    good.write_bytes(bytes(receipt.content))
    assert qyzmet(["documents", "verify", str(good)]) == 0
    assert "genuine and current" in capsys.readouterr().out
    content = bytearray(receipt.content)
    content[len(content) // 2] ^= 0x01
    bad = tmp_path / "altered.pdf"
    bad.write_bytes(bytes(content))
    assert qyzmet(["documents", "verify", str(bad)]) == 1
    assert "NOT GENUINE" in capsys.readouterr().out
    stranger = tmp_path / "other.pdf"
    stranger.write_bytes(b"%PDF-1.4 nothing")
    assert qyzmet(["documents", "verify", str(stranger)]) == 1
    assert qyzmet(["documents", "verify", str(tmp_path / "missing.pdf")]) == 2


def test_the_citizen_downloads_only_their_own_documents_after_looking_the_case_up(offices):
    mine = accepted_at_psc()
    other = accepted_at_psc()
    citizen = Client()
    document = Document.objects.get(case=mine)
    url = reverse("web:document", args=[document.pk])
    assert citizen.get(url).status_code == 404  # not looked up yet
    page = citizen.post(reverse("web:my-application"), {"number": mine.number, "iin": IIN})
    assert url in page.content.decode()
    answer = citizen.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    theirs = Document.objects.get(case=other)
    assert citizen.get(reverse("web:document", args=[theirs.pk])).status_code == 404


def test_the_api_lists_a_cases_documents_and_serves_each_as_pdf(api_as):
    inspector = api_as(f"{PSC}.psc-hall-inspector")
    case = accepted_at_psc()
    listed = inspector.get(f"/cases/{case.pk}/documents")
    assert listed.status_code == 200
    [item] = listed.json()
    assert item["form"] == "receipt" and item["verify_url"].endswith(f"/verify/{item['code']}")
    pdf = inspector.get(f"/documents/{item['id']}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    ru = inspector.get(f"/documents/{item['id']}", lang="ru")
    assert squash("Расписка") in text_of(ru.content)
    stranger = api_as("mlsp-2021-psc.psc-hall-inspector")
    assert stranger.get(f"/cases/{case.pk}/documents").status_code == 404
    assert stranger.get(f"/documents/{item['id']}").status_code == 404
    assert inspector.get("/documents/999999").status_code == 404


def test_an_acceptance_refusal_issues_its_receipt_naming_the_ground_and_the_missing_document(offices):
    inspector = actor("mlsp-2021-psc.psc-hall-inspector")
    app = workflow.Application(regulation="mlsp-2021/technical-aids", iin=IIN, category="disabled-person",
                               name=NAME, documents=("application",), language="ru")
    case = workflow.intake(inspector, app, at(0))
    task = Task.objects.get(case=case, closed_at__isnull=True)
    workflow.refuse_acceptance(inspector, task.pk, "incomplete-package", "", at(5))
    paper = Document.objects.get(case=case)
    assert paper.form == "acceptance-refusal-receipt" and paper.lang == "ru"
    text = text_of(bytes(paper.content))
    reg = shipped_catalog().get("mlsp-2021/technical-aids")
    assert squash(next(f for f in reg.forms if f.code == "acceptance-refusal-receipt").name.ru) in text
    assert squash(get_user_model().objects.get(username="mlsp-2021-psc.psc-hall-inspector").staff.full_name) in text


def test_a_refused_transition_issues_nothing(offices):
    case = accepted_at_psc()
    before = Document.objects.count()
    with pytest.raises(AccessDenied):
        step(case, f"{DEPT}.head", 20)  # not this role's step
    assert Document.objects.count() == before


@pytest.mark.parametrize("reg_id", [r.id for r in shipped_catalog().regulations])
def test_every_paper_of_every_regulation_renders_in_kazakh_and_russian(reg_id, tmp_path):
    reg = shipped_catalog().get(reg_id)
    assert qyzmet(["documents", "render", reg_id, "--sample", "-o", str(tmp_path)]) == 0
    papers = plan.every_paper(reg)
    assert {f.code for f in reg.forms} <= {p.code for p in papers}  # every form of the catalog
    for paper in papers:
        for lang in ("kk", "ru"):
            text = text_of((tmp_path / f"{paper.code}-{lang}.pdf").read_bytes())
            assert squash(paper.title.get(lang)) in text, (paper.code, lang)
            for field in paper.fields:
                assert squash(field.label.get(lang)) in text, (paper.code, lang, field.code)


def test_the_counter_chooses_the_language_of_service_and_the_receipt_comes_in_it(offices, clock):
    consultant = Client()
    consultant.login(username=f"{PSC}.psc-consultant", password=DEMO_PASSWORD)
    form = consultant.get(reverse("staff:intake-form", args=[REG])).content.decode()
    assert 'name="language"' in form and 'value="kk" selected' in form  # the Kazakh page proposes Kazakh
    consultant.post(reverse("staff:intake-form", args=[REG]), {
        "iin": IIN, "name": NAME, "category": "general-disease", "language": "ru",
        "documents": ["application", "id-copy", "irp-extract"]})
    case = Case.objects.get()
    assert case.language == "ru"
    step(case, f"{PSC}.psc-consultant", 5)
    step(case, f"{PSC}.psc-hall-inspector", 10)
    receipt = Document.objects.get(case=case)
    assert receipt.lang == "ru" and squash("Расписка о приеме") in text_of(bytes(receipt.content))
