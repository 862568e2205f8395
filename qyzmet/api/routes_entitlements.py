"""A recipient's entitlements under the norm tables (Order No. 61, annexes 3 and 4).

Any staff member reads what a recipient may receive on a day, item by item, with the earliest date and the
clause when the answer is no, and the ledger it is counted from; the department's specialist or head
records an item received before or outside Qyzmet.  The check of one item for given categories answers
``GET …/entitlements/check``, the same answer the CLI ``qyzmet entitlement check`` prints.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from qyzmet.api.auth import actor
from qyzmet.api.common import In, now
from qyzmet.api.schemas import ERRORS
from qyzmet.core.calendar import to_local
from qyzmet.core.entitlement import Answer
from qyzmet.entitlements import workflow
from qyzmet.entitlements.models import Receipt
from qyzmet.portal.workflow import require_staff

router = Router(tags=["entitlements"])


class AnswerOut(Schema):
    service: str = Field(..., description="regulation id whose norm tables name the item")
    item: str = Field(..., description="item code of the norm tables")
    name: str = Field(..., description="the item's name in the request's language")
    on: dt.date
    allowed: bool = Field(..., description="may the recipient receive it on that day")
    reason: str = Field(..., description="first, period-passed, quantity-left, no-period, too-early, "
                                         "quantity-used, lifetime-used, other-set-held, early-decision, extended, "
                                         "not-entitled, own-expense, unknown-item")
    earliest: dt.date | None = Field(None, description="when the answer is no: the first day it is yes")
    cite: str = Field(..., description="the clause the answer comes from")
    text: str = Field(..., description="the answer in words, with the clause")
    last_received: dt.date | None = Field(None, description="the receipt the period runs from")
    period: str | None = Field(None, description="the norm's period, e.g. '4 years' or 'calendar-year'")
    used: int = 0
    limit: int | None = None
    payment: str = Field("free", description="free, discount or own-expense")


class ReceiptOut(Schema):
    service: str
    item: str
    quantity: int
    received_on: dt.date
    source: str = Field(..., description="order (handed over on a Portal order) or record (entered by staff)")
    order: str | None = Field(None, description="the Portal order number")
    note: str


class EntitlementsOut(Schema):
    iin: str
    on: dt.date
    items: list[AnswerOut]
    receipts: list[ReceiptOut]


class ReceiptIn(In):
    service: str = Field(..., max_length=120, description="regulation id, e.g. mlsp-2021/mobility-means")
    item: str = Field(..., max_length=80)
    received_on: dt.date
    quantity: int = Field(1, ge=1, le=100_000)
    note: str = Field(..., max_length=500, description="what the receipt is known from (document, act, date)")


def answer_out(service: str, name: str, a: Answer, text: str) -> AnswerOut:
    period = a.period if isinstance(a.period, str) or a.period is None else str(a.period)
    return AnswerOut(service=service, item=a.item, name=name, on=a.on, allowed=a.allowed, reason=a.reason,
                     earliest=a.earliest, cite=a.cite, text=text, last_received=a.since.on if a.since else None,
                     period=period, used=a.used, limit=a.limit, payment=a.payment)


def _iin(iin: str) -> str:
    workflow.check_iin(iin, to_local(now()).date(), "iin")
    return iin


class OnParams(Schema):
    on: dt.date | None = Field(None, description="the day asked about; default: today, Almaty")


class CheckParams(OnParams):
    service: str = Field(..., description="regulation id, e.g. mlsp-2021/mobility-means")
    item: str = Field(..., description="item code of its norm tables")
    category: list[str] = Field(default_factory=list, description="the recipient's categories, repeatable")
    quantity: int = Field(1, ge=1, le=100_000)


@router.get("/{iin}/entitlements", response={200: EntitlementsOut, **ERRORS},
            summary="What a recipient may receive on a day, item by item, and the ledger it is counted from")
def entitlements(request, iin: str, params: Query[OnParams]):
    actor(request)
    day = params.on or to_local(now()).date()
    _iin(iin)
    items = [answer_out(s.reg.id, s.name, s.answer, s.text) for s in workflow.standing(iin, day)]
    receipts = [ReceiptOut(service=r.reg_id, item=r.item, quantity=r.quantity, received_on=r.received_on,
                           source=r.source, order=r.order.number if r.order else None, note=r.note)
                for r in Receipt.objects.filter(recipient_iin=iin).select_related("order")]
    return EntitlementsOut(iin=iin, on=day, items=items, receipts=receipts)


@router.get("/{iin}/entitlements/check", response={200: AnswerOut, **ERRORS},
            summary="May the recipient receive this item on that day? yes, or no with the earliest date")
def check(request, iin: str, params: Query[CheckParams]):
    actor(request)
    _iin(iin)
    day = params.on or to_local(now()).date()
    _reg, ent = workflow.norms_of(params.service)
    workflow.validate(ent, workflow.ItemRequest(item=params.item, quantity=params.quantity,
                                                categories=tuple(params.category)))
    a = workflow.answer(params.service, iin, params.item, list(params.category), day, params.quantity)
    return answer_out(params.service, workflow.item_name(ent, params.item), a, workflow.explain(ent, a))


@router.post("/{iin}/receipts", response={201: ReceiptOut, **ERRORS},
             summary="Record an item the recipient received before, or outside Qyzmet (department staff)")
def add_receipt(request, iin: str, body: ReceiptIn):
    who = require_staff(actor(request))
    r = workflow.record_receipt(who, iin=iin, reg_id=body.service, item=body.item, received_on=body.received_on,
                                quantity=body.quantity, note=body.note, now=now())
    return 201, ReceiptOut(service=r.reg_id, item=r.item, quantity=r.quantity, received_on=r.received_on,
                           source=r.source, order=None, note=r.note)
