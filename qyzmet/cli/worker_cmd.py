"""``qyzmet worker [--once] [--batch N] [--interval S]``: send the queued SMS through the configured gateway.

The gateway is chosen by ``QYZMET_SMS_GATEWAY`` (file, console, http; see qyzmet/notify/gateways.py).
Without ``--once`` it runs until SIGTERM/SIGINT, polling every ``--interval`` seconds when idle.
"""

from __future__ import annotations

import argparse

from qyzmet.cli.common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("worker", help="send the queued SMS and do what the legal calendar has made due "
                                      "(consent expiry, Portal reminders)")
    p.add_argument("--once", action="store_true", help="send everything due now, then exit")
    p.add_argument("--batch", type=int, default=100, help="SMS claimed per batch (default 100)")
    p.add_argument("--interval", type=float, default=5.0, help="seconds between polls when idle (default 5)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.batch < 1:
        raise UsageError("--batch must be at least 1")
    if args.interval < 0:
        raise UsageError("--interval cannot be negative")
    from qyzmet.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from qyzmet.notify import gateways, worker

    try:
        gateway = gateways.from_env()
    except gateways.GatewayError as exc:
        raise UsageError(str(exc)) from None
    stats = worker.Loop(gateway, args.batch, args.interval, args.once).run()
    for kind, count in stats.swept.items():
        print(f"{count} {kind}")
    for error in stats.errors[-20:]:
        print(error)
    print(f"{stats.sent} SMS sent, {stats.retried} to retry, {stats.failed} failed ({gateway.name} gateway)")
    return 0
