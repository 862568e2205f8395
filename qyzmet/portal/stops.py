"""Stopping the PA / SL service for a period (annex 1 cl. 41).

"Қызметтермен қамтамасыз ету: станционарлық емделу және толық мемлекеттік қамтамасыз етуде болу кезеңінде
жеке көмекшінің; толық мемлекеттік қамтамасыз етуде болу кезеңінде ымдау тілі маманының … тоқтатылады" —
the personal assistant's service stops during inpatient treatment and a stay under full state support, the
sign-language specialist's during a stay under full state support.  The department records the period; the
supplier's journal then takes no day inside it, so no such day reaches an act or a payment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qyzmet.cases.access import Actor, NotFound
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.portal import rules as R
from qyzmet.portal import workflow
from qyzmet.portal.models import Order, ServiceStop

CITE = "annex 1, cl. 41"
# Which reasons stop which service (cl. 41).
REASONS = {R.PERSONAL_ASSISTANT: (ServiceStop.Reason.INPATIENT, ServiceStop.Reason.FULL_STATE_SUPPORT),
           R.SIGN_LANGUAGE: (ServiceStop.Reason.FULL_STATE_SUPPORT,)}
OPEN = (Order.State.ACCEPTED, Order.State.COMPLETED)
REASON_TEXT = {ServiceStop.Reason.INPATIENT: gettext_lazy("inpatient treatment"),
               ServiceStop.Reason.FULL_STATE_SUPPORT: gettext_lazy("a stay under full state support")}


def staff_order(actor: Actor, order_id: int) -> Order:
    order = workflow.visible_orders_for_staff(workflow.require_staff(actor)).select_related(
        "entry", "supplier").filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


def stops_of(order: Order) -> QuerySet[ServiceStop]:
    return ServiceStop.objects.filter(order=order).order_by("start", "id")


def record(actor: Actor, order_id: int, reason: str, start: dt.date | None, end: dt.date | None, note: str,
           now: dt.datetime) -> ServiceStop:
    """The department records a stop; an open one (no end) is closed later with :func:`close`."""
    order = staff_order(actor, order_id)
    allowed = REASONS.get(order.reg_id)
    if allowed is None:
        raise Conflict(_("Only the personal assistant and sign-language services stop for a period (annex 1, "
                         "cl. 41)."))
    if reason not in allowed:
        raise Invalid("reason", _("The sign-language service stops only during a stay under full state support; "
                                  "the personal assistant's also during inpatient treatment (annex 1, cl. 41)."))
    if start is None:
        raise Invalid("start", _("Give the first day of the stop."))
    if end is not None and end < start:
        raise Invalid("end", _("The last day cannot be before the first."))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.state not in OPEN:
            raise Conflict(_("Only an accepted order's service can be stopped."))
        for other in stops_of(order):
            other_end = other.end or dt.date.max
            if start <= other_end and (end or dt.date.max) >= other.start:
                raise Conflict(_("The period overlaps a stop already recorded from %(date)s.")
                               % {"date": f"{other.start:%Y-%m-%d}"})
        journaled = order.journal.filter(day__gte=start, **({"day__lte": end} if end else {})).order_by("day")
        first = journaled.first()
        if first is not None:
            raise Conflict(_("The supplier's journal already has %(day)s in this period; the supplier corrects the "
                             "journal first (annex 1, cl. 41).") % {"day": f"{first.day:%Y-%m-%d}"})
        return ServiceStop.objects.create(order=order, reason=reason, start=start, end=end, note=note.strip()[:2000],
                                          cite=CITE, entered_by_id=actor.user_id, entered_at=now)


def close(actor: Actor, stop_id: int, end: dt.date | None) -> ServiceStop:
    stop = ServiceStop.objects.filter(pk=stop_id).select_related("order").first()
    if stop is None:
        raise NotFound(_("No such stop."))
    staff_order(actor, stop.order_id)
    if end is None:
        raise Invalid("end", _("Give the last day of the stop."))
    if end < stop.start:
        raise Invalid("end", _("The last day cannot be before the first."))
    with transaction.atomic():
        stop = ServiceStop.objects.select_for_update().get(pk=stop.pk)
        if stop.end is not None:
            raise Conflict(_("This stop already has its last day."))
        stop.end = end
        stop.save(update_fields=["end"])
    return stop


def stop_on(held: Iterable[ServiceStop], day: dt.date) -> ServiceStop | None:
    """Of an order's stops (read once, :func:`stops_of`), the one that covers ``day``: the journal refuses
    such a day."""
    return next((s for s in held if s.covers(day)), None)
