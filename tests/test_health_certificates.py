"""The Mangystau 2015 health certificates as the papers their acts describe (annexes 3, 5-11 and 13 of akimat
resolution No. 302): each service's case run to issuance through the workflow, as staff and citizens do it,
and the issued Document checked for its form's title, every field label and what the case fills in.

The dispensary certificates (TB, psychoneurological, narcological) are one certificate with two answers, "is /
is not on the dispensary register": the deciding step must name the answer, and only that paper is issued."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qyzmet.cases import workflow
from qyzmet.cases.access import actor_for
from qyzmet.cases.models import Case, Task
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.documents import issue, plan
from qyzmet.documents.models import Document

START = dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)  # Wednesday 19.03.2025, a working day
IIN = make_iin(dt.date(1988, 6, 14), "female", 41)
NAME = "Құрманғалиева Әйгерім Серікқызы"
ACT = "mangystau-2015/"
POLYCLINIC, HOSPITAL, DISPENSARY, PSC = (f"mangystau-2015-{kind}" for kind in ("polyclinic", "hospital",
                                                                               "dispensary", "psc"))
KAZAKH = set("әғқңөұүі")


@pytest.fixture
def health(db, settings, clock):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from qyzmet.cases.services import sync_catalog
    from qyzmet.demo import build_directory

    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id.startswith(ACT)])


def actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


class Run:
    """One case moved step by step, a few minutes apart, by the person each step belongs to."""

    def __init__(self, case: Case):
        self.case = case
        self.minutes = 0

    def task(self) -> Task:
        return Task.objects.get(case=self.case, closed_at__isnull=True)

    def step(self, username: str, **done) -> Run:
        self.minutes += 5
        self.case = workflow.complete(actor(username), self.task().pk, workflow.Completion(**done),
                                      START + dt.timedelta(minutes=self.minutes))
        return self


def at_counter(username: str, service: str, documents: tuple[str, ...] = ("id-document",),
               category: str = "applicant") -> Run:
    app = workflow.Application(regulation=ACT + service, iin=IIN, category=category, documents=documents,
                               name=NAME, language="kk")
    return Run(workflow.intake(actor(username), app, START))


def online(service: str) -> Run:
    app = workflow.Application(regulation=ACT + service, iin=IIN, category="", name=NAME, language="kk")
    return Run(workflow.apply_online(app, START))


def paper(case: Case, form: str, lang: str = "kk") -> Document:
    return Document.objects.get(case=case, form=form, lang=lang)


def rows(document: Document) -> dict[str, str]:
    return {label: value for label, value in document.fields["rows"]}


def assert_the_form(document: Document, service: str, result: str, filled: dict[str, str]) -> None:
    """The paper is laid out on the result's own form (not the standard layout): its title, every label in
    the form's order, and the case's values in the fields the case fills."""
    reg = shipped_catalog().get(ACT + service)
    form = next(f for f in reg.forms if f.code == reg.result(result).form)
    lang = document.lang
    assert document.title == document.fields["title"] == form.name.get(lang)
    assert document.fields["notes"] == []  # the standard layout's "no form annexed" note is gone
    assert [label for label, _ in document.fields["rows"]] == [f.label.get(lang) for f in form.fields]
    by_code = {f.code: f.label.get(lang) for f in form.fields}
    values = rows(document)
    for code, value in filled.items():
        assert values[by_code[code]] == value, code
    # What the case does not record (signatures, seals, stamps) is a line for the hand, never invented.
    for code in ("signature", "doctor-signature", "doctor-seal", "provider-seal", "head-signature", "seal",
                 "stamp", "register-entry", "hospitalisation-date"):
        if code in by_code:
            assert values[by_code[code]] == "", code


def pdf_text(document: Document) -> str:
    """The PDF's text as pdftotext reads it, whitespace removed (lines wrap anywhere)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=bytes(document.content),
                         capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", out)


def assert_kazakh_survives(document: Document) -> None:
    text = pdf_text(document)
    assert re.sub(r"\s+", "", document.title) in text
    assert re.sub(r"\s+", "", NAME) in text
    for label in rows(document):
        assert re.sub(r"\s+", "", label) in text, label
    assert set(text.lower()) >= KAZAKH, KAZAKH - set(text.lower())


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
TODAY = "19.03.2025"


# --- the dispensary certificates (annexes 5, 6, 7) -------------------------------------------------

def test_tb_certificate_online_names_the_answer_and_issues_only_that_paper(health):
    """Annex 5: portal only. The provider processes the request (cl. 7.4) and signs the result (cl. 7.6):
    without the answer (on the register or not) the decision is refused, naming the field."""
    run = online("tb-certificate")
    assert run.case.current_step == 4  # the applicant's own steps 1-3 are the submission itself
    run.step(f"{DISPENSARY}.provider")  # cl. 7.4 accepts; cl. 7.5 (the applicant's notification) follows itself
    assert run.case.current_step == 6
    with pytest.raises(workflow.Invalid) as exc:
        run.step(f"{DISPENSARY}.provider", decision="positive")
    assert exc.value.field == "result"
    assert not Document.objects.filter(case=run.case).exists()
    run.step(f"{DISPENSARY}.provider", decision="positive", result="certificate-not-registered")
    assert run.case.status == "issued"  # cl. 7.7, the applicant receives it, is recorded at once
    assert list(Document.objects.filter(case=run.case).values_list("form", flat=True)) == \
        ["certificate-not-registered"]
    document = paper(run.case, "certificate-not-registered")
    assert_the_form(document, "tb-certificate", "certificate-not-registered", {
        "registration-number": run.case.number, "applicant-name": NAME, "iin": IIN,
        "outcome": "диспансерлік есепте тұрмайды", "issuer": "Маңғыстау облыстық диспансері", "result-date": TODAY})
    assert document.title == "Диспансерлік есепте тұратыны/тұрмайтыны туралы анықтама"


def test_the_provider_chooses_the_answer_on_the_case_page(health, clock):
    run = online("tb-certificate").step(f"{DISPENSARY}.provider")
    clock.at = START + dt.timedelta(minutes=30)
    client = Client()
    client.force_login(get_user_model().objects.get(username=f"{DISPENSARY}.provider"))
    client.cookies["qyzmet_language"] = "en"
    page = client.get(f"/staff/cases/{run.case.pk}/").content.decode()
    assert 'name="result" value="certificate-not-registered"' in page
    assert 'name="result" value="certificate-registered"' in page
    assert "not on the dispensary register" in page and "(cl. 3)" in page
    response = client.post(f"/staff/tasks/{run.task().pk}/complete/", {"decision": "positive",
                                                                       "result": "certificate-registered"})
    assert response.status_code == 302
    case = Case.objects.get(pk=run.case.pk)
    assert case.status == "issued"
    assert rows(paper(case, "certificate-registered"))["диспансерлік есепте тұратыны/тұрмайтыны"] == \
        "диспансерлік есепте тұрады"
    assert not Document.objects.filter(case=case, form="certificate-not-registered").exists()


def test_the_api_refuses_a_decision_without_the_answer_and_stores_nothing(health, clock):
    from qyzmet.api.tokens import create_token
    from tests.conftest import ApiClient

    run = online("tb-certificate").step(f"{DISPENSARY}.provider")
    clock.at = START + dt.timedelta(minutes=30)
    _, raw = create_token(get_user_model().objects.get(username=f"{DISPENSARY}.provider"), "tests")
    api = ApiClient(Client(), raw)
    refused = api.post("/decisions", {"task": run.task().pk, "decision": "positive"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "result"
    assert Case.objects.get(pk=run.case.pk).outcome == "" and not Document.objects.filter(case=run.case).exists()
    decided = api.post("/decisions", {"task": run.task().pk, "decision": "positive",
                                      "result": "certificate-not-registered"})
    assert decided.status_code == 201, decided.json()
    assert [d.form for d in Document.objects.filter(case=run.case)] == ["certificate-not-registered"]


@needs_pdftotext
def test_psychoneurological_certificate_through_the_state_corporation(health):
    """Annex 6, ch. 4 cl. 6: the State Corporation registers and takes the consent, sends the package, the
    provider prepares the result (the answer is named here), the State Corporation hands it over."""
    psc = f"{PSC}.psc-employee"
    run = Run(workflow.intake(actor(psc), workflow.Application(
        regulation=ACT + "psychoneurological-certificate", iin=IIN, category="", name=NAME, language="kk"), START))
    run.step(psc).step(psc).step(psc)  # cl. 6.1 check, cl. 6.1 registration + consent, cl. 6.2 sending
    with pytest.raises(workflow.Invalid) as exc:
        run.step(f"{DISPENSARY}.provider", decision="positive")
    assert exc.value.field == "result"
    run.step(f"{DISPENSARY}.provider", decision="positive", result="certificate-not-registered")
    assert run.case.status == "in-progress"  # the paper exists; the State Corporation has yet to hand it over
    run.step(psc)
    assert run.case.status == "issued"
    assert set(Document.objects.filter(case=run.case).values_list("form", flat=True)) == \
        {"certificate-not-registered"}
    document = paper(run.case, "certificate-not-registered")
    assert_the_form(document, "psychoneurological-certificate", "certificate-not-registered", {
        "registration-number": run.case.number, "applicant-name": NAME, "iin": IIN,
        "outcome": "диспансерлік есепте тұрмайды", "result-date": TODAY})
    # The register the act says the data are checked in is on the paper (its name).
    assert '"Психикалық науқастардың тіркелімі" ақпараттық жүйесінде' in document.title
    assert_kazakh_survives(document)
    # The Russian twin, on request: the same form in the translation the file gives.
    twin = issue.twin(document, "ru", START + dt.timedelta(hours=1))
    assert twin.title.startswith("Справка о состоянии/несостоянии на диспансерном учете после проверки данных")
    assert rows(twin)["состоит/не состоит на диспансерном учете"] == "на диспансерном учете не состоит"


def test_narcological_certificate_online_on_the_register(health):
    run = online("narcological-certificate").step(f"{DISPENSARY}.provider")
    run.step(f"{DISPENSARY}.provider", decision="positive", result="certificate-registered")
    assert run.case.status == "issued"
    document = paper(run.case, "certificate-registered")
    assert_the_form(document, "narcological-certificate", "certificate-registered", {
        "applicant-name": NAME, "iin": IIN, "outcome": "диспансерлік есепте тұрады", "result-date": TODAY})
    assert "Психикалық науқастардың тіркелімі" in document.title  # as the act says (defects: mental-patients-register)
    assert not Document.objects.filter(case=run.case, form="certificate-not-registered").exists()


# --- the papers issued at the provider (annexes 8-11, 13) ---------------------------------------------

@needs_pdftotext
def test_phc_certificate_signed_by_the_doctor_who_compared_the_data(health):
    """Annex 9: the registrar accepts (cl. 5.1), the district doctor or GP compares the data in the RAP
    database and issues the certificate (cl. 5.2); cl. 3's signature and seals are lines for the hand."""
    run = at_counter(f"{POLYCLINIC}.registrar", "phc-certificate")
    run.step(f"{POLYCLINIC}.registrar").step(f"{POLYCLINIC}.doctor", decision="positive")
    assert run.case.status == "issued"
    document = paper(run.case, "phc-certificate")
    doctor = get_user_model().objects.get(username=f"{POLYCLINIC}.doctor").staff.full_name
    assert_the_form(document, "phc-certificate", "phc-certificate", {
        "applicant-name": NAME, "iin": IIN, "medical-organisation": "Ақтау қалалық емханасы", "employee": doctor,
        "result-date": TODAY})
    labels = rows(document)
    assert "жеке дәрігердің мөрі" in labels and "көрсетілетін қызметті берушінің мөрі" in labels
    assert any('"Бекітілген халық тіркелімі" (БХТ) деректер базасында салыстырған' in label for label in labels)
    assert_kazakh_survives(document)


@needs_pdftotext
def test_inpatient_card_extract_carries_the_epicrisis_signatures_and_stamps(health):
    """Annex 8: doctor (cl. 5.1), head of department with the full surname (cl. 8.2), senior nurse's stamp
    (cl. 8.3), the discharge centre's stamp and hand-over (cl. 5.4); the extract is issued only at the end."""
    run = at_counter(f"{HOSPITAL}.doctor", "inpatient-card-extract")
    run.step(f"{HOSPITAL}.doctor").step(f"{HOSPITAL}.head", decision="positive").step(f"{HOSPITAL}.senior-nurse")
    assert not Document.objects.filter(case=run.case, form="card-extract").exists()
    run.step(f"{HOSPITAL}.discharge-centre")
    assert run.case.status == "issued"
    document = paper(run.case, "card-extract")
    staff = {role: get_user_model().objects.get(username=f"{HOSPITAL}.{role}").staff.full_name
             for role in ("doctor", "head")}
    assert_the_form(document, "inpatient-card-extract", "card-extract", {
        "applicant-name": NAME, "iin": IIN, "medical-organisation": "Маңғыстау облыстық ауруханасы",
        "accepted-by": staff["doctor"], "employee": staff["head"], "result-date": TODAY})
    labels = rows(document)
    for label in ("шығарылу эпикризі", "бөлім меңгерушісінің қолы", "ординатор дәрігердің қолы",
                  "салалық бөлімнің аға мейірбикесі басқан көрсетілетін қызметті берушінің штампы",
                  "шығарылу орталығы басқан көрсетілетін қызметті берушінің штампы"):
        assert labels[label] == "", label
    assert_kazakh_survives(document)


@needs_pdftotext
def test_incapacity_sheet_with_seal_stamp_and_the_registration_book(health):
    """Annex 10: registrar, attending doctor (fills in, seal, signature), head of department, issuing centre
    (organisation's seal, corner stamp, registration book: cl. 8.4)."""
    run = at_counter(f"{POLYCLINIC}.registrar", "incapacity-sheet")
    run.step(f"{POLYCLINIC}.registrar").step(f"{POLYCLINIC}.doctor", decision="positive")
    run.step(f"{POLYCLINIC}.head").step(f"{POLYCLINIC}.issuing-centre-worker")
    assert run.case.status == "issued"
    document = paper(run.case, "incapacity-sheet")
    doctor = get_user_model().objects.get(username=f"{POLYCLINIC}.doctor").staff.full_name
    assert_the_form(document, "incapacity-sheet", "incapacity-sheet", {
        "applicant-name": NAME, "iin": IIN, "employee": doctor, "result-date": TODAY})
    assert document.title == "Еңбекке уақытша жарамсыздық туралы парақ"
    labels = rows(document)
    for label in ("ұйымның мөрі", "бұрыштама мөртаңбасы",
                  "жарамсыздық парағын тіркеу кітабына тіркелгені туралы белгі"):
        assert label in labels
    assert any(label.startswith("бөлімше меңгерушісінің немесе бас дәрігердің орынбасарының қолы")
               for label in labels)
    assert_kazakh_survives(document)


@needs_pdftotext
def test_incapacity_certificate_is_titled_as_the_service_though_cl_3_says_sheet(health):
    """Annex 11: cl. 3 calls the result the incapacity SHEET (defects: result-is-sheet); the result keeps
    the act's words and code, its paper is the certificate the service is named after."""
    reg = shipped_catalog().get(ACT + "incapacity-certificate")
    assert "еңбекке уақытша жарамсыздық туралы парақ" in reg.result("incapacity-sheet").name.kk
    assert any(d.code == "result-is-sheet" for d in reg.defects)
    run = at_counter(f"{POLYCLINIC}.registrar", "incapacity-certificate")
    run.step(f"{POLYCLINIC}.registrar").step(f"{POLYCLINIC}.doctor", decision="positive")
    run.step(f"{POLYCLINIC}.issuing-centre-worker")
    assert run.case.status == "issued"
    document = paper(run.case, "incapacity-sheet")
    assert document.title == "Еңбекке уақытша жарамсыздық туралы анықтама"
    doctor = get_user_model().objects.get(username=f"{POLYCLINIC}.doctor").staff.full_name
    assert_the_form(document, "incapacity-certificate", "incapacity-sheet", {
        "applicant-name": NAME, "iin": IIN, "employee": doctor, "result-date": TODAY})
    assert "ұйымның мөрі" not in rows(document)  # annex 11 names no seal of the organisation
    assert_kazakh_survives(document)


@needs_pdftotext
def test_hospitalisation_referral_leaves_the_bureaus_date_and_the_seal_to_the_hand(health):
    """Annex 13: the provider's specialist sends the package (cl. 5.1), the Hospitalisation Bureau portal's
    specialist registers the patient and obtains the date (cl. 5.2), the specialist seals and hands over the
    referral on form No. 001-3/е (cl. 5.3)."""
    run = at_counter(f"{POLYCLINIC}.specialist", "hospitalisation-referral", documents=(), category="")
    run.step(f"{POLYCLINIC}.specialist").step(f"{POLYCLINIC}.hospitalisation-bureau-specialist",
                                              decision="positive")
    assert not Document.objects.filter(case=run.case, form="hospitalisation-referral").exists()
    run.step(f"{POLYCLINIC}.specialist")
    assert run.case.status == "issued"
    document = paper(run.case, "hospitalisation-referral")
    names = {role: get_user_model().objects.get(username=f"{POLYCLINIC}.{role}").staff.full_name
             for role in ("specialist", "hospitalisation-bureau-specialist")}
    assert_the_form(document, "hospitalisation-referral", "hospitalisation-referral", {
        "applicant-name": NAME, "iin": IIN, "accepted-by": names["specialist"],
        "employee": names["hospitalisation-bureau-specialist"], "result-date": TODAY})
    assert document.title == "Стационарға емдеуге жатқызу жолдамасы (№ 001-3/е нысаны)"
    assert_kazakh_survives(document)


@needs_pdftotext
def test_phc_attachment_notification_online(health):
    """Annex 3: portal only; the talon names the organisation the applicant is attached to (the provider)."""
    run = online("phc-attachment").step(f"{POLYCLINIC}.provider").step(f"{POLYCLINIC}.provider",
                                                                         decision="positive")
    assert run.case.status == "issued"
    document = paper(run.case, "attachment-notification")
    assert document.title == "Тіркеу туралы хабарлама (талон)"
    assert_the_form(document, "phc-attachment", "attachment-notification", {
        "registration-number": run.case.number, "applicant-name": NAME, "iin": IIN,
        "medical-organisation": "Ақтау қалалық емханасы", "result-date": TODAY})
    assert_kazakh_survives(document)


def test_no_health_certificate_falls_back_to_the_standard_layout():
    """Every result of these nine services has a form of its own (plan.STANDARD_RESULT is not used)."""
    services = ("tb-certificate", "psychoneurological-certificate", "narcological-certificate", "phc-certificate",
                "inpatient-card-extract", "incapacity-sheet", "incapacity-certificate", "hospitalisation-referral",
                "phc-attachment")
    for service in services:
        reg = shipped_catalog().get(ACT + service)
        for result in reg.results:
            found = plan.paper(reg, result.code)
            assert found is not None and found.annexed, (service, result.code)
            assert found.fields != plan.STANDARD_RESULT
            for f in found.fields:
                assert f.label.kk and f.label.ru, (service, f.code)
