"""The journal of rendered services, the monthly act, its two signatures and its payment (annex 1 cl. 40-45).

Pages and the API call these functions and never decide a rule themselves.  Each checks what the act allows
and raises, naming the field and the clause, when it does not: :class:`Invalid` (422), :class:`Conflict` (409),
:class:`NotFound` (404: not yours is the same as none), :class:`AccessDenied` (403).
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from qyzmet.cases.access import AccessDenied, Actor, NotFound
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core.calendar import to_local
from qyzmet.core.money import MONEY, money
from qyzmet.payments import rules as R
from qyzmet.payments.models import HourlyRate, JournalEntry, MinimumWage, Payment, ServiceAct
from qyzmet.portal import legacy, signing, stops
from qyzmet.portal import workflow as portal
from qyzmet.portal.models import Order, Signature, SupplierUser

S = Order.State
A = ServiceAct.State
ZERO = Decimal("0")


def hours_text(value: Decimal) -> str:
    """8.00 → "8", 7.50 → "7.5": hours as people write them."""
    text = f"{value.quantize(MONEY):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def service_of(order: Order) -> str:
    if order.reg_id not in R.SERVICES:
        raise Conflict(_("The journal and the act of rendered services are kept for the personal assistant and "
                         "sign-language services (annex 1, cl. 40, 42)."))
    return order.reg_id


# --- months and the due date ------------------------------------------------------------------------


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, first.replace(day=month_calendar.monthrange(first.year, first.month)[1])


def parse_month(value: str | dt.date, field_name: str = "month") -> dt.date:
    """"2026-03" (or any date in the month) → 1 March 2026."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    try:
        year, month = (int(part) for part in str(value).strip().split("-")[:2])
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise Invalid(field_name, _("Give the month as year-month, for example 2026-03.")) from None


def due_date(period_start: dt.date) -> dt.date:
    """The 10th of the month after the reporting month (cl. 45).

    The act says "not later than the 10th day of the following month": a calendar date, not a term counted in
    days, so it is not moved when the 10th is a Sunday or a holiday (the rule that moves a term's last day to
    the next working day is for terms of N days); and the act is submitted on the Portal, which has no closed
    days.  Overdue is therefore "not signed by both parties by the end of the 10th"."""
    _first, last = month_bounds(period_start)
    following = last + dt.timedelta(days=1)
    return following.replace(day=R.DUE_DAY)


# --- the rates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    amount: Decimal
    cite: str
    key: str  # what distinguishes one rate from another in the act's lines


def pa_rate(reg_id: str, day: dt.date) -> Rate:
    row = HourlyRate.objects.filter(reg_id=reg_id, valid_from__lte=day).order_by("-valid_from").first()
    if row is None:
        raise Conflict(_("No hourly rate of the personal assistant is entered for %(day)s: the department enters "
                         "it (annex 1, cl. 43).") % {"day": f"{day:%Y-%m-%d}"})
    return Rate(Decimal(row.amount), f"{R.PA_RATE_CITE}; the department's rate from {row.valid_from:%Y-%m-%d}",
                f"{row.valid_from:%Y-%m-%d}")


def sl_rate(day: dt.date) -> Rate:
    """15 % of the minimum wage of the year the service was rendered in (cl. 44)."""
    wage = MinimumWage.objects.filter(year=day.year).first()
    if wage is None:
        raise Conflict(_("No minimum wage is entered for %(year)d: the department enters the figure of the "
                         "Republican Budget Law (annex 1, cl. 44).") % {"year": day.year})
    amount = money(Decimal(wage.amount) * R.SL_RATE_SHARE)
    return Rate(amount, f"{R.SL_RATE_CITE}: 15 % × {wage.amount} ₸ ({wage.source}) = {amount} ₸", str(day.year))


# --- the journal ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayForm:
    day: dt.date | None
    hours: Decimal | None = None
    started: dt.time | None = None
    ended: dt.time | None = None
    places: str = ""  # PA: the facilities visited (annex 9)
    sl_format: str = ""  # SL: online / offline (annex 10); the order's format when empty
    note: str = ""
    recipient_pays: bool = False  # SL: the supplier confirms the hours above 60 a year are the recipient's


def supplier_order(su: SupplierUser, order_id: int) -> Order:
    return portal.supplier_order(su, order_id)


def journal_of(order: Order) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(order=order).order_by("day", "started", "id")


def accepted_on(order: Order) -> dt.date | None:
    """The day the recipient received the supplier's notice of acceptance in the cabinet (cl. 40, 45)."""
    return to_local(order.reviewed_at).date() if order.reviewed_at else None


def _hours(form: DayForm) -> Decimal:
    hours = form.hours
    if form.started is not None and form.ended is not None:
        if form.ended <= form.started:
            raise Invalid("ended", _("The end time must be after the start time."))
        seconds = (dt.datetime.combine(form.day, form.ended) - dt.datetime.combine(form.day, form.started)).seconds
        spent = money(Decimal(seconds) / Decimal(3600))
        if hours is None:
            hours = spent
        elif money(Decimal(hours)) != spent:
            raise Invalid("hours", _("From %(start)s to %(end)s is %(spent)s hours, not %(hours)s.") % {
                "start": f"{form.started:%H:%M}", "end": f"{form.ended:%H:%M}", "spent": hours_text(spent),
                "hours": hours_text(Decimal(hours))})
    if hours is None:
        raise Invalid("hours", _("Give the hours of the service, or its start and end time."))
    try:
        hours = Decimal(hours)
    except (InvalidOperation, TypeError):
        raise Invalid("hours", _("Give the hours as a number, for example 2.5.")) from None
    if hours <= 0 or hours > 24 or hours != money(hours):
        raise Invalid("hours", _("The hours must be more than 0 and at most 24, in hundredths at most."))
    return hours


def sl_year_used(recipient_iin: str, year: int) -> Decimal:
    """SL hours of one person in a calendar year the department pays, over all suppliers and orders (cl. 44:
    "бір мүгедекке жылына" — per disabled person a year)."""
    rows = JournalEntry.objects.filter(order__reg_id=R.SL, order__entry__recipient_iin=recipient_iin, day__year=year)
    totals = rows.aggregate(hours=Sum("hours"), theirs=Sum("recipient_paid_hours"))
    return (totals["hours"] or ZERO) - (totals["theirs"] or ZERO)


def add_journal_entry(su: SupplierUser, order_id: int, form: DayForm, now: dt.datetime) -> JournalEntry:
    """The supplier journals a day of service on its accepted order (cl. 40)."""
    order = supplier_order(su, order_id)
    service = service_of(order)
    today = to_local(now).date()
    if form.day is None:
        raise Invalid("day", _("Give the day of the service."))
    if form.day > today:
        raise Invalid("day", _("A day that has not come yet cannot be journaled."))
    hours = _hours(form)
    sl_format = ""
    if service == R.SL:
        sl_format = form.sl_format or order.sl_format
        if sl_format not in Order.SlFormat.values:
            raise Invalid("sl_format", _("Choose how the service was given: online or offline (annex 10)."))
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("entry").get(pk=order.pk)
        if order.state not in (S.ACCEPTED, S.COMPLETED):
            raise Conflict(_("Time is journaled only on an order you have accepted (annex 1, cl. 40)."))
        start = legacy.paid_from(order)
        if start is not None and form.day < start:
            if order.transitional:
                raise Invalid("day", _("The reporting period of the acceptance is paid in full, from %(date)s "
                                       "(annex 1, cl. 45); earlier days are not.") % {"date": f"{start:%Y-%m-%d}"})
            raise Invalid("day", _("Payment runs from the day the recipient received your notice of acceptance, "
                                   "%(date)s (annex 1, cl. 45).") % {"date": f"{start:%Y-%m-%d}"})
        stop = stops.stop_on(stops.stops_of(order), form.day)
        if stop is not None:
            values = {"start": f"{stop.start:%Y-%m-%d}", "end": f"{stop.end:%Y-%m-%d}" if stop.end else "",
                      "reason": stops.REASON_TEXT.get(stop.reason, stop.reason)}
            if stop.end:
                raise Invalid("day", _("The service is stopped from %(start)s to %(end)s: %(reason)s (annex 1, "
                                       "cl. 41).") % values)
            raise Invalid("day", _("The service is stopped from %(start)s: %(reason)s (annex 1, cl. 41).") % values)
        if order.completed_at is not None and form.day > to_local(order.completed_at).date():
            raise Invalid("day", _("The service was recorded as completed on %(date)s.")
                          % {"date": f"{to_local(order.completed_at):%Y-%m-%d}"})
        first, _last = month_bounds(form.day)
        closed = ServiceAct.objects.filter(order=order, period_start=first).exclude(state=A.DRAFT).first()
        if closed is not None:
            raise Conflict(_("The act %(number)s of this month is already signed; its journal is closed.")
                           % {"number": closed.number})
        theirs = ZERO
        if service == R.PA:
            # Cl. 43 limits what is *paid* to 8 hours a day; the journal is what the act is formed from (cl. 42),
            # so a day beyond 8 hours is refused here, where the supplier sees it — never cut in the act unseen.
            day_total = journal_of(order).filter(day=form.day).aggregate(h=Sum("hours"))["h"] or ZERO
            if day_total + hours > R.PA_DAY_HOURS:
                raise Invalid("hours", _(
                    "A personal assistant's time is paid for at most 8 hours a day (annex 1, cl. 43); %(day)s would "
                    "have %(total)s hours (%(already)s already journaled).") % {
                    "day": f"{form.day:%Y-%m-%d}", "total": hours_text(day_total + hours),
                    "already": hours_text(day_total)})
        else:
            # Cl. 44 does not forbid the time above 60 hours a year: the disabled person pays it.  So it is not
            # refused outright; it is recorded as the recipient's once the supplier confirms that, and the act
            # never charges it to the department.
            remaining = max(ZERO, R.SL_YEAR_HOURS - sl_year_used(order.entry.recipient_iin, form.day.year))
            if hours > remaining:
                theirs = hours - remaining
                if not form.recipient_pays:
                    raise Invalid("hours", _(
                        "Only %(left)s of the 60 hours a year the department pays for sign language remain for "
                        "%(year)d (annex 1, cl. 44); the %(excess)s hours above them are paid by the recipient from "
                        "own funds. Confirm that the recipient pays them to journal this day.") % {
                        "left": hours_text(remaining), "year": form.day.year, "excess": hours_text(theirs)})
        return JournalEntry.objects.create(
            order=order, day=form.day, hours=hours, recipient_paid_hours=theirs, started=form.started,
            ended=form.ended, sl_format=sl_format, places=form.places.strip()[:2000], note=form.note.strip()[:2000],
            entered_by=su.user, entered_at=now)


# --- the act ----------------------------------------------------------------------------------------


@dataclass
class Computed:
    """What the month's journal comes to, every number with its clause."""

    service: str
    period_start: dt.date
    period_end: dt.date
    hours: Decimal = ZERO
    paid_hours: Decimal = ZERO
    recipient_paid_hours: Decimal = ZERO
    amount: Decimal = ZERO
    rate: Decimal | None = None
    rate_cite: str = ""
    recipient_amount: Decimal = ZERO  # sanatorium: the surcharge above the guaranteed sum (annex 2 cl. 29)
    lines: list[dict] = field(default_factory=list)
    days: list[dict] = field(default_factory=list)


def compute(order: Order, period_start: dt.date) -> Computed:
    service = service_of(order)
    first, last = month_bounds(period_start)
    out = Computed(service, first, last)
    entries = list(journal_of(order).filter(day__gte=first, day__lte=last))
    if not entries:
        raise Invalid("month", _("The journal has no days in %(month)s.") % {"month": f"{first:%Y-%m}"})
    by_day: dict[dt.date, Decimal] = {}
    held = list(stops.stops_of(order))
    for e in entries:
        stop = stops.stop_on(held, e.day)
        if stop is not None:  # a stop recorded over days journaled before it (stops.record refuses that)
            raise Conflict(_("The journal has %(day)s, when the service was stopped (annex 1, cl. 41). Correct the "
                             "journal first.") % {"day": f"{e.day:%Y-%m-%d}"})
        by_day[e.day] = by_day.get(e.day, ZERO) + e.hours
        out.hours += e.hours
        out.recipient_paid_hours += e.recipient_paid_hours
        out.days.append({"day": e.day.isoformat(), "hours": str(e.hours),
                         "recipient_paid_hours": str(e.recipient_paid_hours), "places": e.places,
                         "sl_format": e.sl_format,
                         "started": e.started.strftime("%H:%M") if e.started else "",
                         "ended": e.ended.strftime("%H:%M") if e.ended else ""})
    if service == R.PA:
        groups: dict[str, tuple[Rate, Decimal, dt.date, dt.date]] = {}
        for day, hours in sorted(by_day.items()):
            if hours > R.PA_DAY_HOURS:
                # Only rows written past add_journal_entry (the admin, a migration) can get here.
                raise Conflict(_("The journal has %(hours)s hours on %(day)s; at most 8 a day are paid (annex 1, "
                                 "cl. 43). Correct the journal first.") % {"hours": hours_text(hours),
                                                                           "day": f"{day:%Y-%m-%d}"})
            rate = pa_rate(order.reg_id, day)
            held = groups.get(rate.key)
            groups[rate.key] = (rate, (held[1] if held else ZERO) + hours, held[2] if held else day, day)
        for rate, hours, since, until in groups.values():
            cost = money(hours * rate.amount)
            out.lines.append({"hours": str(hours), "unit_price": str(rate.amount), "cost": str(cost),
                              "payer": "department", "from": since.isoformat(), "to": until.isoformat(),
                              "cite": f"{R.PA_DAY_CITE} (≤ 8 h a day); {rate.cite}"})
            out.amount += cost
        out.paid_hours = out.hours
        rates = {line["unit_price"] for line in out.lines}
        out.rate = Decimal(rates.pop()) if len(rates) == 1 else None
        out.rate_cite = "; ".join(dict.fromkeys(g[0].cite for g in groups.values()))
    else:
        rate = sl_rate(first)
        out.paid_hours = out.hours - out.recipient_paid_hours
        cost = money(out.paid_hours * rate.amount)
        out.lines.append({"hours": str(out.paid_hours), "unit_price": str(rate.amount), "cost": str(cost),
                          "payer": "department", "from": first.isoformat(), "to": last.isoformat(),
                          "cite": f"{rate.cite}; ≤ 60 h a year, {R.SL_YEAR_CITE}"})
        if out.recipient_paid_hours:
            out.lines.append({"hours": str(out.recipient_paid_hours), "unit_price": "", "cost": "",
                              "payer": "recipient", "from": first.isoformat(), "to": last.isoformat(),
                              "cite": f"{R.SL_YEAR_CITE}: above 60 h a year, paid by the recipient"})
        out.amount, out.rate, out.rate_cite = cost, rate.amount, rate.cite
    out.amount = money(out.amount)
    return out


def act_number(order: Order, period_start: dt.date) -> str:
    return f"{order.number}-{period_start:%Y%m}"


def form_act(su: SupplierUser, order_id: int, month: str | dt.date, now: dt.datetime) -> ServiceAct:
    """The supplier forms (or, while unsigned, forms again) the month's act from the journal (cl. 42)."""
    from qyzmet.payments.pdf import act_pdf

    order = supplier_order(su, order_id)
    service_of(order)
    first = parse_month(month)
    first, last = month_bounds(first)
    today = to_local(now).date()
    completed = to_local(order.completed_at).date() if order.completed_at else None
    if last >= today and not (completed and first <= completed < today):
        raise Conflict(_("An act covers a whole calendar month: form the act of %(month)s from %(date)s.")
                       % {"month": f"{first:%Y-%m}", "date": f"{last + dt.timedelta(days=1):%Y-%m-%d}"})
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("entry__case", "supplier").get(pk=order.pk)
        act = ServiceAct.objects.filter(order=order, period_start=first).first()
        if act is not None and act.state != A.DRAFT:
            raise Conflict(_("The act %(number)s is already signed; it cannot be formed again.")
                           % {"number": act.number})
        c = compute(order, first)
        act = act or ServiceAct(order=order, period_start=first, number=act_number(order, first))
        act.period_end, act.hours, act.paid_hours = last, c.hours, c.paid_hours
        act.recipient_paid_hours, act.amount, act.rate, act.rate_cite = c.recipient_paid_hours, c.amount, c.rate, \
            c.rate_cite
        act.lines, act.days = c.lines, c.days
        act.due_date, act.due_cite = due_date(first), R.DUE_CITE
        act.formed_at, act.formed_by = now, su.user
        act.pdf = act_pdf(act, order)
        act.pdf_sha256 = hashlib.sha256(act.pdf).hexdigest()
        act.save()
    return act


def _still_the_journal(act: ServiceAct) -> None:
    """The draft must still be what the journal and the rates give: a day added or a wage changed since it was
    formed means the supplier forms it again before signing."""
    if act.unit == "bed-day":
        from qyzmet.payments import stay  # stay builds on this module

        c = stay.compute(act.order)
    else:
        c = compute(act.order, act.period_start)
    if (c.hours, c.recipient_paid_hours, c.amount) != (act.hours, act.recipient_paid_hours, act.amount):
        raise Conflict(_("The journal or the rates changed after the act was formed: form it again, then sign."))


def _sign_pdf(act: ServiceAct, now: dt.datetime, *, signer_iin: str, signer_name: str, user) -> Signature:
    """An EDS over the act's PDF bytes: the signature's SHA-256 is the PDF's (portal.signing's Signer)."""
    return signing.sign_bytes(Signature.Kind.ACT, "payments.serviceact", act.pk, bytes(act.pdf), now,
                              signer_iin=signer_iin, signer_name=signer_name, user=user)


def signature_holds(signature: Signature | None, pdf: bytes) -> bool:
    if signature is None or hashlib.sha256(pdf).hexdigest() != signature.sha256:
        return False
    signer_id = signature.signer_iin or (f"user:{signature.signer_user_id}" if signature.signer_user_id else "")
    return signing.default_signer().verify(pdf, signing.Signed(signature.backend, signature.value),
                                           signer_id=signer_id)


def supplier_acts(su: SupplierUser) -> QuerySet[ServiceAct]:
    return ServiceAct.objects.filter(order__supplier_id=su.supplier_id).select_related("order__entry")


def supplier_act(su: SupplierUser, pk: int) -> ServiceAct:
    act = supplier_acts(su).filter(pk=pk).first()
    if act is None:
        raise NotFound(_("No such act."))
    return act


def sign_act_by_supplier(su: SupplierUser, act_id: int, now: dt.datetime) -> ServiceAct:
    """"Тапсырды" (handed over): the supplier signs the act with the organisation's EDS (annex 8)."""
    act = supplier_act(su, act_id)
    with transaction.atomic():
        act = ServiceAct.objects.select_for_update().select_related("order__entry").get(pk=act.pk)
        if act.state != A.DRAFT:
            raise Conflict(_("The act is already signed by the supplier."))
        _still_the_journal(act)
        act.supplier_signature = _sign_pdf(act, now, signer_iin=su.supplier.bin,
                                           signer_name=su.full_name or str(su.supplier), user=su.user)
        act.state = A.SUPPLIER_SIGNED
        act.save(update_fields=["supplier_signature", "state"])
    return act


def recipient_acts(iin: str) -> QuerySet[ServiceAct]:
    return ServiceAct.objects.filter(order__entry__recipient_iin=iin).select_related("order__supplier",
                                                                                    "order__entry")


def recipient_act(iin: str, pk: int) -> ServiceAct:
    act = recipient_acts(iin).filter(pk=pk).first()
    if act is None:
        raise NotFound(_("No such act."))
    return act


def sign_act_by_recipient(iin: str, act_id: int, now: dt.datetime, *, assisted_by=None) -> ServiceAct:
    """"Қабылдады" (accepted): the recipient signs the act the supplier signed (annex 8, cl. 45).

    ``assisted_by``: the staff member at whose self-service desk the recipient signed (cl. 38)."""
    act = recipient_act(iin, act_id)
    with transaction.atomic():
        act = ServiceAct.objects.select_for_update(of=("self",)).select_related("order__entry", "supplier_signature") \
            .get(pk=act.pk)
        if act.state == A.DRAFT:
            raise Conflict(_("The supplier has not signed this act yet."))
        if act.state != A.SUPPLIER_SIGNED:
            raise Conflict(_("The act is already signed by you."))
        if not signature_holds(act.supplier_signature, bytes(act.pdf)):
            raise Conflict(_("The supplier's signature does not match this act's file; it cannot be signed."))
        entry = act.order.entry
        act.recipient_signature = _sign_pdf(act, now, signer_iin=entry.recipient_iin,
                                            signer_name=entry.recipient_name, user=assisted_by)
        act.state = A.SIGNED
        act.save(update_fields=["recipient_signature", "state"])
    return act


# --- the department: acts, due dates, payment ------------------------------------------------------------


def require_staff(actor: Actor | None) -> Actor:
    if actor is None:
        raise AccessDenied(_("This account is not a staff member of any office."))
    if not actor.roles & portal.STAFF_ROLES:
        raise AccessDenied(_("Acts of rendered services are paid by the employment department's specialist and "
                             "head."))
    return actor


def staff_acts(actor: Actor) -> QuerySet[ServiceAct]:
    return ServiceAct.objects.filter(order__entry__office_id=require_staff(actor).office_id).select_related(
        "order__entry", "order__supplier")


def staff_act(actor: Actor, pk: int) -> ServiceAct:
    act = staff_acts(actor).filter(pk=pk).first()
    if act is None:
        raise NotFound(_("No such act."))
    return act


@dataclass(frozen=True)
class Missing:
    """A month with journaled time whose act is not signed by both parties by its 10th (cl. 45)."""

    order: Order
    period_start: dt.date
    due_date: dt.date
    act: ServiceAct | None


def overdue_acts(actor: Actor, today: dt.date) -> list[Missing]:
    """Months of the office's orders with time in the journal and no act signed by both parties by the 10th of
    the following month (cl. 45): an act not formed, or formed but not signed."""
    require_staff(actor)
    # A month is late once its 10th has passed: the months up to two back, or one back after the 10th.
    latest = month_bounds(today.replace(day=1) - dt.timedelta(days=1))[0]
    if today.day <= R.DUE_DAY:
        latest = month_bounds(latest - dt.timedelta(days=1))[0]
    rows = JournalEntry.objects.filter(order__entry__office_id=actor.office_id, day__lte=month_bounds(latest)[1]) \
        .values_list("order_id", "day")
    months = sorted({(order_id, day.replace(day=1)) for order_id, day in rows})
    if not months:
        return []
    acts = {(a.order_id, a.period_start): a for a in ServiceAct.objects.filter(
        order_id__in={m[0] for m in months}).select_related("order__entry", "order__supplier")}
    orders = Order.objects.in_bulk({m[0] for m in months})
    out = []
    for order_id, first in months:
        act = acts.get((order_id, first))
        if act is not None and act.state in (A.SIGNED, A.PAID):
            continue
        out.append(Missing(orders[order_id], first, due_date(first), act))
    return out


def record_payment(actor: Actor, act_id: int, now: dt.datetime, *, amount: Decimal | None = None,
                   reference: str = "", paid_at: dt.datetime | None = None) -> Payment:
    """The department pays an act signed by both parties (cl. 45), the act's amount exactly."""
    act = staff_act(actor, act_id)
    if amount is not None and money(Decimal(amount)) != act.amount:
        raise Invalid("amount", _("The act's amount is %(amount)s ₸; the payment is of the act's amount (annex 1, "
                                  "cl. 45).") % {"amount": act.amount})
    with transaction.atomic():
        act = ServiceAct.objects.select_for_update().get(pk=act.pk)
        if act.state == A.PAID:
            raise Conflict(_("This act is already paid."))
        if act.state != A.SIGNED:
            raise Conflict(_("Only an act signed by both parties is paid (annex 1, cl. 45)."))
        payment = Payment.objects.create(act=act, amount=act.amount, paid_at=paid_at or now,
                                         paid_by_id=actor.user_id, reference=reference.strip()[:120])
        act.state = A.PAID
        act.save(update_fields=["state"])
    return payment


__all__ = ["AccessDenied", "Conflict", "Invalid", "NotFound"]
