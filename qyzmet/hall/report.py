"""The hall against its norms: who waits and how long, the day's summary, its violations, and what the
queueing model predicts for the day's measured load.

Rules (each stated once, here):

- A wait runs from ``queued_at`` (the talon, or the booked slot the visitor came early for) to the first
  call.  It is within the norm when it is at most the act's maximum waiting time; a visitor still waiting
  past the norm has missed it already and counts as over.
- The service runs from its start to its end; within the norm when at most the act's maximum service time.
  A visitor still in service past the norm counts as over.
- Urgency follows ``cases.access.urgency``: overdue past the norm, at risk when less than a quarter of it
  is left.
- The 90th percentile is the nearest-rank one: the shortest wait that at least nine in ten visitors
  waited no longer than.
- The measured arrival rate is the day's talons over the office's opening hours elapsed (its working
  calendar), the mean service time the mean of the services measured, and the windows those that
  called somebody that day.  Erlang-C (``core.queueing``) then says what such a hall gives.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from qyzmet.cases.access import Urgency, urgency
from qyzmet.core.calendar import local_instant, to_local
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.queueing import Hall, QueueInputError, Waits, erlang_c, windows_needed
from qyzmet.hall import norms
from qyzmet.hall.models import Visit

MINUTE = dt.timedelta(minutes=1)


def service_name(reg_id: str):
    """The service's name (kk/ru/en Text) for a regulation id, or None when it left the catalog."""
    try:
        return shipped_catalog().get(reg_id).name
    except KeyError:
        return None


def waited(visit: Visit, now: dt.datetime) -> dt.timedelta:
    end = visit.called_at or now
    return max(end - visit.queued_at, dt.timedelta(0))


def served_for(visit: Visit, now: dt.datetime) -> dt.timedelta | None:
    if visit.service_started_at is None:
        return None
    return max((visit.finished_at or now) - visit.service_started_at, dt.timedelta(0))


def minutes(span: dt.timedelta | None) -> float | None:
    return None if span is None else span / MINUTE


@dataclass(frozen=True)
class Row:
    """A visit as the hall page shows it: how long so far, against which norm, how urgent."""

    visit: Visit
    took: dt.timedelta  # waited so far (waiting, called) or in service so far
    norm_minutes: int | None
    due: dt.datetime | None
    urgency: Urgency

    @property
    def name(self):
        return service_name(self.visit.reg_id)


def waiting_row(visit: Visit, now: dt.datetime) -> Row:
    norm = visit.norm_wait_minutes
    due = visit.queued_at + norm * MINUTE if norm is not None else None
    # The wait ends at the first call; a booked visitor who came early waits against nothing before the slot.
    at = visit.called_at or now
    start = min(visit.queued_at, at)
    return Row(visit, waited(visit, now), norm, due, urgency(start, due, at))


def service_row(visit: Visit, now: dt.datetime) -> Row:
    norm = visit.norm_service_minutes
    started = visit.service_started_at or now
    due = started + norm * MINUTE if norm is not None else None
    return Row(visit, served_for(visit, now) or dt.timedelta(0), norm, due, urgency(started, due, now))


@dataclass(frozen=True)
class HallState:
    waiting: list[Row]
    called: list[Row]  # called, not at the window yet: still measured against the wait (already ended)
    serving: list[Row]


def hall_state(office_id: int, day: dt.date, now: dt.datetime) -> HallState:
    from qyzmet.hall.workflow import waiting as waiting_query

    open_visits = list(Visit.objects.filter(office_id=office_id, day=day,
                                            state__in=(Visit.State.CALLED, Visit.State.SERVING))
                       .order_by("window", "id"))
    return HallState(
        waiting=[waiting_row(v, now) for v in waiting_query(office_id, day)],
        called=[waiting_row(v, now) for v in open_visits if v.state == Visit.State.CALLED],
        serving=[service_row(v, now) for v in open_visits if v.state == Visit.State.SERVING],
    )


# --- the day's summary ------------------------------------------------------------------------------

def p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Violation:
    visit: Visit
    kind: str  # "wait" or "service"
    took_minutes: float
    norm_minutes: int
    cite: str
    still_open: bool  # still waiting / still in service: the norm is missed already

    @property
    def name(self):
        return service_name(self.visit.reg_id)


@dataclass
class ServiceStats:
    reg_id: str
    visitors: int = 0
    waits: list[float] = field(default_factory=list)  # minutes, of the visitors called
    services: list[float] = field(default_factory=list)
    wait_measured: int = 0
    wait_within: int = 0
    service_measured: int = 0
    service_within: int = 0
    norm_wait: int | None = None
    norm_service: int | None = None
    cite: str = ""

    @property
    def name(self):
        return service_name(self.reg_id)

    @property
    def mean_wait(self) -> float | None:
        return sum(self.waits) / len(self.waits) if self.waits else None

    @property
    def p90_wait(self) -> float | None:
        return p90(self.waits)

    @property
    def share_wait(self) -> float | None:
        return share(self.wait_within, self.wait_measured)

    @property
    def share_service(self) -> float | None:
        return share(self.service_within, self.service_measured)


@dataclass(frozen=True)
class Load:
    """The day's measured load and what Erlang-C predicts for it with the windows open."""

    visitors: int
    open_hours: float
    arrivals_per_hour: float | None
    mean_service: float | None  # minutes
    windows: int
    norm: norms.Offer | None  # the strictest waiting norm the hall serves
    predicted: Waits | None
    needed: int | None
    stable: bool | None
    note: str = ""  # why no prediction


@dataclass(frozen=True)
class DaySummary:
    day: dt.date
    visitors: int
    served: int
    no_show: int
    redirected: int
    waiting: int
    in_service: int
    wait_measured: int
    wait_within: int
    service_measured: int
    service_within: int
    services: list[ServiceStats]
    violations: list[Violation]
    load: Load

    @property
    def share_wait(self) -> float | None:
        return share(self.wait_within, self.wait_measured)

    @property
    def share_service(self) -> float | None:
        return share(self.service_within, self.service_measured)


def _measure(v: Visit, now: dt.datetime, stats: ServiceStats, violations: list[Violation]) -> tuple[int, int, int, int]:
    """(wait measured, wait within, service measured, service within) for one visit."""
    wm = ww = sm = sw = 0
    wait = minutes(waited(v, now))
    if v.called_at is not None:
        stats.waits.append(wait)
    if v.norm_wait_minutes is not None and (v.called_at is not None or wait > v.norm_wait_minutes):
        wm = 1
        ww = int(wait <= v.norm_wait_minutes)
        if not ww:
            violations.append(Violation(v, "wait", wait, v.norm_wait_minutes, v.norm_cite, v.called_at is None))
    took = minutes(served_for(v, now))
    if took is not None:
        finished = v.finished_at is not None
        if finished:
            stats.services.append(took)
        if v.norm_service_minutes is not None and (finished or took > v.norm_service_minutes):
            sm = 1
            sw = int(took <= v.norm_service_minutes)
            if not sw:
                violations.append(Violation(v, "service", took, v.norm_service_minutes, v.norm_cite, not finished))
    return wm, ww, sm, sw


def day_summary(office, day: dt.date, now: dt.datetime, windows: int | None = None) -> DaySummary:
    """The day's visits of ``office`` against their norms; ``now`` ends the waits still running (a past
    day's unfinished visits are measured to the end of that day)."""
    end_of_day = local_instant(day + dt.timedelta(days=1), 0)
    now = min(to_local(now), end_of_day)
    visits = list(Visit.objects.filter(office_id=office.pk, day=day).order_by("issued_at", "id"))
    per: dict[str, ServiceStats] = {}
    violations: list[Violation] = []
    totals = [0, 0, 0, 0]
    for v in visits:
        stats = per.setdefault(v.reg_id, ServiceStats(v.reg_id, norm_wait=v.norm_wait_minutes,
                                                       norm_service=v.norm_service_minutes, cite=v.norm_cite))
        stats.visitors += 1
        counts = _measure(v, now, stats, violations)
        stats.wait_measured += counts[0]
        stats.wait_within += counts[1]
        stats.service_measured += counts[2]
        stats.service_within += counts[3]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    outcomes = [v.outcome for v in visits]
    violations.sort(key=lambda x: (x.visit.issued_at, x.kind))
    return DaySummary(
        day=day, visitors=len(visits), served=outcomes.count(Visit.Outcome.SERVED),
        no_show=outcomes.count(Visit.Outcome.NO_SHOW), redirected=outcomes.count(Visit.Outcome.REDIRECTED),
        waiting=sum(1 for v in visits if v.state == Visit.State.WAITING),
        in_service=sum(1 for v in visits if v.state == Visit.State.SERVING),
        wait_measured=totals[0], wait_within=totals[1], service_measured=totals[2], service_within=totals[3],
        services=sorted(per.values(), key=lambda s: s.reg_id), violations=violations,
        load=load(office, day, now, visits, windows),
    )


def _open_hours(office, day: dt.date, now: dt.datetime, visits: list[Visit]) -> float:
    """Opening hours of ``day`` elapsed by ``now``; without a calendar (or on a day the calendar keeps
    closed, as the demo may) the span from the first talon to the last event."""
    cal = norms.office_calendar(office)
    if cal is not None:
        seconds = cal.working_seconds_between(local_instant(day, 0), now)
        if seconds > 0:
            return seconds / 3600
    if not visits:
        return 0.0
    first = min(v.issued_at for v in visits)
    return max((now - first).total_seconds(), 0) / 3600


def load(office, day: dt.date, now: dt.datetime, visits: list[Visit], windows: int | None = None) -> Load:
    offer = norms.strictest(norms.offers(office.pk))
    hours = _open_hours(office, day, now, visits)
    rate = len(visits) / hours if hours > 0 and visits else None
    services = [minutes(v.finished_at - v.service_started_at) for v in visits
                if v.finished_at is not None and v.service_started_at is not None]
    mean_service = sum(services) / len(services) if services else None
    opened = len({v.window for v in visits if v.window is not None})
    k = windows or opened
    base = {"visitors": len(visits), "open_hours": hours, "arrivals_per_hour": rate, "mean_service": mean_service,
            "windows": k, "norm": offer}
    if offer is None:
        return Load(**base, predicted=None, needed=None, stable=None, note="no-norm")
    if rate is None or not mean_service or k < 1:
        return Load(**base, predicted=None, needed=None, stable=None, note="not-enough-data")
    try:
        hall = Hall(rate, mean_service, k)
        return Load(**base, predicted=erlang_c(hall, offer.norm.max_wait), stable=hall.stable,
                    needed=windows_needed(rate, mean_service, offer.norm.max_wait))
    except QueueInputError:
        return Load(**base, predicted=None, needed=None, stable=None, note="not-enough-data")
