"""Deadlines against a golden set worked out by hand from official holiday lists and transfer decrees.

tests/golden/calendar_kz.yaml was written without looking at the ``holidays`` package or this code;
each case shows its counting and its source.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from qyzmet.core.calendar import calendar_for, parse_instant

GOLDEN = yaml.safe_load((Path(__file__).parent / "golden" / "calendar_kz.yaml").read_text(encoding="utf-8"))
DEADLINES = [c for c in GOLDEN if "duration" in c]
DAYS = [c for c in GOLDEN if "working" in c]


def _id(case: dict) -> str:
    if "duration" in case:
        return f"{case['at']}+{case['duration']}@{case['schedule']}"
    return f"{case['date']}@{case['schedule']}"


def test_golden_set_is_large_and_spans_the_years():
    years = {str(c.get("at") or c.get("date"))[:4] for c in GOLDEN}
    assert len(GOLDEN) >= 100
    assert {str(y) for y in range(2013, 2027)} <= years


@pytest.mark.parametrize("case", DEADLINES, ids=_id)
def test_deadline(case):
    cal = calendar_for(case["schedule"])
    due = cal.add(parse_instant(case["at"]), case["duration"])
    assert due.isoformat() == case["expect"], case["why"]


@pytest.mark.parametrize("case", DAYS, ids=_id)
def test_working_day(case):
    cal = calendar_for(case["schedule"])
    day = case["date"] if isinstance(case["date"], dt.date) else dt.date.fromisoformat(case["date"])
    assert cal.is_working(day) is case["working"], case["why"]
