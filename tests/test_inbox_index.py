"""The inbox query walks an index in due order on SQLite: no sort of all of a person's open tasks.

At 100,000 cases an office has thousands of open tasks; sorting them all for one page of 50 is what
made the inbox of a person holding two roles three times slower than a one-role inbox (bench/web.py).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import connection

from qyzmet.cases.access import Actor, my_tasks

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
