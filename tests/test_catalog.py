"""Every regulation of the catalog: loads, lints without errors, runs every route, draws every route."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from qyzmet.cli import main
from qyzmet.core import engine
from qyzmet.core.calendar import parse_instant
from qyzmet.core.catalog_doc import catalog_markdown
from qyzmet.core.diagram import END_EVENT, START_EVENT, bpmn_xml, swimlane_svg
from qyzmet.core.iin import make_iin
from qyzmet.core.lint import lint
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.timeline import plan, result_choices

CATALOG = sorted(shipped_catalog().regulations, key=lambda r: r.id)
ROUTES = [pytest.param(reg, route, id=f"{reg.id}:{route}") for reg in CATALOG for route in reg.routes]
GOLDEN_TERMS = Path(__file__).parent / "golden" / "terms"
IIN = make_iin(dt.date(1958, 11, 2), "female", 7)
START = parse_instant("2025-03-19T10:00")
SVG = "{http://www.w3.org/2000/svg}"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def rid(reg) -> str:
    return reg.id


@pytest.mark.parametrize("reg", CATALOG, ids=rid)
def test_no_lint_errors(reg):
    errors = [f"{f.code}: {f.message}" for f in lint(reg) if f.severity == "error"]
    assert errors == []


def walk(reg, route_code, *, refuse=False):
    cat = reg.categories[0] if reg.categories else None
    anonymous = cat is not None and cat.identity == "personal-code"
    state, _ = engine.apply(reg, None, engine.Submit(route_code, "" if anonymous else IIN, cat.code if cat else "any",
                                                     tuple(cat.documents) if cat else (),
                                                     personal_code="ABCDE-FGH23" if anonymous else ""), START)
    now = START
    route = reg.route(route_code)
    choices = result_choices(reg, route.channel)
    for step in route.steps:
        now = max(now, state.step_due or now)
        if step.decides:
            decision = engine.Decide("refusal", (reg.refusal_grounds[0].code,)) if refuse \
                else engine.Decide("positive", result=choices[0][0].code if choices else None)
            state, _ = engine.apply(reg, state, decision, now)
        state, effects = engine.apply(reg, state, engine.CompleteStep(step.n), now)
    return state, effects


@pytest.mark.parametrize("reg, route", ROUTES)
def test_every_route_runs_end_to_end(reg, route):
    state, effects = walk(reg, route)
    assert state.status is engine.Status.ISSUED
    assert effects[-1].kind == "result-issued"
    planned = plan(reg, route, START)
    # The engine and the timeline command agree: doing every step at its planned due instant gives the
    # planned term (from submission, or from consent for a proactive service).
    assert state.term_due == (planned.term.due if planned.term else None)
    overrun = any(f.code == "term-overrun" and f.where == f"routes.{route}" for f in lint(reg))
    if state.term_due is not None and not overrun:
        assert state.in_term() is True, "doing every step on time must meet the term"


@pytest.mark.parametrize("reg, route", [p for p in ROUTES if p.values[0].refusal_grounds])
def test_every_route_can_end_in_a_reasoned_refusal(reg, route):
    state, effects = walk(reg, route, refuse=True)
    assert state.outcome == "refusal" and effects[-1].data["result"]


@pytest.mark.parametrize("reg", [r for r in CATALOG if r.acceptance_refusal_grounds], ids=rid)
def test_acceptance_can_be_refused_on_the_acts_ground(reg):
    route = "psc" if "psc" in reg.routes else "main"
    cat = reg.categories[0] if reg.categories else None
    state, _ = engine.apply(reg, None, engine.Submit(route, IIN, cat.code if cat else "any", ()), START)
    ground = reg.acceptance_refusal_grounds[0]
    state, effects = engine.apply(reg, state, engine.RefuseAcceptance(ground.code), START)
    assert state.status is engine.Status.ACCEPTANCE_REFUSED
    assert effects[0].data["cite"] == ground.cite


def golden_terms():
    for path in sorted(GOLDEN_TERMS.glob("*.yaml")):
        reg_id = path.stem.replace("--", "/")
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            yield pytest.param(reg_id, case, id=f"{reg_id}:{case['route']}@{case['at']}")


@pytest.mark.parametrize("reg_id, case", list(golden_terms()))
def test_term_against_a_date_worked_out_by_hand(reg_id, case):
    reg = shipped_catalog().get(reg_id)  # a golden file for a regulation not in the catalog fails here
    result = plan(reg, case["route"], parse_instant(str(case["at"])))
    if case["expect"] is None:  # the act fixes no countable total term
        assert result.term is None
    else:
        assert result.term is not None
        assert result.term.due.isoformat() == case["expect"], case.get("why")


@pytest.mark.parametrize("reg, route", ROUTES)
def test_svg_has_a_lane_per_role_and_every_step_in_its_roles_lane(reg, route):
    root = ET.fromstring(swimlane_svg(reg, route, "kk"))
    lanes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "lane":
            rect = g.find(f"{SVG}rect")
            lanes[g.get("data-role")] = (float(rect.get("y")), float(rect.get("y")) + float(rect.get("height")))
    steps = [g for g in root.iter(f"{SVG}g") if g.get("class") == "step"]
    assert set(lanes) == {s.role or "?" for s in reg.route(route).steps}
    assert len(steps) == len(reg.route(route).steps)
    for g in steps:
        y = float(g.find(f"{SVG}rect").get("y"))
        top, bottom = lanes[g.get("data-role")]
        assert top <= y < bottom


@pytest.mark.parametrize("reg, route", ROUTES)
def test_bpmn_is_a_connected_process_with_every_task_in_one_lane(reg, route):
    root = ET.fromstring(bpmn_xml(reg, route, "ru"))
    process = root.find(f"{BPMN}process")
    tasks = {t.get("id") for t in process.iter(f"{BPMN}userTask")}
    assert len(tasks) == len(reg.route(route).steps)
    refs = [r.text for r in process.iter(f"{BPMN}flowNodeRef")]
    assert sorted(refs) == sorted([*tasks, START_EVENT, END_EVENT])
    flows = [(f.get("sourceRef"), f.get("targetRef")) for f in process.iter(f"{BPMN}sequenceFlow")]
    node, seen = START_EVENT, []
    nexts = dict(flows)
    while node in nexts:
        node = nexts[node]
        seen.append(node)
    assert node == END_EVENT and len(seen) == len(tasks) + 1
    shapes = {s.get("bpmnElement") for s in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")}
    assert tasks <= shapes


def test_catalog_list_json(capsys):
    assert main(["catalog", "list", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == [r.id for r in CATALOG]
    for d in data:
        assert {"id", "service", "name", "act", "routes"} <= set(d)
        assert d["name"]["kk"] and d["name"]["ru"] and "main" in d["routes"]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_catalog_show_in_each_language(lang, capsys):
    assert main(["catalog", "show", CATALOG[0].id, "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert CATALOG[0].name.get(lang) in out and "[cl." in out


def test_catalog_diagram_writes_svg_and_bpmn(tmp_path: Path, capsys):
    reg = CATALOG[0]
    assert main(["catalog", "diagram", reg.id, "--route", "main", "-o", str(tmp_path / "d.svg")]) == 0
    assert main(["catalog", "diagram", reg.id, "--route", "main", "-o", str(tmp_path / "d.bpmn")]) == 0
    assert (tmp_path / "d.svg").read_text(encoding="utf-8").startswith("<svg")
    assert "bpmn:definitions" in (tmp_path / "d.bpmn").read_text(encoding="utf-8")
    assert main(["catalog", "diagram", reg.id, "--route", "teleport", "-o", str(tmp_path / "x.svg")]) == 2


def test_docs_catalog_is_current():
    doc = Path(__file__).parent.parent / "docs" / "catalog.md"
    assert doc.read_text(encoding="utf-8") == catalog_markdown(CATALOG), "run: qyzmet catalog doc"
