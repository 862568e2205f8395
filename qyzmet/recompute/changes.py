"""A calendar exception entered or removed, and every open case whose dates it moves counted again, in bulk.

    add_exception(day, "holiday", "Decree No. 123 of 01.12.2026")   # the admin and `qyzmet calendar exception add`
    remove_exception(day)

One transaction per batch of cases: the candidates are read with their rows locked (PostgreSQL
``FOR UPDATE``; SQLite's writers queue behind ``BEGIN IMMEDIATE``), so a clerk's transition cannot slip in
between the read and the write.  Which cases: open, of a regulation version that counts on the changed
schedule (``""``: every schedule — the engine takes a term's and a step's schedule from the regulation, not
from the office), submitted before the end of the changed day, with a due instant on or after its start (or
suspended: their dates live only in the state).  How: the dates are counted twice with the engine's
counting (``recount``), on the calendar before and after the change; cases that started the same day
share one count (a day-counted term or step depends only on the start's day), so a million cases cost a
few thousand counts.  What is written per moved case: the row's dates, ``term_why``, ``seq`` and the state
JSON's ``term_due``/``step_due``/``seq`` in one UPDATE (JSON edited in SQL: ``jsonb_set``/``json_set``),
the open step's task, and one ``calendar-changed`` event (old, new, decree) through :func:`audit.record`.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.cases import services
from qyzmet.cases.models import Case, RegulationVersion, Task
from qyzmet.cases.workflow import Invalid
from qyzmet.core import calendar as core_calendar
from qyzmet.core import engine
from qyzmet.core.regulation import Regulation
from qyzmet.core.timeline import CalendarLookup, term_schedule
from qyzmet.directory.models import CalendarException
from qyzmet.recompute import audit
from qyzmet.recompute.recount import Dates, day_counted, recount, term_day_counted

KINDS = {"holiday": "holiday", "working": "working-day", "working-day": "working-day",
         "special-hours": "special-hours"}
OPEN = (Case.Status.SUBMITTED, Case.Status.IN_PROGRESS)
BATCH = 10_000


@dataclass
class Moved:
    number: str
    term_before: dt.datetime | None
    term_after: dt.datetime | None
    step_before: dt.datetime | None
    step_after: dt.datetime | None


@dataclass
class Report:
    """What a calendar change did: how many open cases were looked at and moved, a sample of them, the time."""

    day: dt.date
    schedule: str
    source: str
    scanned: int = 0
    moved: int = 0
    terms_moved: int = 0
    steps_moved: int = 0
    suspended_moved: int = 0
    counts: int = 0  # distinct countings done (the rest shared one)
    seconds: float = 0.0
    sample: list[Moved] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "schedule": self.schedule, "source": self.source,
                "scanned": self.scanned, "moved": self.moved, "terms_moved": self.terms_moved,
                "steps_moved": self.steps_moved, "suspended_moved": self.suspended_moved, "counts": self.counts,
                "seconds": round(self.seconds, 3),
                "sample": [{"number": m.number, "term_due_before": _iso(m.term_before), "term_due": _iso(m.term_after),
                            "step_due_before": _iso(m.step_before), "step_due": _iso(m.step_after)}
                           for m in self.sample]}


def _iso(value: dt.datetime | None) -> str | None:
    return core_calendar.to_local(value).isoformat() if value else None


# --- entering and removing an exception -------------------------------------------------------------------

def known_schedules() -> set[str]:
    from qyzmet.core.loader import shipped_catalog

    names = set(core_calendar.BUILTIN_SCHEDULES)
    for reg in shipped_catalog().regulations:
        names.update(s.code for s in reg.schedules)
    return names


def check(day: str | dt.date, kind: str, source: str, schedule: str = "", hours: str = "") -> tuple[dt.date, str]:
    """The exception's fields as a person typed them; :class:`Invalid` names the field that is wrong."""
    if isinstance(day, str):
        try:
            day = core_calendar.parse_date(day)
        except core_calendar.CalendarError:
            raise Invalid("day", _("Enter the day as YYYY-MM-DD, e.g. 2026-12-18.")) from None
    if not core_calendar.FIRST_YEAR <= day.year < core_calendar.LAST_YEAR:
        raise Invalid("day", _("The calendar covers %(first)s–%(last)s.") % {
            "first": core_calendar.FIRST_YEAR, "last": core_calendar.LAST_YEAR - 1})
    if kind not in KINDS:
        raise Invalid("kind", _("The kind is holiday, working-day or special-hours, not “%(kind)s”.") % {"kind": kind})
    if not source.strip():
        raise Invalid("source", _("Name the decree or order that changes this day (its number and date)."))
    if schedule and schedule not in known_schedules():
        raise Invalid("schedule", _("Unknown schedule “%(schedule)s” (known: %(known)s).") % {
            "schedule": schedule, "known": ", ".join(sorted(known_schedules()))})
    try:
        intervals = [core_calendar.parse_interval(p.strip()) for p in hours.split(",") if p.strip()]
    except core_calendar.CalendarError:
        raise Invalid("hours", _("Write the hours as HH:MM-HH:MM, several separated by commas.")) from None
    if KINDS[kind] == "special-hours" and not intervals:
        raise Invalid("hours", _("Special hours need at least one interval, e.g. 09:00-13:00."))
    return day, KINDS[kind]


def snapshot(row: CalendarException | None) -> dict[str, str] | None:
    """The exception as a ``calendar-changed`` event records it (None: the law's own day)."""
    if row is None:
        return None
    return {"kind": row.kind, "hours": row.hours, "name": row.name, "source": row.source}


def add_exception(day: str | dt.date, kind: str, source: str, *, schedule: str = "", hours: str = "",
                  name: str = "", actor=None, now: dt.datetime | None = None) -> Report:
    """Record (or replace) the exception on ``day`` for ``schedule`` and count the open cases again."""
    day, kind = check(day, kind, source, schedule, hours)
    with transaction.atomic():
        row = CalendarException.objects.select_for_update().filter(day=day, schedule=schedule).first()
        before = snapshot(row)
        row = row or CalendarException(day=day, schedule=schedule)
        row.kind, row.hours, row.name, row.source = kind, hours.strip(), name.strip(), source.strip()
        row.save()
        return recompute(day, schedule, row.source, before, snapshot(row), actor=actor, now=now)


def remove_exception(day: str | dt.date, *, schedule: str = "", source: str = "", actor=None,
                     now: dt.datetime | None = None) -> Report:
    """Remove the exception (a decree revoked) and count the open cases again."""
    day, _kind = check(day, "holiday", source or "-", schedule)
    with transaction.atomic():
        row = CalendarException.objects.select_for_update().filter(day=day, schedule=schedule).first()
        if row is None:
            raise Invalid("day", _("No calendar exception is recorded on %(day)s for this schedule.") % {
                "day": day.isoformat()})
        before = snapshot(row)
        row.delete()
        return recompute(day, schedule, source.strip() or _("revoked: %(source)s") % {"source": row.source},
                         before, None, actor=actor, now=now)


# --- counting again --------------------------------------------------------------------------------------

def _schedules_of(reg: Regulation) -> set[str]:
    names = {c.schedule for c in reg.channels} | {s.code for s in reg.schedules}
    names |= {r.schedule for r in reg.roles if r.schedule}
    names |= {term_schedule(reg, t.channel).schedule for t in reg.terms}
    return names


@dataclass
class _Version:
    row: RegulationVersion
    reg: Regulation
    new: CalendarLookup
    old: CalendarLookup


def _versions(schedule: str, change: engine.CalendarChanged) -> dict[int, _Version]:
    out = {}
    for row in RegulationVersion.objects.defer("source"):
        reg = services.regulation_of(row)
        if schedule and schedule not in _schedules_of(reg):
            continue
        new = services.calendars_of(reg)
        out[row.pk] = _Version(row, reg, new, engine.calendars_with(new, change, "before"))
    return out


_FIELDS = ("id", "number", "seq", "regulation_id", "route", "channel", "status", "submitted_at", "accepted_at",
           "term_due", "step_due", "current_step", "j_step_started", "j_result", "j_custody", "j_suspended",
           "j_suspensions")


_JSON_FROM = _FIELDS.index("j_step_started")


def _candidates(versions: Iterable[int], day: dt.date, after_id: int, limit: int):
    start = core_calendar.local_instant(day, 0)
    end = core_calendar.local_instant(day + dt.timedelta(days=1), 0)
    # KT gives SQL NULL for a JSON null on PostgreSQL and the text 'null' on SQLite; a key lookup's isnull
    # would only ask whether the key exists.
    query = (Case.objects.filter(status__in=OPEN, regulation_id__in=list(versions), submitted_at__lt=end,
                                 id__gt=after_id)
             .annotate(j_step_started=KT("state__step_started"), j_result=KT("state__result"),
                       j_custody=KT("state__custody"), j_suspended=KT("state__suspended_since"),
                       j_suspensions=KT("state__suspensions"))
             .filter(Q(term_due__gte=start) | Q(step_due__gte=start)
                     | (Q(j_suspended__isnull=False) & ~Q(j_suspended="null")))
             .order_by("id"))
    if connection.features.has_select_for_update:
        query = query.select_for_update(of=("self",))
    return [tuple(None if v == "null" and i >= _JSON_FROM else v for i, v in enumerate(row))
            for row in query.values_list(*_FIELDS)[:limit]]


def _parse(value: str | None) -> dt.datetime | None:
    return core_calendar.to_local(dt.datetime.fromisoformat(value)) if value else None


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return core_calendar.to_local(value).date() if value else None


def recompute(day: dt.date, schedule: str, source: str, before: dict | None, after: dict | None, *,
              actor=None, now: dt.datetime | None = None, batch: int = BATCH) -> Report:
    """Count again every open case the change of ``day`` may move, writing the moved ones (see the module)."""
    started = time.perf_counter()
    now = now or timezone.now()
    change = engine.CalendarChanged(day=day.isoformat(), schedule=schedule, source=source, before=before, after=after,
                                    by=getattr(actor, "username", None))
    report = Report(day, schedule, source)
    versions = _versions(schedule, change)
    memo: dict[tuple, tuple[Dates, Dates]] = {}
    last = 0
    while versions:
        with transaction.atomic():
            rows = _candidates(versions, day, last, batch)
            if not rows:
                break
            last = rows[-1][0]
            report.scanned += len(rows)
            _write(_count(rows, versions, memo, change, report), change, now, actor, report)
    report.counts = len(memo) + report.counts
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class _Change:
    id: int
    number: str
    seq: int
    step: int | None
    suspended: bool
    old: Dates
    new: Dates
    step_started: dt.datetime | None


def _pseudo_state(v: _Version, r: dict) -> engine.CaseState:
    """The part of the engine state a day-counted term and step read (no history: those steps need none)."""
    return engine.CaseState(
        regulation_id=v.reg.id, version=v.reg.version, content_hash=v.reg.content_hash, route=r["route"],
        channel=r["channel"], iin="", category="", documents=(), submitted_at=r["submitted_at"],
        status=engine.Status(r["status"]), step=r["current_step"], step_started=_parse(r["j_step_started"]),
        step_due=r["step_due"], accepted_at=r["accepted_at"], term_due=r["term_due"], result=r["j_result"] or None)


def _count(rows: list[tuple], versions: dict[int, _Version], memo: dict, change: engine.CalendarChanged,
           report: Report) -> list[_Change]:
    out: list[_Change] = []
    full: list[dict] = []
    for values in rows:
        r = dict(zip(_FIELDS, values, strict=True))
        v = versions[r["regulation_id"]]
        route = v.reg.routes.get(r["route"])
        step = route.step(r["current_step"]) if route is not None and r["current_step"] else None
        simple = (not r["j_suspended"] and r["j_suspensions"] in (None, "[]", "") and not r["j_custody"]
                  and term_day_counted(v.reg, r["channel"], r["j_result"] or None)
                  and (r["step_due"] is None or day_counted(step)))
        if not simple:
            full.append(r)
            continue
        started = _parse(r["j_step_started"])
        key = (r["regulation_id"], r["route"], r["channel"], r["j_result"], r["current_step"],
               _local_day(r["submitted_at"]), _local_day(r["accepted_at"]), r["term_due"] is None,
               r["step_due"] is None, _local_day(started))
        counted = memo.get(key)
        if counted is None:
            state = _pseudo_state(v, r)
            counted = memo[key] = (recount(v.reg, state, v.old), recount(v.reg, state, v.new))
        change_ = _moved(r, counted[0], counted[1], Dates(r["term_due"], r["step_due"]), False, started)
        if change_ is not None:
            out.append(change_)
    if full:
        states = dict(Case.objects.filter(pk__in=[r["id"] for r in full]).values_list("id", "state"))
        for r in full:
            v = versions[r["regulation_id"]]
            state = engine.state_from_dict(states[r["id"]])
            report.counts += 1
            change_ = _moved(r, recount(v.reg, state, v.old), recount(v.reg, state, v.new),
                             Dates(state.term_due, state.step_due), state.suspended_since is not None,
                             state.step_started)
            if change_ is not None:
                out.append(change_)
    return out


def _moved(r: dict, old: Dates, new: Dates, stored: Dates, suspended: bool,
           step_started: dt.datetime | None) -> _Change | None:
    """The case's new dates when the change moves them; None when it does not (or they are counted already)."""
    term = new.term_due if new.term_due != old.term_due and new.term_due != stored.term_due else stored.term_due
    step = new.step_due if new.step_due != old.step_due and new.step_due != stored.step_due else stored.step_due
    if term == stored.term_due and step == stored.step_due:
        return None
    return _Change(r["id"], r["number"], r["seq"], r["current_step"], suspended, stored, Dates(term, step),
                   step_started)


def _why(change: engine.CalendarChanged, before: dt.datetime | None, after: dt.datetime | None) -> str:
    # The engine's own wording (engine._calendar_changed), so the row agrees with what a replay's effect says.
    old = f"{core_calendar.to_local(before):%Y-%m-%d %H:%M}" if before else "none"
    what = f"the calendar change of {change.day} ({change.source})"
    return (f"due {core_calendar.to_local(after):%Y-%m-%d %H:%M} — counted again on {what}; it was {old}"
            if after else f"no countable term after {what}")


def _write(changes: list[_Change], change: engine.CalendarChanged, now: dt.datetime, actor, report: Report) -> None:
    if not changes:
        return
    cases, tasks, entries = [], [], []
    # Cases moved from the same dates to the same dates share their event payload, texts and ISO strings.
    shared: dict[tuple, tuple] = {}
    task_why = f"counted again on the calendar change of {change.day} ({change.source})"
    for c in changes:
        seq = c.seq + 1
        key = (c.old, c.new)
        made = shared.get(key)
        if made is None:
            event = replace(change, term_due_before=_iso(c.old.term_due), term_due=_iso(c.new.term_due),
                            step_due_before=_iso(c.old.step_due), step_due=_iso(c.new.step_due))
            term_moved, step_moved = c.new.term_due != c.old.term_due, c.new.step_due != c.old.step_due
            why = _why(change, c.old.term_due, c.new.term_due) if term_moved else None
            made = shared[key] = (term_moved, step_moved, why, event.term_due, event.step_due,
                                  audit.payload_of(engine.to_jsonable(engine.event_to_dict(event))))
        term_moved, step_moved, why, term_iso, step_iso, payload = made
        report.moved += 1
        report.terms_moved += term_moved
        report.steps_moved += step_moved
        report.suspended_moved += c.suspended
        if len(report.sample) < 20:
            report.sample.append(Moved(c.number, c.old.term_due, c.new.term_due, c.old.step_due, c.new.step_due))
        # A suspended case's rows carry no due instant (nothing runs); its state does, for the resumption.
        cases.append((c.id, None if c.suspended else c.new.term_due, None if c.suspended else c.new.step_due, why,
                      seq, term_iso, step_iso))
        if step_moved and not c.suspended and c.step is not None:
            tasks.append((c.id, c.step, c.new.step_due, task_why))
        # The engine refuses an event before the step's start: a simulated clock may run ahead of now.
        at = max(now, c.step_started) if c.step_started else now
        entries.append(audit.Entry(c.id, c.number, seq, payload, at))
    _update_cases(cases)
    _update_tasks(tasks)
    audit.record(entries, actor)


def _update_cases(rows: list[tuple]) -> None:
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS recompute_case (id bigint PRIMARY KEY, "
                           "term_due timestamptz, step_due timestamptz, why text, seq integer, term_iso text, "
                           "step_iso text) "
                           "ON COMMIT DELETE ROWS")
            with cursor.cursor.copy("COPY recompute_case FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"UPDATE {table} c SET term_due = t.term_due, step_due = t.step_due, seq = t.seq, "
                "term_why = COALESCE(t.why, c.term_why), "
                "state = jsonb_set(jsonb_set(jsonb_set(c.state, '{term_due}', COALESCE(to_jsonb(t.term_iso), "
                "'null'::jsonb)), '{step_due}', COALESCE(to_jsonb(t.step_iso), 'null'::jsonb)), '{seq}', "
                "to_jsonb(t.seq)) FROM recompute_case t WHERE c.id = t.id")
            cursor.execute("TRUNCATE recompute_case")
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            f"UPDATE {table} SET term_due = %s, step_due = %s, term_why = COALESCE(%s, term_why), seq = %s, "
            "state = json_set(state, '$.term_due', %s, '$.step_due', %s, '$.seq', %s) WHERE id = %s",
            [(adapt(term), adapt(step), why, seq, term_iso, step_iso, seq, pk)
             for pk, term, step, why, seq, term_iso, step_iso in rows])


def _update_tasks(rows: list[tuple]) -> None:
    if not rows:
        return
    table = Task._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS recompute_task (case_id bigint, step integer, "
                           "due timestamptz, why text) ON COMMIT DELETE ROWS")
            with cursor.cursor.copy("COPY recompute_task FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"UPDATE {table} k SET due = t.due, why = t.why FROM recompute_task t "
                           "WHERE k.case_id = t.case_id AND k.step = t.step AND k.closed_at IS NULL")
            cursor.execute("TRUNCATE recompute_task")
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(f"UPDATE {table} SET due = %s, why = %s WHERE case_id = %s AND step = %s "
                           "AND closed_at IS NULL", [(adapt(due), why, case, step) for case, step, due, why in rows])


def moved_lines(case: Case) -> list[dict]:
    """The case's ``calendar-changed`` events, newest last: what the deadline's explanation says of them."""
    out = []
    for payload in case.events.filter(kind="calendar-changed").order_by("seq").values_list("payload", flat=True):
        data = payload if isinstance(payload, dict) else json.loads(payload)
        out.append(data)
    return out
