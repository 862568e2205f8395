"""The proactive channel: IPR data in, the SMS request out, the citizen's answer.

Department staff (specialist, head) post the IPR data that reached E-Sobes and send the request; the
answer endpoint is public, like the citizen's page: IIN + code, with the same guess limits.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qyzmet.api.common import In, Instant, PageParams, now, page_of, paginate
from qyzmet.api.errors import error_response
from qyzmet.api.schemas import ERRORS, PUBLIC_ERRORS, ErrorOut
from qyzmet.cases.access import Actor, actor_for
from qyzmet.cases.workflow import Invalid
from qyzmet.proactive import workflow
from qyzmet.proactive.models import ConsentRequest, IprRecord
from qyzmet.web import throttle

router = Router(tags=["proactive"])


class IprIn(In):
    service: str = Field(..., description="regulation id with a proactive channel, e.g. mlsp-2021/personal-assistant")
    iin: str
    name: str
    phone: str = Field(..., description="the recipient's mobile number; the request goes there by SMS")
    measures: str = Field(..., description="the IPR's measures for this service")
    source: str = Field(..., description="the source record: the IPR's number and date in the data bank")
    language: str = Field("kk", description="kk or ru: the language of the SMS")
    disability_group: str = Field("", description="I, II or III")
    disability_until: dt.date | None = Field(None, description="end of the disability period; none: indefinite")
    send: bool = Field(True, description="send the SMS request at once")


class RequestOut(Schema):
    case: str = Field(..., description="the proactive case's number")
    state: str = Field(..., description="sent, consented, declined or expired")
    sent_at: Instant
    answer_due: Instant = Field(..., description="the end of the 3 working days for the answer")
    answer_why: str
    answer_cite: str
    answered_at: Instant | None
    channel: str = Field(..., description="how the answer came: sms or web")
    wrong_attempts: int
    locked: bool


class IprOut(Schema):
    id: int
    service: str
    recipient_iin: str
    recipient_name: str
    phone: str
    disability_group: str
    disability_until: dt.date | None
    measures: str
    source: str
    received_at: Instant
    request: RequestOut | None


class ProactiveAnswerIn(In):
    iin: str
    code: str = Field(..., description="the six-digit consent or refusal code from the SMS")


class ProactiveAnswerOut(Schema):
    outcome: str = Field(..., description="consent, refusal, wrong-code, used-code, locked, late or no-request")
    case: str | None
    status: str | None = Field(None, description="the case's status after the answer")
    term_due: Instant | None = Field(None, description="after consent: the decision's due date")
    tries_left: int | None


def request_out(r: ConsentRequest) -> RequestOut:
    return RequestOut(case=r.case.number, state=r.state, sent_at=r.sent_at, answer_due=r.answer_due,
                      answer_why=r.answer_why, answer_cite=r.answer_cite, answered_at=r.answered_at,
                      channel=r.channel, wrong_attempts=r.wrong_attempts, locked=r.locked_at is not None)


def ipr_out(record: IprRecord) -> IprOut:
    req = ConsentRequest.objects.select_related("case").filter(ipr=record).first()
    return IprOut(id=record.pk, service=record.reg_id, recipient_iin=record.recipient_iin,
                  recipient_name=record.recipient_name, phone=record.recipient_phone,
                  disability_group=record.disability_group, disability_until=record.disability_until,
                  measures=record.measures, source=record.source, received_at=record.received_at,
                  request=request_out(req) if req else None)


def staff(request: HttpRequest) -> Actor:
    return workflow.require_staff(actor_for(request.auth))  # type: ignore[attr-defined]


@router.get("/ipr", response={200: page_of(IprOut), **ERRORS}, summary="IPR data of my department and their requests")
def list_ipr(request, page: Query[PageParams], state: str = ""):
    rows = workflow.office_records(staff(request))
    if state:
        rows = rows.filter(request__isnull=True) if state == "not-sent" else rows.filter(request__state=state)
    return paginate(rows, page, lambda chunk: [ipr_out(r) for r in chunk])


@router.post("/ipr", response={201: IprOut, **ERRORS},
             summary="IPR data reached E-Sobes: store them and (by default) send the SMS request")
def receive_ipr(request, body: IprIn):
    who = staff(request)
    at = now()
    try:
        record = _receive(body, who, at, request.auth)
    except Invalid as exc:  # the body calls the regulation "service"
        raise Invalid("service" if exc.field == "regulation" else exc.field, exc.message) from None
    if body.send:
        workflow.send_request(record, at, actor=who)
    return 201, ipr_out(record)


def _receive(body: IprIn, who: Actor, at: dt.datetime, user) -> IprRecord:
    return workflow.receive_ipr(workflow.IprData(
        regulation=body.service, iin=body.iin, name=body.name, phone=body.phone, measures=body.measures,
        source=body.source, language=body.language, disability_group=body.disability_group,
        disability_until=body.disability_until), workflow.office_of(who), at, entered_by=user)


@router.get("/ipr/{int:ipr_id}", response={200: IprOut, **ERRORS}, summary="One IPR record and its request")
def get_ipr(request, ipr_id: int):
    return ipr_out(workflow.record_for(staff(request), ipr_id))


@router.post("/ipr/{int:ipr_id}/request", response={201: IprOut, **ERRORS},
             summary="Send the SMS request for stored IPR data (step 1 of the proactive route)")
def send_request(request, ipr_id: int):
    who = staff(request)
    record = workflow.record_for(who, ipr_id)
    workflow.send_request(record, now(), actor=who)
    return 201, ipr_out(record)


@router.post("/answer", response={200: ProactiveAnswerOut, 429: ErrorOut, **PUBLIC_ERRORS}, auth=None,
             summary="The recipient answers the SMS request with the consent or the refusal code")
def answer(request, body: ProactiveAnswerIn):
    iin = "".join(body.iin.split())
    tries = throttle.lookup(request, iin)
    limit = throttle.blocked(tries)
    if limit is not None:
        return error_response(429, "throttled", f"too many unsuccessful answers; try again in up to "
                                                f"{limit.window_seconds // 60} minutes")
    result = workflow.answer(body.code, now(), channel="web", iin=iin)
    if result.outcome in ("wrong-code", "no-request"):
        throttle.record_failure(tries)
    case = result.request.case if result.request else None
    return ProactiveAnswerOut(outcome=result.outcome, case=case.number if case else None,
                              status=case.status if case else None, term_due=case.term_due if case else None,
                              tries_left=result.tries_left)
