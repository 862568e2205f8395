"""Compliance monitoring for heads and regulators (``qyzmet.monitoring``).

``GET /monitoring/compliance`` answers the overview's numbers for one grouping (``group``: office, service,
route, step or staff; all of them when omitted) and ``GET /monitoring/violations`` lists the violations behind
them, each with its case, step, norm, due, close and clause.  The caller sees their scope only: a department
head their office, a PSC head their PSC, a regional regulator their region's offices; anyone else gets 403.
Bad days, an unknown office, service or route are a 422 naming the field; an office outside the scope a 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema

from qyzmet.api.auth import actor
from qyzmet.api.common import PageParams, now
from qyzmet.api.schemas import ERRORS
from qyzmet.monitoring import compliance as C
from qyzmet.monitoring.scope import scope_for

router = Router(tags=["monitoring"])


class ComplianceParams(Schema):
    from_: dt.date = Field(..., alias="from", description="first day, Almaty (YYYY-MM-DD)")
    to: dt.date = Field(..., description="last day, included; a period covers at most 366 days")
    office: str | None = Field(None, description="one office code of your scope; none: the whole scope")
    service: str | None = Field(None, description="one regulation id, e.g. aktogay-2013/prosthetic-docs")
    route: str | None = Field(None, description="main, psc, portal or proactive")
    group: Literal["office", "service", "route", "step", "staff"] | None = Field(
        None, description="one table; none: every table")


class ViolationParams(ComplianceParams, PageParams):
    step: int | None = Field(None, ge=1, description="only this step (with service and route)")
    version: int | None = Field(None, ge=1, description="only cases pinned to this version of the act")
    staff: str | None = Field(None, description="only the steps this username closed")
    kind: Literal["term", "step"] | None = Field(None, description="term: cases past the service's term; "
                                                                   "step: late steps; none: both")


def _question(request, params: ComplianceParams) -> C.Question:
    return C.ask(scope_for(actor(request)), params.from_, params.to, office=params.office,
                 service=params.service, route=params.route, now=now())


@router.get("/compliance", response={200: dict, **ERRORS},
            summary="Cases in term and overdue, refusals, late steps and time per step against its norm, "
                    "per office, service, route, step and staff member")
def compliance(request, params: Query[ComplianceParams]):
    q = _question(request, params)
    groups = (params.group,) if params.group else C.GROUPS
    return C.as_dict(C.report(q, groups=groups, lang="en"), params.group)


@router.get("/violations", response={200: dict, **ERRORS},
            summary="The violations behind the numbers: each case past its term and each late step, with the "
                    "norm, due, close and clause")
def violations(request, params: Query[ViolationParams]):
    q = _question(request, params)
    d = C.Drill(office=params.office or "", service=params.service or "", route=params.route or "",
                step=params.step, version=params.version, staff=params.staff or "")
    out: dict = {"from": q.first.isoformat(), "to": q.last.isoformat(), "as_of": q.as_of.isoformat()}
    for kind, rows in (("term", C.overdue_cases), ("step", C.late_steps)):
        if params.kind not in (None, kind):
            continue
        found = rows(q, d)
        chunk = found[params.offset: params.offset + params.limit]
        out[kind] = {"count": found.count(),
                     "items": [C.violation_dict(v) for v in C.present(chunk, kind, q, lang="en")]}
    return out
