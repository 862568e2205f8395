"""Why a deadline is what it is, in the reader's language: the act's term and clause, the holidays the
term steps over (by name), and each step's length with the working hours it is counted in.

The case used throughout is accepted at a PSC on Wednesday 19 March 2025, two days before Nauryz: its
ten working days step over 21, 24 and 25 March (Nauryz, and the two weekend days of Nauryz moved to
Monday and Tuesday) and end on 8 April.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qyzmet.cases.models import Case, Task
from qyzmet.cases.services import sync_catalog
from qyzmet.core.calendar import BUILTIN_SCHEDULES, Schedule
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD, build_directory
from qyzmet.directory.models import CalendarException
from qyzmet.web.deadline_reasons import closed_reason, working_hours

pytestmark = pytest.mark.django_db

REG = "aktogay-2013/prosthetic-docs"
PSC = "aktogay-2013-psc"
DEPT = "aktogay-2013-provider"
IIN = make_iin(dt.date(1959, 5, 2), "female", 77)


@pytest.fixture
def directory(clock):
    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id.startswith("aktogay-2013/")])


def register_and_accept() -> Case:
    """One application registered and accepted at the Aktogay PSC at the clock's instant."""
    login("psc-consultant").post(reverse("staff:intake-form", args=[REG]), {
        "iin": IIN, "name": "Гүлнәр Әбдіқадырова", "phone": "87015550011", "category": "general-disease",
        "documents": ["application", "id-copy", "irp-extract"]})
    case = Case.objects.latest("pk")
    for role in ("psc-consultant", "psc-hall-inspector"):
        task = Task.objects.get(case=case, closed_at__isnull=True)
        login(role).post(reverse("staff:complete", args=[task.pk]), {"note": ""})
    case.refresh_from_db()
    assert case.term_due is not None
    return case


@pytest.fixture
def accepted(directory) -> Case:
    return register_and_accept()


def login(role: str, office: str = PSC, lang: str = "ru") -> Client:
    client = Client()
    assert client.login(username=f"{office}.{role}", password=DEMO_PASSWORD)
    client.cookies["qyzmet_language"] = lang
    return client


def closed_days(html: str) -> list[tuple[str, str]]:
    """(ISO date, reason) of every closed day the page lists."""
    block = re.search(r'<ul class="q-list term-closed">(.*?)</ul>', html, re.S)
    assert block, "the page lists no closed days"
    return re.findall(r'<time datetime="([\d-]+)">[^<]*</time> — ([^<]*)</li>', block.group(1))


def test_the_staff_case_page_names_the_holidays_the_term_steps_over_in_russian(accepted):
    html = login("psc-hall-inspector").get(reverse("staff:case", args=[accepted.pk])).content.decode()
    assert closed_days(html) == [
        ("2025-03-21", "Наурыз мейрамы"),
        ("2025-03-24", "Наурыз мейрамы, выходной перенесён на следующий рабочий день"),
        ("2025-03-25", "Наурыз мейрамы, выходной перенесён на следующий рабочий день"),
    ]
    assert "Срок по регламенту" in html and "пункт 9.1" in html  # the act's term and its clause
    assert "8 апреля 2025" in html
    # The engine's English note is still there for whoever needs it, but only inside its marked details.
    assert re.search(r'<summary>[^<]*</summary><p lang="en">due 2025-04-08', html)


def test_the_current_step_says_its_length_and_working_hours_in_the_page_language(accepted):
    kk = login("psc-accumulation-specialist", lang="kk").get(reverse("staff:case", args=[accepted.pk]))
    html = kk.content.decode()
    # Step 3 of the PSC route: one working day, on the hours the act gives the Aktogay PSC (Mon–Fri).
    why = re.search(r"Мерзімнің негіздемесі: ([^<]*)<", html)
    assert why, "the current step gives no reason for its due time"
    assert why.group(1).strip() == "1 жұмыс күні, жұмыс уақыты бойынша есептеледі: Дс–Жм 09:00–20:00"
    assert ' lang="en">1 working day' not in html


def test_the_receipt_carries_the_reasons_of_its_due_date(accepted):
    html = login("psc-hall-inspector", lang="kk").get(reverse("staff:receipt", args=[accepted.pk])).content.decode()
    assert [day for day, _ in closed_days(html)] == ["2025-03-21", "2025-03-24", "2025-03-25"]
    assert "Наурыз мейрамы" in html


def test_the_citizen_sees_the_same_closed_days_in_kazakh(accepted, client):
    client.cookies["qyzmet_language"] = "kk"
    html = client.post("/my-application", {"number": accepted.number, "iin": IIN}).content.decode()
    assert closed_days(html)[0] == ("2025-03-21", "Наурыз мейрамы")
    assert "келесі жұмыс күніне ауыстырылған демалыс" in html


def test_a_day_off_recorded_after_the_term_was_set_leaves_the_date_and_says_so(accepted):
    CalendarException.objects.create(day=dt.date(2025, 4, 2), kind="holiday", source="test decree",
                                     name="Тест демалысы")
    html = login("psc-hall-inspector").get(reverse("staff:case", args=[accepted.pk])).content.decode()
    accepted.refresh_from_db()
    assert "8 апреля 2025" in html  # the term stands as it was set
    assert "календарь учреждения изменился" in html
    assert 'class="q-list term-closed"' not in html  # today's closed days would not explain the old date


def test_a_term_without_holidays_says_none_is_stepped_over(clock, directory):
    clock.at = dt.datetime(2025, 10, 6, 10, 0, tzinfo=clock.at.tzinfo)  # no holiday from 6 to 21 October
    case = register_and_accept()
    html = login("psc-hall-inspector", lang="en").get(reverse("staff:case", args=[case.pk])).content.decode()
    assert "No weekday inside the term is a holiday." in html


# --- the pieces -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "reason", "expected"), [
    ("kk", "Independence Day", "Тәуелсіздік күні"),
    ("ru", "Victory Day (observed)", "День Победы, выходной перенесён на следующий рабочий день"),
    ("ru", "Day off (substituted from 01/05/2025)", "выходной день, перенесённый с 5 января 2025 г."),
    ("kk", "Eid al-Adha (estimated); Nowruz Holiday", "Құрбан айт (болжамды күн); Наурыз мейрамы"),
    ("ru", "Указ № 123 от 01.02.2030", "Указ № 123 от 01.02.2030"),  # a decree's own wording stays as written
    ("en", "day off", "day off"),
])
def test_closed_day_reasons_are_named_in_the_page_language(lang, reason, expected):
    with translation.override(lang):
        assert closed_reason(reason) == expected


def test_working_hours_group_weekdays_with_the_same_hours():
    with translation.override("en"):
        assert working_hours(BUILTIN_SCHEDULES["department"]) == "Mon–Fri 09:00–13:00, 14:00–18:00"
        assert working_hours(BUILTIN_SCHEDULES["psc"]) == "Mon–Fri 09:00–20:00; Sat 09:00–13:00"
        split = Schedule.from_text("x", {"mon": ["09:00-18:00"], "tue": ["09:00-18:00"], "thu": ["09:00-18:00"]})
        assert working_hours(split) == "Mon–Tue 09:00–18:00; Thu 09:00–18:00"
    with translation.override("ru"):
        assert working_hours(BUILTIN_SCHEDULES["psc"]) == "Пн–Пт 09:00–20:00; Сб 09:00–13:00"
