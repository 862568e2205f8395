"""The step-by-step check of an office's work against the acts' step norms.

The Mangystau 2015 health acts give each procedure a norm in minutes or hours ("not more than 10 minutes",
annex 2 cl. 5.1; "within 7 hours", annex 12) but no total term of the service — only HIV testing has one
(digest 003, "Cross-cutting").  So the way to check them is step by step: for each service and step the
office's staff did in a period, how many passed it, how many were late, and how long the step took in
*working* time against its norm.

Rules, each with its reason:

- A step belongs to the period when it was finished (``Task.closed_at`` within the Almaty days ``first`` to
  ``last``): a step still open has no length yet.  Only the office's own steps count (``Task.office``): the
  applicant's portal steps and the information systems' checks are nobody's work here.
- Working time is the time between ``opened_at`` and ``closed_at`` inside the opening hours of the calendar
  the step's due instant was counted on — ``cases.services.calendars_of`` (the law's holidays, transfer
  decrees and the directory's exceptions) on the schedule the regulation gives the step's role
  (``Regulation.schedule_for_role``) — so a lunch break, a night or a holiday spent waiting is not counted,
  exactly as the norm itself is not counted through them.
- Late is the engine's verdict stored with the step (``Task.late``: closed after its due instant); a row
  without it (older data) is late when ``closed_at`` is after ``due``.  How late is the working time from the
  due instant to the close.
- The 90th percentile is the nearest-rank one: the shortest time at least nine in ten passes took no longer
  than.  A step returned and done again is a second pass: both are counted; ``cases`` counts the cases.
- The norm is the step's own duration in the version of the act the case is pinned to, with its clause; a
  step without one says so ("the act gives no norm") rather than being measured against an invented figure.
- No Mangystau act allows suspension, so suspended time is not subtracted (a suspended step has no due).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from qyzmet.cases import services
from qyzmet.cases.access import AccessDenied, Actor
from qyzmet.cases.models import RegulationVersion, Task
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import WorkCalendar, local_instant, to_local
from qyzmet.core.durations import Duration, format_duration
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.regulation import Regulation
from qyzmet.directory.models import Office, RoleAssignment

HEAD = "head"
MAX_DAYS = 366  # one report covers at most a year: it reads every finished step of the office in the period
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)  # the days a report may name


@dataclass
class StepRow:
    """One step of one service (one version of its act) as the office did it in the period."""

    reg_id: str
    version: int
    service: dict[str, str]  # kk, ru, en
    route: str
    step: int
    role: str
    role_name: dict[str, str]
    action: dict[str, str]
    norm: Duration | None
    cite: str
    schedule: str
    passed: int = 0
    cases: int = 0
    late: int = 0
    mean_seconds: float | None = None
    p90_seconds: int | None = None
    max_seconds: int | None = None
    _seconds: list[int] = field(default_factory=list, repr=False)
    _case_ids: set[int] = field(default_factory=set, repr=False)

    @property
    def norm_seconds(self) -> int | None:
        """The norm as working seconds, where it is one (minutes, hours); days are not a fixed length."""
        return self.norm.minutes * 60 if self.norm is not None and self.norm.unit.is_time else None

    def norm_text(self, lang: str) -> str:
        return format_duration(self.norm, lang) if self.norm is not None else ""


@dataclass(frozen=True)
class LateStep:
    number: str
    case_id: int
    reg_id: str
    route: str
    step: int
    role: str
    opened_at: dt.datetime
    closed_at: dt.datetime
    due: dt.datetime | None
    worked_seconds: int
    over_seconds: int  # working time from the due instant to the close
    norm: Duration | None
    cite: str
    closed_by: str


@dataclass(frozen=True)
class StepReport:
    office: Office
    first: dt.date
    last: dt.date
    service: str | None
    rows: list[StepRow]
    late: list[LateStep]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.rows)

    @property
    def late_count(self) -> int:
        return sum(r.late for r in self.rows)


def p90(values: list[int]) -> int | None:
    """Nearest-rank 90th percentile: the ceil(0.9·n)-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


# --- input --------------------------------------------------------------------------------------------

def period(first: str | dt.date | None, last: str | dt.date | None) -> tuple[dt.date, dt.date]:
    """The period's two days, checked; errors name the field ``from`` or ``to``."""
    days = []
    for name, value in (("from", first), ("to", last)):
        if isinstance(value, dt.date):
            days.append(value)
            continue
        try:
            days.append(dt.date.fromisoformat((value or "").strip()))
        except ValueError:
            raise Invalid(name, _("Enter the day as YYYY-MM-DD, e.g. 2025-03-01.")) from None
    for name, day in zip(("from", "to"), days, strict=True):
        if not EARLIEST <= day <= LATEST:
            # Year 1 would overflow turning Almaty midnight into UTC (a 500 the API fuzzing found).
            raise Invalid(name, _("Enter a day between %(first)s and %(last)s.")
                          % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()})
    a, b = days
    if b < a:
        raise Invalid("to", _("The last day cannot be before the first day."))
    if (b - a).days + 1 > MAX_DAYS:
        raise Invalid("to", _("One report covers at most %(n)s days.") % {"n": MAX_DAYS})
    return a, b


def check_service(service: str | None) -> str | None:
    service = (service or "").strip() or None
    if service is not None and service not in {r.id for r in shipped_catalog().regulations}:
        raise Invalid("service", _("No service “%(service)s” in the catalog.") % {"service": service})
    return service


def require_reader(actor: Actor) -> None:
    """Heads read the office's report where the office has a head; where it has none, every staff member."""
    has_head = RoleAssignment.objects.filter(staff__office_id=actor.office_id, role=HEAD).exists()
    if has_head and not actor.holds(HEAD):
        raise AccessDenied(_("The step-by-step check of this office is for its head."))


# --- the check -------------------------------------------------------------------------------------------

def _texts(text) -> dict[str, str]:
    return {lang: (text.get(lang) if text is not None else "") or "" for lang in ("kk", "ru", "en")}


def services_of(office: Office) -> list[Regulation]:
    """The services the office works (its service points, as receiver or provider), for the filter."""
    from django.db.models import Q

    from qyzmet.directory.models import ServicePoint

    ids = set(ServicePoint.objects.filter(Q(office=office) | Q(provider=office)).values_list("reg_id", flat=True))
    return [r for r in shipped_catalog().regulations if r.id in ids]


def report(office: Office, first: dt.date, last: dt.date, *, service: str | None = None) -> StepReport:
    """Every step the office's staff finished between ``first`` and ``last`` (Almaty days, both included)."""
    tasks = Task.objects.filter(office=office, purpose="step", closed_at__gte=local_instant(first, 0),
                                closed_at__lt=local_instant(last + dt.timedelta(days=1), 0))
    if service:
        tasks = tasks.filter(case__regulation__reg_id=service)
    # Plain values: the case's state and the act's stored text are not needed for each of many rows.
    tasks = tasks.order_by("closed_at", "id").values(
        "case_id", "case__number", "case__regulation_id", "case__route", "step", "role", "opened_at", "closed_at",
        "due", "late", "closed_by__username")
    versions: dict[int, Regulation] = {}
    calendars: dict[tuple[int, str], WorkCalendar] = {}
    rows: dict[tuple[int, str, int], StepRow] = {}
    late: list[LateStep] = []
    for t in tasks.iterator(chunk_size=2000):
        version_id, route_code = t["case__regulation_id"], t["case__route"]
        reg = versions.get(version_id)
        if reg is None:
            reg = versions[version_id] = services.regulation_of(RegulationVersion.objects.get(pk=version_id))
        route = reg.route(route_code)
        step = route.step(t["step"])
        schedule = reg.schedule_for_role(step.role, route)
        calendar = calendars.get((version_id, schedule))
        if calendar is None:
            calendar = calendars[(version_id, schedule)] = services.calendars_of(reg)(schedule)
        key = (version_id, route_code, t["step"])
        row = rows.get(key)
        if row is None:
            role = reg.role(t["role"])
            row = rows[key] = StepRow(
                reg_id=reg.id, version=reg.version, service=_texts(reg.name), route=route_code, step=t["step"],
                role=t["role"], role_name=_texts(role.name if role else None), action=_texts(step.action),
                norm=step.duration, cite=step.cite or "", schedule=schedule)
        opened, closed, due = to_local(t["opened_at"]), to_local(t["closed_at"]), t["due"]
        worked = calendar.working_seconds_between(opened, closed)
        row.passed += 1
        row._seconds.append(worked)
        row._case_ids.add(t["case_id"])
        is_late = t["late"] if t["late"] is not None else (due is not None and closed > due)
        if is_late:
            row.late += 1
            over = calendar.working_seconds_between(due, closed) if due else 0
            late.append(LateStep(t["case__number"], t["case_id"], reg.id, route_code, t["step"], t["role"], opened,
                                 closed, to_local(due) if due else None, worked, over, step.duration,
                                 step.cite or "", t["closed_by__username"] or ""))
    for row in rows.values():
        row.cases = len(row._case_ids)
        row.mean_seconds = sum(row._seconds) / len(row._seconds)
        row.p90_seconds = p90(row._seconds)
        row.max_seconds = max(row._seconds)
    ordered = sorted(rows.values(), key=lambda r: (r.reg_id, r.version, r.route, r.step))
    late.sort(key=lambda s: (s.closed_at, s.number, s.step))
    return StepReport(office, first, last, service, ordered, late)


# --- output ---------------------------------------------------------------------------------------------

def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def as_dict(r: StepReport, lang: str = "en") -> dict:
    """The report as JSON-ready data (the CLI's ``--format json`` and the API)."""
    return {
        "office": r.office.code, "from": r.first.isoformat(), "to": r.last.isoformat(), "service": r.service,
        "passed": r.passed, "late": r.late_count,
        "steps": [{
            "regulation": s.reg_id, "version": s.version, "service": s.service.get(lang) or s.service["kk"],
            "route": s.route, "step": s.step, "role": s.role,
            "norm": str(s.norm) if s.norm else None, "norm_text": s.norm_text(lang) or None,
            "norm_minutes": minutes(s.norm_seconds), "cite": s.cite, "schedule": s.schedule,
            "passed": s.passed, "cases": s.cases, "late": s.late,
            "mean_minutes": minutes(s.mean_seconds), "p90_minutes": minutes(s.p90_seconds),
            "max_minutes": minutes(s.max_seconds),
        } for s in r.rows],
        "late_steps": [{
            "number": x.number, "regulation": x.reg_id, "route": x.route, "step": x.step, "role": x.role,
            "opened_at": x.opened_at.isoformat(), "closed_at": x.closed_at.isoformat(),
            "due": x.due.isoformat() if x.due else None, "worked_minutes": minutes(x.worked_seconds),
            "over_minutes": minutes(x.over_seconds), "norm": str(x.norm) if x.norm else None, "cite": x.cite,
            "closed_by": x.closed_by,
        } for x in r.late],
    }
