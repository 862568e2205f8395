"""``qyzmet timeline ID --route ROUTE --at ISO``: the planned deadlines of one route."""

from __future__ import annotations

import argparse

from qyzmet.cli.common import UsageError, print_json
from qyzmet.core.calendar import CalendarError, parse_instant
from qyzmet.core.loader import RegulationLoadError, shipped_catalog
from qyzmet.core.timeline import plan


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("timeline", help="planned due instant of every step and of the total term")
    p.add_argument("regulation", metavar="ID", help="regulation id, e.g. aktogay-2013/prosthetic-docs")
    p.add_argument("--route", default="main", help="main, psc, proactive or portal (default: main)")
    p.add_argument("--at", required=True, help="submission instant, ISO 8601 (no offset = Almaty time)")
    p.add_argument("--branch", help="follow this way out of the main line, e.g. refusal-via-psc")
    p.add_argument("--category", help="an applicant category: leaves out the steps the act does only for others")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def load_regulation(reg_id: str):
    try:
        return shipped_catalog().get(reg_id)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    except RegulationLoadError as exc:
        raise UsageError(f"the catalog cannot be loaded: {exc.problems[0]}") from None


def run(args: argparse.Namespace) -> int:
    reg = load_regulation(args.regulation)
    try:
        at = parse_instant(args.at)
        route = reg.route(args.route)
        if args.category and reg.category(args.category) is None:
            known = ", ".join(c.code for c in reg.categories) or "none"
            raise UsageError(f"--category: {reg.id} has no applicant category {args.category!r} (categories: {known})")
        result = plan(reg, args.route, at, branch=args.branch, category=args.category)
    except CalendarError as exc:
        raise UsageError(str(exc)) from None
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    if args.format == "json":
        print_json(result.as_dict())
        return 0
    print(f"{reg.id} v{reg.version} — {reg.name.get('en')}")
    print(f"route {args.route}: {route.name.get('en')} [{route.cite}]")
    for b in route.branches:
        taken = " (followed below)" if b.code == args.branch else f" (--branch {b.code})"
        print(f"branch {b.code}: after step {b.from_step} on a {b.outcome}: {b.name.get('en')} [{b.cite}]{taken}")
    print(f"submitted {result.at.isoformat()}")
    for s in result.steps:
        role = reg.role(s.role) if s.role else None
        duration = str(s.duration) if s.duration else f"({s.duration_text or 'no duration in the act'})"
        who = role.name.get("en") if role else (s.role or "?")
        mark = "  ↳" if s.branch else "   "
        print(f"{mark}{s.n:>2}. {who:<40} {duration:<18} due {s.due:%Y-%m-%d %H:%M}  [{s.cite}]")
        if s.condition:
            print(f"        {s.condition}")
        if s.why and (s.branch or s.condition or not s.duration):
            print(f"        why: {s.why}")
    if result.term:
        print(f"term: {result.term.why}")
        print(f"term due: {result.term.due.isoformat()}")
    else:
        print("term: the act gives no countable term for this channel")
    return 0
