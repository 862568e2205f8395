"""The PSC hall's electronic queue: talons, calls to windows, service, and the hall's state against the
acts' maximum waiting and service times (``channels[].queue`` of each regulation, with its clause).

Staff of a PSC office only; a talon of another office is 404.  "Call next" with nobody waiting is a 409
``queue-empty``: the window stays free and nothing is stored.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from qyzmet.api.auth import actor
from qyzmet.api.common import In, Instant, now
from qyzmet.api.errors import ApiError
from qyzmet.api.idempotency import KEY, run_once
from qyzmet.api.schemas import ERRORS
from qyzmet.cases.access import Actor
from qyzmet.directory.models import Office
from qyzmet.hall import report, workflow
from qyzmet.hall.models import Visit

router = Router(tags=["hall"])


class NormOut(Schema):
    max_wait_minutes: int | None = Field(None, description="the act's maximum waiting time for the channel")
    max_service_minutes: int | None = Field(None, description="the act's maximum service time")
    cite: str = Field(..., description="the clauses the norm comes from")


class VisitOut(Schema):
    id: int
    number: str = Field(..., description="the talon, e.g. A-017 (B-…: booked); numbers restart every day")
    service: str = Field(..., description="regulation id")
    channel: str
    state: str = Field(..., description="waiting, called, serving, done")
    outcome: str = Field("", description="served, no-show, redirected (done visits)")
    booked: bool
    booked_for: Instant | None = None
    priority: bool
    priority_reason: str = ""
    issued_at: Instant
    queued_at: Instant = Field(..., description="when the waiting norm starts (the talon, or the booked slot)")
    called_at: Instant | None = None
    window: int | None = None
    recalls: int = 0
    service_started_at: Instant | None = None
    finished_at: Instant | None = None
    case: str | None = Field(None, description="the application number of the case opened during the visit")
    note: str = ""
    norm: NormOut
    waited_minutes: float = Field(..., description="the wait so far (waiting) or its length (called)")
    service_minutes: float | None = Field(None, description="the service so far, or its length")
    urgency: str = Field(..., description="against the waiting norm while waiting or called, the service norm in "
                                          "service: on-track, at-risk (under a quarter left), overdue, no-term")
    due: Instant | None = Field(None, description="when the norm that applies now runs out")


def visit_out(v: Visit, at: dt.datetime) -> VisitOut:
    # In service (or done after a service) the service norm applies; before that the waiting norm.
    in_service = v.state == Visit.State.SERVING or (v.state == Visit.State.DONE and v.service_started_at)
    row = report.service_row(v, at) if in_service else report.waiting_row(v, at)
    return VisitOut(
        id=v.pk, number=v.number, service=v.reg_id, channel=v.channel, state=v.state, outcome=v.outcome,
        booked=v.booked, booked_for=v.booked_for, priority=v.priority, priority_reason=v.priority_reason,
        issued_at=v.issued_at, queued_at=v.queued_at, called_at=v.called_at, window=v.window, recalls=v.recalls,
        service_started_at=v.service_started_at, finished_at=v.finished_at,
        case=v.case.number if v.case_id else None, note=v.note,
        norm=NormOut(max_wait_minutes=v.norm_wait_minutes, max_service_minutes=v.norm_service_minutes,
                     cite=v.norm_cite),
        waited_minutes=round(report.minutes(report.waited(v, at)), 2),
        service_minutes=(round(m, 2) if (m := report.minutes(report.served_for(v, at))) is not None else None),
        urgency=str(row.urgency), due=row.due)


class TalonIn(In):
    service: str = Field(..., max_length=120, description="regulation id the office's hall takes")
    booked_for: dt.datetime | None = Field(None, description="the slot booked through the portal (today), where "
                                                              "the act allows booking")
    priority: bool = Field(False, description="served out of turn: refused where the act says 'without "
                                              "expedited service'")
    priority_reason: str = Field("", max_length=300)


class CallIn(In):
    window: int = Field(..., ge=1, le=workflow.MAX_WINDOW)


class FinishIn(In):
    outcome: str = Field(..., description="served (after start), no-show (after a call), redirected (with a note)")
    case: str = Field("", max_length=32, description="application number of the case opened during the visit")
    note: str = Field("", max_length=300)


class HallOut(Schema):
    office: str
    day: dt.date
    now: Instant
    waiting: list[VisitOut] = Field(..., description="in the order they will be called")
    called: list[VisitOut]
    in_service: list[VisitOut]


def _hall(request) -> Actor:
    return workflow.require_hall(actor(request))


@router.post("/talons", response={201: VisitOut, **ERRORS}, summary="Issue a talon (the kiosk's button)")
def issue(request, body: TalonIn, idempotency_key: str | None = KEY):
    who = _hall(request)

    def act() -> VisitOut:
        at = now()
        visit = workflow.issue(who, reg_id=body.service, now=at, booked_for=body.booked_for,
                               priority=body.priority, priority_reason=body.priority_reason)
        return visit_out(visit, at)

    return run_once(request, idempotency_key, 201, act)


@router.post("/call-next", response={200: VisitOut, **ERRORS},
             summary="Call the next waiting visitor to a window: priority first, then the earliest")
def call_next(request, body: CallIn, idempotency_key: str | None = KEY):
    who = _hall(request)

    def act() -> VisitOut:
        at = now()
        visit = workflow.call_next(who, window=body.window, now=at)
        if visit is None:
            raise ApiError(409, "queue-empty", "nobody is waiting in the hall")
        return visit_out(visit, at)

    return run_once(request, idempotency_key, 200, act)


@router.post("/visits/{visit_id}/start", response={200: VisitOut, **ERRORS},
             summary="The called visitor is at the window: the service time starts")
def start(request, visit_id: int):
    who = _hall(request)
    at = now()
    return visit_out(workflow.start(who, visit_id, at), at)


@router.post("/visits/{visit_id}/recall", response={200: VisitOut, **ERRORS},
             summary="Call a visitor who has not come to the window again")
def recall(request, visit_id: int):
    who = _hall(request)
    at = now()
    return visit_out(workflow.recall(who, visit_id, at), at)


@router.post("/visits/{visit_id}/finish", response={200: VisitOut, **ERRORS},
             summary="End the visit: served, no-show or redirected, with the case opened if any")
def finish(request, visit_id: int, body: FinishIn, idempotency_key: str | None = KEY):
    who = _hall(request)

    def act() -> VisitOut:
        at = now()
        visit = workflow.finish(who, visit_id, outcome=body.outcome, now=at, case_number=body.case, note=body.note)
        return visit_out(visit, at)

    return run_once(request, idempotency_key, 200, act)


@router.get("/visits/{visit_id}", response={200: VisitOut, **ERRORS}, summary="One talon of your office")
def visit(request, visit_id: int):
    who = _hall(request)
    return visit_out(workflow.visit_for(who, visit_id), now())


@router.get("/state", response={200: HallOut, **ERRORS},
            summary="The hall now: waiting (in call order), called, in service, each against its norm")
def state(request):
    who = _hall(request)
    at = now()
    day = at.date()
    hall = report.hall_state(who.office_id, day, at)
    return HallOut(office=who.office_code, day=day, now=at,
                   waiting=[visit_out(r.visit, at) for r in hall.waiting],
                   called=[visit_out(r.visit, at) for r in hall.called],
                   in_service=[visit_out(r.visit, at) for r in hall.serving])


class SummaryParams(Schema):
    date: dt.date | None = Field(None, description="the day; default today (Almaty)")
    windows: int | None = Field(None, ge=1, le=workflow.MAX_WINDOW,
                                description="windows for the prediction; default: those that called that day")


class ServiceStatsOut(Schema):
    service: str
    visitors: int
    mean_wait_minutes: float | None
    p90_wait_minutes: float | None
    within_wait: float | None = Field(None, description="share of the measured waits within the norm")
    within_service: float | None = None
    norm: NormOut


class ViolationOut(Schema):
    number: str
    service: str
    kind: str = Field(..., description="wait or service")
    took_minutes: float
    norm_minutes: int
    cite: str
    still_open: bool


class LoadOut(Schema):
    arrivals_per_hour: float | None
    open_hours: float
    mean_service_minutes: float | None
    windows: int
    norm: NormOut | None = Field(None, description="the strictest waiting norm the hall serves")
    predicted_p_wait: float | None = None
    predicted_mean_wait_minutes: float | None = None
    predicted_over_norm: float | None = None
    windows_needed: int | None = Field(None, description="fewest windows for 95 % within the norm (Erlang-C)")


class SummaryOut(Schema):
    office: str
    day: dt.date
    visitors: int
    served: int
    no_show: int
    redirected: int
    within_wait: float | None
    within_service: float | None
    services: list[ServiceStatsOut]
    violations: list[ViolationOut]
    load: LoadOut


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or value == float("inf") else round(value, digits)


def summary_out(office: Office, s: report.DaySummary) -> SummaryOut:
    load = s.load
    norm = load.norm.norm if load.norm else None
    p = load.predicted if load.stable else None
    return SummaryOut(
        office=office.code, day=s.day, visitors=s.visitors, served=s.served, no_show=s.no_show,
        redirected=s.redirected, within_wait=_r(s.share_wait, 4), within_service=_r(s.share_service, 4),
        services=[ServiceStatsOut(service=x.reg_id, visitors=x.visitors, mean_wait_minutes=_r(x.mean_wait),
                                  p90_wait_minutes=_r(x.p90_wait), within_wait=_r(x.share_wait, 4),
                                  within_service=_r(x.share_service, 4),
                                  norm=NormOut(max_wait_minutes=x.norm_wait, max_service_minutes=x.norm_service,
                                               cite=x.cite)) for x in s.services],
        violations=[ViolationOut(number=v.visit.number, service=v.visit.reg_id, kind=v.kind,
                                 took_minutes=_r(v.took_minutes), norm_minutes=v.norm_minutes, cite=v.cite,
                                 still_open=v.still_open) for v in s.violations],
        load=LoadOut(arrivals_per_hour=_r(load.arrivals_per_hour), open_hours=round(load.open_hours, 2),
                     mean_service_minutes=_r(load.mean_service), windows=load.windows,
                     norm=NormOut(max_wait_minutes=norm.max_wait, max_service_minutes=norm.max_service,
                                  cite=norm.cite) if norm else None,
                     predicted_p_wait=_r(p.p_wait, 4) if p else (1.0 if load.stable is False else None),
                     predicted_mean_wait_minutes=_r(p.mean_wait) if p else None,
                     predicted_over_norm=_r(p.over_norm, 4) if p else (1.0 if load.stable is False else None),
                     windows_needed=load.needed))


@router.get("/summary", response={200: SummaryOut, **ERRORS},
            summary="The day's summary: shares within the norms, waits per service, violations, the model")
def summary(request, params: Query[SummaryParams]):
    who = _hall(request)
    at = now()
    office = Office.objects.get(pk=who.office_id)
    return summary_out(office, report.day_summary(office, params.date or at.date(), at, params.windows))
