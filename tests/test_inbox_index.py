"""The inbox query walks an index in due order on SQLite: no sort of all of a person's open tasks.

At 100,000 cases an office has thousands of open tasks; sorting them all for one page of 50 is what
made the inbox of a person holding two roles three times slower than a one-role inbox (bench/web.py).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import connection

from qyzmet.cases.access import Actor, case_search, my_tasks

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's"),
]

HEAD = Actor(user_id=1, username="dept.head", full_name="Head", office_id=1, office_code="dept",
             office_kind="provider", roles=frozenset({"head"}))


def plan(actor: Actor) -> str:
    return my_tasks(actor)[:50].explain()


def test_one_role_reads_the_office_role_index_in_due_order():
    text = plan(HEAD)
    assert "cases_task_office__9a02b9_idx" in text and "TEMP B-TREE" not in text


def test_several_roles_walk_the_open_tasks_of_the_office_in_due_order():
    text = plan(replace(HEAD, roles=frozenset({"head", "sector-head", "records-specialist"})))
    assert "task_open_office_due" in text and "TEMP B-TREE" not in text


# --- the office's case search ---------------------------------------------------------------------

def search_plan(q: str) -> str:
    return case_search(HEAD, q).order_by("-submitted_at", "-id")[:50].explain()


@pytest.fixture
def one_case(aktogay):
    from qyzmet.cases import services
    from qyzmet.core.calendar import parse_instant
    from qyzmet.core.engine import Submit

    row = services.register_regulation(aktogay)
    return services.submit(row, Submit("psc", "640914308126", "general-disease", ("application",)),
                           parse_instant("2026-03-02T10:00")).case


@pytest.mark.parametrize("typed", ["{iin}", "{iin_spaced}", "{number}", "{number_lower}"])
def test_an_iin_or_a_number_is_found_by_primary_key_not_by_walking_the_office(one_case, typed):
    iin, number = one_case.applicant_iin, one_case.number
    q = typed.format(iin=iin, iin_spaced=f"{iin[:4]} {iin[4:8]} {iin[8:]}", number=number,
                     number_lower=number.lower())
    text = search_plan(q)
    assert "USING INTEGER PRIMARY KEY" in text and "office_id" not in text


def test_a_name_is_looked_for_in_applicants_and_representatives_of_the_office():
    # The full-text table holds both names (qyzmet/cases/name_search.py; tests/test_name_search.py).
    condition = str(case_search(HEAD, "Нұрғали").query)
    assert "cases_case_names MATCH" in condition and "c.office_id = 1 OR c.provider_office_id = 1" in condition
    short = str(case_search(HEAD, "Нұ").query)  # under three letters: LIKE, as before
    assert '"applicant_name" LIKE' in short and '"representative_name" LIKE' in short
    assert '"office_id" = 1' in short


@pytest.mark.parametrize("status", ["", "in-progress"])
def test_the_office_case_list_merges_two_index_walks_instead_of_sorting_every_case(status):
    from qyzmet.cases.access import office_cases

    text = office_cases(HEAD, status=status)[:50].explain()
    assert "MERGE" in text and "TEMP B-TREE" not in text, text


def test_the_count_takes_a_case_received_and_worked_here_once(aktogay):
    from qyzmet.cases import services
    from qyzmet.cases.access import office_cases
    from qyzmet.core.calendar import parse_instant
    from qyzmet.core.engine import Submit
    from qyzmet.directory.models import Office, Organisation

    org = Organisation.objects.create(code="org", name_kk="Ұйым")
    here, there = (Office.objects.create(organisation=org, code=code, name_kk=code) for code in ("here", "there"))
    row = services.register_regulation(aktogay)
    for serial, (received, worked) in enumerate([(here, here), (here, there), (there, here), (there, there)]):
        services.submit(row, Submit("psc", "640914308126", "general-disease", ("application",)),
                        parse_instant(f"2026-03-0{serial + 2}T10:00"), office=received, provider_office=worked)
    cases = office_cases(replace(HEAD, office_id=here.pk))
    assert cases.count() == 3 == len(cases[:50])
    assert [c["submitted_at"].day for c in cases[:50]] == [4, 3, 2]  # newest first, each case once
