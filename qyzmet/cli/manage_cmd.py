"""``qyzmet manage …``: Django's management commands (migrate, createsuperuser, …) on Qyzmet's settings."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("manage", help="run a Django management command, e.g. `qyzmet manage migrate`")
    p.add_argument("arguments", nargs=argparse.REMAINDER, help="the command and its options")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from qyzmet.cli import django_setup

    django_setup.setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qyzmet manage", *(args.arguments or ["help"])])
    return 0
