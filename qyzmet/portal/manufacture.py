"""The supplier's manufacturing term for prosthetic-orthopaedic means (annex 3 cl. 36-38).

Complex means are made within 45 working days of passing the order to production (cl. 36), small means
(obturators, bandages, supinators… — the definitions of cl. 2 list them) within 7 (cl. 37); the time the item
waits for the recipient to come for fitting is not counted (cl. 38), so the due date moves by the working
days waited.  Counted on the Portal's schedule (rules.SCHEDULE), like the supplier's 5 working days.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core.calendar import to_local
from qyzmet.portal import workflow
from qyzmet.portal.models import Order, SupplierUser

PROSTHETIC = "mlsp-2021/prosthetic-aid"
DAYS = {"complex": 45, "small": 7}
CITES = {"complex": "annex 3, cl. 36", "small": "annex 3, cl. 37"}
FITTING_CITE = "annex 3, cl. 38"
S = Order.State


KIND_WORDS = {"complex": lambda: _("complex"), "small": lambda: _("small")}


def item_kind(order: Order) -> str | None:
    """Complex or small, when the order's item of the norm tables says which (the definitions of cl. 3)."""
    if not order.item:
        return None
    ent = workflow.regulation(order.entry).entitlements
    item = ent.item(order.item) if ent else None
    return item.make if item else None


def _locked(su: SupplierUser, order_id: int) -> Order:
    order = workflow.supplier_order(su, order_id)
    if order.reg_id != PROSTHETIC:
        raise Conflict(_("Manufacturing terms are kept for prosthetic-orthopaedic means (annex 3, cl. 36-38)."))
    return Order.objects.select_for_update().get(pk=order.pk)


def start_production(su: SupplierUser, order_id: int, kind: str, now: dt.datetime) -> Order:
    """The order passes to production: the term starts, 45 or 7 working days by the kind of item."""
    if kind not in DAYS:
        raise Invalid("kind", _("Choose whether the item is a complex or a small prosthetic-orthopaedic means."))
    with transaction.atomic():
        order = _locked(su, order_id)
        if order.state != S.ACCEPTED:
            raise Conflict(_("Only an accepted order passes to production."))
        made_as = item_kind(order)
        if made_as and made_as != kind:
            raise Invalid("kind", _("The norm tables make this item a %(kind)s prosthetic-orthopaedic means "
                                    "(%(cite)s).") % {"kind": KIND_WORDS[made_as](), "cite": CITES[made_as]})
        if order.production_at is not None:
            raise Conflict(_("The order has already passed to production."))
        cal, schedule = workflow.calendar(workflow.regulation(order.entry))
        days = DAYS[kind]
        order.make_kind, order.production_at = kind, now
        order.make_due = cal.add(now, f"{days} working days")
        order.make_cite = f"{CITES[kind]}; {FITTING_CITE}"
        order.make_why = (f"{days} working days from passing to production on {to_local(now):%Y-%m-%d}, not counting "
                          f"that day, on the '{schedule}' schedule")
        order.save()
    return order


def wait_for_fitting(su: SupplierUser, order_id: int, now: dt.datetime) -> Order:
    """The item waits for the recipient to come for fitting: the term stops (cl. 38)."""
    with transaction.atomic():
        order = _locked(su, order_id)
        if order.production_at is None or order.state != S.ACCEPTED:
            raise Conflict(_("Only an item in production can wait for fitting."))
        if order.fitting_since is not None:
            raise Conflict(_("The item is already waiting for fitting."))
        order.fitting_since = now
        order.save(update_fields=["fitting_since"])
    return order


def fitted(su: SupplierUser, order_id: int, now: dt.datetime) -> Order:
    """The recipient came for fitting: the due date moves by the working days waited (cl. 38)."""
    with transaction.atomic():
        order = _locked(su, order_id)
        if order.fitting_since is None:
            raise Conflict(_("The item is not waiting for fitting."))
        cal, _schedule = workflow.calendar(workflow.regulation(order.entry))
        waited = cal.working_days_between(to_local(order.fitting_since).date(), to_local(now).date())
        if waited:
            order.make_due = cal.add(order.make_due, f"{waited} working days")
            order.fitting_days += waited
            order.make_why += (f"; + {waited} working days waiting for the recipient's fitting from "
                               f"{to_local(order.fitting_since):%Y-%m-%d} to {to_local(now):%Y-%m-%d} ({FITTING_CITE})")
        order.fitting_since = None
        order.save()
    return order


def record(su: SupplierUser, order_id: int, what: str, now: dt.datetime) -> Order:
    """One of the supplier's manufacturing entries: "complex" or "small" (passed to production), "fitting",
    "fitted" — what the order page's buttons and the API send."""
    if what in DAYS:
        return start_production(su, order_id, what, now)
    if what == "fitting":
        return wait_for_fitting(su, order_id, now)
    if what == "fitted":
        return fitted(su, order_id, now)
    raise Invalid("what", _("Not something this order can record."))


def late(order: Order) -> bool | None:
    """Was the item made after its term?  None while it is in production or has no term."""
    if order.make_due is None or order.completed_at is None:
        return None
    return order.completed_at > order.make_due
