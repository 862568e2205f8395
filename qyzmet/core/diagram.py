"""Swimlane diagrams of a route: SVG for people, BPMN 2.0 XML for modelling tools.

The acts' own "functional interaction schemes" were lost from the texts (only their titles survive);
these are rebuilt from the step tables: one lane per role, the steps in order, each with its duration
and cite.  Plain string building — no Graphviz or other system binary.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

from qyzmet.core.regulation import Regulation, Route
from qyzmet.core.summary import duration_label

LANE_LABEL_W = 200
COL_W = 190
BOX_W = 170
LANE_H = 120
BOX_H = 96
HEADER_H = 56
MARGIN = 20
# Not "Start"/"End": SpiffWorkflow names its own start and end task specs so, and a BPMN node with the
# same id left its process without a way in ("No output task connected").
START_EVENT = "StartEvent_1"
END_EVENT = "EndEvent_1"


@dataclass(frozen=True)
class Lane:
    role: str
    label: str


def lanes_of(reg: Regulation, route: Route, lang: str) -> list[Lane]:
    """Roles in the order they first act in the route."""
    lanes: list[Lane] = []
    for step in route.steps:
        code = step.role or "?"
        if all(lane.role != code for lane in lanes):
            role = reg.role(code)
            lanes.append(Lane(code, role.name.get(lang) if role else code))
    return lanes


def _lines(text: str, width: int, limit: int) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(lines) > limit:
        lines = lines[:limit]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def swimlane_svg(reg: Regulation, route_code: str, lang: str = "kk") -> str:
    route = reg.route(route_code)
    lanes = lanes_of(reg, route, lang)
    lane_index = {lane.role: i for i, lane in enumerate(lanes)}
    width = MARGIN * 2 + LANE_LABEL_W + COL_W * len(route.steps)
    height = MARGIN * 2 + HEADER_H + LANE_H * len(lanes)
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
        "orient='auto-start-reverse'><path d='M 0 0 L 10 5 L 0 10 z' fill='#444'/></marker></defs>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    title = f"{reg.name.get(lang)} — {route.name.get(lang)}"
    out.append(f'<text x="{MARGIN}" y="{MARGIN + 16}" font-size="14" font-weight="bold">'
               f"{escape(_lines(title, 150, 1)[0])}</text>")
    out.append(f'<text x="{MARGIN}" y="{MARGIN + 36}" fill="#555">{escape(reg.id)} · {escape(route_code)} · '
               f"{escape(route.cite or '')}</text>")
    top = MARGIN + HEADER_H
    for i, lane in enumerate(lanes):
        y = top + i * LANE_H
        fill = "#f4f7fb" if i % 2 == 0 else "#ffffff"
        out.append(f'<g class="lane" data-role={quoteattr(lane.role)}>')
        out.append(f'<rect x="{MARGIN}" y="{y}" width="{width - 2 * MARGIN}" height="{LANE_H}" fill="{fill}" '
                   'stroke="#9aa7b8"/>')
        out.append(f'<rect x="{MARGIN}" y="{y}" width="{LANE_LABEL_W}" height="{LANE_H}" fill="#e3e9f2" '
                   'stroke="#9aa7b8"/>')
        for j, line in enumerate(_lines(lane.label, 27, 7)):
            out.append(f'<text x="{MARGIN + 8}" y="{y + 18 + j * 14}">{escape(line)}</text>')
        out.append("</g>")
    centres: list[tuple[float, float]] = []
    for k, step in enumerate(route.steps):
        lane = lane_index[step.role or "?"]
        x = MARGIN + LANE_LABEL_W + k * COL_W + (COL_W - BOX_W) / 2
        y = top + lane * LANE_H + (LANE_H - BOX_H) / 2
        centres.append((x, y))
        flags = [name for name in ("accepts", "decides", "issues") if getattr(step, name)]
        stroke = "#b5462f" if step.decides else "#2f5d8a"
        out.append(f'<g class="step" data-n="{step.n}" data-role={quoteattr(step.role or "?")}>')
        out.append(f'<title>{escape(step.action.get(lang))} [{escape(step.cite or "")}]</title>')
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="#ffffff" '
                   f'stroke="{stroke}" stroke-width="1.5"/>')
        out.append(f'<text x="{x + 8:.0f}" y="{y + 16:.0f}" font-weight="bold">{step.n}. '
                   f"{escape(duration_label(step, lang)[:24])}</text>")
        for j, line in enumerate(_lines(step.action.get(lang), 25, 4)):
            out.append(f'<text x="{x + 8:.0f}" y="{y + 32 + j * 13:.0f}">{escape(line)}</text>')
        footer = " · ".join([*flags, step.cite or ""])
        out.append(f'<text x="{x + 8:.0f}" y="{y + BOX_H - 7:.0f}" font-size="9" fill="#666">'
                   f"{escape(_lines(footer, 32, 1)[0])}</text>")
        out.append("</g>")
    for (x1, y1), (x2, y2) in pairwise(centres):
        sx, sy = x1 + BOX_W, y1 + BOX_H / 2
        ex, ey = x2, y2 + BOX_H / 2
        mid = (sx + ex) / 2
        out.append(f'<path d="M {sx:.0f} {sy:.0f} L {mid:.0f} {sy:.0f} L {mid:.0f} {ey:.0f} L {ex:.0f} {ey:.0f}" '
                   'fill="none" stroke="#444" stroke-width="1.2" marker-end="url(#arrow)"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def bpmn_xml(reg: Regulation, route_code: str, lang: str = "kk") -> str:
    """A BPMN 2.0 collaboration: one pool, a lane per role, start → user tasks → end, with diagram layout."""
    route = reg.route(route_code)
    lanes = lanes_of(reg, route, lang)
    lane_index = {lane.role: i for i, lane in enumerate(lanes)}
    proc = "Process_" + _xml_id(f"{reg.id}_{route_code}")
    tasks = [f"Task_{s.n}" for s in route.steps]
    nodes = [START_EVENT, *tasks, END_EVENT]
    flows = list(pairwise(nodes))
    pool_x, pool_y, label_w = 100, 80, 30
    lane_h, col_w, task_w, task_h = 140, 180, 140, 80
    pool_w = label_w + 160 + col_w * (len(tasks) + 1)
    pool_h = lane_h * len(lanes)

    def lane_y(role: str | None) -> int:
        return pool_y + lane_index[role or "?"] * lane_h

    shapes: dict[str, tuple[int, int, int, int]] = {}
    first_lane = lane_y(route.steps[0].role)
    last_lane = lane_y(route.steps[-1].role)
    shapes[START_EVENT] = (pool_x + label_w + 40, first_lane + lane_h // 2 - 18, 36, 36)
    for k, step in enumerate(route.steps):
        x = pool_x + label_w + 120 + k * col_w
        shapes[tasks[k]] = (x, lane_y(step.role) + (lane_h - task_h) // 2, task_w, task_h)
    shapes[END_EVENT] = (pool_x + label_w + 120 + len(tasks) * col_w + 40, last_lane + lane_h // 2 - 18, 36, 36)

    x: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>',
                    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
                    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
                    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
                    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
                    f'id="Definitions_{_xml_id(reg.id)}" targetNamespace="https://qyzmet.kz/regulations" '
                    'exporter="qyzmet" exporterVersion="1">',
                    '  <bpmn:collaboration id="Collaboration_1">',
                    f'    <bpmn:participant id="Participant_1" name={quoteattr(reg.provider.name.get(lang))} '
                    f'processRef="{proc}"/>',
                    "  </bpmn:collaboration>",
                    # Executable: a BPMN engine (SpiffWorkflow, bench/engine.py) runs the route as exported;
                    # "false" made engines refuse the process as a mere sketch.
                    f'  <bpmn:process id="{proc}" name={quoteattr(route.name.get(lang))} isExecutable="true">',
                    '    <bpmn:laneSet id="LaneSet_1">']
    for i, lane in enumerate(lanes):
        x.append(f'      <bpmn:lane id="Lane_{i + 1}" name={quoteattr(lane.label)}>')
        refs = [t for t, s in zip(tasks, route.steps, strict=True) if (s.role or "?") == lane.role]
        if i == lane_index[route.steps[0].role or "?"]:
            refs.insert(0, START_EVENT)
        if i == lane_index[route.steps[-1].role or "?"]:
            refs.append(END_EVENT)
        x.extend(f"        <bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs)
        x.append("      </bpmn:lane>")
    x.append("    </bpmn:laneSet>")
    # quoteattr after cutting: a name may hold quotes, and cutting an escaped text could split an entity.
    x.append(f'    <bpmn:startEvent id="{START_EVENT}" name={quoteattr(reg.name.get(lang)[:60])}>'
             "<bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>")
    for k, step in enumerate(route.steps):
        name = f"{step.n}. {step.action.get(lang)} ({duration_label(step, lang)})"
        doc = f"{step.cite or ''}; role: {step.role}; duration: {duration_label(step, 'en')}"
        x.append(f'    <bpmn:userTask id="{tasks[k]}" name={quoteattr(name)}>')
        x.append(f"      <bpmn:documentation>{escape(doc)}</bpmn:documentation>")
        x.append(f"      <bpmn:incoming>Flow_{k + 1}</bpmn:incoming><bpmn:outgoing>Flow_{k + 2}</bpmn:outgoing>")
        x.append("    </bpmn:userTask>")
    x.append(f'    <bpmn:endEvent id="{END_EVENT}"><bpmn:incoming>Flow_{len(flows)}</bpmn:incoming></bpmn:endEvent>')
    for i, (a, b) in enumerate(flows, 1):
        x.append(f'    <bpmn:sequenceFlow id="Flow_{i}" sourceRef="{a}" targetRef="{b}"/>')
    x.append("  </bpmn:process>")
    x.append('  <bpmndi:BPMNDiagram id="Diagram_1">')
    x.append('    <bpmndi:BPMNPlane id="Plane_1" bpmnElement="Collaboration_1">')
    x.append(f'      <bpmndi:BPMNShape id="Participant_1_di" bpmnElement="Participant_1" isHorizontal="true">'
             f'<dc:Bounds x="{pool_x}" y="{pool_y}" width="{pool_w}" height="{pool_h}"/></bpmndi:BPMNShape>')
    for i in range(len(lanes)):
        x.append(f'      <bpmndi:BPMNShape id="Lane_{i + 1}_di" bpmnElement="Lane_{i + 1}" isHorizontal="true">'
                 f'<dc:Bounds x="{pool_x + label_w}" y="{pool_y + i * lane_h}" width="{pool_w - label_w}" '
                 f'height="{lane_h}"/></bpmndi:BPMNShape>')
    for node, (sx, sy, w, h) in shapes.items():
        x.append(f'      <bpmndi:BPMNShape id="{node}_di" bpmnElement="{node}">'
                 f'<dc:Bounds x="{sx}" y="{sy}" width="{w}" height="{h}"/></bpmndi:BPMNShape>')
    for i, (a, b) in enumerate(flows, 1):
        ax, ay, aw, ah = shapes[a]
        bx, by, _bw, bh = shapes[b]
        start, end = (ax + aw, ay + ah // 2), (bx, by + bh // 2)
        mid = (start[0] + end[0]) // 2
        points = [start, (mid, start[1]), (mid, end[1]), end]
        x.append(f'      <bpmndi:BPMNEdge id="Flow_{i}_di" bpmnElement="Flow_{i}">'
                 + "".join(f'<di:waypoint x="{px}" y="{py}"/>' for px, py in points) + "</bpmndi:BPMNEdge>")
    x.append("    </bpmndi:BPMNPlane>")
    x.append("  </bpmndi:BPMNDiagram>")
    x.append("</bpmn:definitions>")
    return "\n".join(x) + "\n"


def _xml_id(text: str) -> str:
    return "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in text)
