"""``qyzmet audit verify [--case NUMBER]``: check the hash chain of every case's event log.

    qyzmet audit verify                  # every case
    qyzmet audit verify --case Q2025-0000012

Prints each event that was edited, deleted or re-ordered (case number, seq, what is wrong) and exits 1;
exits 0 with the number of cases and events checked when every chain is intact, 2 on bad input.
"""

from __future__ import annotations

import argparse

from qyzmet.cli.common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="the tamper-evident event log (hash chain per case)")
    action = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = action.add_parser("verify", help="walk every case's event chain and name any altered event")
    verify.add_argument("--case", metavar="NUMBER", help="only this case (its application number)")
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from qyzmet.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from qyzmet.cases.audit import verify
    from qyzmet.cases.models import Case

    number = args.case.strip() if args.case is not None else None
    if number is not None and not Case.objects.filter(number=number).exists():
        raise UsageError(f"--case: no case with number {number!r}")
    report = verify(number)
    for finding in report.findings:
        print(finding)
    if report.findings:
        print(f"audit: {len(report.findings)} problem(s) in {report.broken_cases} of {report.cases} case(s) "
              f"({report.events} events read)")
        return 1
    print(f"audit: {report.events} events of {report.cases} case(s) checked, every chain intact")
    return 0
