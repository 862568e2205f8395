"""Why a deadline is what it is, in the reader's language.

The engine keeps a one-line English note with every deadline (for developers and the API).  People
read this instead: the act's own wording of the term and its clause, the weekdays inside the term on
which the office is closed (holidays by name, transferred days off with the day they come from), and
for a step its length and the working hours it is counted in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext as catalogued  # for names listed with gettext_noop below
from django.utils.translation import gettext_noop, pgettext

from qyzmet.cases.models import Case
from qyzmet.cases.services import calendars_of
from qyzmet.core import engine
from qyzmet.core.calendar import WEEKDAYS, Schedule, format_seconds, to_local
from qyzmet.core.durations import format_duration
from qyzmet.core.regulation import Regulation, Route, Step
from qyzmet.core.timeline import term_deadline, term_start

# The names the legal calendar (the ``holidays`` package) gives Kazakhstan's days off, listed so the
# catalogues carry their kk and ru names; a name not listed (a decree's own wording typed into the
# directory) is shown as written.
HOLIDAY_NAMES = (
    gettext_noop("New Year's Day"),
    gettext_noop("Orthodox Christmas"),
    gettext_noop("International Women's Day"),
    gettext_noop("Nowruz Holiday"),
    gettext_noop("Kazakhstan's People Solidarity Holiday"),
    gettext_noop("Defender of the Fatherland Day"),
    gettext_noop("Victory Day"),
    gettext_noop("Capital Day"),
    gettext_noop("Eid al-Adha"),
    gettext_noop("Constitution Day"),
    gettext_noop("Republic Day"),
    gettext_noop("First President Day"),
    gettext_noop("Independence Day"),
    gettext_noop("day off"),
)

_SUBSTITUTED = re.compile(r"^Day off \(substituted from (\d\d)/(\d\d)/(\d{4})\)$")
_OBSERVED = " (observed)"
_ESTIMATED = " (estimated)"


def closed_reason(reason: str) -> str:
    """A closed day's reason, as the calendar gives it, in the active language."""
    names = []
    for part in reason.split("; "):
        moved = _SUBSTITUTED.match(part)
        if moved:
            source = dt.date(int(moved[3]), int(moved[1]), int(moved[2]))
            names.append(_("day off transferred from %(date)s") % {
                "date": formats.date_format(source, "DATE_FORMAT")})
        elif part.endswith(_OBSERVED):
            names.append(_("%(holiday)s, moved to the next working day") % {
                "holiday": catalogued(part.removesuffix(_OBSERVED))})
        elif part.endswith(_ESTIMATED):
            # Eid al-Adha follows the lunar calendar: far-off years are the library's estimate until the
            # Government fixes the day.
            names.append(_("%(holiday)s (estimated date)") % {"holiday": catalogued(part.removesuffix(_ESTIMATED))})
        else:
            names.append(catalogued(part))
    return "; ".join(names)


def _weekday_names() -> dict[str, str]:
    return {
        "mon": pgettext("weekday", "Mon"), "tue": pgettext("weekday", "Tue"), "wed": pgettext("weekday", "Wed"),
        "thu": pgettext("weekday", "Thu"), "fri": pgettext("weekday", "Fri"), "sat": pgettext("weekday", "Sat"),
        "sun": pgettext("weekday", "Sun"),
    }


def working_hours(schedule: Schedule) -> str:
    """"Mon–Fri 09:00–13:00, 14:00–18:00; Sat 09:00–13:00": weekdays with the same hours grouped."""
    names = _weekday_names()
    groups: list[tuple[list[str], str]] = []
    for wd, hours in zip(WEEKDAYS, schedule.weekly, strict=True):
        if not hours:
            groups.append(([], ""))
            continue
        text = ", ".join(f"{format_seconds(a)}–{format_seconds(b)}" for a, b in hours)
        if groups and groups[-1][0] and groups[-1][1] == text:
            groups[-1][0].append(wd)
        else:
            groups.append(([wd], text))
    parts = []
    for days, text in groups:
        if not days:
            continue
        label = names[days[0]] if len(days) == 1 else f"{names[days[0]]}–{names[days[-1]]}"
        parts.append(f"{label} {text}")
    return "; ".join(parts)


def step_reason(reg: Regulation, route: Route, step: Step, lang: str) -> str:
    """"1 working day, counted in working hours Mon–Fri 09:00–13:00, 14:00–18:00" — "" without a duration."""
    if step.duration is None:
        return ""
    schedule = calendars_of(reg)(reg.schedule_for_role(step.role, route)).schedule
    return _("%(duration)s, counted in working hours: %(hours)s") % {
        "duration": format_duration(step.duration, lang), "hours": working_hours(schedule)}


@dataclass(frozen=True)
class ClosedDayText:
    day: dt.date
    reason: str


@dataclass(frozen=True)
class TermReasons:
    basis: tuple[str, ...]  # the act's wording of the term and its clause
    closed: tuple[ClosedDayText, ...]  # weekdays inside the term the office is closed, with the reason
    # False when counting again on today's calendar gives another date (an exception recorded after the
    # term was set): the date stands as set, but today's closed days would not explain it.
    recounted: bool


def term_reasons(case: Case, reg: Regulation, lang: str) -> TermReasons | None:
    """Why the case's term ends when it does; None while no term is set."""
    if case.term_due is None:
        return None
    state = engine.state_from_dict(case.state)
    basis = term_basis(reg, case.channel, lang, state.result) + suspension_lines(reg, state, lang) \
        + calendar_change_lines(case)
    start = term_start(reg, case.channel, case.submitted_at, case.accepted_at or case.submitted_at)
    calendars = calendars_of(reg)
    deadline = term_deadline(reg, case.channel, start, calendars, state.result)
    due = engine.after_suspensions(reg, reg.route(case.route), state, deadline.due, "", calendars)[0] \
        if deadline else None
    if deadline is None or due != case.term_due:
        return TermReasons(basis, (), False)
    closed = tuple(ClosedDayText(c.day, closed_reason(c.reason)) for c in deadline.closed)
    return TermReasons(basis, closed, True)


_CLAUSE = re.compile(r"^cl\.\s*(\d+(?:\.\d+)*)$")


def clause(cite: str | None) -> str:
    """A cite such as "cl. 9.1" in the page's words ("9.1-тармақ", "пункт 9.1"); other cites stay as written."""
    if not cite:
        return ""
    match = _CLAUSE.match(cite.strip())
    if match:
        return _("clause %(number)s") % {"number": match.group(1)}
    return cite


def suspension_lines(reg: Regulation, state: engine.CaseState, lang: str) -> tuple[str, ...]:
    """Each suspension behind the case: why the date lies later than the act's term alone would put it."""
    from qyzmet.cases.suspension import working_time

    lines = []
    for record in state.suspensions:
        ground = next((g for g in reg.suspension.grounds if g.code == record.ground), None) if reg.suspension \
            else None
        lines.append(_("Suspended from %(since)s to %(until)s (%(ground)s, %(cite)s): the date moved by %(time)s.")
                     % {"since": f"{to_local(record.since):%d.%m.%Y %H:%M}",
                        "until": f"{to_local(record.until):%d.%m.%Y %H:%M}",
                        "ground": ground.text.get(lang) if ground else record.ground,
                        "cite": clause(record.cite), "time": working_time(record.seconds)})
    return tuple(lines)


def calendar_change_lines(case: Case) -> tuple[str, ...]:
    """Each decree that moved the term while it ran (``calendar-changed`` events, qyzmet.recompute): from which
    date to which, the day it changed and the decree."""
    lines = []
    for data in case.events.filter(kind="calendar-changed").order_by("seq").values_list("payload", flat=True):
        if data.get("term_due_before") == data.get("term_due") or not data.get("term_due"):
            continue
        after = data.get("after") or {}
        what = {"holiday": _("a day off"), "working-day": _("a working day"),
                "special-hours": _("a day with other working hours")}.get(after.get("kind", ""),
                                                                          _("an ordinary day again"))
        before = to_local(dt.datetime.fromisoformat(data["term_due_before"])) if data.get("term_due_before") else None
        lines.append(_("Moved from %(before)s to %(after)s: %(day)s became %(what)s (%(source)s).") % {
            "before": f"{before:%d.%m.%Y %H:%M}" if before else "—",
            "after": f"{to_local(dt.datetime.fromisoformat(data['term_due'])):%d.%m.%Y %H:%M}",
            "day": f"{dt.date.fromisoformat(data['day']):%d.%m.%Y}", "what": what, "source": data.get("source", "")})
    return tuple(lines)


def term_basis(reg: Regulation, channel: str, lang: str, result: str | None = None) -> tuple[str, ...]:
    """The act's own wording of the term, so the reader sees the rule, not our arithmetic; with the result the
    deciding step named, the term the act gives that result."""
    term = reg.term_for(channel)
    if term is None:
        return ()
    own = term.for_result(result)
    if own is not None:
        wording = own.duration_text.get(lang) if own.duration_text else format_duration(own.duration, lang)
        return (_("Term set by the regulation: %(term)s") % {"term": wording},
                _("Legal basis: %(cite)s") % {"cite": clause(own.cite)})
    lines: list[str] = []
    if term.duration_text and term.duration_text.get(lang):
        wording = term.duration_text.get(lang)
    elif term.duration is not None:
        wording = format_duration(term.duration, lang)
    else:
        wording = ""
    if wording:
        lines.append(_("Term set by the regulation: %(term)s") % {"term": wording})
    if term.counted_from and term.counted_from.get(lang):
        lines.append(_("Counted: %(start)s") % {"start": term.counted_from.get(lang)})
    if "acceptance-day" in term.excludes:
        lines.append(_("The day the documents are accepted is not counted."))
    if "issuance-day" in term.excludes:
        lines.append(_("The day the result is handed over is not counted."))
    if term.cite:
        lines.append(_("Legal basis: %(cite)s") % {"cite": clause(term.cite)})
    return tuple(lines)
