"""The journal of rendered services, the monthly act and its payment (mlsp-2021 annex 1 cl. 40-45).

A supplier's user keeps the journal of its own orders, forms the month's act and signs it.  Department staff
(specialist, head) see their office's journals and acts, sign an act *for the recipient at the self-service
desk* (the body repeats the recipient's IIN; the signature is the recipient's and records who assisted), and
record the payment of an act signed by both parties.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qyzmet.api.common import In, Instant, PageParams, now, page_of, paginate
from qyzmet.api.schemas import ERRORS
from qyzmet.cases.access import AccessDenied, NotFound, actor_for
from qyzmet.cases.workflow import Invalid
from qyzmet.payments import stay, workflow
from qyzmet.payments.models import JournalEntry, ServiceAct
from qyzmet.payments.views import act_pdf_response
from qyzmet.portal.models import Order, SupplierUser

router = Router(tags=["payments"])


class JournalIn(In):
    day: dt.date
    hours: Decimal | None = Field(None, description="or give started and ended")
    started: dt.time | None = None
    ended: dt.time | None = None
    places: str = Field("", description="personal assistant: the facilities visited (annex 9)")
    sl_format: str = Field("", description="sign language: online or offline (annex 10); default the order's")
    note: str = ""
    recipient_pays: bool = Field(False, description="sign language: the hours above 60 a year are the "
                                                    "recipient's (annex 1 cl. 44)")


class JournalOut(Schema):
    id: int
    order: int
    day: dt.date
    hours: Decimal
    recipient_paid_hours: Decimal
    started: dt.time | None
    ended: dt.time | None
    places: str
    sl_format: str
    note: str
    entered_at: Instant


class ActIn(In):
    month: str = Field(..., description="the reporting month, e.g. 2026-03")


class SignIn(In):
    recipient_iin: str | None = Field(None, description="staff only: the recipient's IIN, confirmed at the "
                                                        "self-service desk")


class PaymentIn(In):
    amount: Decimal | None = Field(None, description="must be the act's amount; default it")
    reference: str = Field("", description="the payment order's number")
    paid_at: dt.datetime | None = None


class PaymentOut(Schema):
    amount: Decimal
    paid_at: Instant
    reference: str


class ServiceActOut(Schema):
    id: int
    number: str
    order: int
    service: str
    period_start: dt.date
    period_end: dt.date
    hours: Decimal
    paid_hours: Decimal
    recipient_paid_hours: Decimal
    amount: Decimal
    rate: Decimal | None
    rate_cite: str
    lines: list[dict]
    unit: str = Field(..., description="hour (PA, SL) or bed-day (sanatorium: hours count bed-days)")
    recipient_amount: Decimal = Field(..., description="sanatorium: the surcharge the recipient paid (annex 2 "
                                                       "cl. 29)")
    due_date: dt.date | None = Field(None, description="none for a sanatorium stay: annex 2 sets no term")
    due_cite: str
    overdue: bool = Field(..., description="not signed by both parties after its 10th (annex 1 cl. 45)")
    state: str
    pdf_sha256: str
    supplier_signed_at: Instant | None
    recipient_signed_at: Instant | None
    payment: PaymentOut | None


def journal_out(e: JournalEntry) -> JournalOut:
    return JournalOut(id=e.pk, order=e.order_id, day=e.day, hours=e.hours, recipient_paid_hours=e.recipient_paid_hours,
                      started=e.started, ended=e.ended, places=e.places, sl_format=e.sl_format, note=e.note,
                      entered_at=e.entered_at)


def act_out(act: ServiceAct) -> ServiceActOut:
    payment = getattr(act, "payment", None) if hasattr(act, "payment") else None
    return ServiceActOut(
        id=act.pk, number=act.number, order=act.order_id, service=act.order.reg_id, period_start=act.period_start,
        period_end=act.period_end, hours=act.hours, paid_hours=act.paid_hours,
        recipient_paid_hours=act.recipient_paid_hours, amount=act.amount, rate=act.rate, rate_cite=act.rate_cite,
        lines=act.lines, unit=act.unit, recipient_amount=act.recipient_amount, due_date=act.due_date,
        due_cite=act.due_cite, overdue=act.overdue(now().date()),
        state=act.state, pdf_sha256=act.pdf_sha256,
        supplier_signed_at=act.supplier_signature.signed_at if act.supplier_signature_id else None,
        recipient_signed_at=act.recipient_signature.signed_at if act.recipient_signature_id else None,
        payment=PaymentOut(amount=payment.amount, paid_at=payment.paid_at, reference=payment.reference)
        if payment else None)


# --- who -------------------------------------------------------------------------------------------------


def supplier_user(request: HttpRequest) -> SupplierUser | None:
    return SupplierUser.objects.select_related("supplier", "user").filter(
        user_id=getattr(request.auth, "pk", None)).first()  # type: ignore[attr-defined]


def _supplier(request: HttpRequest) -> SupplierUser:
    su = supplier_user(request)
    if su is None:
        raise AccessDenied("This account does not act for a supplier.")
    return su


def _staff(request: HttpRequest):
    return workflow.require_staff(actor_for(request.auth))  # type: ignore[attr-defined]


def _order(request: HttpRequest, order_id: int) -> Order:
    su = supplier_user(request)
    if su is not None:
        return workflow.supplier_order(su, order_id)
    order = Order.objects.filter(pk=order_id, entry__office_id=_staff(request).office_id).first()
    if order is None:
        raise NotFound("No such order.")
    return order


def _act(request: HttpRequest, act_id: int) -> ServiceAct:
    su = supplier_user(request)
    return workflow.supplier_act(su, act_id) if su else workflow.staff_act(_staff(request), act_id)


def _fresh(pk: int) -> ServiceAct:
    return ServiceAct.objects.select_related("order", "supplier_signature", "recipient_signature").get(pk=pk)


# --- routes ----------------------------------------------------------------------------------------------


@router.get("/orders/{int:order_id}/journal", response={200: page_of(JournalOut), **ERRORS},
            summary="The journal of rendered services of one order (annex 1 cl. 40)")
def list_journal(request, order_id: int, page: Query[PageParams]):
    order = _order(request, order_id)
    return paginate(workflow.journal_of(order), page, lambda chunk: [journal_out(e) for e in chunk])


@router.post("/orders/{int:order_id}/journal", response={201: JournalOut, **ERRORS},
             summary="The supplier journals a day: PA at most 8 h a day (cl. 43), SL 60 h a year (cl. 44)")
def add_journal(request, order_id: int, body: JournalIn):
    su = _supplier(request)
    entry = workflow.add_journal_entry(su, order_id, workflow.DayForm(
        day=body.day, hours=body.hours, started=body.started, ended=body.ended, places=body.places,
        sl_format=body.sl_format, note=body.note, recipient_pays=body.recipient_pays), now())
    return 201, journal_out(JournalEntry.objects.get(pk=entry.pk))


@router.post("/orders/{int:order_id}/acts", response={201: ServiceActOut, **ERRORS},
             summary="The supplier forms (or, unsigned, forms again) the month's act from the journal (cl. 42)")
def form_act(request, order_id: int, body: ActIn):
    su = _supplier(request)
    act = workflow.form_act(su, order_id, workflow.parse_month(body.month), now())
    return 201, act_out(_fresh(act.pk))


@router.post("/orders/{int:order_id}/stay-act", response={201: ServiceActOut, **ERRORS},
             summary="A sanatorium forms (or, unsigned, forms again) the act of the stay (annex 2 cl. 26-30)")
def form_stay_act(request, order_id: int):
    act = stay.form_act(_supplier(request), order_id, now())
    return 201, act_out(_fresh(act.pk))


@router.get("/acts", response={200: page_of(ServiceActOut), **ERRORS},
            summary="A supplier's own acts, or the department's; ?overdue=true for those past their 10th")
def list_acts(request, page: Query[PageParams], overdue: bool = False):
    su = supplier_user(request)
    rows = workflow.supplier_acts(su) if su else workflow.staff_acts(_staff(request))
    if overdue:
        rows = rows.filter(state__in=[ServiceAct.State.DRAFT, ServiceAct.State.SUPPLIER_SIGNED],
                           due_date__lt=now().date())
    rows = rows.select_related("order", "supplier_signature", "recipient_signature").order_by("due_date", "id")
    return paginate(rows, page, lambda chunk: [act_out(a) for a in chunk])


@router.get("/acts/{int:act_id}", response={200: ServiceActOut, **ERRORS}, summary="One act")
def get_act(request, act_id: int):
    return act_out(_fresh(_act(request, act_id).pk))


@router.get("/acts/{int:act_id}/pdf", response={200: None, **ERRORS},
            summary="The act's PDF (annex 8 with the annex 9 / 10 sheet): the bytes both parties sign")
def act_pdf(request, act_id: int):
    return act_pdf_response(_act(request, act_id))


@router.post("/acts/{int:act_id}/sign", response={200: ServiceActOut, **ERRORS},
             summary="The supplier signs the act; or staff sign it for the recipient at the self-service desk")
def sign_act(request, act_id: int, body: SignIn):
    su = supplier_user(request)
    if su is not None:
        if body.recipient_iin:
            raise Invalid("recipient_iin", "a supplier signs as the supplier; leave recipient_iin out")
        act = workflow.sign_act_by_supplier(su, act_id, now())
        return act_out(_fresh(act.pk))
    act = workflow.staff_act(_staff(request), act_id)
    iin = (body.recipient_iin or "").strip()
    if iin != act.order.entry.recipient_iin:
        raise Invalid("recipient_iin", "this is not the IIN of the act's recipient")
    act = workflow.sign_act_by_recipient(iin, act_id, now(), assisted_by=request.auth)
    return act_out(_fresh(act.pk))


@router.post("/acts/{int:act_id}/payment", response={201: ServiceActOut, **ERRORS},
             summary="The department records the payment of an act signed by both parties (cl. 45)")
def record_payment(request, act_id: int, body: PaymentIn):
    actor = _staff(request)
    workflow.record_payment(actor, act_id, now(), amount=body.amount, reference=body.reference,
                            paid_at=body.paid_at)
    return 201, act_out(_fresh(act_id))
