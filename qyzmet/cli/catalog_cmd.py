"""``qyzmet catalog list|show|diagram|doc``: the shipped regulations, readable by people and tools."""

from __future__ import annotations

import argparse
from pathlib import Path

from qyzmet.cli.common import UsageError, print_json
from qyzmet.cli.timeline_cmd import load_regulation
from qyzmet.core.loader import RegulationLoadError, shipped_catalog

LANGS = ("kk", "ru", "en")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("catalog", help="list, show and draw the regulations of the catalog")
    inner = p.add_subparsers(dest="catalog_command", metavar="ACTION")
    inner.required = True

    lst = inner.add_parser("list", help="every regulation: id, service, names, act, routes")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    lst.set_defaults(func=run_list)

    show = inner.add_parser("show", help="a readable summary of one regulation, with cites")
    show.add_argument("regulation", metavar="ID")
    show.add_argument("--lang", choices=LANGS, default="kk")
    show.set_defaults(func=run_show)

    diagram = inner.add_parser("diagram", help="swimlane diagram of a route (SVG) or BPMN 2.0 XML")
    diagram.add_argument("regulation", metavar="ID")
    diagram.add_argument("--route", default="main")
    diagram.add_argument("-o", "--output", required=True, type=Path, help="file to write (.svg or .bpmn)")
    diagram.add_argument("--format", choices=("svg", "bpmn"), default=None,
                         help="default: from the file's extension (svg unless .bpmn/.xml)")
    diagram.add_argument("--lang", choices=LANGS, default="kk")
    diagram.set_defaults(func=run_diagram)

    doc = inner.add_parser("doc", help="write docs/catalog.md (coverage, terms, findings, known defects)")
    doc.add_argument("-o", "--output", type=Path, default=Path("docs/catalog.md"))
    doc.set_defaults(func=run_doc)


def _regulations():
    try:
        return sorted(shipped_catalog().regulations, key=lambda r: (r.id, r.version))
    except RegulationLoadError as exc:
        raise UsageError(f"the catalog cannot be loaded:\n{exc}") from None


def entry(reg) -> dict:
    act = reg.act
    return {
        "id": reg.id, "version": reg.version, "service": reg.service,
        "name": {"kk": reg.name.kk, "ru": reg.name.ru, "en": reg.name.en},
        "act": {"kind": act.kind.en or act.kind.kk, "number": act.number, "issuer": act.issuer.en or act.issuer.kk,
                "adopted": act.adopted.isoformat(),
                "in_force_from": act.in_force_from.isoformat() if act.in_force_from else None,
                "in_force_to": act.in_force_to.isoformat() if act.in_force_to else None,
                "source": act.source.seed},
        "routes": list(reg.routes),
    }


def run_list(args: argparse.Namespace) -> int:
    regs = _regulations()
    if args.format == "json":
        print_json([entry(r) for r in regs])
        return 0
    width = max(len(r.id) for r in regs)
    for r in regs:
        print(f"{r.id:<{width}}  {','.join(r.routes):<22} {r.name.get('kk')}")
    print(f"{len(regs)} regulations, {len({r.service for r in regs})} services")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from qyzmet.core.summary import summary

    print(summary(load_regulation(args.regulation), args.lang))
    return 0


def run_diagram(args: argparse.Namespace) -> int:
    from qyzmet.core.diagram import bpmn_xml, swimlane_svg

    reg = load_regulation(args.regulation)
    if args.route not in reg.routes:
        raise UsageError(f"{reg.id} has no route {args.route!r} (routes: {', '.join(reg.routes)})")
    fmt = args.format or ("bpmn" if args.output.suffix.lower() in (".bpmn", ".xml") else "svg")
    text = bpmn_xml(reg, args.route, args.lang) if fmt == "bpmn" else swimlane_svg(reg, args.route, args.lang)
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"{args.output} ({fmt}, {len(reg.route(args.route).steps)} steps)")
    return 0


def run_doc(args: argparse.Namespace) -> int:
    from qyzmet.core.catalog_doc import catalog_markdown

    args.output.write_text(catalog_markdown(_regulations()), encoding="utf-8")
    print(args.output)
    return 0
