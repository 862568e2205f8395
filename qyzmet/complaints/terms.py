"""When a complaint's answer is due, and why, on the legal calendar of the office that considers it.

The acts say "considered within N working days from the day of its registration" (mlsp-2021 annex 1 cl. 11,
annex 2 cl. 14, annex 3 cl. 13 and 69, annex 4 cl. 13; 5 working days at the provider or the PSC, 15 at the
quality authority).  As every term in days here, the day of registration is not counted: the due instant is
the closing time of the N-th working day after it, on the considering office's weekly schedule, with the
holidays, the weekend→next-working-day rule, the transfer decrees and the directory's calendar exceptions
(the very calendar the cases use, ``cases.services.calendars_of``).  A level the act gives no term — or an
act with no complaint procedure at all — gets no due date: none is invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from qyzmet.cases.services import calendars_of
from qyzmet.core.calendar import CalendarError, ClosedDay, WorkCalendar, to_local
from qyzmet.core.durations import Duration, format_duration
from qyzmet.core.regulation import Complaint as Level
from qyzmet.core.regulation import Regulation
from qyzmet.directory.models import Office


@dataclass(frozen=True)
class ComplaintDeadline:
    due: dt.datetime
    term: Duration
    schedule: str
    cite: str
    why: str  # English, for developers and the API (the pages say it in the reader's language)
    closed: tuple[ClosedDay, ...]


class NoCalendar(ValueError):
    """The considering office's schedule is not one the regulation or the built-ins know."""


def office_calendar(reg: Regulation, office: Office) -> WorkCalendar:
    try:
        return calendars_of(reg)(office.schedule)
    except CalendarError as exc:
        raise NoCalendar(str(exc)) from None


def deadline(reg: Regulation, level: Level | None, office: Office,
             registered_at: dt.datetime) -> ComplaintDeadline | None:
    """The answer's due instant for a complaint registered at ``registered_at``; None when the act sets no term."""
    if level is None or level.term is None:
        return None
    cal = office_calendar(reg, office)
    due = cal.add(registered_at, level.term)
    closed = tuple(cal.closed_weekdays(to_local(registered_at).date(), to_local(due).date()))
    cite = level.cite or ""
    notes = [f"{level.term} ({cite})", f"counted from the day after registration on the {office.schedule} schedule"]
    if closed:
        notes.append("closed: " + ", ".join(f"{c.day:%d.%m} {c.reason}" for c in closed))
    why = f"due {to_local(due):%Y-%m-%d %H:%M} — " + "; ".join(notes)
    return ComplaintDeadline(due, level.term, office.schedule, cite, why, closed)


@dataclass(frozen=True)
class Reasons:
    """The "why" of a complaint's due date in the reader's language."""

    line: str  # "5 working days from the day after registration (cl. 13.1), on the schedule …"
    closed: tuple[tuple[dt.date, str], ...]  # weekdays inside the term the office is closed, with the reason
    recounted: bool  # False: today's calendar gives another date (an exception recorded since); the date stands


def reasons(reg: Regulation, level: Level | None, office: Office, registered_at: dt.datetime,
            stored_due: dt.datetime | None, lang: str) -> Reasons | None:
    from qyzmet.web.deadline_reasons import closed_reason, working_hours

    if level is None or level.term is None or stored_due is None:
        return None
    try:
        cal = office_calendar(reg, office)
        again = deadline(reg, level, office, registered_at)
    except NoCalendar:
        return None
    line = _("%(term)s from the day after registration (%(cite)s), counted on the working days of the office "
             "that considers it: %(hours)s.") % {
        "term": format_duration(level.term, lang), "cite": level.cite or "", "hours": working_hours(cal.schedule)}
    if again is None or again.due != stored_due:
        return Reasons(line, (), False)
    return Reasons(line, tuple((c.day, closed_reason(c.reason)) for c in again.closed), True)
