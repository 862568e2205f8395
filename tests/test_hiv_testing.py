"""HIV testing (mangystau-2015 annex 4): the anonymous examination under a personal code, and the term that
depends on the result (cl. 5.4: positive 3 working days, negative 20).

Tried as a new user would: the counselling doctor registers an anonymous applicant (no IIN, no name), the
nurse draws blood and hands the talon, the laboratory names the result, the nurse hands the certificate;
the applicant follows the case by the code alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qyzmet.cases import workflow
from qyzmet.cases.access import actor_for
from qyzmet.cases.models import Case, Task
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.documents.models import Document

HIV = "mangystau-2015/hiv-testing"
OFFICE = "mangystau-2015-polyclinic"


@pytest.fixture
def health(db, settings, clock):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from qyzmet.cases.services import sync_catalog
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory

    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mangystau-2015/")])


def actor(role: str):
    return actor_for(get_user_model().objects.get(username=f"{OFFICE}.{role}"))


def staff(role: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=f"{OFFICE}.{role}"))
    client.cookies["qyzmet_language"] = "en"
    return client


def open_task(case: Case) -> Task:
    return Task.objects.get(case=case, closed_at__isnull=True)


def register(category: str = "anonymous", iin: str = "", now: dt.datetime | None = None) -> Case:
    app = workflow.Application(regulation=HIV, iin=iin, category=category)
    case = workflow.intake(actor("counselling-doctor"), app, now or dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY))
    return workflow.complete(actor("counselling-doctor"), open_task(case).pk, workflow.Completion(),
                             case.submitted_at + dt.timedelta(minutes=15))


def to_laboratory(case: Case, at: dt.datetime) -> Case:
    return workflow.complete(actor("blood-sampling-nurse"), open_task(case).pk, workflow.Completion(), at)


def test_an_anonymous_applicant_is_registered_under_a_code_and_no_iin(health):
    case = register()
    assert case.applicant_iin == "" and case.applicant_name == "" and case.applicant_phone == ""
    code = case.personal_code
    assert len(code) == 11 and code[5] == "-"
    assert Case.objects.get(personal_code=code).pk == case.pk
    page = staff("counselling-doctor").get(f"/staff/cases/{case.pk}/").content.decode()
    assert code in page and "anonymous, personal code" in page


def test_nothing_that_names_the_person_enters_an_anonymous_case(health):
    iin = make_iin(dt.date(1990, 5, 5), "female", 3)
    for field, app in (("applicant.iin", workflow.Application(regulation=HIV, iin=iin, category="anonymous")),
                       ("applicant.name", workflow.Application(regulation=HIV, iin="", category="anonymous",
                                                               name="Серікова Айгүл"))):
        with pytest.raises(workflow.Invalid) as exc:
            workflow.intake(actor("counselling-doctor"), app, dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY))
        assert exc.value.field == field
    assert not Case.objects.exists()
    # The confidential examination takes the IIN as every other service does.
    case = register("confidential", iin)
    assert case.applicant_iin == iin and case.personal_code is None


def test_a_positive_result_moves_the_term_to_3_working_days(health):
    """Submitted Wed 19.03.2025 10:00. Bound: 20 working days (Nauryz 21-25 March closed: 21.03 is a
    Friday, 22-23 the weekend, 24-25 the days off moved for Nauryz falling on the weekend); the laboratory
    names a positive result: 3 working days from the day after submission — Thu 20.03 (1), Fri 21.03 closed
    (Nauryz), Mon 24.03 and Tue 25.03 closed, Wed 26.03 (2), Thu 27.03 (3) → due 27.03.2025 18:00."""
    case = register()
    case = to_laboratory(case, dt.datetime(2025, 3, 19, 10, 40, tzinfo=ALMATY))
    lab = open_task(case)
    with pytest.raises(workflow.Invalid) as exc:  # the term depends on it: the result must be named
        workflow.complete(actor("laboratory"), lab.pk, workflow.Completion(decision="positive"),
                          dt.datetime(2025, 3, 20, 11, 0, tzinfo=ALMATY))
    assert exc.value.field == "result"
    case = workflow.complete(actor("laboratory"), lab.pk,
                             workflow.Completion(decision="positive", result="certificate-positive"),
                             dt.datetime(2025, 3, 20, 11, 0, tzinfo=ALMATY))
    assert case.term_due == dt.datetime(2025, 3, 27, 18, 0, tzinfo=ALMATY)
    assert "cl. 5.4 (first line" in case.term_why


def test_a_negative_result_keeps_20_working_days_and_the_certificate_says_it(health):
    """20 working days from Thu 20.03.2025, with 21, 24 and 25 March closed for Nauryz: March 20, 26, 27, 28,
    31 (5), April 1-4 (9), 7-11 (14), 14-18 (19), 21 (20) → due Mon 21.04.2025 18:00."""
    case = register()
    case = to_laboratory(case, dt.datetime(2025, 3, 19, 10, 40, tzinfo=ALMATY))
    talon = Document.objects.get(case=case, form="talon")
    print(talon.fields)
    case = workflow.complete(actor("laboratory"), open_task(case).pk,
                             workflow.Completion(decision="positive", result="certificate-negative"),
                             dt.datetime(2025, 3, 20, 11, 0, tzinfo=ALMATY))
    assert case.term_due == dt.datetime(2025, 4, 21, 18, 0, tzinfo=ALMATY)
    case = workflow.complete(actor("blood-sampling-nurse"), open_task(case).pk, workflow.Completion(),
                             dt.datetime(2025, 3, 21, 9, 30, tzinfo=ALMATY) + dt.timedelta(days=5))
    assert case.status == "issued" and case.in_term is True
    certificate = Document.objects.get(case=case, form="certificate-negative")
    print(certificate.fields)
    assert not Document.objects.filter(case=case, form="certificate-positive").exists()


def follow(code: str) -> str:
    client = Client()
    client.cookies["qyzmet_language"] = "en"
    return client.post("/hiv/result", {"code": code}).content.decode()


def test_the_code_holder_follows_the_examination_and_never_sees_the_result_before_it_is_handed(health):
    case = register()
    code = case.personal_code
    assert 'data-stage="registered"' in follow(code.lower().replace("-", " "))  # typed loosely from the talon
    case = to_laboratory(case, dt.datetime(2025, 3, 19, 10, 40, tzinfo=ALMATY))
    page = follow(code)
    assert 'data-stage="analysis"' in page and "March 19, 2025" in page  # the day of the blood draw
    case = workflow.complete(actor("laboratory"), open_task(case).pk,
                             workflow.Completion(decision="positive", result="certificate-positive"),
                             dt.datetime(2025, 3, 20, 11, 0, tzinfo=ALMATY))
    page = follow(code)
    assert 'data-stage="ready"' in page
    # Neither the outcome nor the due date (3 or 20 working days would tell it) is on the page.
    assert "positive" not in page and "2025-03-27" not in page and "March 27" not in page
    workflow.complete(actor("blood-sampling-nurse"), open_task(case).pk, workflow.Completion(),
                      dt.datetime(2025, 3, 21, 9, 30, tzinfo=ALMATY))
    page = follow(code)
    assert 'data-stage="issued"' in page and 'id="hiv-result"' in page and "June 21, 2025" not in page
    assert "21.06.2025" in page  # valid 3 months from 21.03.2025 (cl. 3)


def test_a_wrong_code_says_so_and_counts_as_a_failed_try(health):
    page = follow("AAAAA-BBBBB")
    assert "No examination with this code" in page
    assert "No examination with this code" in follow("not a code")


def test_the_laboratory_chooses_the_result_on_the_case_page(health, clock):
    case = to_laboratory(register(), dt.datetime(2025, 3, 19, 10, 40, tzinfo=ALMATY))
    clock.at = dt.datetime(2025, 3, 20, 11, 0, tzinfo=ALMATY)
    lab = staff("laboratory")
    page = lab.get(f"/staff/cases/{case.pk}/").content.decode()
    assert 'name="result" value="certificate-positive"' in page and "3 working days" in page
    task = open_task(case)
    response = lab.post(f"/staff/tasks/{task.pk}/complete/", {"decision": "positive"})
    assert response.status_code == 400 and "Choose the result the decision ends with" in response.content.decode()
    response = lab.post(f"/staff/tasks/{task.pk}/complete/", {"decision": "positive",
                                                             "result": "certificate-negative"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state["result"] == "certificate-negative"


def test_a_complaint_about_an_anonymous_examination_is_registered_under_the_code_and_refuses_a_name(health):
    from qyzmet.complaints import workflow as complaints

    case = register()
    now = dt.datetime(2025, 3, 19, 11, 0, tzinfo=ALMATY)
    with pytest.raises(workflow.Invalid) as exc:
        complaints.file_at_counter(actor("counselling-doctor"), case.pk, to="provider", text="Ұзақ күттім.", now=now,
                                   complainant="Серікова Айгүл")
    assert exc.value.field == "complainant"
    assert not case.complaints.exists()
    complaint = complaints.file_at_counter(actor("counselling-doctor"), case.pk, to="provider", text="Ұзақ күттім.",
                                           now=now)
    assert complaint.complainant == case.personal_code and complaint.complainant


def test_a_representative_cannot_be_named_on_an_anonymous_examination(health):
    for field, extra in (("representative.name", {"representative_name": "Серіков Нұрлан"}),
                         ("representative.power_of_attorney", {"power_of_attorney": "№ 12 от 01.03.2025"})):
        app = workflow.Application(regulation=HIV, iin="", category="anonymous", **extra)
        with pytest.raises(workflow.Invalid) as exc:
            workflow.intake(actor("counselling-doctor"), app, dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY))
        assert exc.value.field == field
    assert not Case.objects.exists()
