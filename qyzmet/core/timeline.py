"""Deadlines of a regulation: the total term of a channel, and the planned due instant of each step.

Both the ``timeline`` command and the case engine use these functions, so what a planner sees is
what a running case is held to.  Every deadline carries its cite and a one-line *why*.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
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
from qyzmet.core.durations import Duration, Unit
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


@dataclass(frozen=True)
class TermSchedule:
    """Whose working days a term counts, and why: the act's words where it names them, else the provider's."""

    schedule: str
    cite: str | None
    reason: str


def term_schedule(reg: Regulation, channel: str) -> TermSchedule:
    """The schedule a channel's term is counted on.

    An act that says "10 working days" counts the working days of whoever renders the service: a PSC only
    receives and hands over, the provider (the district department, the health organisation) does the work.
    So, unless the act names the schedule (``counts_on``), the term counts on the provider's schedule: a case
    taken at a PSC that works Saturdays does not gain a Saturday the department never works.
    """
    term = reg.term_for(channel)
    if term is not None and term.counts_on:
        named = reg.channel(term.counts_on)
        schedule = named.schedule if named else term.counts_on
        return TermSchedule(schedule, term.counts_on_cite or term.cite,
                            f"the act counts the term on the {schedule} schedule")
    provider = reg.channel("provider")
    if provider is not None:
        return TermSchedule(provider.schedule, None, "the act does not say whose working days: counted on the "
                                                     f"provider schedule ({provider.schedule})")
    ch = reg.channel(channel)
    schedule = ch.schedule if ch else "department"
    return TermSchedule(schedule, None, f"the act does not say whose working days: counted on the {schedule} schedule")


def term_deadline(reg: Regulation, channel: str, start: dt.datetime,
                  calendars: CalendarLookup | None = None, result: str | None = None) -> Deadline | None:
    """The total term's due instant for a case accepted at ``start`` through ``channel``; with ``result``, the
    term the act gives that result (``by_result``), else the channel's one."""
    term = reg.term_for(channel)
    if term is None or term.duration is None:
        return None
    calendars = calendars or calendars_for(reg)
    counted_on = term_schedule(reg, channel)
    schedule = counted_on.schedule
    cal = calendars(schedule)
    own = term.for_result(result)
    duration = own.duration if own else term.duration
    cite = own.cite if own else term.cite
    event = "acceptance" if term.starts == "acceptance" else "submission"
    counted = f"working time from {event}" if duration.unit.is_time else f"counted from the day after {event}"
    notes = [f"{duration} with the result {result} ({cite})" if own else f"{duration} ({cite})", counted]
    if "acceptance-day" in term.excludes:
        notes[-1] = "the day of acceptance is not counted"
    notes.append(f"{counted_on.reason}" + (f" ({counted_on.cite})" if counted_on.cite else ""))
    effective = duration
    if "issuance-day" in term.excludes:
        # The result is handed over on a day that is not part of the term: one more day of the term's unit,
        # counted in one go (a closed last day is moved once, not twice).
        effective = Duration(duration.amount + 1, duration.unit)
        notes.append("the issuance day is not counted (+1 day)")
    due = cal.add(start, effective)
    ch = reg.channel(channel)
    if ch is not None and ch.schedule != schedule and not duration.unit.is_time:
        # The days are the provider's, but the last one ends when the office that hands the result over closes
        # (a PSC open until 20:00 issues on the last day until then).
        issuing = calendars(ch.schedule)
        if issuing.is_working(due.date()) and issuing.closing(due.date()) > due:
            due = issuing.closing(due.date())
            notes.append(f"the last day ends at the {ch.schedule} closing time, where the result is handed over")
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


@dataclass(frozen=True)
class StepContext:
    """What a step's due rule may need besides its own start: when the documents were submitted, the case's
    term, and when the earlier steps started (for a duration counted from another step)."""

    submitted_at: dt.datetime | None = None
    term_due: dt.datetime | None = None
    started: Mapping[int, dt.datetime] = field(default_factory=dict)


def _working_day_end(cal: WorkCalendar, start: dt.datetime) -> dt.datetime:
    """The closing time of the working day ``start`` falls on; at or after closing time, the next working day's."""
    local = to_local(start)
    day = local.date()
    if cal.is_working(day) and cal.closing(day) > local:
        return cal.closing(day)
    return cal.closing(cal.nth_working_day_after(day, 1) if cal.is_working(day) else
                       cal.next_working_day_on_or_after(day))


def _round_gap(cal: WorkCalendar, start: dt.datetime, rounds: int) -> Duration:
    """The longest a case waits for the next round of a rhythm step: 1/N of the working day it arrives on."""
    local = to_local(start)
    day = cal.next_working_day_on_or_after(local.date())
    length = sum(b - a for a, b in cal.hours(day))
    return Duration(max(1, math.ceil(length / 60 / rounds)), Unit.MINUTE)


def step_deadline(reg: Regulation, route: Route, step: Step, start: dt.datetime,
                  calendars: CalendarLookup | None = None, context: StepContext | None = None) -> Deadline | None:
    """When ``step`` is due if it starts at ``start``; None when the act gives it no bound (or the bound needs what
    is not known yet, e.g. the term of a case not accepted)."""
    calendars = calendars or calendars_for(reg)
    context = context or StepContext()
    schedule = reg.schedule_for_role(step.role, route)
    cal = calendars(schedule)
    if step.before_term_end is not None:
        if context.term_due is None:
            return None
        back = step.before_term_end
        delta = dt.timedelta(minutes=back.minutes) if back.unit.is_time else dt.timedelta(days=back.amount)
        due = to_local(context.term_due) - delta
        why = (f"{back} before the term ends ({to_local(context.term_due):%Y-%m-%d %H:%M}), counted back in plain "
               f"time ({step.cite})")
        return Deadline(due, back, schedule, step.cite, why)
    if step.within == "application-day":
        submitted = context.submitted_at or start
        due = _working_day_end(cal, submitted)
        why = f"on the day of application: by the closing time of {to_local(due):%d.%m.%Y} ({step.cite})"
        return Deadline(due, Duration(0, Unit.WORKING_DAY), schedule, step.cite, why)
    if step.within == "working-day":
        due = _working_day_end(cal, start)
        why = f"within the working day: by the closing time of {to_local(due):%d.%m.%Y} on the {schedule} " \
              f"schedule ({step.cite})"
        return Deadline(due, Duration(0, Unit.WORKING_DAY), schedule, step.cite, why)
    if step.rhythm and step.duration is None:
        gap = _round_gap(cal, start, step.rhythm)
        due = cal.add(start, gap)
        at_least = "at least " if step.at_least_times_a_day and not step.times_a_day else ""
        why = (f"{at_least}{step.rhythm} times a day: the next round comes within 1/{step.rhythm} of the working day "
               f"({gap}) on the {schedule} schedule ({step.cite})")
        return Deadline(due, gap, schedule, step.cite, why)
    if step.duration is None:
        return None
    if step.counted_from_step is not None:
        anchor = context.started.get(step.counted_from_step)
        if anchor is None:
            return None
        due = cal.add(anchor, step.duration)
        why = (f"{step.duration} from the start of step {step.counted_from_step} "
               f"({to_local(anchor):%Y-%m-%d %H:%M}) on the {schedule} schedule ({step.cite})")
        return Deadline(due, step.duration, schedule, step.cite, why)
    due = cal.add(start, step.duration)
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
    why: str = ""
    branch: str | None = None  # the branch code for a step off the main line
    condition: str | None = None  # "only for categories a, b" / the act's words of an asked condition


@dataclass(frozen=True)
class Plan:
    regulation: Regulation
    route_code: str
    at: dt.datetime
    term: Deadline | None
    steps: tuple[PlannedStep, ...]
    branch: str | None = None

    def as_dict(self) -> dict:
        return {
            "regulation": self.regulation.id,
            "version": self.regulation.version,
            "route": self.route_code,
            "branch": self.branch,
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
                    "due": s.due.isoformat(), "cite": s.cite, "why": s.why,
                    "branch": s.branch, "condition": s.condition,
                }
                for s in self.steps
            ],
        }


def condition_text(step: Step) -> str | None:
    if step.when is None:
        return None
    if step.when.categories:
        return "only for the categories " + ", ".join(step.when.categories) + f" ({step.when.cite})"
    asked = step.when.asked.get("en") if step.when.asked else ""
    return f"only if: {asked} ({step.when.cite})"


def applies(step: Step, category: str | None) -> bool:
    """Is a conditional step done for a case of ``category``?  A category condition decides by itself; an asked
    condition is answered by a person when the step opens, so the step is planned (and opened)."""
    if step.when is None or not step.when.categories or category is None:
        return True
    return category in step.when.categories


def path(route: Route, branch: str | None = None, category: str | None = None) -> list[tuple[Step, str | None]]:
    """The steps a case goes through: the main line, or the main line up to a branch's step and then the branch;
    steps whose category condition excludes ``category`` left out.  Each step with its branch code."""
    chosen = next((b for b in route.branches if b.code == branch), None) if branch else None
    if branch and chosen is None:
        known = ", ".join(b.code for b in route.branches) or "none"
        raise KeyError(f"the route has no branch {branch!r} (branches: {known})")
    out: list[tuple[Step, str | None]] = []
    for step in route.steps:
        if applies(step, category):
            out.append((step, None))
        if chosen is not None and step.n == chosen.from_step:
            out.extend((s, chosen.code) for s in chosen.steps if applies(s, category))
            break
    return out


def plan(reg: Regulation, route_code: str, at: dt.datetime,
         calendars: CalendarLookup | None = None, *, branch: str | None = None,
         category: str | None = None) -> Plan:
    """Each step starts when the previous one is due; a step without a bound takes no time.

    With ``branch`` the plan follows that way out of the main line (a refusal through the PSC); with
    ``category`` it leaves out the steps the act does only for other categories.
    """
    route = reg.route(route_code)
    calendars = calendars or calendars_for(reg)
    at = to_local(at)
    cursor = at
    steps = []
    from_acceptance = counts_from_acceptance(reg, route.channel)
    term = None if from_acceptance else term_deadline(reg, route.channel, at, calendars)
    started: dict[int, dt.datetime] = {}
    for step, branch_code in path(route, branch, category):
        started[step.n] = cursor
        context = StepContext(submitted_at=at, term_due=term.due if term else None, started=started)
        deadline = step_deadline(reg, route, step, cursor, calendars, context)
        due = deadline.due if deadline else cursor
        text = step.duration_text.get("en") if step.duration_text else None
        steps.append(PlannedStep(step.n, step.role, step.duration, text, cursor, due, step.cite,
                                 deadline.why if deadline else "the act gives this step no duration", branch_code,
                                 condition_text(step)))
        if step.accepts and from_acceptance:
            # planned: the applicant answers at the last moment the act allows
            term = term_deadline(reg, route.channel, due, calendars)
        cursor = max(due, cursor)
    return Plan(reg, route_code, at, term, tuple(steps), branch)
