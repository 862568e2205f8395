"""Loading regulation files: errors name the file, the line and the field path."""

from __future__ import annotations

from pathlib import Path

import pytest

from qyzmet.core.loader import RegulationLoadError, load_catalog, load_file, load_text
from tests.conftest import AKTOGAY

SOURCE = AKTOGAY.read_text(encoding="utf-8")


def problems(text: str, name: str = "reg.yaml") -> list:
    with pytest.raises(RegulationLoadError) as err:
        load_text(text, name)
    return err.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_reference_file_loads_with_a_content_hash(aktogay):
    assert aktogay.id == "aktogay-2013/prosthetic-docs"
    assert len(aktogay.content_hash) == 64
    assert set(aktogay.routes) == {"main", "psc"}


def test_comments_do_not_change_the_content_hash(aktogay):
    again = load_text("# a reviewer's note\n" + SOURCE, "copy.yaml")
    assert again.content_hash == aktogay.content_hash


def test_an_unknown_field_is_named_with_its_line():
    anchor = "    channel: provider\n    cite: \"annex 2, table 1 (main process)\"\n"
    text = SOURCE.replace(anchor, anchor + "    chanel_note: x\n", 1)
    assert text != SOURCE
    [p] = problems(text)
    assert p.message == "unknown field"
    assert p.field.endswith(".chanel_note")
    assert p.line == line_of(text, "chanel_note")
    assert str(p).startswith(f"reg.yaml:{p.line}: routes.main.chanel_note")


def test_an_unreadable_duration_points_at_the_step():
    text = SOURCE.replace("duration: 15 minutes", "duration: 15 moments", 1)
    [p] = problems(text)
    assert "unknown unit in duration '15 moments'" in p.message
    assert p.field.startswith("routes.main.steps[0].duration")
    assert p.line == line_of(text, "15 moments")


def test_a_missing_required_field_is_reported():
    text = SOURCE.replace("service: prosthetic-docs\n", "", 1)
    [p] = problems(text)
    assert p.field == "service" and p.message == "required field is missing"


def test_invalid_yaml_gives_the_line():
    text = SOURCE.replace("routes:\n", "routes:\n  main: [unclosed\n", 1)
    [p] = problems(text)
    assert "not valid YAML" in p.message and p.line is not None


def test_duplicate_keys_are_not_silently_merged():
    text = SOURCE.replace("version: 1\n", "version: 1\nversion: 2\n", 1)
    found = problems(text)
    assert any(p.message == "duplicate key" and p.field == "version" for p in found)


def test_the_id_must_match_the_file_place(tmp_catalog: Path):
    folder = tmp_catalog / "aktogay-2013"
    folder.mkdir()
    path = folder / "other-name.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    with pytest.raises(RegulationLoadError) as err:
        load_file(path, tmp_catalog)
    assert "aktogay-2013/other-name" in str(err.value)


def test_a_missing_file_is_a_load_error_not_a_traceback(tmp_path: Path):
    with pytest.raises(RegulationLoadError, match="cannot read"):
        load_file(tmp_path / "nope.yaml")


def test_the_catalog_reports_every_broken_file_at_once(tmp_catalog: Path):
    (tmp_catalog / "a.yaml").write_text("id: [", encoding="utf-8")
    (tmp_catalog / "b.yaml").write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(RegulationLoadError) as err:
        load_catalog(tmp_catalog)
    files = {p.file for p in err.value.problems}
    assert len(files) == 2


def test_kazakh_letters_survive_loading(aktogay):
    text = aktogay.name.kk
    assert any(ch in text for ch in "әғқңөұүһі")
