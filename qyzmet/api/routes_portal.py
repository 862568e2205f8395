"""The Social Services Portal: the department's E-Sobes queue and supplier register, the supplier's orders.

Two kinds of caller.  Department staff (specialist, head) see their office's queue and register, and may
sign the recipient's public contract and order *at the self-service desk* (annex 1 cl. 38): the body then
repeats the recipient's IIN, the signature is the recipient's and records the staff member who assisted.
A supplier's user sees only its own supplier's orders and answers them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qyzmet.api.common import In, Instant, PageParams, now, page_of, paginate
from qyzmet.api.idempotency import KEY, run_once
from qyzmet.api.schemas import ERRORS
from qyzmet.cases.access import AccessDenied, Actor, NotFound, actor_for
from qyzmet.cases.workflow import Invalid
from qyzmet.portal import legacy, manufacture, stops, workflow
from qyzmet.portal.models import BedNotice, Order, QueueEntry, ServiceStop, Supplier, SupplierUser
from qyzmet.portal.stay_views import notice_pdf_response

router = Router(tags=["portal"])


# --- shapes --------------------------------------------------------------------------------------------


class Due(Schema):
    at: Instant | None
    why: str = Field("", description="how the date was counted")
    cite: str = Field("", description="the clause")


class QueueEntryOut(Schema):
    id: int
    case: str = Field(..., description="the application's number")
    service: str
    recipient_iin: str
    recipient_name: str
    state: str
    position: int | None = Field(None, description="place in the service's queue of the department; "
                                                   "none once served")
    registered_at: Instant = Field(..., description="first registration; the queue's order (never changes)")
    portal_from: Instant
    remind: Due
    block: Due
    contract_signed_at: Instant | None
    legacy_supplier: int | None = Field(None, description="PA / SL: the supplier that served the recipient "
                                                         "outside the Portal (annex 1 cl. 35)")
    legacy_since: dt.date | None = None
    legacy_notice: Due = Field(..., description="the cl. 35 messages, within one working day")
    legacy_notified_at: Instant | None = None
    legacy_confirmed_at: Instant | None = Field(None, description="the recipient confirmed the services received "
                                                                  "(cl. 36)")


class StaySums(Schema):
    bed_days: int | None
    order_sum: Decimal | None
    guaranteed_sum: Decimal | None = Field(None, description="reimbursed by the department (Order No. 14)")
    surcharge: Decimal | None = Field(None, description="the recipient pays it on arrival (annex 2 cl. 29)")
    why: str


class OrderOut(Schema):
    id: int
    number: str
    service: str
    state: str
    supplier: int
    supplier_name: str
    recipient_name: str
    unit: str
    unit_price: Decimal
    sent_at: Instant
    review: Due
    overdue: bool = Field(..., description="unanswered after the supplier's 5 working days")
    reviewed_at: Instant | None
    refusal_reasons: str
    sl_format: str
    receipt_method: str
    arrival_date: dt.date | None
    departure_date: dt.date | None
    cancel_limit: Due
    make: Due = Field(..., description="prosthetic-orthopaedic means: the item's manufacturing term (annex 3 cl. "
                                       "36-38), moved by the working days waited for fitting")
    sums: StaySums | None = Field(None, description="sanatorium: order sum, guaranteed sum, surcharge (annex 7)")
    bed_notice: str | None = Field(None, description="sanatorium: the number of the bed notice (annex 7)")
    transitional: bool = Field(False, description="PA / SL: the reporting period of the acceptance is paid in "
                                                  "full (annex 1 cl. 45)")
    transitional_why: str = ""


class OfferIn(In):
    service: str = Field(..., description="regulation id, e.g. mlsp-2021/sanatorium")
    unit_price: Decimal = Field(..., ge=0, description="tenge per unit")
    unit: str = "unit"
    capacity: int | None = Field(None, ge=0, description="sanatorium: beds; none: no limit")
    profile: str = ""


class SupplierIn(In):
    name_kk: str
    name_ru: str
    bin: str
    region: str = ""
    phone: str = ""
    address: str = ""
    in_register: bool = True
    exclusion_reason: str = ""
    offices: list[int] = Field(default_factory=list, description="department offices served; default: yours")
    offers: list[OfferIn] = Field(default_factory=list)


class SupplierOut(Schema):
    id: int
    name_kk: str
    name_ru: str
    bin: str
    region: str
    in_register: bool
    services: list[str]


class RecipientIn(In):
    recipient_iin: str = Field(..., description="the recipient's IIN, confirmed at the self-service desk")


class OrderIn(RecipientIn):
    supplier: int
    sl_format: str = Field("", description="sign language: offline or online (annex 1 cl. 39)")
    receipt_method: str = Field("", description="aids and mobility means: delivery or self-pickup")
    arrival_date: dt.date | None = None
    departure_date: dt.date | None = None


class BedNoticeIn(In):
    check_in: str = Field("", description="HH:MM")
    check_out: str = Field("", description="HH:MM")
    meals: str = ""
    treatment: str = Field("", description="diagnostic, treatment and health procedures")
    accommodation: str = Field("", description="bed-place, bed, floor, room")
    accessibility: str = Field("", description="conditions for persons with disabilities")
    phone: str = Field("", description="the sanatorium's phone; default the register's")


class ReviewIn(In):
    accept: bool
    reasons: str = Field("", description="required for a refusal")
    bed_notice: BedNoticeIn | None = Field(None, description="sanatorium acceptance: the blanks of annex 7")


class StopIn(In):
    reason: str = Field(..., description="inpatient (PA only) or full-state-support (annex 1 cl. 41)")
    start: dt.date
    end: dt.date | None = Field(None, description="blank while it lasts")
    note: str = ""


class StopEndIn(In):
    end: dt.date


class StopOut(Schema):
    id: int
    order: int
    reason: str
    start: dt.date
    end: dt.date | None
    cite: str


class LegacyIn(In):
    supplier: int = Field(..., description="the supplier that served the recipient outside the Portal")
    since: dt.date


class RecordIn(In):
    what: str = Field(..., description="arrived, no-show, completed, refused-after-arrival")


class CancelIn(In):
    reason: str = Field(..., description="excluded-from-register or force-majeure (annex 2 cl. 32)")
    note: str = ""


# --- presenting ------------------------------------------------------------------------------------------


def entry_out(entry: QueueEntry, position: int | None) -> QueueEntryOut:
    contract = getattr(entry, "contract", None) if hasattr(entry, "contract") else None
    return QueueEntryOut(
        id=entry.pk, case=entry.case.number, service=entry.reg_id, recipient_iin=entry.recipient_iin,
        recipient_name=entry.recipient_name, state=entry.state, position=position,
        registered_at=entry.registered_at, portal_from=entry.portal_from,
        remind=Due(at=entry.remind_due, why=entry.remind_why, cite=entry.remind_cite),
        block=Due(at=entry.block_due, why=entry.block_why, cite=entry.block_cite),
        contract_signed_at=contract.accepted_at if contract else None,
        legacy_supplier=entry.legacy_supplier_id, legacy_since=entry.legacy_since,
        legacy_notice=Due(at=entry.legacy_notice_due, why="one working day from the data reaching the Portal"
                          if entry.legacy_notice_due else "", cite=legacy.NOTICE_CITE if entry.legacy_notice_due
                          else ""),
        legacy_notified_at=entry.legacy_notified_at, legacy_confirmed_at=entry.legacy_confirmed_at)


def order_out(order: Order, at: dt.datetime) -> OrderOut:
    # A supplier learns only what the order needs: the recipient's name, never the IIN or the case.
    return OrderOut(
        id=order.pk, number=order.number, service=order.reg_id, state=order.state, supplier=order.supplier_id,
        supplier_name=str(order.supplier), recipient_name=order.entry.recipient_name, unit=order.unit,
        unit_price=order.unit_price, sent_at=order.sent_at,
        review=Due(at=order.review_due, why=order.review_why, cite=order.review_cite),
        overdue=order.overdue(at), reviewed_at=order.reviewed_at, refusal_reasons=order.refusal_reasons,
        sl_format=order.sl_format, receipt_method=order.receipt_method, arrival_date=order.arrival_date,
        departure_date=order.departure_date,
        cancel_limit=Due(at=order.cancel_limit, why=order.cancel_limit_why, cite=order.cancel_cite),
        make=Due(at=order.make_due, why=order.make_why, cite=order.make_cite),
        sums=StaySums(bed_days=order.bed_days, order_sum=order.order_sum, guaranteed_sum=order.guaranteed_sum,
                      surcharge=order.surcharge, why=order.sums_why) if order.order_sum is not None else None,
        bed_notice=order.bed_notice.number if hasattr(order, "bed_notice") else None,
        transitional=order.transitional, transitional_why=order.transitional_why)


def supplier_out(s: Supplier) -> SupplierOut:
    return SupplierOut(id=s.pk, name_kk=s.name_kk, name_ru=s.name_ru, bin=s.bin, region=s.region,
                       in_register=s.in_register, services=sorted(o.reg_id for o in s.offers.all()))


# --- who -------------------------------------------------------------------------------------------------


def staff(request: HttpRequest) -> Actor:
    return workflow.require_staff(actor_for(request.auth))  # type: ignore[attr-defined]


def supplier_user(request: HttpRequest) -> SupplierUser | None:
    return SupplierUser.objects.select_related("supplier", "user").filter(
        user_id=getattr(request.auth, "pk", None)).first()  # type: ignore[attr-defined]


def staff_entry(request: HttpRequest, entry_id: int, recipient_iin: str | None = None) -> QueueEntry:
    entry = workflow.find_entry_for_staff(staff(request), entry_id)
    if recipient_iin is not None and recipient_iin.strip() != entry.recipient_iin:
        raise Invalid("recipient_iin", "this is not the IIN of the entry's recipient")
    return entry


def _entries(rows: list[QueueEntry]) -> list[QueueEntryOut]:
    places = workflow.positions(rows)
    return [entry_out(e, places.get(e.pk)) for e in rows]


# --- the department: queue and register -------------------------------------------------------------------


@router.get("/queue", response={200: page_of(QueueEntryOut), **ERRORS},
            summary="The E-Sobes queue of my department, per service in order of first registration")
def list_queue(request, page: Query[PageParams], service: str = ""):
    rows = workflow.office_queue(staff(request), service).select_related("contract")
    return paginate(rows, page, _entries)


@router.get("/queue/{int:entry_id}", response={200: QueueEntryOut, **ERRORS}, summary="One queue entry")
def get_entry(request, entry_id: int):
    entry = staff_entry(request, entry_id)
    return entry_out(entry, entry.position())


@router.post("/queue/{int:entry_id}/contract", response={200: QueueEntryOut, **ERRORS},
             summary="The recipient signs the public contract at the self-service desk")
def sign_contract(request, entry_id: int, body: RecipientIn, idempotency_key: str | None = KEY):
    entry = staff_entry(request, entry_id, body.recipient_iin)

    def act() -> QueueEntryOut:
        workflow.accept_contract(entry, now(), assisted_by=request.auth)
        fresh = QueueEntry.objects.select_related("case", "contract").get(pk=entry.pk)
        return entry_out(fresh, fresh.position())

    return run_once(request, idempotency_key, 200, act)


@router.post("/queue/{int:entry_id}/orders", response={201: OrderOut, **ERRORS},
             summary="The recipient chooses a supplier and sends the signed order at the self-service desk")
def form_order(request, entry_id: int, body: OrderIn, idempotency_key: str | None = KEY):
    entry = staff_entry(request, entry_id, body.recipient_iin)

    def act() -> OrderOut:
        order = workflow.form_order(entry, workflow.OrderForm(
            supplier_id=body.supplier, sl_format=body.sl_format, receipt_method=body.receipt_method,
            arrival_date=body.arrival_date, departure_date=body.departure_date), now(), assisted_by=request.auth)
        return order_out(Order.objects.select_related("entry", "supplier").get(pk=order.pk), now())

    return run_once(request, idempotency_key, 201, act)


@router.post("/queue/{int:entry_id}/legacy", response={200: QueueEntryOut, **ERRORS},
             summary="Record a PA / SL recipient served outside the Portal: the cl. 35 messages go, no block")
def mark_legacy(request, entry_id: int, body: LegacyIn):
    entry = legacy.mark(staff(request), entry_id, body.supplier, body.since, now())
    return _entries([QueueEntry.objects.select_related("case").get(pk=entry.pk)])[0]


@router.post("/queue/{int:entry_id}/legacy/confirm", response={200: QueueEntryOut, **ERRORS},
             summary="The recipient confirms the services received outside the Portal (self-service desk)")
def confirm_legacy(request, entry_id: int, body: RecipientIn):
    entry = legacy.confirm(staff_entry(request, entry_id, body.recipient_iin), now(),
                           assisted_by=request.auth)  # type: ignore[attr-defined]
    return _entries([QueueEntry.objects.select_related("case").get(pk=entry.pk)])[0]


@router.get("/orders/{int:order_id}/bed-notice", response={200: None, **ERRORS},
            summary="Sanatorium: the notification confirming the bed (annex 7), the PDF the supplier signed")
def bed_notice_pdf(request, order_id: int):
    su = supplier_user(request)
    if su is not None:
        order = workflow.supplier_order(su, order_id)
    else:
        order = workflow.visible_orders_for_staff(staff(request)).filter(pk=order_id).first()
    notice = BedNotice.objects.filter(order_id=getattr(order, "pk", None)).first()
    if notice is None:
        raise NotFound("No bed notice for this order.")
    return notice_pdf_response(notice)


@router.post("/queue/{int:entry_id}/reactivate", response={200: QueueEntryOut, **ERRORS},
             summary="Activate supplier selection after the two-month block; the queue place stays")
def reactivate(request, entry_id: int, body: RecipientIn):
    entry = staff_entry(request, entry_id, body.recipient_iin)
    fresh = workflow.reactivate(entry, now())
    return entry_out(fresh, fresh.position())


@router.get("/suppliers", response={200: page_of(SupplierOut), **ERRORS},
            summary="Suppliers serving my department")
def list_suppliers(request, page: Query[PageParams]):
    who = staff(request)
    rows = Supplier.objects.filter(offices=who.office_id).prefetch_related("offers").order_by("name_ru")
    return paginate(rows, page, lambda chunk: [supplier_out(s) for s in chunk])


def _supplier_form(body: SupplierIn) -> workflow.SupplierForm:
    return workflow.SupplierForm(
        name_kk=body.name_kk, name_ru=body.name_ru, bin=body.bin, region=body.region, phone=body.phone,
        address=body.address, in_register=body.in_register, exclusion_reason=body.exclusion_reason,
        office_ids=tuple(body.offices),
        offers=tuple((o.service, o.unit_price, o.unit, o.capacity, o.profile) for o in body.offers))


@router.post("/suppliers", response={201: SupplierOut, **ERRORS}, summary="Add a supplier to the register")
def add_supplier(request, body: SupplierIn):
    saved = workflow.save_supplier(staff(request), _supplier_form(body), now())
    return 201, supplier_out(Supplier.objects.prefetch_related("offers").get(pk=saved.pk))


@router.put("/suppliers/{int:supplier_id}", response={200: SupplierOut, **ERRORS},
            summary="Change a supplier, or take it out of the register with the reason")
def edit_supplier(request, supplier_id: int, body: SupplierIn):
    who = staff(request)
    if not Supplier.objects.filter(pk=supplier_id, offices=who.office_id).exists():
        raise NotFound("No such supplier.")
    saved = workflow.save_supplier(who, _supplier_form(body), now(), pk=supplier_id)
    return supplier_out(Supplier.objects.prefetch_related("offers").get(pk=saved.pk))


# --- orders: the department's view, or the supplier's own ----------------------------------------------------


@router.get("/orders", response={200: page_of(OrderOut), **ERRORS},
            summary="A supplier's own orders, or the department's; ?overdue=true for unanswered past term")
def list_orders(request, page: Query[PageParams], overdue: bool = False):
    su = supplier_user(request)
    rows = workflow.supplier_orders(su) if su else workflow.visible_orders_for_staff(staff(request))
    at = now()
    if overdue:
        rows = rows.filter(state=Order.State.SENT, review_due__lt=at)
    rows = rows.select_related("entry", "supplier").order_by("review_due", "id")
    return paginate(rows, page, lambda chunk: [order_out(o, at) for o in chunk])


def _supplier(request: HttpRequest) -> SupplierUser:
    su = supplier_user(request)
    if su is None:
        raise AccessDenied("This account does not act for a supplier.")
    return su


@router.get("/orders/{int:order_id}", response={200: OrderOut, **ERRORS}, summary="One order")
def get_order(request, order_id: int):
    su = supplier_user(request)
    if su is not None:
        return order_out(workflow.supplier_order(su, order_id), now())
    order = workflow.visible_orders_for_staff(staff(request)).select_related("entry", "supplier") \
        .filter(pk=order_id).first()
    if order is None:
        raise NotFound("No such order.")
    return order_out(order, now())


def _fresh_order(pk: int) -> Order:
    return Order.objects.select_related("entry", "supplier").get(pk=pk)


@router.post("/orders/{int:order_id}/review", response={200: OrderOut, **ERRORS},
             summary="The supplier accepts the order, or refuses it with reasons, within 5 working days")
def review(request, order_id: int, body: ReviewIn, idempotency_key: str | None = KEY):
    su = _supplier(request)

    def act() -> OrderOut:
        details = body.bed_notice.dict() if body.bed_notice else None
        order = workflow.supplier_review(su, order_id, body.accept, body.reasons, now(), details=details)
        return order_out(_fresh_order(order.pk), now())

    return run_once(request, idempotency_key, 200, act)


@router.post("/orders/{int:order_id}/record", response={200: OrderOut, **ERRORS},
             summary="The supplier records arrival, no-show or completion")
def record(request, order_id: int, body: RecordIn):
    su = _supplier(request)
    order = workflow.record_stay(su, order_id, body.what, now())
    return order_out(_fresh_order(order.pk), now())


class ManufactureIn(In):
    what: str = Field(..., description="complex or small (passed to production), fitting (waiting for the "
                                       "recipient's fitting), fitted (annex 3 cl. 36-38)")


@router.post("/orders/{int:order_id}/manufacture", response={200: OrderOut, **ERRORS},
             summary="Prosthetic-orthopaedic means: production started, waiting for fitting, fitted")
def record_manufacture(request, order_id: int, body: ManufactureIn):
    at = now()
    manufacture.record(_supplier(request), order_id, body.what, at)
    return order_out(_fresh_order(order_id), at)


@router.post("/orders/{int:order_id}/cancel", response={200: OrderOut, **ERRORS},
             summary="A sanatorium cancels an accepted bed order (register exit, force majeure)")
def supplier_cancel(request, order_id: int, body: CancelIn):
    su = _supplier(request)
    order = workflow.cancel_by_supplier(su, order_id, body.reason, body.note, now())
    return order_out(_fresh_order(order.pk), now())


def stop_out(stop: ServiceStop) -> StopOut:
    return StopOut(id=stop.pk, order=stop.order_id, reason=stop.reason, start=stop.start, end=stop.end,
                   cite=stop.cite)


@router.get("/orders/{int:order_id}/stops", response={200: list[StopOut], **ERRORS},
            summary="The periods a PA / SL service is stopped (annex 1 cl. 41)")
def list_stops(request, order_id: int):
    return [stop_out(s) for s in stops.stops_of(stops.staff_order(staff(request), order_id))]


@router.post("/orders/{int:order_id}/stops", response={201: StopOut, **ERRORS},
             summary="The department stops a PA / SL service for a period; the journal takes no day inside it")
def add_stop(request, order_id: int, body: StopIn):
    stop = stops.record(staff(request), order_id, body.reason, body.start, body.end, body.note, now())
    return 201, stop_out(stop)


@router.put("/stops/{int:stop_id}", response={200: StopOut, **ERRORS}, summary="The last day of an open stop")
def end_stop(request, stop_id: int, body: StopEndIn):
    return stop_out(stops.close(staff(request), stop_id, body.end))
