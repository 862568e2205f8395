"""Demo data of the polyclinic's registry: three doctors of the demo polyclinic with their weekly templates,
two weeks of slots from the demo's "now", and a few bookings made through the real workflow — at the counter,
by phone, online (one answered, one waiting for the registrar), a home call and a cancellation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qyzmet.cases.access import actor_for
from qyzmet.core.calendar import to_local
from qyzmet.core.iin import make_iin
from qyzmet.directory.models import Office
from qyzmet.health import booking as B
from qyzmet.health import home_calls, schedule
from qyzmet.health.models import Doctor, Slot, WeeklyTemplate

OFFICE = "mangystau-2015-polyclinic"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
DOCTORS = (
    # name, speciality kk, ru, room, reception, home visits, slot minutes
    ("Қасымова Әйгерім Бахытқызы", "жалпы практика дәрігері", "врач общей практики", "104",
     "09:00-13:00", "14:00-17:00", 20),
    ("Нұрғалиев Ерлан Серікұлы", "учаскелік терапевт", "участковый терапевт", "112",
     "14:00-18:00", "09:00-12:00", 15),
    ("Өмірзақова Гүлнар Қайратқызы", "учаскелік педиатр", "участковый педиатр", "205",
     "09:00-12:00, 14:00-16:00", "16:00-18:00", 20),
)
PATIENTS = (
    ("Серікова", "Айгүл", "Нұрланқызы", dt.date(1984, 4, 2), "female", "Бас ауруы, қан қысымы жоғары"),
    ("Төлеуов", "Бауыржан", "Қанатұлы", dt.date(1979, 11, 23), "male", "Жөтел, дене қызуы 37,8"),
    ("Жұмабаева", "Сәуле", "Ерланқызы", dt.date(1992, 7, 15), "female", "Профилактикалық тексеру"),
    ("Ілиясова", "Мөлдір", "Дәуренқызы", dt.date(2019, 2, 9), "female", "Баланың дене қызуы 38,5"),
    ("Оспанов", "Ғалым", "Үмітұлы", dt.date(1950, 5, 30), "male", "Жүру қиын, қан қысымы"),
)


def run(directory, *, until: dt.datetime | None = None, days: int = 14) -> dict[str, int]:
    """Doctors, templates and slots for the demo polyclinic; some bookings if it has a registrar account."""
    office = Office.objects.filter(code=OFFICE).first()
    if office is None:
        return {}
    now = to_local(until or timezone.now())
    doctors = []
    for name, kk, ru, room, reception, home, minutes in DOCTORS:
        doctor, _created = Doctor.objects.get_or_create(
            office=office, full_name=name, defaults={"speciality_kk": kk, "speciality_ru": ru, "room": room})
        WeeklyTemplate.objects.update_or_create(doctor=doctor, defaults={
            "reception": {wd: [p.strip() for p in reception.split(",")] for wd in WEEKDAYS},
            "home_visits": {wd: [home] for wd in WEEKDAYS}, "slot_minutes": minutes, "home_visit_minutes": 60})
        schedule.generate(None, doctor, now.date(), now.date() + dt.timedelta(days=days - 1), now)
        doctors.append(doctor)
    user = directory.users.get((office.pk, "registrar")) if directory else None
    registrar = actor_for(user) if user is not None else None
    made = {"doctors": len(doctors), "slots": Slot.objects.filter(doctor__office=office).count()}
    if registrar is None:
        return made
    people = [B.Patient(iin=make_iin(born, sex, 700 + i), surname=s, first_name=f, patronymic=p, condition=c,
                        address=f"Ақтау, {10 + i} ш/а, {i + 3} үй", phone=f"+7 701 555 00 {10 + i}",
                        language="kk" if i % 2 == 0 else "ru")
              for i, (s, f, p, born, sex, c) in enumerate(PATIENTS)]
    free = [B.free_slots(doctor=d, now=now, limit=40) for d in doctors]
    plan = [(0, 0, "registry"), (0, 3, "phone"), (1, 1, "registry")]
    for n, ((doctor_i, slot_i, channel), patient) in enumerate(zip(plan, people, strict=False)):
        if slot_i < len(free[doctor_i]):
            booked = B.book(registrar, "appointment", free[doctor_i][slot_i].pk, patient, channel, now)
            if n == 2:
                B.cancel(registrar, booked.pk, now)
    if len(free[2]) > 2:
        answered = B.book_online(free[2][1].pk, people[3], now)
        B.confirm_online(registrar, answered.pk, now)
        if until is not None:  # serve --demo: one request left waiting for the registrar's answer
            B.book_online(free[2][2].pk, people[2], now)
    try:
        home_calls.register_call(registrar, people[4], "phone", None, now)
        if until is not None:  # likewise an online home call for the registrar to assign
            home_calls.request_online(office, people[1], now)
    except B.Invalid:
        pass  # no home-visit time in the range: nothing to assign
    made["bookings"] = B.Booking.objects.filter(office=office).count()
    return made
