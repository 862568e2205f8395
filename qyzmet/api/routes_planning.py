"""The E-Sobes "Planning of activities" record of the department (mlsp-2021, Order No. 61).

Department staff (specialist, head) of an office providing an mlsp-2021 service read their office's plans for
a year, per service, with the due date (25 December of the year before), why and clause, the state (on-time,
late, missing, overdue) and the number waiting in the queue; and enter or change one service's plan.  The
service id has a slash (``mlsp-2021/sanatorium``): it is the last part of the path, taken whole.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qyzmet.api.common import In, Instant, PageParams, now, page_of, paginate
from qyzmet.api.schemas import ERRORS
from qyzmet.cases.access import Actor, actor_for
from qyzmet.portal import planning
from qyzmet.portal.models import ActivityPlan

router = Router(tags=["portal"])


class PlanOut(Schema):
    recipients: int = Field(..., description="persons planned to be served")
    budget: Decimal | None = Field(None, description="planned budget, tenge; none: not given")
    note: str
    entered_at: Instant = Field(..., description="the first entry; it decides on-time or late and never changes")
    entered_by: str = Field("", description="the login of whoever entered or changed it last")


class PlanStatusOut(Schema):
    service: str = Field(..., description="regulation id, e.g. mlsp-2021/sanatorium")
    year: int = Field(..., description="the planned year")
    due: dt.date = Field(..., description="25 December of the year before: a calendar date, never moved")
    why: str = Field(..., description="how the due date was found")
    cite: str = Field(..., description="the clause of Order No. 61")
    state: str = Field(..., description="on-time, late (first entered after the due day, local time), missing "
                                        "(not entered, due day not passed) or overdue (not entered, due day passed)")
    days_left: int | None = Field(None, description="missing only: calendar days to the due date, 0 on the day")
    waiting: int = Field(..., description="the office's queue entries of the service not yet served")
    plan: PlanOut | None = None


class PlanIn(In):
    recipients: int = Field(..., description="persons planned to be served, 0 or more")
    budget: Decimal | None = Field(None, description="planned budget in tenge, 0 or more, at most 2 decimals")
    note: str = ""


def plan_out(plan: ActivityPlan | None) -> PlanOut | None:
    if plan is None:
        return None
    return PlanOut(recipients=plan.recipients, budget=plan.budget, note=plan.note, entered_at=plan.entered_at,
                   entered_by=plan.entered_by.get_username() if plan.entered_by else "")


def row_out(row: planning.PlanRow) -> PlanStatusOut:
    return PlanStatusOut(service=row.reg_id, year=row.year, due=row.due, why=row.due_why, cite=row.cite,
                         state=row.state, days_left=row.days_left, waiting=row.waiting, plan=plan_out(row.plan))


def planner(request: HttpRequest) -> Actor:
    """A specialist or head of an office providing an mlsp-2021 service (403 for anyone else)."""
    actor, _services = planning.require_planner(actor_for(request.auth))  # type: ignore[attr-defined]
    return actor


@router.get("", response={200: page_of(PlanStatusOut), **ERRORS},
            summary="My department's activity plans for a year, per service, against their due date")
def list_plans(request, page: Query[PageParams],
               year: int | None = Query(None, description="the planned year; default next year")):
    who = planner(request)
    at = now()
    shown = planning.last_year(at) if year is None else planning.check_year(year, at)
    rows = planning.status(who.office_id, shown, at.date())
    return paginate(rows, page, lambda chunk: [row_out(r) for r in chunk])


@router.put("/{int:year}/{path:reg_id}", response={200: PlanStatusOut, **ERRORS},
            summary="Enter or change one service's plan for a year; the first entry's time is kept")
def put_plan(request, year: int, reg_id: str, body: PlanIn):
    who = planner(request)
    at = now()
    planning.save_plan(who, reg_id, year, body.recipients, body.budget, body.note, at)
    row = next(r for r in planning.status(who.office_id, year, at.date()) if r.reg_id == reg_id)
    return row_out(row)
