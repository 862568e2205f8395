"""The act of a sanatorium stay and the reimbursement of its guaranteed sum (annex 2 of Order No. 61).

Annex 2 gives the sanatorium no journal and no act form of its own: the supplier enters the arrival, a
no-show or a refusal after arrival (cl. 30), E-Sobes records the measure as fulfilled, and the department
reimburses the guaranteed sum the recipient applied for with the order (cl. 28, Order No. 14).  So the stay's
act is formed like annex 1's act (annex 8: the parties sign the same file), from the dates the supplier
recorded, and holds what the law fixes:

- at most 14 calendar days, not more than once a calendar year (cl. 26) — a longer stay or a second one in
  the year is refused with the clause, never cut;
- the department pays the guaranteed sum for the days stayed, at most the stay's cost; the cost above it
  is the recipient's surcharge, paid on arrival (cl. 29) and shown, never charged to the department;
- annex 2 sets no date by which the act is submitted (annex 1's "10th of the next month" is for PA/SL).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from qyzmet.cases.workflow import Conflict
from qyzmet.core.calendar import to_local
from qyzmet.payments.models import ServiceAct
from qyzmet.payments.workflow import Computed, supplier_order
from qyzmet.portal import rules as PR
from qyzmet.portal import stay as portal_stay
from qyzmet.portal.models import Order, SupplierUser

S = Order.State
UNIT = "bed-day"
STAY_CITE = "annex 2, cl. 26"
ACT_CITE = "annex 2, cl. 28, 30; Order No. 14 (reimbursement of the guaranteed sum)"
NO_TERM = "annex 2 sets no term for submitting the act"
DONE = (S.COMPLETED, S.REFUSED_AFTER_ARRIVAL)


def stay_dates(order: Order) -> tuple[dt.date, dt.date]:
    """The days the recipient stayed: from the recorded arrival to the recorded end (both counted)."""
    if order.state not in DONE or order.arrived_at is None or order.completed_at is None:
        raise Conflict(_("The act of a stay is formed after the sanatorium records the arrival and the end of the "
                         "stay (annex 2, cl. 30)."))
    return to_local(order.arrived_at).date(), to_local(order.completed_at).date()


def compute(order: Order) -> Computed:
    if order.reg_id != PR.SANATORIUM:
        raise Conflict(_("Only a sanatorium order has a stay act."))
    first, last = stay_dates(order)
    days = portal_stay.bed_days(first, last)
    if days > PR.STAY_MAX_DAYS:
        raise Conflict(_("The stay was %(days)d days; sanatorium-resort treatment is paid for at most 14 calendar "
                         "days (annex 2, cl. 26). Correct the recorded dates first.") % {"days": days})
    other = ServiceAct.objects.filter(unit=UNIT, order__entry__recipient_iin=order.entry.recipient_iin,
                                      period_start__year=first.year).exclude(order=order).first()
    if other is not None:
        raise Conflict(_("Sanatorium-resort treatment is given not more than once per calendar year; the act "
                         "%(number)s already covers %(year)d (annex 2, cl. 26).")
                       % {"number": other.number, "year": first.year})
    s = portal_stay.split(order.unit_price, order.unit, order.reg_id, to_local(order.sent_at).date(), days)
    g, paid, surcharge = s.source, s.guaranteed, s.surcharge
    out = Computed(PR.SANATORIUM, first, last, hours=Decimal(days), paid_hours=Decimal(days), amount=paid,
                   rate=Decimal(g.amount), recipient_amount=surcharge,
                   rate_cite=f"{ACT_CITE}: the guaranteed sum from {g.valid_from:%Y-%m-%d}, {g.amount} ₸ "
                             f"{g.get_per_display()} ({g.source})")
    out.lines.append({"hours": str(days), "unit_price": str(g.amount), "cost": str(paid), "payer": "department",
                      "from": first.isoformat(), "to": last.isoformat(),
                      "cite": f"{STAY_CITE} (≤ 14 days, once a year); {out.rate_cite}; at most the stay's cost "
                              f"{s.cost} ₸"})
    if surcharge:
        out.lines.append({"hours": str(days), "unit_price": str(order.unit_price), "cost": str(surcharge),
                          "payer": "recipient",
                          "from": first.isoformat(), "to": last.isoformat(),
                          "cite": "annex 2, cl. 29: the cost above the guaranteed sum, paid by the recipient"})
    for n in range(days):
        out.days.append({"day": (first + dt.timedelta(days=n)).isoformat(), "hours": "1",
                         "recipient_paid_hours": "0", "places": "", "sl_format": "", "started": "", "ended": ""})
    return out


def form_act(su: SupplierUser, order_id: int, now: dt.datetime) -> ServiceAct:
    """The sanatorium forms (or, while unsigned, forms again) the act of the stay."""
    from qyzmet.payments.pdf import act_pdf

    order = supplier_order(su, order_id)
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("entry__case", "supplier").get(pk=order.pk)
        c = compute(order)
        act = ServiceAct.objects.filter(order=order).first()
        if act is not None and act.state != ServiceAct.State.DRAFT:
            raise Conflict(_("The act %(number)s is already signed; it cannot be formed again.")
                           % {"number": act.number})
        act = act or ServiceAct(order=order, number=f"{order.number}-S", unit=UNIT)
        act.period_start, act.period_end, act.hours, act.paid_hours = c.period_start, c.period_end, c.hours, \
            c.paid_hours
        act.recipient_paid_hours, act.amount, act.recipient_amount = Decimal(0), c.amount, c.recipient_amount
        act.rate, act.rate_cite, act.lines, act.days = c.rate, c.rate_cite, c.lines, c.days
        act.due_date, act.due_cite = None, NO_TERM
        act.formed_at, act.formed_by = now, su.user
        act.pdf = act_pdf(act, order)
        act.pdf_sha256 = hashlib.sha256(act.pdf).hexdigest()
        act.save()
    return act
