"""Deadlines of a regulation: the total term of a channel, and the planned due instant of each step.

Both the ``timeline`` command and the case engine use these functions, so what a planner sees is
what a running case is held to.  Every deadline carries its cite and a one-line *why*.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from qyzmet.core.calendar import (
    CalendarException,
    ClosedDay,
    Schedule,
    WorkCalendar,
    calendar_for,
    schedule_named,
    to_local,
)
from qyzmet.core.durations import Duration
from qyzmet.core.regulation import Regulation, Result, ResultTerm, Route, Step

CalendarLookup = Callable[[str], WorkCalendar]


@lru_cache(maxsize=128)
def _regulation_schedules(reg_id: str, content_hash: str, items: tuple) -> tuple[Schedule, ...]:
    return tuple(Schedule.from_text(code, dict(weekly)) for code, weekly in items)


def calendars_for(reg: Regulation, exceptions: Iterable[CalendarException] = ()) -> CalendarLookup:
    """Schedule name → calendar, knowing the schedules the regulation itself defines."""
    extra = _regulation_schedules(
        reg.id, reg.content_hash, tuple((s.code, tuple(s.weekly.items())) for s in reg.schedules)
    )
    excs = tuple(exceptions)

    def lookup(name: str) -> WorkCalendar:
        return calendar_for(schedule_named(name, extra), excs)

    return lookup


@dataclass(frozen=True)
class Deadline:
    due: dt.datetime
    duration: Duration
    schedule: str
    cite: str | None
    why: str
    # Monday-to-Friday days inside the term that the office is closed: what a reader needs to see why
    # the due date lies where it does.
    closed: tuple[ClosedDay, ...] = ()


def counts_from_acceptance(reg: Regulation, channel: str) -> bool:
    """Does the channel's term run from the accepting step (a proactive consent) rather than from submission?"""
    term = reg.term_for(channel)
    return term is not None and term.starts == "acceptance"


def term_start(reg: Regulation, channel: str, submitted_at: dt.datetime, accepted_at: dt.datetime) -> dt.datetime:
    """The instant the term runs from.

    The acts count it "from the moment the documents are submitted": from the submission, even when the
    intake steps (a PSC consultant, the receipt) run over into the next working day; a proactive service
    counts from the consent that accepts it.
    """
    return accepted_at if counts_from_acceptance(reg, channel) else submitted_at


def term_deadline(reg: Regulation, channel: str, start: dt.datetime,
                  calendars: CalendarLookup | None = None, result: str | None = None) -> Deadline | None:
    """The total term's due instant for a case accepted at ``start`` through ``channel``; with ``result``, the
    term the act gives that result (``by_result``), else the channel's one."""
    term = reg.term_for(channel)
    if term is None or term.duration is None:
        return None
    calendars = calendars or calendars_for(reg)
    ch = reg.channel(channel)
    schedule = ch.schedule if ch else "department"
    cal = calendars(schedule)
    own = term.for_result(result)
    duration = own.duration if own else term.duration
    cite = own.cite if own else term.cite
    event = "acceptance" if term.starts == "acceptance" else "submission"
    counted = f"working time from {event}" if duration.unit.is_time else f"counted from the day after {event}"
    notes = [f"{duration} with the result {result} ({cite})" if own else f"{duration} ({cite})", counted]
    if "acceptance-day" in term.excludes:
        notes[-1] = "the day of acceptance is not counted"
    effective = duration
    if "issuance-day" in term.excludes:
        # The result is handed over on a day that is not part of the term: one more day of the term's unit,
        # counted in one go (a closed last day is moved once, not twice).
        effective = Duration(duration.amount + 1, duration.unit)
        notes.append("the issuance day is not counted (+1 day)")
    due = cal.add(start, effective)
    closed = cal.closed_weekdays(to_local(start).date(), due.date())
    if closed:
        notes.append("closed: " + ", ".join(f"{c.day:%d.%m} {c.reason}" for c in closed))
    why = f"due {to_local(due):%Y-%m-%d %H:%M} — " + "; ".join(notes)
    return Deadline(due, duration, schedule, cite, why, tuple(closed))


def result_choices(reg: Regulation, channel: str, kind: str = "positive") -> list[tuple[Result, ResultTerm | None]]:
    """The results of ``kind`` a case through ``channel`` may end with, when there is more than one: the deciding
    step must then name one (an examination's finding, a certificate that the person is or is not on the
    register), each with the term the act gives it, if any.  Empty when there is nothing to choose."""
    term = reg.term_for(channel)
    options = [(r, term.for_result(r.code) if term else None) for r in reg.results
               if r.kind == kind and (not r.channels or channel in r.channels)]
    return options if len(options) > 1 else []


def step_deadline(reg: Regulation, route: Route, step: Step, start: dt.datetime,
                  calendars: CalendarLookup | None = None) -> Deadline | None:
    """When ``step`` is due if it starts at ``start``; None when the act gives it no duration."""
    if step.duration is None:
        return None
    calendars = calendars or calendars_for(reg)
    schedule = reg.schedule_for_role(step.role, route)
    due = calendars(schedule).add(start, step.duration)
    why = f"{step.duration} on the {schedule} schedule ({step.cite})"
    return Deadline(due, step.duration, schedule, step.cite, why)


@dataclass(frozen=True)
class PlannedStep:
    n: int
    role: str | None
    duration: Duration | None
    duration_text: str | None
    starts: dt.datetime
    due: dt.datetime
    cite: str | None


@dataclass(frozen=True)
class Plan:
    regulation: Regulation
    route_code: str
    at: dt.datetime
    term: Deadline | None
    steps: tuple[PlannedStep, ...]

    def as_dict(self) -> dict:
        return {
            "regulation": self.regulation.id,
            "version": self.regulation.version,
            "route": self.route_code,
            "at": self.at.isoformat(),
            "term_due": self.term.due.isoformat() if self.term else None,
            "term": {
                "duration": str(self.term.duration), "cite": self.term.cite, "why": self.term.why,
                "schedule": self.term.schedule,
            } if self.term else None,
            "steps": [
                {
                    "n": s.n, "role": s.role,
                    "duration": str(s.duration) if s.duration else None,
                    "duration_text": s.duration_text,
                    "due": s.due.isoformat(), "cite": s.cite,
                }
                for s in self.steps
            ],
        }


def plan(reg: Regulation, route_code: str, at: dt.datetime,
         calendars: CalendarLookup | None = None) -> Plan:
    """Each step starts when the previous one is due; a step without a duration takes no time."""
    route = reg.route(route_code)
    calendars = calendars or calendars_for(reg)
    at = to_local(at)
    cursor = at
    steps = []
    term_start = at
    from_acceptance = counts_from_acceptance(reg, route.channel)
    for step in route.steps:
        deadline = step_deadline(reg, route, step, cursor, calendars)
        due = deadline.due if deadline else cursor
        text = step.duration_text.get("en") if step.duration_text else None
        steps.append(PlannedStep(step.n, step.role, step.duration, text, cursor, due, step.cite))
        if step.accepts and from_acceptance:
            term_start = due  # planned: the applicant answers at the last moment the act allows
        cursor = due
    term = term_deadline(reg, route.channel, term_start, calendars)
    return Plan(reg, route_code, at, term, tuple(steps))
