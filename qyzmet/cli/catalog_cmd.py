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

    mig = inner.add_parser("migrate", help="move open cases of one regulation version to another (a migration plan)",
                           description="Exit 0: every open case can move (or moved); 1: some cannot move "
                                       "automatically; 2: bad input.")
    mig.add_argument("regulation", metavar="ID")
    mig.add_argument("--from", dest="version_from", required=True, type=int, metavar="V1",
                     help="the version the cases are on")
    mig.add_argument("--to", dest="version_to", required=True, type=int, metavar="V2", help="the version to move to")
    mig.add_argument("--dry-run", action="store_true", help="only show which cases would move and how")
    mig.add_argument("--note", default="", help="why (kept in each case's migration event)")
    mig.add_argument("--format", choices=("text", "json"), default="text")
    mig.set_defaults(func=run_migrate)


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


def run_migrate(args: argparse.Namespace) -> int:
    from qyzmet.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from qyzmet.cases.services import sync_catalog
    from qyzmet.cases.workflow import Invalid
    from qyzmet.recompute import versions

    sync_catalog()
    try:
        if args.dry_run:
            plan = versions.plan(args.regulation, args.version_from, args.version_to)
        else:
            plan = versions.migrate(args.regulation, args.version_from, args.version_to, note=args.note)
    except Invalid as exc:
        raise UsageError(f"--{exc.field}: {exc.message}") from None
    if args.format == "json":
        print_json(plan.as_dict() | {"dry_run": args.dry_run})
    else:
        _print_plan(plan, args.dry_run)
    return 0 if len(plan.movable) == len(plan.moves) else 1


def _when(value) -> str:
    from qyzmet.core.calendar import to_local

    return f"{to_local(value):%Y-%m-%d %H:%M}" if value else "—"


def _print_plan(plan, dry_run: bool) -> None:
    print(f"{plan.reg_id}: v{plan.source[0].version} → v{plan.target.version}"
          f"{' (dry run: nothing changed)' if dry_run else ''}")
    for code, changes in plan.routes.items():
        print(f"  route {code}: " + "; ".join(c.describe() for c in changes))
    verb = "would move" if dry_run else "moved"
    for m in plan.moves:
        if not m.can_move:
            print(f"  {m.number}: cannot move automatically — {m.reason}")
            continue
        print(f"  {m.number}: {verb}, route {m.route} step {m.step} ({m.role}); term {_when(m.term_before)} → "
              f"{_when(m.term_after)}; step due {_when(m.step_due_before)} → {_when(m.step_due_after)}")
    print(f"{len(plan.moves)} open case(s): {len(plan.movable)} {verb}, {len(plan.moves) - len(plan.movable)} "
          "cannot move automatically")
