"""Cases: intake at the counter, the office's case list, one case, its event log."""

from __future__ import annotations

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from qyzmet.api import present
from qyzmet.api import schemas as s
from qyzmet.api.auth import actor
from qyzmet.api.common import PageParams, now, page_of, paginate
from qyzmet.api.idempotency import KEY, run_once
from qyzmet.cases import suspension, workflow
from qyzmet.cases.access import Actor, case_for, visible_cases
from qyzmet.cases.models import Event
from qyzmet.core.loader import shipped_catalog
from qyzmet.directory.models import ServicePoint
from qyzmet.entitlements import workflow as entitlements

router = Router(tags=["cases"])

def _route_for(who: Actor, regulation: str, channel: str | None) -> str | None:
    """The office's route for the regulation that runs through ``channel`` (None: let intake pick)."""
    if channel is None:
        return None
    points = ServicePoint.objects.filter(office_id=who.office_id, reg_id=regulation)
    try:
        reg = shipped_catalog().get(regulation)
    except KeyError:
        return None  # intake names the unknown regulation
    for point in points:
        if point.route in reg.routes and reg.route(point.route).channel == channel:
            return point.route
    offered = sorted({reg.route(p.route).channel for p in points if p.route in reg.routes})
    raise workflow.Invalid("channel", f"your office does not receive {regulation} through the {channel!r} channel"
                                      + (f" (it does through: {', '.join(offered)})" if offered else ""))


@router.post("", response={201: s.CaseDetail, **s.ERRORS}, summary="Open a case for an applicant at the counter")
def intake(request, body: s.IntakeIn, idempotency_key: str | None = KEY):
    who = actor(request)
    rep = body.representative
    application = workflow.Application(
        regulation=body.regulation, route=_route_for(who, body.regulation, body.channel),
        iin=body.applicant.iin.strip(), category=body.category,
        documents=tuple(body.documents), name=body.applicant.name, phone=body.applicant.phone,
        language=body.applicant.language or "kk",
        representative_name=rep.name if rep else "", representative_iin=rep.iin if rep else "",
        power_of_attorney=rep.power_of_attorney if rep else "")

    ent = body.entitlement
    item = entitlements.ItemRequest(ent.item, ent.quantity, tuple(ent.categories)) if ent else None

    def act() -> s.CaseDetail:
        case = entitlements.intake(who, application, item, now())
        return present.case_detail(case, now())

    return run_once(request, idempotency_key, 201, act)


class CaseFilters(Schema):
    status: s.CaseStatus | None = None
    regulation: str | None = Field(None, description="a catalog id")
    route: str | None = None
    iin: str | None = Field(None, description="the applicant's IIN")
    number: str | None = Field(None, description="the case number, e.g. Q2025-0000012")
    overdue: bool | None = Field(None, description="true: open cases past their legal term; false: the others")


@router.get("", response={200: page_of(s.CaseBrief), **s.ERRORS}, summary="Cases of my office, newest first")
def list_cases(request, filters: Query[CaseFilters], page: Query[PageParams]):
    who = actor(request)
    cases = visible_cases(who).select_related(*present.CASE_RELATED).order_by("-submitted_at", "-id")
    exact = {"status": filters.status, "regulation__reg_id": filters.regulation, "route": filters.route,
             "applicant_iin": filters.iin.strip() if filters.iin else None,
             "number": filters.number.strip() if filters.number else None}
    cases = cases.filter(**{k: v for k, v in exact.items() if v is not None})
    if filters.overdue is not None:
        late = Q(status__in=present.OPEN, term_due__lt=now())
        cases = cases.filter(late) if filters.overdue else cases.exclude(late)
    at = now()
    return paginate(cases, page, lambda chunk: present.case_briefs(chunk, at))


@router.get("/{int:case_id}", response={200: s.CaseDetail, **s.ERRORS}, summary="One case, with its open tasks")
def get_case(request, case_id: int):
    return present.case_detail(case_for(actor(request), pk=case_id), now())


@router.get("/{int:case_id}/events", response={200: page_of(s.EventOut), **s.ERRORS},
            summary="The case's audit log, oldest first")
def case_events(request, case_id: int, page: Query[PageParams]):
    case = case_for(actor(request), pk=case_id)
    events = Event.objects.filter(case=case).select_related("actor").order_by("seq")
    return paginate(events, page, present.events_out)


class SuspendIn(s.In):
    ground: str = Field(..., max_length=80, description="a suspension ground of the case's regulation")
    note: str = Field(..., max_length=2000, description="what happened: recorded with the suspension")


class ResumeIn(s.In):
    note: str = Field("", max_length=2000)


@router.post("/{int:case_id}/suspend", response={200: s.CaseDetail, **s.ERRORS},
             summary="Suspend the case's term on a ground the act gives (409 where it gives none)")
def suspend_case(request, case_id: int, body: SuspendIn, idempotency_key: str | None = KEY):
    who = actor(request)
    return run_once(request, idempotency_key, 200, lambda: present.case_detail(
        suspension.suspend(who, case_id, body.ground, body.note, now()), now()))


@router.post("/{int:case_id}/resume", response={200: s.CaseDetail, **s.ERRORS},
             summary="Resume a suspended term: the due dates move by the working time it stood still")
def resume_case(request, case_id: int, body: ResumeIn, idempotency_key: str | None = KEY):
    who = actor(request)
    return run_once(request, idempotency_key, 200, lambda: present.case_detail(
        suspension.resume(who, case_id, body.note, now()), now()))
