"""Attachment to a PHC organisation (Mangystau 2015 annex 3) and the Register of Attached Population (БХТ), tried
as people use them: a citizen asks online for a polyclinic, its provider account checks, registers and sends the
notification (talon), the register shows the person; attaching elsewhere ends the first line; "My attachment"
is found by number + IIN and throttled; the generic online form sends health services to the health pages.

The clock fixture stands at Wednesday 19 March 2025, 10:00 Almaty.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.test import Client

from qyzmet.cases.access import actor_for
from qyzmet.cases.models import Case
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.directory.models import Office, Organisation, RoleAssignment, ServicePoint, Staff
from qyzmet.health import attachment as A
from qyzmet.health.models import Attachment, Doctor

POLYCLINIC = "mangystau-2015-polyclinic"
PROVIDER = f"{POLYCLINIC}.provider"
SECOND = "aktau-polyclinic-2"
IIN = make_iin(dt.date(1986, 2, 11), "male", 311)
NAME = "Төлеуов Бауыржан Қанатұлы"
ACTS = ("mangystau-2015/phc-attachment", "mangystau-2015/doctor-appointment", "mangystau-2015/home-doctor-call")


def at(day: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hh, mm, tzinfo=ALMATY)


@pytest.fixture
def directory(db, clock):
    from qyzmet.cases.services import sync_catalog
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory

    sync_catalog()
    return build_directory([r for r in shipped_catalog().regulations if r.id in ACTS])


@pytest.fixture
def provider(directory):
    return actor_for(get_user_model().objects.get(username=PROVIDER))


@pytest.fixture
def second(directory):
    """A second polyclinic taking attachment requests, with its own provider account."""
    return _second_office()


def _second_office():
    org = Organisation.objects.create(code=SECOND, kind="provider", name_kk="Ақтау №2 емханасы",
                                      name_ru="Поликлиника №2 г. Актау", name_en="Aktau polyclinic No. 2")
    office = Office.objects.create(code=SECOND, organisation=org, name_kk=org.name_kk, name_ru=org.name_ru,
                                   name_en=org.name_en, schedule="department")
    ServicePoint.objects.create(office=office, reg_id=A.ATTACHMENT, route="main", provider=office)
    user = get_user_model().objects.create_user(username=f"{SECOND}.provider", password="x")
    staff = Staff.objects.create(user=user, office=office, full_name="Жұмабаева Сәуле")
    RoleAssignment.objects.create(staff=staff, role="provider")
    return actor_for(user)


def browser(username: str | None = None) -> Client:
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    client.cookies["qyzmet_language"] = "en"
    return client


def attach(actor, office_code: str, when: dt.datetime, iin: str = IIN) -> Case:
    case = A.request_online(office_code, iin, NAME, "", when)
    case = A.process(actor, case.pk, when)  # step 4: check and register
    return A.process(actor, case.pk, when)  # step 6: the notification; step 7 follows at once


# --- the citizen's request and the provider's processing ---------------------------------------------------

def test_a_citizen_asks_online_and_the_polyclinic_attaches_them(provider, clock):
    citizen = browser()
    page = citizen.get("/health/attachment/").content.decode()
    assert "Aktau city polyclinic" in page
    # The act's silence is said, not filled in: no term, no documents, no limit on changing (annex 3).
    assert "fixes no term" in page and "cl. 7.5" in page and "no limit on how often" in page

    response = citizen.post("/health/attachment/", {"office": POLYCLINIC, "iin": IIN, "name": NAME, "phone": ""})
    assert response.status_code == 302
    case = Case.objects.get(regulation__reg_id=A.ATTACHMENT)
    # The applicant's steps 1-3 are recorded at once; the provider's processing (cl. 7.4) waits.
    assert (case.provider_office.code, case.status, case.current_step) == (POLYCLINIC, "submitted", 4)
    mine = citizen.get(response["Location"]).content.decode()
    assert case.number in mine and "processing (checking and registering) your request (cl. 7.4)" in mine
    assert "no current attachment" in mine and IIN not in mine  # only the last four digits
    assert not Attachment.objects.exists()

    staff = browser(PROVIDER)
    register = staff.get("/staff/health/attachment/").content.decode()
    assert case.number in register and "Check and register" in register and "Attached now: 0" in register
    assert staff.post(f"/staff/health/attachment/{case.pk}/process/").status_code == 302
    assert "Send the notification of attachment" in staff.get("/staff/health/attachment/").content.decode()
    clock.advance(minutes=25)
    staff.post(f"/staff/health/attachment/{case.pk}/process/")

    case.refresh_from_db()
    assert case.status == "issued" and case.outcome == "positive"
    line = Attachment.objects.get()
    assert (line.iin, line.office.code, line.case_id, line.until) == (IIN, POLYCLINIC, case.pk, None)
    assert line.since == at(19, 10, 25)
    register = staff.get("/staff/health/attachment/").content.decode()
    assert "Attached now: 1" in register and IIN in register and "No attachment request is waiting." in register

    mine = citizen.get(f"/health/attachment/my/{case.pk}/").content.decode()
    assert "Attached to Aktau city polyclinic since March 19, 2025." in mine
    # The notification (talon) is an electronic document in the cabinet (cl. 3), downloadable in this session.
    document = case.documents.get()
    assert f"/my-application/documents/{document.pk}.pdf" in mine
    assert citizen.get(f"/my-application/documents/{document.pk}.pdf")["Content-Type"] == "application/pdf"
    # …and the booking page offers that polyclinic first (it lists polyclinics with a doctor receiving).
    Doctor.objects.create(office=line.office, full_name="Қасымова Әйгерім", speciality_kk="жалпы практика дәрігері",
                          speciality_ru="врач общей практики")
    assert "you are attached here" in citizen.get("/health/").content.decode()
    assert "you are attached here" not in browser().get("/health/").content.decode()


def test_a_wrong_field_is_named_and_nothing_is_stored(provider):
    citizen = browser()
    response = citizen.post("/health/attachment/", {"office": POLYCLINIC, "iin": "123", "name": NAME})
    assert response.status_code == 400
    assert "This IIN is not valid" in response.content.decode() and 'href="#id_iin"' in response.content.decode()
    response = citizen.post("/health/attachment/", {"office": "nowhere", "iin": IIN, "name": NAME})
    assert response.status_code == 400 and "Choose the organisation" in response.content.decode()
    response = citizen.post("/health/attachment/", {"office": POLYCLINIC, "iin": IIN, "name": NAME,
                                                    "phone": "12345"})
    assert response.status_code == 400 and "11 digits" in response.content.decode()
    assert not Case.objects.exists()


# --- the register: one current line, history, the same transaction -----------------------------------------

def test_a_new_attachment_ends_the_previous_one_and_keeps_it_as_history(provider, second, clock):
    first = attach(provider, POLYCLINIC, at(19, 10))
    moved = attach(second, SECOND, at(26, 11, 30))
    lines = {a.case_id: a for a in Attachment.objects.all()}
    assert lines[first.pk].until == at(26, 11, 30) and lines[moved.pk].until is None
    assert A.current(IIN).office.code == SECOND
    assert [a.office.code for a in A.history(IIN)] == [SECOND, POLYCLINIC]
    # The first polyclinic sees the person among those who left; the second among its attached.
    assert [a.iin for a in A.left(provider)] == [IIN] and not A.attached(provider).exists()
    assert [a.iin for a in A.attached(second)] == [IIN]
    # The database itself refuses a second current line for one IIN.
    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.create(iin=IIN, office_id=provider.office_id, case=Case.objects.create(
            number="Q2025-9999999", regulation=first.regulation, route="main", channel="portal",
            applicant_iin=IIN, submitted_at=at(27, 9), state={}, seq=0), since=at(27, 9))


def test_an_older_attachment_recorded_late_goes_into_history_where_it_belongs(provider, second):
    """The demo's simulated clock may record an earlier attachment after a later one: it becomes history."""
    later = attach(second, SECOND, at(26, 11))
    earlier = attach(provider, POLYCLINIC, at(20, 9))
    lines = {a.case_id: a for a in Attachment.objects.all()}
    assert lines[earlier.pk].until == at(26, 11) and lines[later.pk].until is None


def test_the_register_line_is_written_in_the_transaction_that_issues_the_case(provider, monkeypatch, clock):
    case = A.request_online(POLYCLINIC, IIN, NAME, "", clock())
    A.process(provider, case.pk, clock())

    def broken(*args, **kwargs):
        raise RuntimeError("the register is unavailable")

    monkeypatch.setattr(A, "_record", broken)
    with pytest.raises(RuntimeError):
        A.process(provider, case.pk, clock())
    case.refresh_from_db()
    # Nothing of the failed transition stays: the case still waits at step 6, no line, no talon.
    assert (case.status, case.current_step) == ("in-progress", 6)
    assert not Attachment.objects.exists() and not case.documents.exists()


# --- who may do what ----------------------------------------------------------------------------------------

def test_only_the_organisations_staff_see_the_register_and_act_on_requests(provider, second, directory):
    case = A.request_online(POLYCLINIC, IIN, NAME, "", at(19, 10))
    # The second polyclinic cannot see or process the first one's request (404).
    other = browser(f"{SECOND}.provider")
    assert other.post(f"/staff/health/attachment/{case.pk}/process/").status_code == 404
    assert case.number not in other.get("/staff/health/attachment/").content.decode()
    # The registrar of the polyclinic sees the requests but the processing is the provider's (403).
    registrar = browser(f"{POLYCLINIC}.registrar")
    page = registrar.get("/staff/health/attachment/").content.decode()
    assert case.number in page and "Check and register" not in page
    assert registrar.post(f"/staff/health/attachment/{case.pk}/process/").status_code == 403
    # Not signed in: the sign-in page.
    assert Client().get("/staff/health/attachment/").status_code == 302


def test_an_office_that_does_not_attach_is_refused(directory, db):
    org = Organisation.objects.create(code="psc-x", kind="psc", name_kk="ХҚКО", name_ru="ЦОН", name_en="PSC")
    office = Office.objects.create(code="psc-x", organisation=org, name_kk="ХҚКО", name_ru="ЦОН", name_en="PSC")
    user = get_user_model().objects.create_user(username="psc-x.clerk", password="x")
    Staff.objects.create(user=user, office=office, full_name="Оспанов Ғалым")
    response = browser("psc-x.clerk").get("/staff/health/attachment/")
    assert response.status_code == 403 and "does not attach the population" in response.content.decode()


# --- "My attachment" ---------------------------------------------------------------------------------------------

def test_my_attachment_is_found_by_number_and_iin_and_guessing_is_limited(provider):
    case = attach(provider, POLYCLINIC, at(19, 10))
    citizen = browser()
    assert citizen.get(f"/health/attachment/my/{case.pk}/").status_code == 404  # not proved in this session
    wrong = make_iin(dt.date(1986, 2, 11), "male", 312)
    answer = citizen.post("/health/attachment/my/", {"number": case.number, "iin": wrong})
    assert answer.status_code == 200 and "No attachment request with this number and IIN" in answer.content.decode()
    response = citizen.post("/health/attachment/my/", {"number": case.number.lower(), "iin": IIN})
    assert response["Location"] == f"/health/attachment/my/{case.pk}/"
    assert "Attached to Aktau city polyclinic" in citizen.get(response["Location"]).content.decode()

    guesser = browser()
    for _ in range(5):
        guesser.post("/health/attachment/my/", {"number": case.number, "iin": wrong})
    blocked = guesser.post("/health/attachment/my/", {"number": case.number, "iin": IIN})
    assert blocked.status_code == 429 and "Too many unsuccessful attempts" in blocked.content.decode()


# --- the generic online form and the home page ----------------------------------------------------------------

def test_the_generic_online_list_sends_health_services_to_the_health_pages(directory):
    citizen = browser()
    page = citizen.get("/apply").content.decode()
    assert 'href="/health/">Book at /health/</a>' in page
    assert 'href="/apply/mangystau-2015/doctor-appointment"' not in page
    assert 'href="/apply/mangystau-2015/home-doctor-call"' not in page
    assert 'href="/health/attachment/"' in page
    for reg_id, target in (("mangystau-2015/doctor-appointment", "/health/"),
                           ("mangystau-2015/home-doctor-call", "/health/"),
                           ("mangystau-2015/phc-attachment", "/health/attachment/")):
        response = citizen.post(f"/apply/{reg_id}", {"iin": IIN, "name": NAME})
        assert (response.status_code, response["Location"]) == (302, target)
    assert not Case.objects.exists()
    assert 'href="/health/"' in citizen.get("/").content.decode()


# --- the API ------------------------------------------------------------------------------------------------------

def test_the_api_lists_the_register_and_processes_requests(provider, api_as):
    case = A.request_online(POLYCLINIC, IIN, NAME, "", at(19, 10))
    api = api_as(PROVIDER)
    assert api.post(f"/health/attachment-requests/{case.pk}/process").json()["step"] == 6
    body = api.post(f"/health/attachment-requests/{case.pk}/process").json()
    assert body["status"] == "issued" and body["attachment"]["office"] == POLYCLINIC
    listed = api.get("/health/attached").json()
    assert listed["count"] == 1 and listed["items"][0]["iin"] == IIN and listed["items"][0]["until"] is None
    assert api.post(f"/health/attachment-requests/{case.pk}/process").status_code == 409
    assert api_as(f"{POLYCLINIC}.registrar").get("/health/attached").status_code == 200
    assert api.post("/health/attachment-requests/999999/process").status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL (DATABASE_URL): SQLite's in-memory test database is one per thread, "
                           "and its IMMEDIATE transactions serialise writers anyway")
@pytest.mark.django_db(transaction=True)
def test_two_organisations_attaching_one_person_at_once_leave_one_current_line(settings):
    """Both notifications go out at the same moment: both cases are issued, the register keeps one current line
    and the other as history (the second insert waits on the unique index, fails, and retries)."""
    from django.db import connections

    from qyzmet.cases.services import sync_catalog
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id in ACTS])
    first = actor_for(get_user_model().objects.get(username=PROVIDER))
    other = _second_office()
    requests = []
    for who, code in ((first, POLYCLINIC), (other, SECOND)):
        case = A.request_online(code, IIN, NAME, "", at(19, 10))
        requests.append((who, A.process(who, case.pk, at(19, 10))))
    barrier = threading.Barrier(2)
    results: list[str] = []

    def send(who, case) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(A.process(who, case.pk, at(19, 11)).status)
        except Exception as exc:  # reported by the assertion below
            results.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=pair) for pair in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == ["issued", "issued"]
    assert Attachment.objects.filter(iin=IIN).count() == 2
    assert Attachment.objects.filter(iin=IIN, until__isnull=True).count() == 1


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_pages_render_in_kazakh_and_russian(provider, lang):
    case = attach(provider, POLYCLINIC, at(19, 10))
    citizen = Client()
    citizen.cookies["qyzmet_language"] = lang
    assert citizen.get("/health/attachment/").status_code == 200
    assert citizen.post("/health/attachment/my/", {"number": case.number, "iin": IIN}).status_code == 302
    assert case.number in citizen.get(f"/health/attachment/my/{case.pk}/").content.decode()
    staff = browser(PROVIDER)
    staff.cookies["qyzmet_language"] = lang
    assert IIN in staff.get("/staff/health/attachment/").content.decode()
