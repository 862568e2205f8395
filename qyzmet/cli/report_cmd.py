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
    c = rsub.add_parser("compliance", help="cases in term and overdue, late steps and time per step, per office, "
                                           "service, route, step and staff member (qyzmet.monitoring)")
    c.add_argument("--from", dest="first", required=True, metavar="DATE", help="first day, YYYY-MM-DD (Almaty)")
    c.add_argument("--to", dest="last", required=True, metavar="DATE", help="last day, YYYY-MM-DD (included)")
    c.add_argument("--office", metavar="CODE", help="one office; default: every office")
    c.add_argument("--service", metavar="ID", help="one regulation, e.g. aktogay-2013/prosthetic-docs")
    c.add_argument("--group", choices=("office", "service", "route", "step", "staff"), default="office",
                   help="the table printed (table and csv formats; json gives every table)")
    c.add_argument("--format", choices=("table", "json", "csv"), default="table")
    c.set_defaults(func=run_compliance)


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


# --- qyzmet report compliance ---------------------------------------------------------------------------

VIOLATIONS_PRINTED = 1000  # the rest are on the monitoring page and GET /api/v1/monitoring/violations


def run_compliance(args: argparse.Namespace) -> int:
    """Exit 0 when the period has no violation, 1 when it has some, 2 on bad input."""
    from qyzmet.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from django.utils import translation

    from qyzmet.cases.workflow import Invalid
    from qyzmet.monitoring import compliance as C
    from qyzmet.monitoring import export
    from qyzmet.monitoring.scope import everything

    translation.activate("en")
    try:
        q = C.ask(everything(), args.first, args.last, office=args.office, service=args.service)
    except Invalid as exc:
        raise UsageError(f"--{exc.field}: {exc.message}") from None
    report = C.report(q, groups=C.GROUPS if args.format == "json" else (args.group,), lang="en")
    if args.format == "csv":
        sys.stdout.write(export.to_csv(report, args.group).lstrip("\ufeff"))
        return 1 if report.violations else 0
    nothing = C.Drill()
    found = (C.present(C.overdue_cases(q, nothing)[:VIOLATIONS_PRINTED], "term", q, lang="en")
             + C.present(C.late_steps(q, nothing)[:VIOLATIONS_PRINTED], "step", q, lang="en"))
    if args.format == "json":
        print_json({**C.as_dict(report), "violations": [C.violation_dict(v) for v in found]})
    else:
        _compliance_table(report, args.group, found)
    return 1 if report.violations else 0


def _compliance_table(report, group: str, found) -> None:
    from qyzmet.monitoring import export

    q, t = report.question, report.totals
    where = q.scope.offices[0].code if len(q.scope.offices) == 1 else f"{len(q.scope.offices)} offices"
    print(f"{where} {q.first} – {q.last} (as of {q.as_of:%Y-%m-%d %H:%M}): {t['cases']} cases, {t['in_term']} in term, "
          f"{t['overdue']} overdue ({t['closed_late']} closed late, {t['open_overdue']} open past the term), "
          f"{t['refused']} refused, {t['acceptance_refused']} acceptance refused, {t['no_term']} without a term; "
          f"{t['late_steps']} late steps of {t['steps']}")
    rows = report.tables.get(group, [])
    if not rows:
        print("nothing in this period")
    else:
        head = export.header(group)
        body = [[("—" if c in ("", None) else str(c)) for c in export.cells(r)] for r in rows]
        widths = [min(max(len(x) for x in col), 48) for col in zip(head, *body, strict=True)]
        for line in (head, *body):
            print("  ".join(cell[:48].ljust(w) if i < 3 else cell.rjust(w)
                            for i, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip())
    for n in report.no_term:
        print(f"step by step only: {n.service} ({n.route}) has no total term [{n.cite}]")
    for v in found:
        where_step = f" step {v.step}" if v.step else ""
        closed = v.closed.isoformat() if v.closed else "open"
        print(f"{'overdue' if v.kind == 'term' else 'late step'}: {v.number} {v.service}{where_step} "
              f"due {v.due.isoformat() if v.due else '—'}, closed {closed} [{v.cite}]")
