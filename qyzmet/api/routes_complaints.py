"""Complaints about a case (issue 12): file one, list them, answer, escalate.

``POST /cases/{number}/complaints`` registers a complaint about a case the caller's office sees (another
office's case is 404), in the register of the caller's office, with the act's term counted on the considering
office's calendar.  ``/complaints`` lists what the caller's office received or considers; the considering
role answers; anyone who sees a complaint may escalate it when its term passed or the applicant disagrees.
"""

from __future__ import annotations

from typing import Literal

from ninja import Field, Query, Router, Schema

from qyzmet.api.auth import actor
from qyzmet.api.common import In, Instant, PageParams, now, page_of, paginate
from qyzmet.api.idempotency import KEY, run_once
from qyzmet.api.schemas import ERRORS
from qyzmet.cases.access import case_for
from qyzmet.cases.services import regulation_of
from qyzmet.complaints import papers, workflow
from qyzmet.complaints.models import Complaint

cases_router = Router(tags=["complaints"])
router = Router(tags=["complaints"])


class ComplaintIn(In):
    to: Literal["provider", "psc", "quality-authority"] = Field(
        ..., description="provider (its head), psc (the head of the PSC branch) or quality-authority, as the act "
                         "gives them; an act without a complaint procedure takes provider only")
    text: str = Field(..., min_length=1, max_length=workflow.TEXT_MAX, description="what the complaint is about")
    complainant: str = Field("", max_length=workflow.NAME_MAX, description="full name; default: the applicant")


class AnswerIn(In):
    outcome: str = Field(..., description="upheld, partly or rejected")
    text: str = Field(..., min_length=1, max_length=workflow.TEXT_MAX, description="the answer and its reasons")


class EscalateIn(In):
    text: str = Field(..., min_length=1, max_length=workflow.TEXT_MAX,
                      description="the complaint to the next level (why the applicant disagrees, or no answer came)")


class PaperOut(Schema):
    id: int = Field(..., description="GET /api/v1/documents/{id} for a staff member of the case's offices")
    kind: str = Field(..., description="receipt or answer")
    lang: str
    title: str
    code: str = Field(..., description="the verification code printed with the QR")


class ComplaintOut(Schema):
    id: int
    number: str = Field(..., description="the incoming number in the receiving office's register")
    case: str = Field(..., description="the application number")
    registered_at: Instant
    receiving_office: str
    receiver: str = Field(..., description="surname and initials of the person who accepted it; empty online")
    body: str
    to: str = Field(..., description="to whom, in the act's words (request language; Kazakh for English)")
    cite: str = Field(..., description="the clause of the complaint procedure; empty: the act sets none")
    considering_office: str
    role: str = Field(..., description="the role there that answers it")
    complainant: str
    text: str
    channel: str
    due: Instant | None = Field(None, description="when the answer is due; null: the act sets no term")
    due_why: str
    status: str = Field(..., description="registered, answered, escalated or closed")
    outcome: str = Field("", description="upheld, partly, rejected (once answered)")
    answer: str = ""
    answered_at: Instant | None = None
    answered_by: str = ""
    parent: int | None = Field(None, description="the complaint this one escalates")
    escalation_reason: str = Field("", description="term-passed or disagreement")
    escalation: int | None = Field(None, description="the complaint this one was escalated to")
    documents: list[PaperOut]


def present(c: Complaint) -> ComplaintOut:
    reg = regulation_of(c.case.regulation)
    escalation = Complaint.objects.filter(parent=c).values_list("pk", flat=True).first()
    docs = [PaperOut(id=d.pk, kind=d.form.split("-")[1], lang=d.lang, title=d.title, code=d.code)
            for d in papers.documents_of(c)]
    return ComplaintOut(
        id=c.pk, number=c.number, case=c.case.number, registered_at=c.registered_at,
        receiving_office=c.receiving_office.code, receiver=c.receiver_name, body=c.body,
        to=workflow.body_text(reg, c), cite=c.cite, considering_office=c.considering_office.code, role=c.role,
        complainant=c.complainant, text=c.text, channel=c.channel, due=c.due, due_why=c.due_why, status=c.status,
        outcome=c.outcome, answer=c.answer, answered_at=c.answered_at, answered_by=c.answered_name,
        parent=c.parent_id, escalation_reason=c.escalation_reason, escalation=escalation, documents=docs)


def _rows(items: list[Complaint]) -> list[ComplaintOut]:
    return [present(c) for c in items]


_RELATED = ("case__regulation", "receiving_office", "considering_office")


@cases_router.post("/{number}/complaints", response={201: ComplaintOut, **ERRORS},
                   summary="Register a complaint about a case of my office")
def file_complaint(request, number: str, body: ComplaintIn, idempotency_key: str | None = KEY):
    who = actor(request)
    case = case_for(who, number=number)

    def act() -> ComplaintOut:
        complaint = workflow.file_at_counter(who, case.pk, to=body.to, text=body.text, complainant=body.complainant,
                                             now=now(), channel=Complaint.Channel.API)
        return present(complaint)

    return run_once(request, idempotency_key, 201, act)


@cases_router.get("/{number}/complaints", response={200: page_of(ComplaintOut), **ERRORS},
                  summary="The complaints about a case of my office, oldest first")
def case_complaints(request, number: str, page: Query[PageParams]):
    who = actor(request)
    case = case_for(who, number=number)
    rows = Complaint.objects.filter(case=case).select_related(*_RELATED).order_by("registered_at", "id")
    return paginate(rows, page, _rows)


class ListParams(PageParams):
    status: Literal["open", "overdue", "all"] = Field("open", description="open (being considered), overdue "
                                                                          "(open past its due time) or all")


@router.get("", response={200: page_of(ComplaintOut), **ERRORS},
            summary="Complaints my office received or considers, or about its cases; the most urgent first")
def list_complaints(request, params: Query[ListParams]):
    from django.db.models import F

    who = actor(request)
    rows = workflow.visible(who).select_related(*_RELATED)
    if params.status != "all":
        rows = rows.filter(status__in=Complaint.OPEN)
    if params.status == "overdue":
        rows = rows.filter(due__lt=now())
    rows = rows.order_by(F("due").asc(nulls_last=True), "id")
    return paginate(rows, params, _rows)


@router.get("/{int:complaint_id}", response={200: ComplaintOut, **ERRORS}, summary="One complaint")
def get_complaint(request, complaint_id: int):
    return present(workflow.complaint_for(actor(request), complaint_id))


@router.post("/{int:complaint_id}/answer", response={200: ComplaintOut, **ERRORS},
             summary="Answer a complaint (the considering role: the head, the PSC head, the quality inspector)")
def answer(request, complaint_id: int, body: AnswerIn, idempotency_key: str | None = KEY):
    who = actor(request)

    def act() -> ComplaintOut:
        try:
            return present(workflow.answer(who, complaint_id, outcome=body.outcome, text=body.text, now=now()))
        except workflow.Invalid as exc:  # the workflow names the page's field; this body calls it "text"
            raise workflow.Invalid("text" if exc.field == "answer" else exc.field, exc.message) from None

    return run_once(request, idempotency_key, 200, act)


@router.post("/{int:complaint_id}/escalate", response={201: ComplaintOut, **ERRORS},
             summary="Escalate to the next level: the term passed without an answer, or the applicant disagrees")
def escalate(request, complaint_id: int, body: EscalateIn, idempotency_key: str | None = KEY):
    who = actor(request)

    def act() -> ComplaintOut:
        child = workflow.escalate(who, complaint_id, text=body.text, now=now(), channel=Complaint.Channel.API)
        return present(Complaint.objects.select_related(*_RELATED).get(pk=child.pk))

    return run_once(request, idempotency_key, 201, act)
