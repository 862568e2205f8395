"""The consistency checker: the acts' real defects, the encoding's errors, and the command's contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qyzmet.cli import main
from qyzmet.core.durations import Duration, Unit
from qyzmet.core.lint import RULES, lint
from qyzmet.core.loader import load_text
from tests.conftest import AKTOGAY, ALMATY_UNEMPLOYED

SOURCE = AKTOGAY.read_text(encoding="utf-8")


def codes(reg) -> set[tuple[str, str]]:
    return {(f.severity, f.code) for f in lint(reg)}


def test_aktogay_has_no_errors_and_shows_the_zero_slack_main_route(aktogay):
    findings = lint(aktogay)
    assert not [f for f in findings if f.severity == "error"]
    slack = [f for f in findings if f.code == "term-no-slack"]
    assert [f.where for f in slack] == ["routes.main"]
    assert "cl. 9.1" in slack[0].cite
    # The PSC route fits: 9 working days + 1 h 15 min against 10 + the uncounted issuance day.
    assert not [f for f in findings if f.code == "term-overrun"]


def test_almaty_unemployed_shows_its_genuine_defects(almaty):
    found = codes(almaty)
    assert ("warning", "mixed-units") in found  # step 5 "10 calendar days" under a 10-working-day term
    assert ("warning", "medium-vs-form") in found  # electronic result, non-automated service
    assert ("warning", "step-without-duration") in found
    assert not {c for s, c in found if s == "error"}


def mutate(old: str, new: str, count: int = 1):
    text = SOURCE.replace(old, new, count)
    assert text != SOURCE, f"{old!r} not found"
    return load_text(text, "mutated.yaml")


def test_steps_longer_than_the_term_are_a_term_overrun():
    reg = mutate("duration: 3 working days", "duration: 5 working days")
    overrun = [f for f in lint(reg) if f.code == "term-overrun"]
    assert overrun and overrun[0].severity == "warning"
    assert "12 working days" in overrun[0].message and "cl. 9.1" in overrun[0].cite


def test_working_day_steps_overrun_a_calendar_day_term(aktogay):
    term = aktogay.terms[0].model_copy(update={"duration": Duration(8, Unit.CALENDAR_DAY)})
    reg = aktogay.model_copy(update={"terms": (term, *aktogay.terms[1:])})
    found = {f.code for f in lint(reg)}
    assert "term-overrun" in found  # 10 working days cannot fit in 8 calendar days
    assert "mixed-units" in found


def test_a_fitting_step_table_raises_no_term_alarm():
    reg = mutate("duration: 3 working days", "duration: 2 working days")
    assert not [f for f in lint(reg) if f.code in ("term-overrun", "term-no-slack") and f.where == "routes.main"]


@pytest.mark.parametrize("old, new, code", [
    ("role: sector-head", "role: deputy-akim", "unknown-role"),
    ("    cite: \"annex 2, table 1, row 2\"", "    cite: \"\"", "missing-cite"),
    ("      - n: 2   #", "      - n: 7   #", "step-numbering"),
    ("produces: [application-journal, talon]", "produces: [application-journal, tallon]", "unknown-reference"),
    ("adopted: 2013-01-30", "adopted: 2014-01-30", "in-force-order"),
    ("Қажетті құжаттармен", "Қажеттi құжаттармен", "mixed-script"),  # a Latin i, as digitised acts often have
])
def test_encoding_errors_are_errors(old, new, code):
    reg = mutate(old, new)
    assert ("error", code) in codes(reg)


def test_missing_russian_text_is_an_error(aktogay):
    name = aktogay.name.model_copy(update={"ru": None})
    reg = aktogay.model_copy(update={"name": name})
    [f] = [f for f in lint(reg) if f.code == "missing-text"]
    assert f.where == "name" and "ru" in f.message


def test_every_finding_code_is_documented():
    doc = (Path(__file__).parent.parent / "docs" / "lint-rules.md").read_text(encoding="utf-8")
    for code in RULES:
        assert f"`{code}`" in doc, code


def test_lint_command_json_contract_and_exit_codes(capsys):
    assert main(["lint", "--format", "json", str(AKTOGAY), str(ALMATY_UNEMPLOYED)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["findings"]
    for finding in data["findings"]:
        assert {"regulation", "severity", "code", "message", "cite"} <= set(finding)
        assert finding["severity"] in ("error", "warning")


def test_lint_command_exits_1_on_errors(tmp_path: Path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SOURCE.replace("role: sector-head", "role: deputy-akim", 1), encoding="utf-8")
    assert main(["lint", str(bad)]) == 1
    assert "unknown-role" in capsys.readouterr().out


def test_lint_command_exits_2_when_input_cannot_be_read(tmp_path: Path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text(SOURCE.replace("version: 1", "version: one", 1), encoding="utf-8")
    assert main(["lint", str(broken), str(tmp_path / "missing.yaml")]) == 2
    out = capsys.readouterr().out
    assert "broken.yaml" in out and "version" in out and "missing.yaml" in out
