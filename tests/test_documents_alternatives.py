"""Documents with alternatives, documents only shown, and conditional documents (issue 13 part 3).

The acts say: the IIN instead of the taxpayer and SIK certificates (Almaty 2012 Semipalatinsk, cl. 16.4-16.5);
a court decision instead of the residence documents where the archives were not preserved (cl. 16.7 / Ulytau
cl. 13.7); the identity document "for identification" — shown and handed back (mlsp-2021, annex 3 item 8.2);
a minor's birth certificate and a parent's identity document instead of the own one (Ulytau hygienic means,
cl. 13.3); the pensioner's certificate "for persons of pension age" and the RNN/SIK certificates "where there is
no IIN" (Almaty 2012 special social services, cl. 13.3, 13.8); a court decision "if any" (cl. 13.7).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from test_documents import squash, text_of

from qyzmet.cases import workflow
from qyzmet.cases.access import actor_for
from qyzmet.cases.models import Case, Task
from qyzmet.core import engine
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.lint import lint
from qyzmet.core.loader import RegulationLoadError, load_file, shipped_catalog
from qyzmet.demo import DEMO_PASSWORD
from qyzmet.documents.models import Document

CATALOG = shipped_catalog()
HYGIENE = CATALOG.get("ulytau-2012/aids-hygiene-docs")
SEMEY = CATALOG.get("almaty-2012/semipalatinsk-registration")
CARE = CATALOG.get("almaty-2012/care-institution-docs")
TECH = CATALOG.get("mlsp-2021/technical-aids")
TODAY = dt.date(2025, 3, 19)
START = dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)
ADULT = make_iin(dt.date(1980, 6, 1), "male", 101)
CHILD = make_iin(dt.date(2015, 9, 9), "female", 102)  # 9 years old on TODAY
WOMAN_60 = make_iin(dt.date(1965, 1, 10), "female", 103)
MAN_60 = make_iin(dt.date(1965, 1, 10), "male", 104)
MAN_63 = make_iin(dt.date(1962, 1, 10), "male", 105)


def codes(items) -> list[str]:
    return [i.requirement for i in items]


# --- the checklist of one applicant --------------------------------------------------------------------

def test_a_minor_and_an_adult_of_the_same_category_get_their_own_documents():
    adult = engine.checklist(HYGIENE, "hygienic-disabled-per-irp", (), iin=ADULT, today=TODAY)
    child = engine.checklist(HYGIENE, "hygienic-disabled-per-irp", (), iin=CHILD, today=TODAY)
    assert codes(adult) == ["application", "irp-extract", "id-copy", "disability-certificate"]
    assert codes(child) == ["application", "irp-extract", "birth-certificate-copy", "parent-id-copy",
                            "disability-certificate"]
    minor_row = next(i for i in child if i.requirement == "birth-certificate-copy")
    assert minor_row.condition.age_under == 18 and minor_row.condition_cite == "cl. 13.3"
    # Without a birth date nothing is decided: the age-bound documents are listed and none is counted missing.
    unknown = engine.checklist(HYGIENE, "hygienic-disabled-per-irp", (), today=TODAY)
    assert {"id-copy", "birth-certificate-copy"} <= set(codes(unknown))
    assert not any(i.missing for i in unknown if i.condition)


def test_the_minor_check_at_intake_accepts_the_category_whose_list_depends_on_age():
    workflow.check_applicant(HYGIENE, CHILD, "hygienic-disabled-per-irp", TODAY)  # no Invalid raised


def test_the_pension_age_certificate_follows_the_iins_age_and_sex():
    def needs(iin: str) -> bool:
        return "pensioner-certificate" in codes(engine.checklist(CARE, "disabled", (), iin=iin, today=TODAY))

    assert needs(WOMAN_60) and not needs(MAN_60) and needs(MAN_63)  # men 63, women 58


def test_where_there_is_no_iin_documents_drop_for_an_applicant_with_an_iin_and_if_any_never_blocks():
    items = engine.checklist(CARE, "incapable-adult", (), iin=ADULT, today=TODAY)
    assert "rnn-sik-certificates" not in codes(items)
    court = next(i for i in items if i.requirement == "court-decision")
    assert court.optional and not court.missing
    assert "rnn-sik-certificates" in codes(engine.checklist(CARE, "incapable-adult", (), today=TODAY))


def test_the_iin_satisfies_the_taxpayer_and_sik_requirements_and_the_court_decision_the_residence_proof():
    given = ("application", "identity-document", "residence-registration", "iin", "savings-book-or-contract",
             "court-decision")
    items = {i.requirement: i for i in engine.checklist(SEMEY, "affected-citizen", given, iin=ADULT, today=TODAY)}
    for requirement in ("taxpayer-certificate", "sik-certificate"):
        assert items[requirement].present and items[requirement].code == "iin"
        assert items[requirement].instead_of == requirement
    assert items["residence-proof"].present and items["residence-proof"].code == "court-decision"
    assert items["taxpayer-certificate"].alternatives == ("iin",)
    assert items["power-of-attorney"].optional  # only when another person applies
    _, effects = engine.apply(SEMEY, None, engine.Submit("main", ADULT, "affected-citizen", given), START)
    assert not [e for e in effects if e.kind == "incomplete-documents"]
    without = engine.checklist(SEMEY, "affected-citizen", ("application",), iin=ADULT, today=TODAY)
    assert next(i for i in without if i.requirement == "sik-certificate").missing


def test_a_missing_requirement_blocks_acceptance_only_without_its_alternative():
    given = ["application", "identity-document", "residence-registration-data", "disability-data",
             "irp-measures-data"]  # identity-data not fetched ...
    state, _ = engine.apply(TECH, None, engine.Submit("psc", ADULT, "disabled-person", tuple(given)), START)
    with pytest.raises(engine.MissingDocuments) as refused:
        engine.apply(TECH, state, engine.CompleteStep(1), START + dt.timedelta(minutes=5))
    assert refused.value.missing == ("identity-data",) and refused.value.ground.code == "incomplete-package"
    # ... but the paper copies checked against the originals stand in for it (cl. 64, fourth paragraph).
    state, _ = engine.apply(TECH, None, engine.Submit("psc", ADULT, "disabled-person",
                                                      (*given, "paper-copies-if-no-is-data")), START)
    _, effects = engine.apply(TECH, state, engine.CompleteStep(1), START + dt.timedelta(minutes=5))
    receipt = next(e for e in effects if e.kind == "receipt")
    row = next(d for d in receipt.data["documents"] if d["instead_of"] == "identity-data")
    assert row["code"] == "paper-copies-if-no-is-data" and row["present"]
    assert next(d for d in receipt.data["documents"] if d["code"] == "identity-document")["shown"]


# --- the regulation files ------------------------------------------------------------------------------

def test_the_catalog_encodes_what_the_gaps_described():
    assert TECH.document("identity-document").provided_as == "shown"
    assert SEMEY.document("iin").instead_of == ("taxpayer-certificate", "sik-certificate")
    assert len(SEMEY.categories) == 1  # the court decision is an alternative, no longer a second category
    gaps = {(r.id, g.code) for r in CATALOG.regulations for g in r.gaps}
    for gone in (("almaty-2012/semipalatinsk-registration", "iin-alternatives"),
                 ("ulytau-2012/semipalatinsk-registration", "court-decision-alternative"),
                 ("ulytau-2012/aids-hygiene-docs", "hygienic-minors"),
                 ("mlsp-2021/technical-aids", "identity-document-shown")):
        assert gone not in gaps
    for reg in CATALOG.regulations:
        found = [f for f in lint(reg) if f.code in ("unknown-alternative", "alternative-required",
                                                    "condition-without-cite", "condition-never-holds")]
        assert not found, found


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    source = Path(HYGIENE.source_path)
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "aids-hygiene-docs.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_bad_instead_of_and_an_uncited_condition_are_lint_errors_naming_the_field(tmp_path):
    path = _variant(tmp_path, "    provided_as: copy-with-original\n    cite: \"cl. 13.3\"\n",
                    "    provided_as: copy-with-original\n    instead_of: [no-such-paper]\n    cite: \"cl. 13.3\"\n")
    findings = {f.code: f for f in lint(load_file(path, root=None))}
    bad = findings["unknown-alternative"]
    assert bad.severity == "error" and "no-such-paper" in bad.message
    assert bad.where.startswith("documents[") and bad.where.endswith("].instead_of")
    uncited = _variant(tmp_path, '{code: parent-id-copy, when: {age_under: 18}, cite: "cl. 13.3"}',
                       "{code: parent-id-copy, when: {age_under: 18}}")
    finding = next(f for f in lint(load_file(uncited, root=None)) if f.code == "condition-without-cite")
    assert finding.where.startswith("categories[") and "parent-id-copy" in finding.message
    required = _variant(tmp_path, "      - disability-certificate\n    cite: \"cl. 1.6; cl. 13.3\"\n",
                        "      - disability-certificate\n      - id-copy-alt\n    cite: \"cl. 1.6; cl. 13.3\"\n")
    text = required.read_text(encoding="utf-8").replace(
        "documents:\n", "documents:\n  - code: id-copy-alt\n    name: {kk: 'Көшірме', ru: 'Копия'}\n"
        "    instead_of: [id-copy]\n    cite: \"cl. 13.3\"\n", 1)
    required.write_text(text, encoding="utf-8")
    assert "alternative-required" in {f.code for f in lint(load_file(required, root=None))}


def test_an_unknown_condition_key_is_a_load_error_naming_file_line_and_item(tmp_path):
    path = _variant(tmp_path, "{code: parent-id-copy, when: {age_under: 18}",
                    "{code: parent-id-copy, when: {age_below: 18}")
    with pytest.raises(RegulationLoadError) as failed:
        load_file(path, root=None)
    problem = failed.value.problems[0]
    assert problem.file.endswith("aids-hygiene-docs.yaml") and problem.line
    assert problem.field.startswith("categories[") and "documents[" in problem.message
    assert "age_below" in problem.message and "unknown field" in problem.message


# --- what people see ----------------------------------------------------------------------------------

def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    client.cookies["qyzmet_language"] = "en"
    return client


def test_the_intake_checklist_shows_alternatives_conditions_and_the_applicants_own_list(demo_offices):
    clerk = _login("ulytau-2012-provider.specialist")
    url = reverse("staff:intake-checklist", args=[HYGIENE.id])
    child = clerk.get(url, {"category": "hygienic-disabled-per-irp", "iin": CHILD}).content.decode()
    adult = clerk.get(url, {"category": "hygienic-disabled-per-irp", "iin": ADULT}).content.decode()
    assert 'value="birth-certificate-copy"' in child and 'value="id-copy"' not in child
    assert 'value="id-copy"' in adult and 'value="birth-certificate-copy"' not in adult
    assert "only for applicants under 18" in child and "(cl. 13.3)" in child
    assert 'hx-trigger="change from:#f-iin"' in child  # the list follows the IIN as it is typed


def test_the_case_page_and_the_api_show_what_stood_in_for_what(demo_offices, api_client_of):
    inspector = actor_for(get_user_model().objects.get(username="mlsp-2021-psc.psc-hall-inspector"))
    given = ("application", "identity-document", "paper-copies-if-no-is-data", "residence-registration-data",
             "disability-data", "irp-measures-data")
    case = workflow.intake(inspector, workflow.Application(
        regulation=TECH.id, iin=ADULT, category="disabled-person", name="Ерлан Сейітұлы", documents=given,
        language="kk"), START)
    page = _login("mlsp-2021-psc.psc-hall-inspector").get(reverse("staff:case", args=[case.pk])).content.decode()
    assert "instead of: Identity document data" in page
    assert "shown, returned (no copy kept)" in page
    api = api_client_of("mlsp-2021-psc.psc-hall-inspector")
    rows = api.get(f"/cases/{case.pk}").json()["checklist"]
    copies = next(r for r in rows if r["document"] == "paper-copies-if-no-is-data")
    assert copies["instead_of"] == "identity-data" and copies["present"]
    detail = api.get(f"/catalog/{HYGIENE.id}").json()
    category = next(c for c in detail["categories"] if c["code"] == "hygienic-disabled-per-irp")
    minor = next(d for d in category["documents"] if d["code"] == "birth-certificate-copy")
    assert minor["when"]["age_under"] == 18 and minor["when"]["cite"] == "cl. 13.3"
    semey = api.get(f"/catalog/{TECH.id}").json()
    copy_doc = next(d for d in semey["documents"] if d["code"] == "paper-copies-if-no-is-data")
    assert "identity-data" in copy_doc["instead_of"]
    assert next(d for d in semey["documents"] if d["code"] == "identity-document")["provided_as"] == "shown"


def test_the_receipt_pdf_says_the_identity_document_was_shown_and_returned(demo_offices):
    inspector = actor_for(get_user_model().objects.get(username="mlsp-2021-psc.psc-hall-inspector"))
    given = ("application", "identity-document", "identity-data", "residence-registration-data",
             "disability-data", "irp-measures-data")
    case = workflow.intake(inspector, workflow.Application(
        regulation=TECH.id, iin=ADULT, category="disabled-person", name="Ерлан Сейітұлы", documents=given,
        language="kk"), START)
    task = Task.objects.get(case=case, closed_at__isnull=True)
    workflow.complete(inspector, task.pk, workflow.Completion(), START + dt.timedelta(minutes=5))
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS
    receipt = Document.objects.get(case=case, form="receipt")
    text = text_of(bytes(receipt.content))
    name = TECH.document("identity-document").name.kk
    assert squash(f"{name} (көрсетілді, қайтарылды)") in text
