"""``qyzmet report steps``: an office's steps in a period against the acts' step norms.

    qyzmet report steps --office mangystau-2015-polyclinic --from 2025-03-01 --to 2025-03-31
    qyzmet report steps --office mangystau-2015-polyclinic --from 2025-03-01 --to 2025-03-31 --format csv

Per service and step: the steps the office's staff finished in the period, how many were late, the average
and 90th-percentile working time against the step's norm and its clause; then every late step with its case
number (``qyzmet.health.step_norms``).  Exit 0 when no step was late, 1 when some were, 2 on bad input.
"""

from __future__ import annotations

import argparse
import csv
import sys

from qyzmet.cli.common import UsageError, print_json

STEP_COLUMNS = ("regulation", "version", "route", "step", "role", "norm", "norm_minutes", "cite", "schedule",
                "passed", "cases", "late", "mean_minutes", "p90_minutes", "max_minutes")
LATE_COLUMNS = ("number", "regulation", "route", "step", "role", "opened_at", "closed_at", "due", "worked_minutes",
                "over_minutes", "norm", "cite", "closed_by")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="reports over the stored cases (steps: the acts' step norms)")
    rsub = p.add_subparsers(dest="report_command", metavar="REPORT")
    rsub.required = True
    s = rsub.add_parser("steps", help="an office's finished steps in a period against each step's norm")
    s.add_argument("--office", required=True, help="office code")
    s.add_argument("--from", dest="first", required=True, metavar="DATE", help="first day, YYYY-MM-DD (Almaty)")
    s.add_argument("--to", dest="last", required=True, metavar="DATE", help="last day, YYYY-MM-DD (included)")
    s.add_argument("--service", metavar="ID", help="one regulation, e.g. mangystau-2015/doctor-appointment")
    s.add_argument("--format", choices=("table", "json", "csv"), default="table")
    s.set_defaults(func=run_steps)


def run_steps(args: argparse.Namespace) -> int:
    from qyzmet.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from qyzmet.cases.workflow import Invalid
    from qyzmet.directory.models import Office
    from qyzmet.health import step_norms

    office = Office.objects.filter(code=args.office).first()
    if office is None:
        raise UsageError(f"--office: no office with code {args.office!r} (see the staff workspace or the admin)")
    try:
        first, last = step_norms.period(args.first, args.last)
        service = step_norms.check_service(args.service)
    except Invalid as exc:
        raise UsageError(f"--{exc.field}: {exc.message}") from None
    data = step_norms.as_dict(step_norms.report(office, first, last, service=service))
    if args.format == "json":
        print_json(data)
    elif args.format == "csv":
        _csv(data)
    else:
        _table(data)
    return 1 if data["late"] else 0


def _csv(data: dict) -> None:
    """The steps table; the late steps follow after an empty line, with their own header."""
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(STEP_COLUMNS)
    for s in data["steps"]:
        out.writerow(["" if s[c] is None else s[c] for c in STEP_COLUMNS])
    if data["late_steps"]:
        out.writerow([])
        out.writerow(LATE_COLUMNS)
        for x in data["late_steps"]:
            out.writerow(["" if x[c] is None else x[c] for c in LATE_COLUMNS])


def _num(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _table(d: dict) -> None:
    print(f"{d['office']} {d['from']} – {d['to']}: {d['passed']} steps done, {d['late']} late")
    if not d["steps"]:
        print("no step finished in this period")
        return
    print(f"{'service':<44}{'step':>5}  {'role':<34} {'norm':>12}{'done':>6}{'late':>6}{'mean':>8}{'p90':>8}  clause")
    for s in d["steps"]:
        service = s["regulation"] + ("" if s["route"] == "main" else f" ({s['route']})")
        print(f"{service:<44}{s['step']:>5}  {s['role']:<34} {s['norm'] or 'no norm':>12}{s['passed']:>6}"
              f"{s['late']:>6}{_num(s['mean_minutes']):>8}{_num(s['p90_minutes']):>8}  {s['cite']}")
    print("(mean and p90: working minutes between the step's start and end)")
    for x in d["late_steps"]:
        print(f"late: {x['number']} {x['regulation']} step {x['step']} ({x['role']}) took {_num(x['worked_minutes'])} "
              f"min, {_num(x['over_minutes'])} min after the due {x['due']} [{x['cite']}]")
