"""Compliance as the law defines a violation, over a period and a scope of offices.

What counts, each rule with its reason:

- **The period** is whole Almaty days ``first`` to ``last`` (both included, at most 366 days:
  ``step_norms.period``).  Its answers are *as of* the period's end, or now while the period is still
  running (``as_of``): a past month reads the same whenever it is asked.
- **A case belongs to the period** when it was submitted before the period ended and was not closed before it
  began — i.e. it was submitted in the period or was open during some part of it.  A case open across three
  months is counted in each of them: each month a head answers for it.  Proactive requests that were
  refused or left unanswered (``request-closed``) made no application and are left out.
- **A case's office**: the office that received it (a PSC hall, or the provider itself) and the office that
  works it (``provider_office``) both answer for it, as both see it in their case list; the office table counts
  it in each of the two rows, the totals once.
- **Violation of the term** (overdue): the service's term (``Case.term_due``) passed before the case was
  closed — closed late (closed after ``term_due``), or still open past it as of ``as_of``.  A case closed on
  or before its due is in term; a case still open before its due is in term so far.
- **No term**: a case without ``term_due`` — the act gives no total term (the Mangystau 2015 health acts give
  step norms only: their cases are monitored step by step), the documents are not accepted yet (the term
  starts at acceptance) or the case is suspended (a suspended case carries no due instant).  Never overdue.
- **Refusals** (a reasoned refusal, ``outcome = refusal``) and **acceptance refusals** are counted, not
  violations: the acts allow both on their closed lists of grounds.
- **A late step**: a step of the route (``Task``, purpose ``step``) done by the office's staff (``Task.office``
  in the scope; the applicant's portal steps and the information systems' checks are nobody's work here)
  whose due instant passed before it was done — closed after ``due`` or still open past it.  A step belongs to
  the period on the same rule as a case (opened before the end, not closed before the start).
- **Time per step** is the *working* time between the step's opening and its end on the calendar its due was
  counted on (holidays, transfer days, lunch breaks and nights not counted), as ``qyzmet report steps``
  measures it; the mean and the nearest-rank 90th percentile (``step_norms.p90``) are over the steps finished
  in the period, against the step's own duration in the act's version the case is pinned to, with its clause.
  The 90th percentile is *over the norm* when it exceeds a norm in minutes or hours; for a norm in days (not a
  fixed number of working hours) when more than one in ten finished steps closed after their due.

Everything is counted in SQL (``values`` + ``annotate`` with filtered ``Count``) — one grouped query per table —
never by reading case rows into Python; only the working time of finished steps, which needs the legal
calendar, is computed per step from four columns of the rows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qyzmet.cases import services
from qyzmet.cases.models import Case, RegulationVersion, Task
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import ALMATY, WorkCalendar, local_instant, to_local
from qyzmet.core.durations import format_duration
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.regulation import Regulation
from qyzmet.directory.models import ServicePoint
from qyzmet.health.step_norms import check_service, p90, period
from qyzmet.monitoring.scope import Scope
from qyzmet.web.text import current_language, in_language

GROUPS = ("office", "service", "route", "step", "staff")
ROUTES = ("main", "psc", "portal", "proactive")


# --- the question --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    first: dt.date
    last: dt.date
    scope: Scope
    service: str | None = None
    route: str | None = None
    now: dt.datetime | None = None

    @property
    def start(self) -> dt.datetime:
        return local_instant(self.first, 0)

    @property
    def end(self) -> dt.datetime:
        return local_instant(self.last + dt.timedelta(days=1), 0)

    @property
    def as_of(self) -> dt.datetime:
        return min(to_local(self.now or timezone.now()), self.end)


def ask(scope: Scope, first: str | dt.date | None, last: str | dt.date | None, *, office: str | None = None,
        service: str | None = None, route: str | None = None, now: dt.datetime | None = None) -> Question:
    """The question checked: the days (``from``/``to``), the office of the scope, the service and its route;
    each wrong value is an ``Invalid`` naming its field (an office outside the scope: ``AccessDenied``)."""
    a, b = period(first, last)
    narrowed = scope.narrow(office)
    service = check_service(service)
    route = (route or "").strip() or None
    if route is not None:
        known = set(shipped_catalog().get(service).routes) if service else set(ROUTES)
        if route not in known:
            raise Invalid("route", _("No route “%(route)s” for this service.") % {"route": route})
    return Question(a, b, narrowed, service, route, now)


# --- the base rows -------------------------------------------------------------------------------------

def _cases(q: Question) -> QuerySet[Case]:
    """Cases submitted before the period's end (or now, while it runs), of the service and route asked; the
    scope and the "not closed before the start" rule come with it (:func:`_in_period`)."""
    rows = Case.objects.filter(submitted_at__lt=q.as_of).exclude(status=Case.Status.REQUEST_CLOSED)
    if q.service:
        rows = rows.filter(regulation__reg_id=q.service)
    if q.route:
        rows = rows.filter(route=q.route)
    return rows


def _in_period(q: Question, *columns: str) -> Q:
    """Not closed before the period's start, at an office of the scope in one of ``columns``.

    Written as one branch per office column and per "still open" / "closed since the start", so each branch
    is one range of an (office, closed_at) index and the database never walks an office's whole history."""
    ids = q.scope.office_ids
    condition = Q()
    for column in columns:
        condition |= Q(**{f"{column}__in": ids, "closed_at__isnull": True})
        condition |= Q(**{f"{column}__in": ids, "closed_at__gte": q.start})
    return condition


def cases_of(q: Question) -> QuerySet[Case]:
    """The cases of the period in the scope: received at one of its offices, or worked at one."""
    return _cases(q).filter(_in_period(q, "office_id", "provider_office_id"))


def steps_of(q: Question) -> QuerySet[Task]:
    """The route steps the scope's offices did, or had to do, in the period."""
    rows = (Task.objects.filter(purpose="step", opened_at__lt=q.as_of).filter(_in_period(q, "office_id"))
            .exclude(case__status=Case.Status.REQUEST_CLOSED))
    if q.service:
        rows = rows.filter(case__regulation__reg_id=q.service)
    if q.route:
        rows = rows.filter(case__route=q.route)
    return rows


def overdue_q(as_of: dt.datetime) -> Q:
    return Q(term_due__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gt=F("term_due")))


def late_q(as_of: dt.datetime) -> Q:
    return Q(due__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gt=F("due")))


def _open_q(as_of: dt.datetime) -> Q:
    return Q(closed_at__isnull=True) | Q(closed_at__gt=as_of)


def case_counts(as_of: dt.datetime) -> dict[str, Count]:
    overdue = overdue_q(as_of)
    refused_acceptance = Q(status=Case.Status.ACCEPTANCE_REFUSED)
    return {
        "cases": Count("id"),
        "in_term": Count("id", filter=Q(term_due__isnull=False)
                         & (Q(term_due__gte=as_of) | Q(closed_at__lte=F("term_due")))),
        "overdue": Count("id", filter=overdue),
        "closed_late": Count("id", filter=overdue & Q(closed_at__lte=as_of)),
        "open_overdue": Count("id", filter=overdue & _open_q(as_of)),
        "refused": Count("id", filter=Q(outcome="refusal")),
        "acceptance_refused": Count("id", filter=refused_acceptance),
        "no_term": Count("id", filter=Q(term_due__isnull=True) & ~refused_acceptance),
        "open": Count("id", filter=_open_q(as_of)),
    }


def step_counts(as_of: dt.datetime) -> dict[str, Count]:
    late = late_q(as_of)
    return {
        "steps": Count("id"),
        "done": Count("id", filter=Q(closed_at__lte=as_of)),
        "late_steps": Count("id", filter=late),
        "steps_closed_late": Count("id", filter=late & Q(closed_at__lte=as_of)),
        "open_late": Count("id", filter=late & _open_q(as_of)),
    }


CASE_KEYS = tuple(case_counts(timezone.now()))
STEP_KEYS = tuple(step_counts(timezone.now()))


# --- the report ----------------------------------------------------------------------------------------

@dataclass
class Row:
    """One row of a table: what it groups (``key``: the filters that drill down into it), its label in the
    reader's language, and its counts."""

    group: str
    key: dict[str, str]
    code: str
    label: str
    detail: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    norm: str = ""
    cite: str = ""
    mean_seconds: float | None = None
    p90_seconds: int | None = None
    over_norm: bool = False

    def get(self, name: str):
        if name in self.counts:
            return self.counts[name]
        if name == "mean_minutes":
            return minutes(self.mean_seconds)
        if name == "p90_minutes":
            return minutes(self.p90_seconds)
        return getattr(self, name, "")

@dataclass(frozen=True)
class Week:
    monday: dt.date
    in_term: int
    overdue: int

    @property
    def label(self) -> str:
        year, week, _day = self.monday.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class NoTerm:
    service: str
    route: str
    name: str
    cite: str


@dataclass
class Report:
    question: Question
    totals: dict[str, int]
    tables: dict[str, list[Row]]
    weeks: list[Week]
    no_term: list[NoTerm]

    @property
    def violations(self) -> int:
        return self.totals.get("overdue", 0) + self.totals.get("late_steps", 0)


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


class _WorkClock:
    """Working seconds between two instants on one calendar, as ``WorkCalendar.working_seconds_between``
    counts them, in O(1) per pair: a running total of working seconds at each day's start, so a step spanning
    weeks costs no more than one within an hour (the overview measures every finished step of the period)."""

    def __init__(self, cal: WorkCalendar) -> None:
        self.cal = cal
        self._start: dict[int, int] = {}  # day ordinal -> working seconds before that day, from the first day
        self._day_hours: dict[int, tuple] = {}
        self._first = self._last = None

    def _extend(self, ordinal: int) -> None:
        if self._first is None:
            self._first = self._last = ordinal
            self._start[ordinal] = 0
        while ordinal < self._first:  # walk back: the earlier day's total is this one's minus its own hours
            day = self._first - 1
            self._start[day] = self._start[self._first] - self._day_seconds(day)
            self._first = day
        while ordinal > self._last:
            day = self._last + 1
            self._start[day] = self._start[self._last] + self._day_seconds(self._last)
            self._last = day

    def _hours(self, ordinal: int):
        hours = self._day_hours.get(ordinal)
        if hours is None:
            hours = self._day_hours[ordinal] = self.cal.hours(dt.date.fromordinal(ordinal))
        return hours

    def _day_seconds(self, ordinal: int) -> int:
        return sum(e - s for s, e in self._hours(ordinal))

    def at(self, instant: dt.datetime) -> float:
        local = to_local(instant)
        ordinal = local.toordinal()
        if ordinal not in self._start:
            self._extend(ordinal)
        second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        within = 0
        for s, e in self._hours(ordinal):
            if second <= s:
                break
            within += min(e, second) - s
        return self._start[ordinal] + within

    def between(self, start: dt.datetime, end: dt.datetime) -> int:
        return max(0, int(self.at(end) - self.at(start)))


class _Regulations:
    """The regulation objects behind version ids, read once per report."""

    def __init__(self) -> None:
        self._by_version: dict[int, Regulation] = {}
        self._calendars: dict[tuple[int, str], _WorkClock] = {}

    def of(self, version_id: int) -> Regulation:
        reg = self._by_version.get(version_id)
        if reg is None:
            reg = self._by_version[version_id] = services.regulation_of(RegulationVersion.objects.get(pk=version_id))
        return reg

    def load(self, version_ids) -> None:
        missing = [v for v in set(version_ids) if v not in self._by_version]
        for pk, row in RegulationVersion.objects.in_bulk(missing).items():
            self._by_version[pk] = services.regulation_of(row)

    def clock(self, version_id: int, schedule: str) -> _WorkClock:
        clock = self._calendars.get((version_id, schedule))
        if clock is None:
            cal = services.calendars_of(self.of(version_id))(schedule)
            clock = self._calendars[(version_id, schedule)] = _WorkClock(cal)
        return clock


def _service_name(reg_id: str, lang: str) -> str:
    reg = shipped_catalog().get(reg_id) if reg_id in _catalog_ids() else None
    if reg is not None:
        return reg.name.get(lang) or reg_id
    row = RegulationVersion.objects.filter(reg_id=reg_id).order_by("-version").first()
    return in_language(row, lang) if row is not None else reg_id


def _catalog_ids() -> set[str]:
    return {r.id for r in shipped_catalog().regulations}


def _merge(into: dict, key, values: dict[str, int]) -> None:
    counts = into.setdefault(key, {})
    for name, n in values.items():
        counts[name] = counts.get(name, 0) + n


def _pick(row: dict, keys) -> dict[str, int]:
    return {k: row[k] for k in keys}


def report(q: Question, *, groups: tuple[str, ...] = GROUPS, lang: str | None = None) -> Report:
    lang = lang or current_language()
    as_of = q.as_of
    cases, steps = _cases(q), steps_of(q)
    counts, scounts = case_counts(as_of), step_counts(as_of)
    totals = {**cases_of(q).aggregate(**counts), **steps.aggregate(**scounts)}
    regs = _Regulations()
    tables: dict[str, list[Row]] = {}
    if "office" in groups:
        tables["office"] = _offices(q, cases, steps, counts, scounts, lang)
    if "service" in groups or "route" in groups:
        by_route: dict[tuple[str, str], dict[str, int]] = {}
        for r in cases_of(q).order_by().values("regulation__reg_id", "route").annotate(**counts):
            _merge(by_route, (r["regulation__reg_id"], r["route"]), _pick(r, CASE_KEYS))
        for r in steps.order_by().values("case__regulation__reg_id", "case__route").annotate(**scounts):
            _merge(by_route, (r["case__regulation__reg_id"], r["case__route"]),
                   {"steps": r["steps"], "late_steps": r["late_steps"]})
        if "service" in groups:
            by_service: dict[str, dict[str, int]] = {}
            for (reg_id, _route), c in by_route.items():
                _merge(by_service, reg_id, c)
            tables["service"] = [Row("service", {"service": reg_id}, reg_id, _service_name(reg_id, lang),
                                     counts=_full(c)) for reg_id, c in sorted(by_service.items())]
        if "route" in groups:
            tables["route"] = [_route_row(reg_id, route, c, lang) for (reg_id, route), c in sorted(by_route.items())]
    if "step" in groups:
        tables["step"] = _steps(q, steps, scounts, regs, lang)
    if "staff" in groups:
        tables["staff"] = _staff(steps, as_of)
    return Report(q, totals, tables, weeks(q), _no_term(q, lang))


def _full(c: dict[str, int]) -> dict[str, int]:
    return {k: c.get(k, 0) for k in (*CASE_KEYS, "steps", "late_steps")}


def _offices(q: Question, cases, steps, counts, scounts, lang: str) -> list[Row]:
    by_office: dict[int, dict[str, int]] = {}
    received = cases.filter(_in_period(q, "office_id")).order_by().values("office_id").annotate(**counts)
    for r in received:
        _merge(by_office, r["office_id"], _pick(r, CASE_KEYS))
    # Worked here but received elsewhere (a PSC's case at its department): the provider's row counts it too.
    worked = (cases.filter(_in_period(q, "provider_office_id")).exclude(office_id=F("provider_office_id")).order_by()
              .values("provider_office_id").annotate(**counts))
    for r in worked:
        _merge(by_office, r["provider_office_id"], _pick(r, CASE_KEYS))
    for r in steps.order_by().values("office_id").annotate(**scounts):
        _merge(by_office, r["office_id"], {"steps": r["steps"], "late_steps": r["late_steps"]})
    return [Row("office", {"office": o.code}, o.code, in_language(o, lang), counts=_full(by_office.get(o.pk, {})))
            for o in q.scope.offices]


ROUTE_NAMES = {"provider": gettext_lazy("at the provider"), "psc": gettext_lazy("through a PSC"),
               "portal": gettext_lazy("on the portal"), "proactive": gettext_lazy("proactive")}


def _route_row(reg_id: str, route: str, c: dict[str, int], lang: str) -> Row:
    reg = shipped_catalog().get(reg_id) if reg_id in _catalog_ids() else None
    channel = reg.route(route).channel if reg is not None and route in reg.routes else route
    return Row("route", {"service": reg_id, "route": route}, f"{reg_id} {route}", _service_name(reg_id, lang),
               detail=str(ROUTE_NAMES.get(channel, route)), counts=_full(c))


def _steps(q: Question, steps: QuerySet[Task], scounts, regs: _Regulations, lang: str) -> list[Row]:
    grouped = list(steps.order_by().values("case__regulation_id", "case__route", "step").annotate(**scounts))
    regs.load(r["case__regulation_id"] for r in grouped)
    # The working time of each finished step: four columns per row, on the calendar its due was counted on.
    times: dict[tuple[int, str, int], list[int]] = {}
    on_time: dict[tuple[int, str, int], list[bool]] = {}
    finished = steps.filter(closed_at__lte=q.as_of).order_by().values_list(
        "case__regulation_id", "case__route", "step", "opened_at", "closed_at", "due")
    clocks: dict[tuple[int, str, int], _WorkClock] = {}
    for version_id, route_code, n, opened, closed, due in finished.iterator(chunk_size=2000):
        key = (version_id, route_code, n)
        clock = clocks.get(key)
        if clock is None:
            reg = regs.of(version_id)
            route = reg.route(route_code)
            clock = clocks[key] = regs.clock(version_id, reg.schedule_for_role(route.steps[n - 1].role, route))
            times[key], on_time[key] = [], []
        times[key].append(clock.between(opened, closed))
        if due is not None:
            on_time[key].append(closed <= due)
    rows = []
    for r in grouped:
        key = (r["case__regulation_id"], r["case__route"], r["step"])
        reg = regs.of(key[0])
        route = reg.route(key[1])
        step = route.steps[key[2] - 1]
        role = reg.role(step.role) if step.role else None
        seconds = times.get(key, [])
        p = p90(seconds)
        norm = step.duration
        if norm is not None and norm.unit.is_time:
            over = p is not None and p > norm.minutes * 60
        else:  # a norm in days: the 90th finished step was late, i.e. more than one in ten closed after the due
            marks = on_time.get(key, [])
            over = bool(marks) and sum(marks) < math.ceil(0.9 * len(marks))
        rows.append(Row(
            "step", {"service": reg.id, "route": key[1], "step": str(key[2]), "version": str(reg.version)},
            f"{reg.id} v{reg.version} {key[1]} {key[2]}", _service_name(reg.id, lang),
            detail=f"{ROUTE_NAMES.get(route.channel, key[1])} · {key[2]}. "
                   f"{(role.name.get(lang) if role else step.role) or ''} — {step.action.get(lang) or ''}",
            counts=_pick(r, STEP_KEYS), norm=format_duration(norm, lang) if norm is not None else "",
            cite=step.cite or "", mean_seconds=sum(seconds) / len(seconds) if seconds else None, p90_seconds=p,
            over_norm=over and norm is not None))
    rows.sort(key=lambda x: (x.key["service"], x.key["version"], x.key["route"], int(x.key["step"])))
    return rows


def _staff(steps: QuerySet[Task], as_of: dt.datetime) -> list[Row]:
    """Who closed the steps (``Task.closed_by``): the steps they finished and how many of them late."""
    late = late_q(as_of)
    grouped = (steps.filter(closed_at__lte=as_of, closed_by__isnull=False).order_by()
               .values("closed_by__username", "closed_by__staff__full_name", "closed_by__staff__office__code")
               .annotate(done=Count("id"), closed_late=Count("id", filter=late)))
    rows = [Row("staff", {"staff": r["closed_by__username"]}, r["closed_by__username"],
                r["closed_by__staff__full_name"] or r["closed_by__username"],
                detail=r["closed_by__staff__office__code"] or "",
                counts={"done": r["done"], "closed_late": r["closed_late"]}) for r in grouped]
    rows.sort(key=lambda x: (-x.counts["closed_late"], x.label))
    return rows


def weeks(q: Question) -> list[Week]:
    """Per ISO week of the period: the cases whose term fell due that week (up to ``as_of``), in term (closed
    by the due) or overdue.  Every week of the period is listed, empty ones too, so the trend has no gaps."""
    until = min(q.end, q.as_of)
    ids = q.scope.office_ids
    rows = (Case.objects.exclude(status=Case.Status.REQUEST_CLOSED)
            .filter(Q(office_id__in=ids) | Q(provider_office_id__in=ids))
            .filter(submitted_at__lt=until, term_due__gte=q.start, term_due__lt=until))
    if q.service:
        rows = rows.filter(regulation__reg_id=q.service)
    if q.route:
        rows = rows.filter(route=q.route)
    found = {
        to_local(r["week"]).date() if isinstance(r["week"], dt.datetime) else r["week"]: r
        for r in rows.annotate(week=TruncWeek("term_due", tzinfo=ALMATY)).order_by().values("week").annotate(
            in_term=Count("id", filter=Q(closed_at__lte=F("term_due"))),
            overdue=Count("id", filter=Q(closed_at__isnull=True) | Q(closed_at__gt=F("term_due"))))
    }
    out = []
    monday = q.first - dt.timedelta(days=q.first.weekday())
    while monday <= q.last:
        r = found.get(monday)
        out.append(Week(monday, r["in_term"] if r else 0, r["overdue"] if r else 0))
        monday += dt.timedelta(days=7)
    return out


def _no_term(q: Question, lang: str) -> list[NoTerm]:
    """The services of the scope whose act gives a route no total term: monitored step by step only."""
    ids = q.scope.office_ids
    points = ServicePoint.objects.filter(Q(office_id__in=ids) | Q(provider_id__in=ids))
    if q.service:
        points = points.filter(reg_id=q.service)
    if q.route:
        points = points.filter(route=q.route)
    catalog = _catalog_ids()
    out = []
    for reg_id, route_code in sorted(set(points.values_list("reg_id", "route"))):
        if reg_id not in catalog:
            continue
        reg = shipped_catalog().get(reg_id)
        if route_code not in reg.routes:
            continue
        term = reg.term_for(reg.route(route_code).channel)
        if term is None or term.duration is None:
            out.append(NoTerm(reg_id, route_code, reg.name.get(lang) or reg_id, term.cite if term else ""))
    return out


# --- violations: the drill-down ------------------------------------------------------------------------

@dataclass(frozen=True)
class Drill:
    """Which rows of the report the violations are listed for (all empty: the whole report)."""

    office: str = ""
    service: str = ""
    route: str = ""
    step: int | None = None
    version: int | None = None
    staff: str = ""

    def as_params(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v not in ("", None)}


def drill(params) -> Drill:
    """The drill-down's filters from request parameters; a bad step number is a wrong field."""
    def number(name: str) -> int | None:
        value = (params.get(name) or "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise Invalid(name, _("Enter a whole number."))
        return int(value)

    return Drill(office=(params.get("office") or "").strip(), service=(params.get("service") or "").strip(),
                 route=(params.get("route") or "").strip(), step=number("step"), version=number("version"),
                 staff=(params.get("staff") or "").strip())


def overdue_cases(q: Question, d: Drill) -> QuerySet:
    """The overdue cases of the report (a step or staff drill-down lists none: those are step violations)."""
    if d.step is not None or d.staff:
        return Case.objects.none().values("id")
    rows = cases_of(q).filter(overdue_q(q.as_of))
    if d.office:
        rows = rows.filter(Q(office__code=d.office) | Q(provider_office__code=d.office))
    if d.service:
        rows = rows.filter(regulation__reg_id=d.service)
    if d.route:
        rows = rows.filter(route=d.route)
    return rows.order_by("term_due", "id").values(
        "id", "number", "regulation_id", "route", "channel", "submitted_at", "term_due", "closed_at", "term_why",
        "current_step", "office__code", "provider_office__code")


def late_steps(q: Question, d: Drill) -> QuerySet:
    rows = steps_of(q).filter(late_q(q.as_of))
    if d.office:
        rows = rows.filter(office__code=d.office)
    if d.service:
        rows = rows.filter(case__regulation__reg_id=d.service)
    if d.route:
        rows = rows.filter(case__route=d.route)
    if d.step is not None:
        rows = rows.filter(step=d.step)
    if d.version is not None:
        rows = rows.filter(case__regulation__version=d.version)
    if d.staff:
        rows = rows.filter(closed_by__username=d.staff, closed_at__lte=q.as_of)
    return rows.order_by("due", "id").values(
        "id", "case_id", "case__number", "case__regulation_id", "case__route", "step", "role", "opened_at", "due",
        "closed_at", "cite", "why", "closed_by__username", "office__code")


@dataclass(frozen=True)
class Violation:
    """One violation, traceable: the case, the step (none: the service's term), the norm, due, closed, clause."""

    kind: str  # "term" or "step"
    case_id: int
    number: str
    service: str
    service_name: str
    route: str
    step: int | None
    step_name: str
    norm: str
    due: dt.datetime | None
    closed: dt.datetime | None  # None: still open as of the report
    cite: str
    why: str
    office: str
    closed_by: str = ""


def present(rows, kind: str, q: Question, lang: str | None = None) -> list[Violation]:
    """The rows of :func:`overdue_cases` (kind "term") or :func:`late_steps` (kind "step") as violations."""
    lang = lang or current_language()
    regs = _Regulations()
    rows = list(rows)
    regs.load(r["regulation_id" if kind == "term" else "case__regulation_id"] for r in rows)
    as_of = q.as_of
    out = []
    for r in rows:
        if kind == "term":
            reg = regs.of(r["regulation_id"])
            term = reg.term_for(r["channel"])
            route = reg.route(r["route"])
            n = r["current_step"] if r["closed_at"] is None or r["closed_at"] > as_of else None
            step = route.steps[n - 1] if n else None
            out.append(Violation(
                "term", r["id"], r["number"], reg.id, reg.name.get(lang) or reg.id, r["route"], n,
                (step.action.get(lang) or "") if step else "",
                (term.duration_text.get(lang) if term and term.duration_text else "")
                or (format_duration(term.duration, lang) if term and term.duration else ""),
                to_local(r["term_due"]), _closed(r["closed_at"], as_of), term.cite if term else "", r["term_why"],
                r["provider_office__code"] or r["office__code"] or ""))
        else:
            reg = regs.of(r["case__regulation_id"])
            route = reg.route(r["case__route"])
            step = route.steps[r["step"] - 1]
            role = reg.role(step.role) if step.role else None
            out.append(Violation(
                "step", r["case_id"], r["case__number"], reg.id, reg.name.get(lang) or reg.id, r["case__route"],
                r["step"], f"{(role.name.get(lang) if role else r['role']) or ''} — {step.action.get(lang) or ''}",
                format_duration(step.duration, lang) if step.duration else "", to_local(r["due"]),
                _closed(r["closed_at"], as_of), r["cite"] or step.cite or "", r["why"], r["office__code"] or "",
                r["closed_by__username"] or ""))
    return out


def _closed(closed: dt.datetime | None, as_of: dt.datetime) -> dt.datetime | None:
    return to_local(closed) if closed is not None and closed <= as_of else None


# --- JSON ----------------------------------------------------------------------------------------------

def row_dict(row: Row) -> dict:
    out: dict = {"key": row.key, "code": row.code, "label": row.label, **row.counts}
    if row.detail:
        out["detail"] = row.detail
    if row.group == "step":
        out.update(norm=row.norm or None, cite=row.cite, mean_minutes=minutes(row.mean_seconds),
                   p90_minutes=minutes(row.p90_seconds), over_norm=row.over_norm)
    return out


def as_dict(r: Report, group: str | None = None) -> dict:
    q = r.question
    groups = [group] if group else list(r.tables)
    return {
        "from": q.first.isoformat(), "to": q.last.isoformat(), "as_of": q.as_of.isoformat(),
        "scope": {"kind": q.scope.kind, "offices": [o.code for o in q.scope.offices]},
        "service": q.service, "route": q.route, "totals": r.totals,
        "tables": {g: [row_dict(x) for x in r.tables.get(g, [])] for g in groups},
        "weeks": [{"week": w.label, "monday": w.monday.isoformat(), "in_term": w.in_term, "overdue": w.overdue}
                  for w in r.weeks],
        "no_term": [{"service": n.service, "route": n.route, "name": n.name, "cite": n.cite} for n in r.no_term],
    }


def violation_dict(v: Violation) -> dict:
    return {"kind": v.kind, "case_id": v.case_id, "number": v.number, "service": v.service, "route": v.route,
            "step": v.step, "step_name": v.step_name or None, "norm": v.norm or None,
            "due": v.due.isoformat() if v.due else None, "closed": v.closed.isoformat() if v.closed else None,
            "cite": v.cite, "why": v.why, "office": v.office, "closed_by": v.closed_by or None}

