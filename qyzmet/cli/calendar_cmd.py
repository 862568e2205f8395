"""``qyzmet calendar add|is-working|explain``: the legal working-time calendar from the shell."""

from __future__ import annotations

import argparse

from qyzmet.cli.common import UsageError, print_json
from qyzmet.core.calendar import BUILTIN_SCHEDULES, CalendarError, calendar_for, parse_date, parse_instant
from qyzmet.core.durations import DurationError, parse_duration


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calendar", help="working-day arithmetic on Kazakhstan's legal calendar")
    inner = p.add_subparsers(dest="calendar_command", metavar="ACTION")
    inner.required = True
    schedules = ", ".join(BUILTIN_SCHEDULES)

    add = inner.add_parser("add", help="the due instant of a duration started at an instant")
    add.add_argument("--at", required=True, help="start, ISO 8601; without offset = Asia/Almaty local time")
    add.add_argument("--duration", required=True,
                     help='"15 minutes", "2 hours", "10 working days", "20 calendar days" (kk/ru wording too)')
    add.add_argument("--schedule", default="department", help=f"weekly schedule ({schedules})")
    add.add_argument("--explain", action="store_true", help="also say which weekdays were skipped and why")
    add.add_argument("--format", choices=("text", "json"), default="text")
    add.set_defaults(func=run_add)

    isw = inner.add_parser("is-working", help="is a date a working day? prints yes or no")
    isw.add_argument("date", help="YYYY-MM-DD")
    isw.add_argument("--schedule", default="department", help=f"weekly schedule ({schedules})")
    isw.set_defaults(func=run_is_working)

    exc = inner.add_parser("exception", help="days a decree changes (stored): add, list, remove; open cases' due "
                                             "dates are counted again")
    exc_inner = exc.add_subparsers(dest="exception_command", metavar="ACTION")
    exc_inner.required = True
    e_add = exc_inner.add_parser("add", help="record a day off, a working day or special hours, with its decree")
    e_add.add_argument("--day", required=True, help="YYYY-MM-DD")
    e_add.add_argument("--kind", required=True, help="holiday, working-day (or working) or special-hours")
    e_add.add_argument("--source", required=True, help='the decree, e.g. "Decree No. 123 of 01.12.2026"')
    e_add.add_argument("--schedule", default="", help="the schedule it applies to (default: every schedule)")
    e_add.add_argument("--hours", default="", help='for special hours or a working day: "09:00-13:00, 14:00-17:00"')
    e_add.add_argument("--name", default="", help="the day's name as the decree gives it")
    e_add.add_argument("--format", choices=("text", "json"), default="text")
    e_add.set_defaults(func=run_exception_add)
    e_list = exc_inner.add_parser("list", help="the recorded exceptions")
    e_list.add_argument("--from", dest="first", help="first day, YYYY-MM-DD")
    e_list.add_argument("--format", choices=("text", "json"), default="text")
    e_list.set_defaults(func=run_exception_list)
    e_rm = exc_inner.add_parser("remove", help="remove an exception (a decree revoked) and count again")
    e_rm.add_argument("--day", required=True, help="YYYY-MM-DD")
    e_rm.add_argument("--schedule", default="", help="the schedule it was recorded for (default: every schedule)")
    e_rm.add_argument("--source", default="", help="the act that revokes it")
    e_rm.add_argument("--format", choices=("text", "json"), default="text")
    e_rm.set_defaults(func=run_exception_remove)


def _calendar(name: str):
    try:
        return calendar_for(name)
    except CalendarError as exc:
        raise UsageError(str(exc)) from None


def run_add(args: argparse.Namespace) -> int:
    cal = _calendar(args.schedule)
    try:
        start = parse_instant(args.at)
        duration = parse_duration(args.duration)
        due = cal.add(start, duration)
    except (CalendarError, DurationError) as exc:
        raise UsageError(str(exc)) from None
    skipped = cal.closed_weekdays(start.date(), due.date()) if args.explain or args.format == "json" else []
    if args.format == "json":
        print_json({
            "at": start.isoformat(), "duration": str(duration), "schedule": args.schedule,
            "due": due.isoformat(),
            "closed_weekdays": [{"date": c.day.isoformat(), "reason": c.reason} for c in skipped],
        })
        return 0
    print(due.isoformat())
    if args.explain:
        print(f"{duration} from {start.isoformat()} on the {args.schedule!r} schedule "
              f"({cal.schedule.describe()})")
        for closed in skipped:
            print(f"  skipped {closed.day.isoformat()} ({closed.day:%a}): {closed.reason}")
    return 0


def run_is_working(args: argparse.Namespace) -> int:
    cal = _calendar(args.schedule)
    try:
        day = parse_date(args.date)
        working = cal.is_working(day)
    except CalendarError as exc:
        raise UsageError(str(exc)) from None
    print("yes" if working else "no")
    return 0


# --- stored exceptions (the directory's CalendarException) ------------------------------------------------

def _django():
    from qyzmet.cli import django_setup

    django_setup.setup()
    django_setup.migrate()


def _report(report, fmt: str) -> int:
    if fmt == "json":
        print_json(report.as_dict())
        return 0
    where = f"the {report.schedule!r} schedule" if report.schedule else "every schedule"
    print(f"{report.day.isoformat()} on {where} ({report.source}): {report.moved} of {report.scanned} open cases "
          f"looked at had their due dates moved ({report.terms_moved} terms, {report.steps_moved} steps, "
          f"{report.suspended_moved} suspended) in {report.seconds:.2f} s")
    for m in report.sample:
        term = f"term {_short(m.term_before)} → {_short(m.term_after)}" if m.term_before != m.term_after else ""
        step = f"step {_short(m.step_before)} → {_short(m.step_after)}" if m.step_before != m.step_after else ""
        print(f"  {m.number}: {'; '.join(x for x in (term, step) if x)}")
    if report.moved > len(report.sample):
        print(f"  … and {report.moved - len(report.sample)} more (each case's log has its calendar-changed entry)")
    return 0


def _short(value) -> str:
    from qyzmet.core.calendar import to_local

    return f"{to_local(value):%Y-%m-%d %H:%M}" if value else "—"


def run_exception_add(args: argparse.Namespace) -> int:
    _django()
    from qyzmet.cases.workflow import Invalid
    from qyzmet.recompute import changes

    try:
        report = changes.add_exception(args.day, args.kind, args.source, schedule=args.schedule, hours=args.hours,
                                       name=args.name)
    except Invalid as exc:
        raise UsageError(f"--{exc.field}: {exc.message}") from None
    return _report(report, args.format)


def run_exception_remove(args: argparse.Namespace) -> int:
    _django()
    from qyzmet.cases.workflow import Invalid
    from qyzmet.recompute import changes

    try:
        report = changes.remove_exception(args.day, schedule=args.schedule, source=args.source)
    except Invalid as exc:
        raise UsageError(f"--{exc.field}: {exc.message}") from None
    return _report(report, args.format)


def run_exception_list(args: argparse.Namespace) -> int:
    _django()
    from qyzmet.directory.models import CalendarException

    rows = CalendarException.objects.order_by("day", "schedule")
    if args.first:
        try:
            rows = rows.filter(day__gte=parse_date(args.first))
        except CalendarError as exc:
            raise UsageError(f"--from: {exc}") from None
    data = [{"day": r.day.isoformat(), "kind": r.kind, "schedule": r.schedule, "hours": r.hours, "name": r.name,
             "source": r.source} for r in rows]
    if args.format == "json":
        print_json(data)
        return 0
    for r in data:
        print(f"{r['day']}  {r['kind']:<13} {r['schedule'] or '(every schedule)':<18} {r['hours']:<14} "
              f"{r['name'] or ''} — {r['source']}")
    print(f"{len(data)} exception(s)")
    return 0
