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
