"""Count a running case's dates again on another calendar (pure: no Django).

The rule (docs/ARCHITECTURE.md, "Calendar changes"): a term already running is counted again on the new
calendar — the acts define it as "N working days from submission", so the date follows the days that
count — unless the regulation marks the term ``on_calendar_change: fixed``; the open step's due is counted
again in any case.  The counting is the engine's own: ``timeline.term_deadline`` from the term's start with
the result the case named, plus the working time of past suspensions (``engine.after_suspensions``, as the
deadline's explanation counts it), and ``timeline.step_deadline`` from the step's start with the case's
context, plus the suspensions since the step started (as ``Resume`` adds them).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

from qyzmet.core import engine
from qyzmet.core.durations import Duration, Unit
from qyzmet.core.regulation import Regulation, Step
from qyzmet.core.timeline import CalendarLookup, step_deadline, term_deadline, term_start


@dataclass(frozen=True)
class Dates:
    term_due: dt.datetime | None
    step_due: dt.datetime | None


def term_fixed(reg: Regulation, channel: str) -> bool:
    """Does the act fix the term's date at acceptance (so a calendar change leaves it)?"""
    term = reg.term_for(channel)
    return term is not None and term.on_calendar_change == "fixed"


def recount(reg: Regulation, state: engine.CaseState, calendars: CalendarLookup) -> Dates:
    """The case's term and open-step dates counted on ``calendars``; a date that cannot be counted again (none
    set, a result kept by the provider, a fixed term) stays as stored."""
    term_due = state.term_due
    if term_due is not None and state.accepted_at is not None and not term_fixed(reg, state.channel):
        start = term_start(reg, state.channel, state.submitted_at, state.accepted_at)
        deadline = term_deadline(reg, state.channel, start, calendars, state.result)
        if deadline is not None:
            route = reg.route(state.route)
            term_due = engine.after_suspensions(reg, route, state, deadline.due, "", calendars)[0]
    step_due = state.step_due
    if step_due is not None and state.step is not None and state.custody is None and state.step_started:
        route = reg.route(state.route)
        step = route.step(state.step)
        context = engine.step_context(replace(state, term_due=term_due), state.step_started, step.n)
        deadline = step_deadline(reg, route, step, state.step_started, calendars, context)
        if deadline is not None:
            step_due = deadline.due
            cal = calendars(reg.schedule_for_role(step.role, route))
            for record in state.suspensions:
                if record.since >= state.step_started:
                    seconds = cal.working_seconds_between(record.since, record.until)
                    if seconds:
                        step_due = cal.add(step_due, Duration(math.ceil(seconds / 60), Unit.MINUTE))
    return Dates(term_due, step_due)


def day_counted(step: Step | None) -> bool:
    """A step whose due depends only on the day it started (N ≥ 1 working or calendar days, no other rule):
    cases that started it on the same day share one count."""
    if step is None or step.duration is None or step.duration.unit.is_time or step.duration.amount < 1:
        return False
    return (getattr(step, "before_term_end", None) is None and getattr(step, "within", None) is None
            and not getattr(step, "rhythm", None) and getattr(step, "counted_from_step", None) is None)


def term_day_counted(reg: Regulation, channel: str, result: str | None) -> bool:
    """The channel's term (with the result's own term) is N ≥ 1 days: its due depends only on the start's day."""
    term = reg.term_for(channel)
    if term is None or term.duration is None:
        return True  # nothing to count
    own = term.for_result(result)
    duration = own.duration if own else term.duration
    return not duration.unit.is_time and duration.amount >= 1
