"""Doctors' schedules, appointments and home calls (Mangystau 2015, annexes 1 and 2), tried as a new user would:
the registrar sets up a doctor's week and generates slots, books a patient at the counter and on the phone, a
patient books online and cancels, a doctor is called home; two people booking one time at once — one wins.

The clock fixture stands at Wednesday 19 March 2025, 10:00 Almaty.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from qyzmet.cases.access import actor_for
from qyzmet.cases.models import Case
from qyzmet.core.calendar import ALMATY, to_local
from qyzmet.core.iin import make_iin
from qyzmet.directory.models import CalendarException, Office, Organisation, RoleAssignment, Staff
from qyzmet.health import booking as B
from qyzmet.health import home_calls, schedule
from qyzmet.health.models import Booking, Doctor, Slot, WeeklyTemplate

POLYCLINIC = "mangystau-2015-polyclinic"
REGISTRAR = f"{POLYCLINIC}.registrar"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
IIN = make_iin(dt.date(1980, 5, 17), "female", 101)


def at(day: int, hh: int, mm: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hh, mm, tzinfo=ALMATY)


@pytest.fixture
def directory(db, clock):
    from qyzmet.cases.services import sync_catalog
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory

    sync_catalog()
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mangystau-2015/")])


@pytest.fixture
def office(directory) -> Office:
    return Office.objects.get(code=POLYCLINIC)


@pytest.fixture
def registrar(office):
    return actor_for(get_user_model().objects.get(username=REGISTRAR))


@pytest.fixture
def doctor(office, registrar, clock) -> Doctor:
    """A GP receiving 08:00-12:00 in 20-minute slots and visiting patients at home 14:00-17:00, one hour each."""
    doc = schedule.add_doctor(registrar, full_name="Серікова Айгүл Нұрланқызы", speciality_kk="жалпы практика дәрігері",
                              speciality_ru="врач общей практики", room="214")
    schedule.save_template(registrar, doc, reception={wd: "08:00-12:00" for wd in WEEKDAYS},
                           home_visits={wd: "14:00-17:00" for wd in WEEKDAYS}, slot_minutes="20",
                           home_visit_minutes="60")
    schedule.generate(registrar, doc, dt.date(2025, 3, 19), dt.date(2025, 3, 31), clock())
    return doc


def patient(iin: str = IIN, **extra) -> B.Patient:
    fields = {"surname": "Жұмабаева", "first_name": "Гүлнар", "patronymic": "Серікқызы",
              "condition": "Қан қысымы жоғары", "address": "Ақтау, 12 ш/а, 5 үй, 17 пәтер", "phone": "+7 701 234 56 78",
              **extra}
    return B.Patient(iin=iin, **fields)


def slot_at(doctor: Doctor, when: dt.datetime) -> Slot:
    return Slot.objects.get(doctor=doctor, starts_at=when)


# --- slots -----------------------------------------------------------------------------------------------

def test_slots_skip_the_nauryz_holidays_and_the_lunch_break(doctor, office):
    """Nauryz 2025: 21, 22 and 23 March are holidays (Law on holidays, art. 5); 22 and 23 fall on Saturday and
    Sunday, so the days off move to the next working days, Monday 24 and Tuesday 25 March.  The polyclinic
    (schedule "department": 09:00-13:00, 14:00-18:00) therefore works Thu 20 March, then Wed 26 March.

    The doctor's reception 08:00-12:00 is cut to the office's 09:00-12:00 (9 slots of 20 minutes); the
    home visits 14:00-17:00 fit after the 13:00-14:00 lunch (3 one-hour slots)."""
    days = {to_local(s.starts_at).date() for s in Slot.objects.filter(doctor=doctor)}
    assert dt.date(2025, 3, 20) in days and dt.date(2025, 3, 26) in days
    for closed in (21, 22, 23, 24, 25, 29, 30):
        assert dt.date(2025, 3, closed) not in days
    thursday = list(B.slots_of_day(doctor, dt.date(2025, 3, 20)))
    reception = [to_local(s.starts_at).strftime("%H:%M") for s in thursday if s.kind == "reception"]
    visits = [to_local(s.starts_at).strftime("%H:%M") for s in thursday if s.kind == "home-visit"]
    assert reception == ["09:00", "09:20", "09:40", "10:00", "10:20", "10:40", "11:00", "11:20", "11:40"]
    assert visits == ["14:00", "15:00", "16:00"]
    # Today (19 March, 10:00): only the times still to come.
    today = [to_local(s.starts_at).strftime("%H:%M") for s in B.slots_of_day(doctor, dt.date(2025, 3, 19))]
    assert today[0] == "10:20"


def test_a_day_off_recorded_in_the_directory_gets_no_slots(office, registrar, doctor, clock):
    CalendarException.objects.create(day=dt.date(2025, 3, 27), kind="holiday", source="Akim's decision No. 1 (test)")
    result = schedule.generate(registrar, doctor, dt.date(2025, 3, 26), dt.date(2025, 3, 28), clock())
    assert not B.slots_of_day(doctor, dt.date(2025, 3, 27)).exists()
    assert result.removed == 12  # the 9 + 3 slots generated before the exception was recorded
    assert (dt.date(2025, 3, 27), "Akim's decision No. 1 (test)") in result.closed_days


# --- booking at the registry, by phone, online ---------------------------------------------------------------

def test_booking_at_the_registry_issues_the_case_with_the_slot_time(registrar, doctor, clock):
    booking = B.book(registrar, "appointment", slot_at(doctor, at(20, 9, 20)).pk, patient(language="ru"),
                     "registry", clock())
    case = Case.objects.get(pk=booking.case_id)
    assert (case.regulation.reg_id, case.route, case.status, case.outcome) == (
        "mangystau-2015/doctor-appointment", "main", "issued", "positive")
    decision = case.events.get(kind="decide").payload["note"]
    # The answer is in the patient's language (Russian here): the date, the time, the doctor and the room.
    for part in ("20.03.2025", "09:20", "Серікова Айгүл Нұрланқызы", "врач общей практики", "214"):
        assert part in decision
    task = case.tasks.get()
    assert task.due == at(19, 10, 10) and "cl. 5.1" in task.cite and task.late is False
    assert (booking.age, booking.sex, booking.channel) == (44, "female", "registry")


def test_a_taken_slot_cannot_be_booked_again_until_cancelled(registrar, doctor, clock):
    slot = slot_at(doctor, at(20, 9, 40))
    first = B.book(registrar, "appointment", slot.pk, patient(), "phone", clock())
    other = make_iin(dt.date(1990, 1, 2), "male", 5)
    with pytest.raises(B.SlotTaken, match="just taken"):
        B.book(registrar, "appointment", slot.pk, patient(other), "registry", clock())
    assert Case.objects.filter(applicant_iin=other).count() == 0  # nothing stored for the loser
    B.cancel(registrar, first.pk, clock())
    again = B.book(registrar, "appointment", slot.pk, patient(other), "registry", clock())
    assert again.status == "booked"


# --- the pages, as a new user tries them ------------------------------------------------------------------

def login(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies["qyzmet_language"] = "en"
    return client


PATIENT_FORM = {"iin": IIN, "surname": "Жұмабаева", "first_name": "Гүлнар", "patronymic": "Серікқызы",
                "condition": "Бас ауруы", "address": "Ақтау, 12 ш/а, 5 үй", "phone": "+7 701 234 56 78"}


def test_the_registrar_books_a_patient_at_the_counter_and_says_the_time(doctor, clock):
    client = login(REGISTRAR)
    page = client.get(f"/staff/health/?doctor={doctor.pk}&day=2025-03-20").content.decode()
    assert "09:00–09:20" in page and "Free" in page
    slot = slot_at(doctor, at(20, 10, 0))
    response = client.post(f"/staff/health/slots/{slot.pk}/book/", {**PATIENT_FORM, "channel": "registry",
                                                                     "language": "kk"}, follow=True)
    page = response.content.decode()
    assert "say to the patient" in page and "20.03.2025 at 10:00" in page and "room 214" in page
    assert "Жұмабаева Гүлнар Серікқызы" in page and "Booked" in page
    booking = Booking.objects.get(slot=slot)
    assert (booking.channel, booking.case.status) == ("registry", "issued")
    day_list = client.get(f"/staff/health/doctors/{doctor.pk}/day/?day=2025-03-20").content.decode()
    assert "Жұмабаева" in day_list and "Бас ауруы" in day_list


def test_a_bad_iin_on_the_counter_form_is_shown_at_the_field_and_nothing_is_stored(doctor, clock):
    client = login(REGISTRAR)
    slot = slot_at(doctor, at(20, 10, 0))
    response = client.post(f"/staff/health/slots/{slot.pk}/book/", {**PATIENT_FORM, "iin": "800517400001",
                                                                     "channel": "phone", "language": "kk"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Error:" in page and 'href="#id_iin"' in page and "This IIN is not valid" in page
    assert not Booking.objects.exists() and not Case.objects.exists()


def test_booking_online_waits_for_the_registrars_answer_then_shows_it_and_can_be_cancelled(doctor, clock):
    citizen = Client()
    citizen.cookies["qyzmet_language"] = "en"
    assert POLYCLINIC in citizen.get("/health/").content.decode()
    assert doctor.full_name in citizen.get(f"/health/polyclinics/{POLYCLINIC}/").content.decode()
    times = citizen.get(f"/health/doctors/{doctor.pk}/").content.decode()
    slot = slot_at(doctor, at(26, 9, 40))  # after the Nauryz days off
    assert f"/health/slots/{slot.pk}/book/" in times
    response = citizen.post(f"/health/slots/{slot.pk}/book/", PATIENT_FORM, follow=True)
    page = response.content.decode()
    booking = Booking.objects.get(slot=slot)
    assert booking.channel == "portal" and booking.case.route == "portal" and booking.case.current_step == 7
    # The registrar's electronic answer: 30 minutes of working time from 10:00 (cl. 8.1).
    assert "The registrar answers by" in page and "10:30" in page and "cl. 8.1" in page
    assert "March 26, 2025" in page and booking.case.number in page

    registrar = login(REGISTRAR)
    assert booking.case.number in registrar.get("/staff/health/").content.decode()
    clock.advance(minutes=12)
    registrar.post(f"/staff/health/bookings/{booking.pk}/confirm/")
    booking.refresh_from_db()
    step7 = booking.case.tasks.get(step=7)
    assert booking.case.status == "issued" and step7.late is False and step7.due == at(19, 10, 30)
    page = citizen.get(f"/health/my/{booking.pk}/").content.decode()
    assert "The registrar" in page and "26.03.2025 at 09:40" in page and "room 214" in page

    citizen.post(f"/health/my/{booking.pk}/cancel/")
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", "patient")
    assert slot in B.free_slots(doctor=doctor, day=dt.date(2025, 3, 26), now=clock())  # free again


def test_a_portal_request_cancelled_before_the_answer_leaves_the_registrars_inbox_and_cannot_be_confirmed(
        registrar, doctor, clock):
    citizen = Client()
    slot = slot_at(doctor, at(26, 9, 40))
    citizen.post(f"/health/slots/{slot.pk}/book/", PATIENT_FORM)
    booking = Booking.objects.get(slot=slot)
    citizen.post(f"/health/my/{booking.pk}/cancel/")
    booking.refresh_from_db()
    case = booking.case
    # No application is left: the answer step is closed, not overdue in half an hour, and no one is refused.
    assert (booking.status, case.status, case.state["request_closed"]) == ("cancelled", "request-closed", "withdrawn")
    assert not case.tasks.filter(closed_at__isnull=True).exists()
    assert booking.case.number not in login(REGISTRAR).get("/staff/health/").content.decode()
    with pytest.raises(B.Conflict):
        B.confirm_online(registrar, booking.pk, clock())
    booking.refresh_from_db()
    assert booking.answered_at is None and booking.status == "cancelled"


def test_a_stranger_finds_nobodys_booking_and_the_owner_finds_theirs_with_number_and_iin(registrar, doctor, clock):
    booking = B.book(registrar, "appointment", slot_at(doctor, at(20, 11, 0)).pk, patient(), "phone", clock())
    citizen = Client()
    citizen.cookies["qyzmet_language"] = "en"
    assert citizen.get(f"/health/my/{booking.pk}/").status_code == 404  # not looked up in this browser
    stranger = make_iin(dt.date(1990, 1, 1), "male", 3)
    wrong = citizen.post("/health/my/", {"number": booking.case.number, "iin": stranger})
    assert "No appointment or home call with this number and IIN" in wrong.content.decode()
    found = citizen.post("/health/my/", {"number": booking.case.number, "iin": IIN}, follow=True).content.decode()
    assert "20.03.2025 at 11:00" in found and "Cancel the appointment" in found


def test_a_no_show_is_recorded_after_the_time_and_a_past_time_cannot_be_cancelled(registrar, doctor, clock):
    booking = B.book(registrar, "appointment", slot_at(doctor, at(19, 11, 0)).pk, patient(), "registry", clock())
    with pytest.raises(B.Conflict, match="not begun yet"):
        B.mark(registrar, booking.pk, "no-show", clock())
    clock.advance(minutes=70)  # 11:10
    client = login(REGISTRAR)
    client.post(f"/staff/health/bookings/{booking.pk}/no-show/")
    booking.refresh_from_db()
    assert booking.status == "no-show" and booking.marked_at == at(19, 11, 10)
    with pytest.raises(B.Conflict):
        B.cancel(registrar, booking.pk, clock())
    page = client.get(f"/staff/health/?doctor={doctor.pk}&day=2025-03-19").content.decode()
    assert "Did not come" in page


# --- home calls --------------------------------------------------------------------------------------------

def test_a_home_call_by_phone_gets_the_earliest_visit_time_within_the_home_visit_hours(registrar, doctor, clock):
    call = home_calls.register_call(registrar, patient(), "phone", None, clock())
    visit = to_local(call.slot.starts_at)
    assert (visit, call.slot.kind) == (at(19, 14, 0), "home-visit")  # today 14:00, within 14:00-17:00
    assert call.case.regulation.reg_id == "mangystau-2015/home-doctor-call" and call.case.status == "issued"
    note = call.case.events.get(kind="decide").payload["note"]
    assert "19.03.2025" in note and "14:00" in note and "Ақтау, 12 ш/а" in note
    # A home call needs the address.
    with pytest.raises(B.Invalid) as exc:
        home_calls.register_call(registrar, patient(address=""), "phone", None, clock())
    assert exc.value.field == "patient.address"


def test_a_home_call_online_gets_its_visit_time_from_the_registrar(registrar, doctor, office, clock):
    citizen = Client()
    citizen.cookies["qyzmet_language"] = "en"
    response = citizen.post(f"/health/polyclinics/{POLYCLINIC}/home-call/", PATIENT_FORM, follow=True)
    call = Booking.objects.get(kind="home-call")
    assert call.status == "requested" and "The registrar answers by" in response.content.decode()
    client = login(REGISTRAR)
    form = client.get(f"/staff/health/home-calls/{call.pk}/assign/").content.decode()
    chosen = slot_at(doctor, at(20, 15, 0))
    assert f'value="{chosen.pk}"' in form
    client.post(f"/staff/health/home-calls/{call.pk}/assign/", {"slot": chosen.pk})
    call.refresh_from_db()
    assert (call.status, call.slot_id, call.case.status) == ("booked", chosen.pk, "issued")
    page = citizen.get(f"/health/my/{call.pk}/").content.decode()
    assert "The doctor comes" in page and "20.03.2025 at 15:00" in page


# --- access ------------------------------------------------------------------------------------------------

@pytest.fixture
def other_registrar(directory):
    """The registrar of another polyclinic."""
    org = Organisation.objects.create(code="other-polyclinic", name_kk="Басқа емхана", name_ru="Другая поликлиника")
    office = Office.objects.create(organisation=org, code="other-polyclinic", name_kk="Басқа емхана",
                                   name_ru="Другая поликлиника")
    user = get_user_model().objects.create_user("other.registrar")
    staff = Staff.objects.create(user=user, office=office, full_name="Басқа Тіркеуші")
    RoleAssignment.objects.create(staff=staff, role="registrar")
    return user


def test_another_polyclinics_registrar_finds_nothing_and_a_colleague_without_the_role_is_refused(
        registrar, doctor, other_registrar, office, clock, api_client):
    booking = B.book(registrar, "appointment", slot_at(doctor, at(20, 9, 0)).pk, patient(), "registry", clock())
    other = login("other.registrar")
    assert other.get(f"/staff/health/doctors/{doctor.pk}/day/").status_code == 404
    assert other.post(f"/staff/health/bookings/{booking.pk}/cancel/").status_code == 404
    assert other.get(f"/staff/health/doctors/{doctor.pk}/template/").status_code == 404
    api = api_client("other.registrar")
    assert api.get(f"/health/bookings/{booking.pk}").status_code == 404
    taken = api.post("/health/bookings", {"slot": slot_at(doctor, at(20, 9, 20)).pk, "channel": "registry",
                                          "patient": {"iin": IIN, "surname": "А", "first_name": "Б"}})
    assert taken.status_code == 422 and taken.json()["error"]["field"] == "slot"  # not our slot: not offered
    booking.refresh_from_db()
    assert booking.status == "booked"

    nurse_user = get_user_model().objects.create_user("polyclinic.nurse")
    nurse = Staff.objects.create(user=nurse_user, office=office, full_name="Медбике")
    RoleAssignment.objects.create(staff=nurse, role="nurse")
    nurse_client = login("polyclinic.nurse")
    assert nurse_client.get("/staff/health/").status_code == 403
    assert nurse_client.post(f"/staff/health/bookings/{booking.pk}/cancel/").status_code == 403


# --- the API ------------------------------------------------------------------------------------------------

@pytest.fixture
def api_client(directory, api_client_of):
    return api_client_of


def test_the_api_lists_free_slots_books_and_refuses_what_is_wrong_naming_the_field(doctor, clock, api_client):
    api = api_client(REGISTRAR)
    assert "/api/v1/health/bookings" in api.client.get("/api/v1/openapi.json").json()["paths"]
    free = api.get("/health/slots", office=POLYCLINIC, doctor=doctor.pk, date="2025-03-20")
    assert free.status_code == 200
    assert [s["starts_at"][11:16] for s in free.json()][:3] == ["09:00", "09:20", "09:40"]
    slot_id = free.json()[0]["id"]
    body = {"slot": slot_id, "channel": "phone",
            "patient": {"iin": IIN, "surname": "Жұмабаева", "first_name": "Гүлнар", "language": "ru"}}
    made = api.post("/health/bookings", body)
    assert made.status_code == 201, made.content
    out = made.json()
    assert (out["status"], out["channel"], out["case_status"]) == ("booked", "phone", "issued")
    assert out["slot"]["starts_at"] == "2025-03-20T09:00:00+05:00" and "09:00" in out["answer"]

    again = api.post("/health/bookings", {**body, "patient": {**body["patient"], "iin": make_iin(
        dt.date(1970, 3, 3), "male", 9)}})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert "just taken" in again.json()["error"]["message"]

    def error(**change):
        response = api.post("/health/bookings", {**body, **change})
        return response.status_code, response.json()["error"]["field"]

    assert error(patient={**body["patient"], "iin": "800517400001"}) == (422, "patient.iin")
    assert error(slot=999_999) == (422, "slot")
    assert error(channel="fax") == (422, "channel")
    assert error(colour="red") == (422, "colour")

    cancelled = api.post(f"/health/bookings/{out['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    call = api.post("/health/home-calls", {"channel": "registry", "patient": {
        "iin": IIN, "surname": "Жұмабаева", "first_name": "Гүлнар", "address": "Ақтау, 3 ш/а", "phone": "87012345678"}})
    assert call.status_code == 201 and call.json()["slot"]["kind"] == "home-visit"
    assert call.json()["slot"]["starts_at"] == "2025-03-19T14:00:00+05:00"
    clock.advance(days=1)  # Thursday 20 March 10:00: the 09:20 slot has passed
    assert error(slot=slot_at(doctor, at(20, 9, 20)).pk) == (422, "slot")


# --- two people, one time ------------------------------------------------------------------------------------

@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL (DATABASE_URL): SQLite's in-memory test database is one per thread, "
                           "and its IMMEDIATE transactions serialise writers anyway")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bookings_of_one_slot_exactly_one_succeeds(settings, monkeypatch):
    from django.db import connections
    from django.utils import timezone

    from qyzmet.cases.services import sync_catalog
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    fixed = at(19, 10, 0)
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mangystau-2015/")])
    actor = actor_for(get_user_model().objects.get(username=REGISTRAR))
    doc = schedule.add_doctor(actor, full_name="Doctor", speciality_kk="дәрігер", speciality_ru="врач", room="1")
    schedule.save_template(actor, doc, reception={"thu": "09:00-10:00"}, home_visits={}, slot_minutes=20,
                           home_visit_minutes=60)
    schedule.generate(actor, doc, dt.date(2025, 3, 20), dt.date(2025, 3, 20), fixed)
    slot = Slot.objects.get(doctor=doc, starts_at=at(20, 9, 0))

    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(serial: int) -> None:
        try:
            barrier.wait(timeout=10)
            B.book(actor, "appointment", slot.pk, patient(make_iin(dt.date(1985, 1, 1), "male", serial)),
                   "registry", fixed)
            results.append("booked")
        except B.SlotTaken:
            results.append("taken")
        except Exception as exc:  # anything else is a failure of the test, reported below
            results.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["booked", "taken"]
    assert Booking.objects.filter(slot=slot).count() == 1
    assert Case.objects.filter(regulation__reg_id="mangystau-2015/doctor-appointment").count() == 1


# --- the schedule page ---------------------------------------------------------------------------------------

def test_the_registrar_adds_a_doctor_gives_the_week_and_generates_slots_on_the_page(office, clock):
    client = login(REGISTRAR)
    added = client.post("/staff/health/doctors/", {"full_name": "Нұрғалиев Ерлан", "speciality_kk": "терапевт",
                                                   "speciality_ru": "терапевт", "room": "112"})
    doctor = Doctor.objects.get(full_name="Нұрғалиев Ерлан")
    assert added.status_code == 302
    bad = client.post(f"/staff/health/doctors/{doctor.pk}/template/", {
        "what": "template", "reception.mon": "9-13", "slot_minutes": "15", "home_visit_minutes": "60"})
    assert bad.status_code == 400 and 'href="#f-reception.mon"' in bad.content.decode()
    assert not WeeklyTemplate.objects.filter(doctor=doctor).exists()
    client.post(f"/staff/health/doctors/{doctor.pk}/template/", {
        "what": "template", **{f"reception.{wd}": "14:00-18:00" for wd in WEEKDAYS},
        **{f"home_visits.{wd}": "09:00-12:00" for wd in WEEKDAYS}, "slot_minutes": "15", "home_visit_minutes": "60"})
    page = client.post(f"/staff/health/doctors/{doctor.pk}/template/", {
        "what": "generate", "first": "2025-03-19", "last": "2025-03-28"}).content.decode()
    # 19, 20, 26, 27, 28 March work (the Nauryz days off between): a day has 3 home visits (09:00-12:00, one
    # hour) and 16 receptions (14:00-18:00, 15 minutes); today, at 10:00, only the 11:00 visit is still to come:
    # 4 × (3 + 16) + (1 + 16) = 93.
    assert "Slots created: 93" in page and "Nowruz Holiday, moved to the next working day" in page
    assert Slot.objects.filter(doctor=doctor).count() == 93
    assert client.get("/staff/health/home-calls/new/").status_code == 200
    assert "Нұрғалиев Ерлан" in client.get("/staff/health/doctors/").content.decode()


def test_the_demo_gives_the_polyclinic_doctors_slots_and_bookings(directory, clock):
    from qyzmet.health import demo

    made = demo.run(directory, until=clock())
    assert made["doctors"] == 3 and made["slots"] > 300 and made["bookings"] >= 6
    assert Booking.objects.filter(channel="portal", answered_at__isnull=True).exists()  # waiting for the answer
    assert login(REGISTRAR).get("/staff/health/").status_code == 200
