"""Kazakhstan's legal working-time calendar.

Which days are working days comes from three layers, later ones winning:

1. the weekly schedule of the office (a 5-day department, a 6-day Public Service Centre …);
2. the law: statutory holidays, the rule that a holiday falling on a day off moves to the next
   working day, and the government decrees that transfer a day off (a Saturday becomes a working
   day, a weekday between holidays becomes a day off) — all taken from the ``holidays`` package;
3. editable exceptions recorded with the decree that made them (a new transfer decree, a shortened
   day, a local holiday), kept in the database by the shell and passed in here.

Arithmetic follows the rules of legal time (see docs/ARCHITECTURE.md): a day-counted term starts the
day after the event and ends at closing time; calendar-day terms ending on a closed day move to the
next working day; minutes and hours are working time inside the opening intervals.  Working days are
kept as a sorted list of ordinals so "+N working days" is one ``bisect``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

from qyzmet.core.durations import Duration, Unit, parse_duration

FIRST_YEAR = 2000
LAST_YEAR = 2040

Seconds = int
Interval = tuple[Seconds, Seconds]  # seconds since local midnight, end exclusive
DayHours = tuple[Interval, ...]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _load_almaty() -> ZoneInfo:
    """Asia/Almaty from the shipped ``tzdata`` package, not the host's zone files.

    The host may carry tz data older than 2024a, which lacks the switch from UTC+6 to UTC+5 on
    2024-03-01; shipping our own data makes every machine compute the same offsets.
    """
    try:
        with resources.files("tzdata.zoneinfo").joinpath("Asia/Almaty").open("rb") as fh:
            return ZoneInfo.from_file(fh, key="Asia/Almaty")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - tzdata is a dependency
        return ZoneInfo("Asia/Almaty")


ALMATY = _load_almaty()


class CalendarError(ValueError):
    """A date or time the calendar cannot answer for (bad text, out of range)."""


def parse_hhmm(text: str) -> Seconds:
    try:
        hours, minutes = text.strip().split(":")
        value = int(hours) * 3600 + int(minutes) * 60
    except ValueError:
        raise CalendarError(f"bad time {text!r}: expected HH:MM") from None
    if not 0 <= value <= 24 * 3600:
        raise CalendarError(f"bad time {text!r}: outside 00:00-24:00")
    return value


def parse_interval(text: str) -> Interval:
    start, sep, end = text.partition("-")
    if not sep:
        raise CalendarError(f"bad interval {text!r}: expected HH:MM-HH:MM")
    interval = (parse_hhmm(start), parse_hhmm(end))
    if interval[0] >= interval[1]:
        raise CalendarError(f"bad interval {text!r}: it must end after it starts")
    return interval


def format_seconds(value: Seconds) -> str:
    return f"{value // 3600:02d}:{value % 3600 // 60:02d}"


@dataclass(frozen=True)
class Schedule:
    """Opening hours per weekday (Monday first).  A closed weekday has no intervals.

    ``transfer_hours`` are the hours of a Saturday or Sunday that a decree makes a working day:
    such a day replaces a weekday, so it works that weekday's hours.
    """

    name: str
    weekly: tuple[DayHours, ...]
    transfer_hours: DayHours

    @classmethod
    def from_text(cls, name: str, weekly: Mapping[str, Sequence[str]]) -> Schedule:
        """``{"mon": ["09:00-13:00", "14:00-18:00"], …}``; missing weekdays are closed."""
        unknown = set(weekly) - set(WEEKDAYS)
        if unknown:
            raise CalendarError(f"schedule {name!r}: unknown weekday(s) {sorted(unknown)}")
        days: list[DayHours] = []
        for wd in WEEKDAYS:
            intervals = tuple(sorted(parse_interval(t) for t in weekly.get(wd, ())))
            for (_, end), (start, _) in itertools.pairwise(intervals):
                if start < end:
                    raise CalendarError(f"schedule {name!r}: overlapping intervals on {wd}")
            days.append(intervals)
        if not any(days):
            raise CalendarError(f"schedule {name!r} has no opening hours at all")
        first_open = next(d for d in days if d)
        return cls(name, tuple(days), first_open)

    def describe(self) -> str:
        parts = []
        for wd, hours in zip(WEEKDAYS, self.weekly, strict=True):
            if hours:
                parts.append(f"{wd} " + ", ".join(f"{format_seconds(a)}-{format_seconds(b)}" for a, b in hours))
        return "; ".join(parts)


_DEPARTMENT = ("09:00-13:00", "14:00-18:00")
BUILTIN_SCHEDULES: dict[str, Schedule] = {
    # District departments: five days, lunch 13:00-14:00 (the acts' usual wording).
    "department": Schedule.from_text("department", {wd: _DEPARTMENT for wd in WEEKDAYS[:5]}),
    # Public Service Centres of the State Corporation: weekdays 09:00-20:00 without a break,
    # Saturday 09:00-13:00.
    "psc": Schedule.from_text("psc", {**{wd: ("09:00-20:00",) for wd in WEEKDAYS[:5]}, "sat": ("09:00-13:00",)}),
    # PSCs of the early 2010s: five days, 09:00-20:00 without a break.
    "psc-5day": Schedule.from_text("psc-5day", {wd: ("09:00-20:00",) for wd in WEEKDAYS[:5]}),
}


@dataclass(frozen=True)
class CalendarException:
    """A day that differs from the law's calendar, with the act that made it so."""

    day: dt.date
    kind: Literal["holiday", "working-day", "special-hours"]
    source: str
    hours: DayHours = ()
    name: str = ""
    schedule: str = ""  # the schedule it applies to; empty: every schedule


@dataclass(frozen=True)
class ClosedDay:
    day: dt.date
    reason: str


@lru_cache(maxsize=4)
def _law(first: int, last: int) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
    """Days off by law (holidays, observed and transferred) and weekend days made working."""
    kz = holidays.KZ(years=range(first, last + 1))
    days_off = dict(kz.items())
    working_weekends = frozenset(kz.weekend_workdays)
    return days_off, working_weekends


@dataclass
class WorkCalendar:
    """Working time of one schedule over 2000-2040, with exceptions applied."""

    schedule: Schedule
    exceptions: tuple[CalendarException, ...] = ()
    _days: list[int] = field(init=False, repr=False)
    _hours: dict[int, DayHours] = field(init=False, repr=False)
    _closed: dict[dt.date, str] = field(init=False, repr=False)
    _first_ordinal: int = field(init=False, repr=False)
    _after: list[int] = field(init=False, repr=False)  # per calendar day: index of the first working day after it
    _dates: list[dt.date] = field(init=False, repr=False)
    _closing: dict[int, dt.datetime] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        days_off, working_weekends = _law(FIRST_YEAR, LAST_YEAR)
        overrides = {e.day: e for e in self.exceptions if e.schedule in ("", self.schedule.name)}
        ordinals: list[int] = []
        hours: dict[int, DayHours] = {}
        closed: dict[dt.date, str] = {}
        day = dt.date(FIRST_YEAR, 1, 1)
        end = dt.date(LAST_YEAR, 12, 31)
        one = dt.timedelta(days=1)
        while day <= end:
            todays = self.schedule.weekly[day.weekday()]
            if day in days_off:
                todays = ()
                closed[day] = days_off[day]
            elif day in working_weekends:
                todays = self.schedule.transfer_hours
            exc = overrides.get(day)
            if exc is not None:
                if exc.kind == "holiday":
                    todays = ()
                    closed[day] = exc.name or exc.source
                elif exc.kind == "working-day":
                    todays = exc.hours or self.schedule.weekly[day.weekday()] or self.schedule.transfer_hours
                    closed.pop(day, None)
                else:
                    todays = exc.hours
            if todays:
                ordinal = day.toordinal()
                ordinals.append(ordinal)
                if todays != self.schedule.weekly[day.weekday()]:
                    hours[ordinal] = todays
            day += one
        self._days = ordinals
        self._hours = hours
        self._closed = closed
        # "The n-th working day after D" is the hot path of every deadline: one list index instead of a
        # bisect, and ready-made date objects instead of fromordinal.
        self._first_ordinal = dt.date(FIRST_YEAR, 1, 1).toordinal()
        self._after = [bisect_right(ordinals, o) for o in range(self._first_ordinal, end.toordinal() + 1)]
        self._dates = [dt.date.fromordinal(o) for o in ordinals]
        self._closing = {}

    # --- days --------------------------------------------------------------------------------

    def _check_range(self, day: dt.date) -> None:
        if not FIRST_YEAR <= day.year <= LAST_YEAR - 1:
            raise CalendarError(f"{day} is outside the calendar's range {FIRST_YEAR}-{LAST_YEAR - 1}")

    def hours(self, day: dt.date) -> DayHours:
        """Opening intervals of ``day`` (empty when closed)."""
        ordinal = day.toordinal()
        i = bisect_left(self._days, ordinal)
        if i == len(self._days) or self._days[i] != ordinal:
            return ()
        return self._hours.get(ordinal, self.schedule.weekly[day.weekday()])

    def is_working(self, day: dt.date) -> bool:
        self._check_range(day)
        return bool(self.hours(day))

    def why_closed(self, day: dt.date) -> str | None:
        """The holiday or exception that closes ``day``; "day off" for an ordinary weekend."""
        if self.is_working(day):
            return None
        return self._closed.get(day, "day off")

    def nth_working_day_after(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``day`` (n=0: ``day`` itself or the next working day)."""
        if not FIRST_YEAR <= day.year < LAST_YEAR:
            self._check_range(day)  # raises, with the range in its message
        if n < 0:
            raise CalendarError("a term cannot be negative")
        offset = day.toordinal() - self._first_ordinal
        if n > 0:
            i = self._after[offset] + n - 1
        elif offset > 0:
            i = self._after[offset - 1]  # the first working day after the day before: ``day`` or later
        else:
            i = bisect_left(self._days, day.toordinal())
        if i >= len(self._dates):
            raise CalendarError(f"{n} working days after {day} is beyond the calendar's range")
        return self._dates[i]

    def next_working_day_on_or_after(self, day: dt.date) -> dt.date:
        return self.nth_working_day_after(day, 0)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d <= end."""
        return max(0, bisect_right(self._days, end.toordinal()) - bisect_right(self._days, start.toordinal()))

    def closed_weekdays(self, start: dt.date, end: dt.date) -> list[ClosedDay]:
        """Monday-to-Friday days in (start, end] that are closed, with their reason — the "why"."""
        out = []
        day = start + dt.timedelta(days=1)
        while day <= end:
            if day.weekday() < 5 and not self.hours(day):
                out.append(ClosedDay(day, self._closed.get(day, "day off")))
            day += dt.timedelta(days=1)
        return out

    def closing(self, day: dt.date) -> dt.datetime:
        ordinal = day.toordinal()
        cached = self._closing.get(ordinal)
        if cached is not None:
            return cached
        hours = self.hours(day)
        if not hours:
            raise CalendarError(f"{day} is not a working day")
        self._closing[ordinal] = closing = local_instant(day, hours[-1][1])
        return closing

    # --- instants ------------------------------------------------------------------------------

    def add(self, start: dt.datetime, duration: Duration | str) -> dt.datetime:
        """The due instant of ``duration`` started at ``start`` (aware, Asia/Almaty)."""
        if isinstance(duration, str):
            duration = parse_duration(duration)
        local = to_local(start)
        day = local.date()
        if duration.unit is Unit.WORKING_DAY:
            due = self.closing(self.nth_working_day_after(day, duration.amount))
        elif duration.unit is Unit.CALENDAR_DAY:
            self._check_range(day)
            target = day + dt.timedelta(days=duration.amount)
            self._check_range(target)
            due = self.closing(self.next_working_day_on_or_after(target))
        else:
            self._check_range(day)
            return self._add_seconds(local, duration.minutes * 60)
        if due < local:
            # "The same day" (0 days) asked for after closing time: the next working day's close.
            due = self.closing(self.nth_working_day_after(day, 1))
        return due

    def _add_seconds(self, local: dt.datetime, budget: int) -> dt.datetime:
        day = local.date()
        at = local.hour * 3600 + local.minute * 60 + local.second
        if not self.hours(day):
            day, at = self.next_working_day_on_or_after(day), 0
        while True:
            for start, end in self.hours(day):
                if end <= at:
                    continue
                begin = max(start, at)
                available = end - begin
                if budget <= available:
                    return local_instant(day, begin + budget, local.microsecond if begin == at else 0)
                budget -= available
            day, at = self.nth_working_day_after(day, 1), 0

    def working_seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working time in [start, end) — how late a step is, in office time."""
        a, b = to_local(start), to_local(end)
        if b <= a:
            return 0
        total = 0
        day = a.date()
        while day <= b.date():
            for s, e in self.hours(day):
                lo = local_instant(day, s)
                hi = local_instant(day, e)
                lo, hi = max(lo, a), min(hi, b)
                if hi > lo:
                    total += int((hi - lo).total_seconds())
            day += dt.timedelta(days=1)
        return total


def local_instant(day: dt.date, seconds: Seconds, microsecond: int = 0) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds, microseconds=microsecond)
    return naive.replace(tzinfo=ALMATY)


def to_local(value: dt.datetime) -> dt.datetime:
    """Aware instant in Asia/Almaty; a naive one is read as Almaty local time."""
    if value.tzinfo is ALMATY:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=ALMATY)
    return value.astimezone(ALMATY)


def parse_instant(text: str) -> dt.datetime:
    """ISO 8601 date or date-time; without an offset it is Almaty local time."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CalendarError(f"bad date-time {text!r}: expected ISO 8601, e.g. 2025-03-19T10:00") from None
    return to_local(value)


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CalendarError(f"bad date {text!r}: expected YYYY-MM-DD") from None


def schedule_named(name: str, extra: Iterable[Schedule] = ()) -> Schedule:
    for schedule in extra:
        if schedule.name == name:
            return schedule
    try:
        return BUILTIN_SCHEDULES[name]
    except KeyError:
        known = ", ".join(sorted({*BUILTIN_SCHEDULES, *(s.name for s in extra)}))
        raise CalendarError(f"unknown schedule {name!r} (known: {known})") from None


@lru_cache(maxsize=64)
def calendar_for(schedule: Schedule | str, exceptions: tuple[CalendarException, ...] = ()) -> WorkCalendar:
    """Shared, cached calendars: building one walks 41 years once (~50 ms)."""
    if isinstance(schedule, str):
        schedule = schedule_named(schedule)
    return WorkCalendar(schedule, exceptions)
