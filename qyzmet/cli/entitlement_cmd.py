"""``qyzmet entitlement check``: may a person receive item X on date D under a regulation's norm tables?

Prints ``yes`` or ``no``, with the earliest date and the clause when it is no.  Exit 0 for yes, 1 for no (an
answer, not an error), 2 for input that cannot be used (an unknown regulation, item or category, a bad date).
The history is given as ``--last-issued DATE`` (repeatable; ``DATE:N`` for N pieces received that day).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from qyzmet.cli.common import UsageError, print_json
from qyzmet.core.calendar import ALMATY
from qyzmet.core.entitlement import Received, check
from qyzmet.core.loader import RegulationLoadError, shipped_catalog


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("entitlement", help="the replacement check over the norm tables")
    inner = p.add_subparsers(dest="entitlement_command", required=True)
    c = inner.add_parser("check", help="may this person receive the item on that day?")
    c.add_argument("--regulation", required=True, metavar="ID", help="e.g. mlsp-2021/mobility-means")
    c.add_argument("--item", required=True, metavar="CODE", help="an item code of the regulation's norm tables")
    c.add_argument("--category", action="append", default=[], metavar="CODE",
                   help="a recipient category of the norm tables (repeatable)")
    c.add_argument("--last-issued", action="append", default=[], metavar="DATE[:N]",
                   help="a day the item (or one that replaces it) was received; N pieces (repeatable)")
    c.add_argument("--on", metavar="DATE", help="the day asked about (default: today in Almaty)")
    c.add_argument("--quantity", type=int, default=1, help="how many are asked for (default 1)")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.set_defaults(func=run)


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r}: write the date as YYYY-MM-DD") from None


def _received(item: str, text: str) -> Received:
    day, _sep, count = text.partition(":")
    if count and not (count.isascii() and count.isdigit()):
        raise UsageError(f"--last-issued {text!r}: the count after ':' is a whole number")
    return Received(item, _date(day, "--last-issued"), int(count) if count else 1)


def run(args: argparse.Namespace) -> int:
    try:
        reg = shipped_catalog().get(args.regulation)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    except RegulationLoadError as exc:
        raise UsageError(f"the catalog cannot be loaded: {exc}") from None
    ent = reg.entitlements
    if ent is None:
        with_norms = ", ".join(r.id for r in shipped_catalog().regulations if r.entitlements)
        raise UsageError(f"{reg.id} has no norm tables (regulations with them: {with_norms})")
    if ent.item(args.item) is None:
        raise UsageError(f"unknown item {args.item!r} in {reg.id}; items: {', '.join(i.code for i in ent.items)}")
    unknown = [c for c in args.category if ent.category(c) is None]
    if unknown:
        raise UsageError(f"unknown category {unknown[0]!r}; categories: {', '.join(c.code for c in ent.categories)}")
    if args.quantity < 1:
        raise UsageError("--quantity must be 1 or more")
    on = _date(args.on, "--on") if args.on else dt.datetime.now(ALMATY).date()
    history = [_received(args.item, text) for text in args.last_issued]
    if any(r.on > on for r in history):
        raise UsageError("--last-issued is after --on")
    try:
        a = check(ent, args.item, args.category, on, history, quantity=args.quantity)
    except (ValueError, OverflowError) as exc:  # a period that runs past the calendar (year 9999)
        raise UsageError(f"cannot count that far: {exc}") from None
    if args.format == "json":
        print_json({"regulation": reg.id, **a.as_dict()})
    else:
        print(_line(a))
    return 0 if a.allowed else 1


def _line(a) -> str:
    if a.allowed:
        extra = f", {a.remaining} left in the period" if a.limit and a.limit > 1 and a.remaining is not None else ""
        return f"yes ({a.reason}{extra}; {a.cite})"
    since = f"; received {a.since.on.isoformat()}" if a.since else ""
    period = f", period {a.period}" if a.period else ""
    if a.earliest:
        return f"no: earliest {a.earliest.isoformat()} ({a.cite}) — {a.reason}{since}{period}"
    return f"no ({a.cite}) — {a.reason}{since}{period}"
