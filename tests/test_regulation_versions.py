"""Regulation versions: new cases follow the version in force on their submission day, running cases stay on
theirs, overlapping in-force ranges are a lint error, and ``qyzmet catalog migrate`` moves open cases.

The fixtures (tests/fixtures/versions/) are two versions of a test copy of Aktogay prosthetic-docs: v1 in force
01.01–30.06.2026; v2 from 01.07.2026 with a 7-working-day term, a 2-day step 2 and the sector head's step 3
gone (steps: 1 specialist, 2 specialist, 3 head, 4 specialist).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from qyzmet.cases import services, workflow
from qyzmet.cases.models import Case, Task
from qyzmet.cli import main
from qyzmet.core import engine
from qyzmet.core.calendar import parse_instant
from qyzmet.core.engine import CompleteStep, Submit
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import Catalog, load_file
from qyzmet.recompute import versions
from qyzmet.recompute.in_force import in_force

FIXTURES = Path(__file__).parent / "fixtures" / "versions"
REG = "versions-test/prosthetic-docs"
IIN = make_iin(dt.date(1970, 2, 3), "female", 55)
DOCS = ("application", "id-copy", "irp-extract")


@pytest.fixture(scope="module")
def v1():
    return load_file(FIXTURES / "versions-test" / "prosthetic-docs.yaml", FIXTURES)


@pytest.fixture(scope="module")
def v2():
    return load_file(FIXTURES / "versions-test" / "prosthetic-docs.v2.yaml", FIXTURES)


def test_the_version_in_force_on_the_submission_day(v1, v2):
    assert in_force([v1, v2], dt.date(2026, 6, 30)) is v1
    assert in_force([v1, v2], dt.date(2026, 7, 1)) is v2
    assert in_force([v2, v1], dt.date(2030, 1, 1)) is v2
    assert in_force([v1, v2], dt.date(2025, 12, 31)) is v1  # before every version: the earliest
    assert in_force([v1], dt.date(2030, 1, 1)) is v1  # one version: the act as encoded, whatever its dates


@pytest.mark.django_db
def test_intake_takes_the_version_in_force_that_day(monkeypatch, v1, v2):
    monkeypatch.setattr(workflow, "shipped_catalog", lambda: Catalog((v1, v2)))
    row, reg = workflow._reg_row(REG, dt.date(2026, 6, 30))
    assert (row.version, reg.version) == (1, 1)
    row, reg = workflow._reg_row(REG, dt.date(2026, 7, 1))
    assert (row.version, reg.version) == (2, 2)


def test_overlapping_in_force_ranges_and_a_repeated_version_are_lint_errors(tmp_path, capsys):
    folder = tmp_path / "versions-test"
    shutil.copytree(FIXTURES / "versions-test", folder)
    v2 = folder / "prosthetic-docs.v2.yaml"
    v2.write_text(v2.read_text(encoding="utf-8").replace("in_force_from: 2026-07-01", "in_force_from: 2026-06-01"),
                  encoding="utf-8")
    assert main(["lint", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "overlapping-versions" in x)
    assert "prosthetic-docs.yaml (v1, in force 2026-01-01 – 2026-06-30)" in line
    assert "prosthetic-docs.v2.yaml (v2, in force 2026-06-01 – …)" in line
    (folder / "copy.yaml").write_text((folder / "prosthetic-docs.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["lint", str(tmp_path)]) == 1
    assert "duplicate-version" in capsys.readouterr().out


def test_the_shipped_catalog_has_no_version_errors(capsys):
    assert main(["lint"]) == 0
    assert "overlapping-versions" not in capsys.readouterr().out


# --- migration ---------------------------------------------------------------------------------------------

@pytest.fixture
def cases(db, v1, v2):
    """On v1, submitted Mon 22.06.2026 10:00: A at step 2 (term 10 working days → Tue 07.07 18:00, 06.07 Capital
    Day; step 2 3 working days → Thu 25.06 18:00); B at step 3, the sector head's, which v2 no longer has."""
    row1 = services.register_regulation(v1)
    services.register_regulation(v2)
    start = parse_instant("2026-06-22T10:00")
    made = []
    for steps in (1, 2):
        case = services.submit(row1, Submit("main", IIN, "general-disease", DOCS), start).case
        for n in range(1, steps + 1):
            services.apply_event(case, CompleteStep(n), start + dt.timedelta(minutes=10 * n))
        case.refresh_from_db()
        made.append(case)
    return made


def test_dry_run_lists_the_cases_and_how_their_dates_change(cases, capsys):
    a, b = cases
    assert a.term_due == parse_instant("2026-07-07T18:00") and a.step_due == parse_instant("2026-06-25T18:00")
    code = main(["catalog", "migrate", REG, "--from", "1", "--to", "2", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 1  # one case cannot move automatically
    assert "route main: step 1 (specialist): unchanged; step 2 (specialist): 3 working days → 2 working days; " \
           "step 3: sector-head → head" in out
    # 7 working days from 22.06: 23, 24, 25, 26, 29, 30.06, 01.07; step 2's 2 days: 23, 24.06.
    assert (f"{a.number}: would move, route main step 2 (specialist); term 2026-07-07 18:00 → 2026-07-01 18:00; "
            "step due 2026-06-25 18:00 → 2026-06-24 18:00") in out
    assert f"{b.number}: cannot move automatically — step 3 (sector-head) has no counterpart in v2 (its step 3 " \
           "is head's)" in out
    a.refresh_from_db()
    assert a.regulation.version == 1 and a.term_due == parse_instant("2026-07-07T18:00")  # nothing changed


def test_migrate_moves_the_case_with_an_audit_entry_and_it_replays(cases):
    a, b = cases
    plan = versions.migrate(REG, 1, 2, note="Order No. 9 of 30.06.2026", now=parse_instant("2026-06-23T09:00"))
    assert [m.number for m in plan.movable] == [a.number]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.regulation.version == 2 and b.regulation.version == 1
    assert a.term_due == parse_instant("2026-07-01T18:00") and a.step_due == parse_instant("2026-06-24T18:00")
    assert Task.objects.get(case=a, closed_at__isnull=True).due == parse_instant("2026-06-24T18:00")
    entry = a.events.get(kind="regulation-migrated")
    assert (entry.payload["from_version"], entry.payload["to_version"], entry.payload["note"]) == (
        1, 2, "Order No. 9 of 30.06.2026")
    assert versions.replay(a) == engine.state_from_dict(a.state)
    with pytest.raises(engine.EngineError, match="migrated"):
        services.replay_case(a)  # the plain replay has only one version: it says so rather than guess
    # The case goes on under v2: its step 3 is now the head's.
    services.apply_event(a, CompleteStep(2), parse_instant("2026-06-23T11:00"))
    a.refresh_from_db()
    assert Task.objects.get(case=a, closed_at__isnull=True).role == "head"
    assert versions.replay(a) == engine.state_from_dict(a.state)
    assert Case.objects.filter(regulation__version=1, status="in-progress").count() == 1


def test_bad_versions_are_named(cases, capsys):
    assert main(["catalog", "migrate", REG, "--from", "1", "--to", "7", "--dry-run"]) == 2
    assert "--to:" in capsys.readouterr().err
    assert main(["catalog", "migrate", REG, "--from", "1", "--to", "1"]) == 2
    assert "--to:" in capsys.readouterr().err
