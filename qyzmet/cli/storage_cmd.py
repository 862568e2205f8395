"""``qyzmet storage sweep [--at ISO]``: hand results nobody collected in time from the PSC to the provider.

Run it once a day (cron, a systemd timer): the acts of 2021 make the PSC keep an uncollected result one
month and then pass it to the employment department.
"""

from __future__ import annotations

import argparse

from qyzmet.cli.common import UsageError
from qyzmet.core.calendar import CalendarError, parse_instant


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("storage", help="results kept at the PSC past the act's storage period")
    action = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    sweep = action.add_parser("sweep", help="hand every result kept past its period to its provider")
    sweep.add_argument("--at", help="the instant to sweep at, ISO 8601 (default: now)")
    sweep.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from qyzmet.cli import django_setup

    try:
        at = parse_instant(args.at) if args.at else None
    except CalendarError as exc:
        raise UsageError(str(exc)) from None
    django_setup.setup()
    django_setup.migrate()
    from django.utils import timezone

    from qyzmet.cases.workflow import sweep_uncollected

    moved = sweep_uncollected(at or timezone.now())
    for number in moved:
        print(number)
    print(f"{len(moved)} uncollected result(s) handed to the provider for storage")
    return 0
