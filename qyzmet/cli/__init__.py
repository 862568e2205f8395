"""The ``qyzmet`` command: one sub-command per module in this package.

Each command module exposes ``register(subparsers)``; the parser it adds carries
``func(args) -> int`` (the exit code).  Exit codes are the same everywhere:
0 success, 1 a negative answer (invalid IIN, lint errors), 2 unreadable input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from qyzmet.cli import (
    audit_cmd,
    calendar_cmd,
    catalog_cmd,
    demo_cmd,
    documents_cmd,
    entitlement_cmd,
    iin_cmd,
    lint_cmd,
    manage_cmd,
    queue_cmd,
    report_cmd,
    serve_cmd,
    storage_cmd,
    timeline_cmd,
    token_cmd,
    worker_cmd,
)
from qyzmet.cli.common import UsageError

COMMANDS = (calendar_cmd, iin_cmd, lint_cmd, timeline_cmd, catalog_cmd, demo_cmd, serve_cmd, storage_cmd, manage_cmd,
            token_cmd, worker_cmd, documents_cmd, queue_cmd, entitlement_cmd, report_cmd)
COMMANDS = (*COMMANDS, audit_cmd)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad usage already; keep its message to one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qyzmet", description="Kazakhstan's state services, run as their regulations prescribe.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"qyzmet {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `qyzmet lint --format json | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
