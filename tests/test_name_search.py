"""The office case list's name search (``?q=``) comes from an index, and finds Kazakh and Russian names in any
letter case — SQLite's FTS5 trigram table, PostgreSQL's pg_trgm indexes (qyzmet/cases/name_search.py).

Run on PostgreSQL too: ``DATABASE_URL=postgres://qyzmet:qyzmet@127.0.0.1:5432/h_scale``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from qyzmet.cases import services
from qyzmet.cases.access import Actor, case_search, office_cases, search_condition
from qyzmet.cases.models import Case
from qyzmet.core.calendar import parse_instant
from qyzmet.core.engine import Submit
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD
from qyzmet.directory.models import Office

pytestmark = pytest.mark.django_db

REG = "aktogay-2013/prosthetic-docs"
DEPT = "aktogay-2013-provider"
PSC = "aktogay-2013-psc"
OTHER = "ulytau-2012-provider"

NAMES = ["Әлия Қанатқызы", "Ұлан Өтегенов", "Ғалым Ңұрсейітов", "Іңкәр Үсенова", "Һидаят Әбілқасымов",
         "Иванова Мария Петровна", "Ёлкина Ирина"]


def _submit(name: str, office: Office, serial: int, **details: str) -> Case:
    reg = next(r for r in shipped_catalog().regulations if r.id == REG)
    row = services.register_regulation(reg)
    iin = make_iin(dt.date(1970, 1, 1) + dt.timedelta(days=serial * 97), "female", 100 + serial)
    return services.submit(row, Submit("psc", iin, "general-disease", ("application",)),
                           parse_instant(f"2026-03-{2 + serial:02d}T10:00"), office=office,
                           provider_office=office if office.code != PSC else Office.objects.get(code=DEPT),
                           applicant_name=name, **details).case


@pytest.fixture
def cases(demo_offices) -> dict[str, Case]:
    psc = Office.objects.get(code=PSC)
    made = {name: _submit(name, psc, i) for i, name in enumerate(NAMES)}
    made["representative"] = _submit("Бауыржан Нұрғалиев", psc, len(NAMES), representative_name="Сәуле Ілиясова",
                                     representative_iin=make_iin(dt.date(1980, 5, 5), "female", 55))
    # The same name in an office this account cannot see.
    made["elsewhere"] = _submit("Әлия Қанатқызы", Office.objects.get(code=OTHER), len(NAMES) + 1)
    return made


def found(q: str, *, status: str = "") -> set[str]:
    """The application numbers the Aktogay department head's case list shows for ``q``."""
    client = Client()
    assert client.login(username=f"{DEPT}.head", password=DEMO_PASSWORD)
    client.cookies["qyzmet_language"] = "en"
    response = client.get(reverse("staff:cases"), {"q": q, "status": status})
    assert response.status_code == 200
    page = response.content.decode()
    return {c.number for c in Case.objects.all() if f">{c.number}</a>" in page}


@pytest.mark.parametrize(("q", "name"), [
    ("әлия", "Әлия Қанатқызы"),        # lower case finds the capital Ә
    ("ӘЛИЯ ҚАНАТ", "Әлия Қанатқызы"),   # upper case, across the space
    ("анатқы", "Әлия Қанатқызы"),       # inside a word, as icontains did
    ("ұлан", "Ұлан Өтегенов"),
    ("ӨТЕГЕН", "Ұлан Өтегенов"),
    ("ғалым ң", "Ғалым Ңұрсейітов"),
    ("ңұрсейіт", "Ғалым Ңұрсейітов"),
    ("ІҢКӘР", "Іңкәр Үсенова"),
    ("үсенов", "Іңкәр Үсенова"),
    ("һидаят", "Һидаят Әбілқасымов"),
    ("иванова", "Иванова Мария Петровна"),
    ("ПЕТРОВНА", "Иванова Мария Петровна"),
    ("ёлкин", "Ёлкина Ирина"),
])
def test_a_kazakh_or_russian_name_is_found_in_any_letter_case(cases, q, name):
    assert found(q) == {cases[name].number}


def test_the_representatives_name_finds_the_case(cases):
    assert found("сәуле ілияс") == {cases["representative"].number}


def test_letters_that_are_not_in_any_name_find_nothing(cases):
    assert found("елкина") == set()  # е is not ё: no letter is folded into another, as before
    assert found("Қанатұлы") == set()


def test_another_offices_case_with_the_same_name_is_not_shown(cases):
    assert cases["elsewhere"].number not in found("Қанатқызы")


def test_the_status_filter_applies_to_a_name_search(cases):
    refused = cases["Ұлан Өтегенов"]
    Case.objects.filter(pk=refused.pk).update(status=Case.Status.ACCEPTANCE_REFUSED)
    assert found("өтеген", status="acceptance-refused") == {refused.number}
    assert found("өтеген", status="submitted") == set()


def test_one_or_two_letters_still_search_as_before(cases):
    # The trigram index needs three letters; shorter searches read the office's cases with LIKE.
    assert cases["Һидаят Әбілқасымов"].number in found("Һи")


def test_quotes_and_like_wildcards_are_plain_letters(cases):
    assert found('"әлия') == set()
    assert found("%ли_") == set()


def test_the_index_follows_new_renamed_and_deleted_cases(cases):
    # The triggers (SQLite) keep the index in step with the table; a later migration that rebuilt
    # cases_case without them would fail here.
    new = _submit("Жанар Серікбаева", Office.objects.get(code=PSC), 20)
    assert found("серікбаев") == {new.number}
    Case.objects.filter(pk=new.pk).update(applicant_name="Жанар Төлеуова")
    assert found("серікбаев") == set() and found("төлеуова") == {new.number}
    case = Case.objects.get(pk=new.pk)
    case.status = Case.Status.IN_PROGRESS  # a save that leaves the names alone keeps the case findable
    case.save()
    assert found("төлеуова") == {new.number}
    # Cases are never deleted (their events are protected); a bare row shows the index forgets one.
    bare = Case.objects.create(number="Q2026-9999999", regulation=case.regulation, route="psc", channel="psc",
                               office=case.office, provider_office=case.provider_office,
                               applicant_iin=case.applicant_iin,
                               applicant_name="Жанар Төлеуова", category="general-disease",
                               submitted_at=case.submitted_at, state={})
    assert found("төлеуова") == {new.number, bare.number}
    bare.delete()
    assert found("төлеуова") == {new.number}


# --- the plan: the names' index, not a walk of the office's cases ----------------------------------------

def _actor() -> Actor:
    office = Office.objects.get(code=DEPT)
    return Actor(user_id=1, username="dept.head", full_name="Head", office_id=office.pk, office_code=DEPT,
                 office_kind="provider", roles=frozenset({"head"}))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's full-text table")
@pytest.mark.parametrize("status", ["", "submitted"])
def test_sqlite_reads_the_matches_from_the_full_text_table(cases, status):
    text = office_cases(_actor(), q="қанатқызы", status=status)[:50].explain()
    assert "VIRTUAL TABLE" in text and "USING INTEGER PRIMARY KEY" in text, text
    # No index walk over the office's cases (received or worked here) checking each against the matches.
    assert "office_id=?" not in text and "provider_office_id=?" not in text, text
    assert "cases_case_names" in str(case_search(_actor(), "қанатқызы").query)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_postgresql_answers_the_name_condition_from_the_trigram_indexes(cases):
    # The indexes are on the expression Django writes for icontains; if they were not, no setting would
    # make the planner use them.  With a handful of rows it would rightly scan, hence enable_seqscan off
    # (at 100k-1M cases bench/scale.py shows the planner choosing them by itself for a rare name).
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            text = Case.objects.filter(search_condition("қанатқызы")).explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "cases_case_applicant_name_trgm" in text and "cases_case_representative_name_trgm" in text, text
    assert "ҚАНАТҚЫЗЫ" in text  # folded by UPPER under the database's UTF-8 ctype
