"""``qyzmet iin check NUMBER``: say whether a number is a valid IIN/BIN and what it encodes.

Exit 0 when valid, 1 when not (a negative answer, not an error), so shell scripts can
branch on it; the reason is printed on one line to stdout because it *is* the answer.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from qyzmet.cli.common import print_json
from qyzmet.core.iin import IinInfo, InvalidIdentifier, format_info, parse_identifier

_MAX_SHOWN = 32


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("iin", help="check Kazakhstan IIN/BIN numbers")
    inner = p.add_subparsers(dest="iin_command", required=True)
    check = inner.add_parser("check", help="validate an IIN or BIN and decode its fields")
    check.add_argument("number", metavar="NUMBER", help="12-digit IIN or BIN")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(func=run)


def _shown(number: str) -> str:
    """The number as typed, made safe for a one-line message (no newlines, bounded length)."""
    shown = number.strip()
    if not shown.isprintable():
        shown = repr(shown)
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 1] + "…"
    return shown


def run(args: argparse.Namespace) -> int:
    try:
        info = parse_identifier(args.number)
    except InvalidIdentifier as exc:
        if args.format == "json":
            print_json({"valid": False, "reason": str(exc)})
        else:
            print(f"invalid IIN/BIN {_shown(args.number)}: {exc}")
        return 1
    if args.format == "json":
        fields = dataclasses.asdict(info)
        if isinstance(info, IinInfo):
            fields["birth_date"] = info.birth_date.isoformat()
        print_json({"valid": True, "kind": "IIN" if isinstance(info, IinInfo) else "BIN", **fields})
    else:
        for label, value in format_info(info):
            print(f"{label}: {value}")
    return 0
