"""Cases: intake at the counter, the office's case list, one case, its event log."""

from __future__ import annotations

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from qyzmet.api import present
from qyzmet.api import schemas as s
from qyzmet.api.auth import actor
from qyzmet.api.common import PageParams, now, page_of, paginate
from qyzmet.api.idempotency import KEY, run_once
from qyzmet.cases import workflow
from qyzmet.cases.access import Actor, case_for, visible_cases
from qyzmet.cases.models import Event
from qyzmet.core.loader import shipped_catalog
from qyzmet.directory.models import ServicePoint

router = Router(tags=["cases"])

# workflow.Invalid names the fields as the staff form spells them; the API body nests them.
_FIELDS = {"power_of_attorney": "representative.power_of_attorney", "representative_iin": "representative.iin"}


def _check_channel(who: Actor, regulation: str, channel: str | None) -> None:
    """A given channel must be the one this office receives the service on.

    The route is the office's service point for the regulation, picked as ``workflow.intake`` picks it;
    an office without one is left to ``intake``, which says so.
    """
    if channel is None:
        return
    point = ServicePoint.objects.filter(office_id=who.office_id, reg_id=regulation).first()
    if point is None:
        return
    try:
        route = shipped_catalog().get(regulation).route(point.route)
    except KeyError:
        return
    if route.channel != channel:
        raise workflow.Invalid("channel", f"your office receives {regulation} through the {route.channel!r} "
                                          f"channel, not {channel!r}")


@router.post("", response={201: s.CaseDetail, **s.ERRORS}, summary="Open a case for an applicant at the counter")
def intake(request, body: s.IntakeIn, idempotency_key: str | None = KEY):
    who = actor(request)
    rep = body.representative
    application = workflow.Application(
        regulation=body.regulation, iin=body.applicant.iin.strip(), category=body.category,
        documents=tuple(body.documents), name=body.applicant.name, phone=body.applicant.phone,
        representative_name=rep.name if rep else "", representative_iin=rep.iin if rep else "",
        power_of_attorney=rep.power_of_attorney if rep else "")

    def act() -> s.CaseDetail:
        _check_channel(who, body.regulation, body.channel)
        try:
            case = workflow.intake(who, application, now())
        except workflow.Invalid as exc:
            raise workflow.Invalid(_FIELDS.get(exc.field, exc.field), exc.message) from None
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
