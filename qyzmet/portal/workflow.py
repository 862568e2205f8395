"""What happens on the Portal after registration: queue, reminder and block, contract, order, review, cancel.

Each function checks what the act allows and raises, naming the clause, when it does not:
:class:`Invalid` (a field is wrong: 422), :class:`Conflict` (not now: 409), :class:`NotFound` (not yours or
none: 404), :class:`AccessDenied` (403) — the project's workflow errors, so the API and pages map them the
same way.  Each writes in one transaction; the SMS rows commit with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from qyzmet.cases import services
from qyzmet.cases.access import AccessDenied, Actor, NotFound
from qyzmet.cases.models import Case
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core.calendar import CalendarError, WorkCalendar, to_local
from qyzmet.core.engine import add_months
from qyzmet.core.iin import InvalidIdentifier, parse_bin
from qyzmet.core.regulation import Regulation
from qyzmet.entitlements import workflow as entitlements
from qyzmet.portal import rules as R
from qyzmet.portal import signing, stay
from qyzmet.portal.models import ContractAcceptance, Order, QueueEntry, Supplier, SupplierOffer, SupplierUser

E = QueueEntry.State
S = Order.State

# Staff who keep the E-Sobes queue and the register: the department's specialist and head (the acts' SFU
# codes in every mlsp-2021 file).
STAFF_ROLES = frozenset({"specialist", "head"})


# --- helpers -------------------------------------------------------------------------------------


def regulation(entry: QueueEntry) -> Regulation:
    return services.regulation_of(entry.case.regulation)


def portal_rules(reg_id: str) -> R.PortalRules:
    found = R.rules_for(reg_id)
    if found is None:
        raise Invalid("reg_id", _("%(reg)s is not a service sold on the Social Services Portal.") % {"reg": reg_id})
    return found


def calendar(reg: Regulation) -> tuple[WorkCalendar, str]:
    """The department's working calendar (see rules.SCHEDULE for why this one) and its name."""
    lookup = services.calendars_of(reg)
    names = {s.code for s in reg.schedules}
    name = R.SCHEDULE if R.SCHEDULE in names else R.FALLBACK_SCHEDULE
    return lookup(name), name


def add_note(entry: QueueEntry, now: dt.datetime, text: str) -> None:
    entry.note = (f"{entry.note}\n" if entry.note else "") + f"{now:%Y-%m-%d}: {text}"


def queue_sms(entry: QueueEntry, reg: Regulation, code: str, now: dt.datetime, *, phone: str = "") -> bool:
    """Queue the act's SMS ``code`` to the recipient (or to ``phone``); False (and a note on the entry) when
    the act's file has none."""
    from qyzmet.notify import outbox

    rule = reg.sms_rule(code)
    if rule is None:
        add_note(entry, now, f"the regulation file has no '{code}' SMS; none queued")
        return False
    outbox.queue(entry.case, rule, now, office_id=entry.office_id, phone=phone)
    return True


def set_choice_window(entry: QueueEntry, rules: R.PortalRules) -> None:
    """Reminder one month and block two months after the IPR data reached the Portal (calendar months)."""
    start = to_local(entry.portal_from)
    entry.remind_due = add_months(entry.portal_from, R.REMIND_MONTHS)
    entry.remind_why = (f"1 month from the IPR data passing to the Portal on {start:%Y-%m-%d %H:%M} without a "
                        f"supplier chosen (a month ends on the same date, or the month's last day)")
    entry.remind_cite = rules.cite(rules.remind)
    entry.block_due = add_months(entry.portal_from, R.BLOCK_MONTHS)
    entry.block_why = f"2 months from the IPR data passing to the Portal on {start:%Y-%m-%d %H:%M}"
    entry.block_cite = rules.cite(rules.block)


def position(entry: QueueEntry) -> int | None:
    return entry.position()


def positions(entries: list[QueueEntry]) -> dict[int, int]:
    """Positions of many entries with one query per (service, department) queue."""
    out: dict[int, int] = {}
    queues = {(e.reg_id, e.office_id) for e in entries if e.state != E.SERVED}
    for reg_id, office_id in queues:
        ids = QueueEntry.objects.filter(reg_id=reg_id, office_id=office_id).exclude(state=E.SERVED) \
            .order_by("registered_at", "id").values_list("id", flat=True)
        for n, pk in enumerate(ids, start=1):
            out[pk] = n
    return out


# --- the queue: created when the positive result is issued -----------------------------------------


def on_transition(transition: services.Transition) -> None:
    """Listener: a mlsp-2021 case whose positive result is issued enters the queue (the IPR data pass to the
    Portal, annex 1 cl. 34 …) and the supplier-choice SMS is queued."""
    reg = transition.regulation
    rules = R.rules_for(reg.id)
    if rules is None:
        return
    issued = next((e for e in transition.effects if e.kind == "result-issued"), None)
    if issued is None or issued.data.get("outcome") != "positive":
        return
    enqueue(transition.case, transition.now, reg=reg)


def enqueue(case: Case, now: dt.datetime, *, reg: Regulation | None = None) -> QueueEntry:
    reg = reg or services.regulation_of(case.regulation)
    rules = portal_rules(reg.id)
    existing = QueueEntry.objects.filter(case=case).first()
    if existing is not None:
        return existing
    entry = QueueEntry(
        case=case, reg_id=reg.id, office_id=case.provider_office_id or case.office_id,
        recipient_iin=case.applicant_iin, recipient_name=case.applicant_name, recipient_phone=case.applicant_phone,
        # The first registration in E-Sobes: the day the application was accepted (cl. 33: the queue runs
        # by the initial date of registration); it never changes afterwards.
        registered_at=case.accepted_at or case.submitted_at, portal_from=now, state=E.AWAITING_CHOICE)
    set_choice_window(entry, rules)
    queue_sms(entry, reg, R.SMS_CHOICE, now)
    entry.save()
    return entry


# --- the sweep: reminder after a month, block after two ----------------------------------------------


def sweep(now: dt.datetime) -> dict[str, int]:
    """Registered in notify.worker.sweeps: send the reminders and blocks the calendar made due."""
    done = {"portal reminders sent": 0, "portal choices blocked": 0}
    to_block = QueueEntry.objects.filter(state__in=[E.AWAITING_CHOICE, E.REMINDED], block_due__lte=now)
    for pk in list(to_block.values_list("pk", flat=True)):
        with transaction.atomic():
            entry = QueueEntry.objects.select_for_update().select_related("case__regulation").get(pk=pk)
            if entry.state not in (E.AWAITING_CHOICE, E.REMINDED) or entry.block_due > now:
                continue
            entry.state, entry.blocked_at = E.BLOCKED, now
            queue_sms(entry, regulation(entry), R.SMS_BLOCKED, now)
            entry.save()
            done["portal choices blocked"] += 1
    # A reminder that came due together with the block is not sent: the block SMS says more.
    to_remind = QueueEntry.objects.filter(state=E.AWAITING_CHOICE, reminded_at__isnull=True, remind_due__lte=now)
    for pk in list(to_remind.values_list("pk", flat=True)):
        with transaction.atomic():
            entry = QueueEntry.objects.select_for_update().select_related("case__regulation").get(pk=pk)
            if entry.state != E.AWAITING_CHOICE or entry.reminded_at is not None:
                continue
            entry.state, entry.reminded_at = E.REMINDED, now
            queue_sms(entry, regulation(entry), R.SMS_REMINDER, now)
            entry.save()
            done["portal reminders sent"] += 1
    return done


# --- the recipient's acts -----------------------------------------------------------------------------


def entries_of(iin: str) -> QuerySet[QueueEntry]:
    return QueueEntry.objects.filter(recipient_iin=iin).select_related("case", "office").order_by("registered_at")


def entry_of(iin: str, pk: int) -> QueueEntry:
    """The recipient's own entry; another person's is the same 404 as none."""
    entry = QueueEntry.objects.select_related("case__regulation", "office").filter(pk=pk, recipient_iin=iin).first()
    if entry is None:
        raise NotFound(_("No such queue entry."))
    return entry


def _lock(entry: QueueEntry) -> QueueEntry:
    return QueueEntry.objects.select_for_update().select_related("case__regulation").get(pk=entry.pk)


def accept_contract(entry: QueueEntry, now: dt.datetime, *, assisted_by=None) -> ContractAcceptance:
    """The recipient signs the public contract with EDS (annex 1 cl. 38; annex 2 cl. 27; …).

    ``assisted_by``: the staff user at whose self-service desk the recipient signed (cl. 38: a recipient with
    no internet goes to the self-service sector of a PSC or the department); recorded on the signature."""
    rules = portal_rules(entry.reg_id)
    with transaction.atomic():
        entry = _lock(entry)
        existing = ContractAcceptance.objects.filter(entry=entry).first()
        if existing is not None:
            return existing
        if entry.state == E.SERVED:
            raise Conflict(_("This service has been provided; there is nothing to sign."))
        cite = rules.cite(rules.contract)
        signature = signing.sign("contract", "portal.queueentry", entry.pk, {
            "document": "public contract", "service": entry.reg_id, "recipient_iin": entry.recipient_iin,
            "cite": cite, "at": now.isoformat()}, now, signer_iin=entry.recipient_iin,
            signer_name=entry.recipient_name, user=assisted_by)
        return ContractAcceptance.objects.create(entry=entry, accepted_at=now, signature=signature, cite=cite)


def suppliers_for(entry: QueueEntry) -> QuerySet[Supplier]:
    """Suppliers the recipient may choose: in the register, offering the service, serving the department."""
    return Supplier.objects.filter(in_register=True, offers__reg_id=entry.reg_id,
                                   offices=entry.office_id).distinct().order_by("name_ru")


def free_capacity(offer: SupplierOffer, arrival: dt.date | None = None, departure: dt.date | None = None) -> int | None:
    """What is left of the offer's capacity (None: no limit).  A sanatorium bed is taken for the days of the
    stay, so an order whose dates overlap takes one; a cancelled or refused order gives its bed back."""
    if offer.capacity is None:
        return None
    active = Order.objects.filter(supplier_id=offer.supplier_id, reg_id=offer.reg_id, state__in=Order.ACTIVE)
    if arrival is not None and departure is not None:
        active = active.filter(arrival_date__lte=departure, departure_date__gte=arrival)
    return max(0, offer.capacity - active.count())


@dataclass(frozen=True)
class OrderForm:
    supplier_id: int
    sl_format: str = ""
    receipt_method: str = ""
    arrival_date: dt.date | None = None
    departure_date: dt.date | None = None
    quantity: int | None = None  # goods with a yearly norm: how many from this supplier (None: as applied for)


def _check_stay(entry: QueueEntry, form: OrderForm, now: dt.datetime) -> None:
    """Sanatorium: dates given, at most 14 calendar days, once per calendar year (annex 2 cl. 26)."""
    arrival, departure = form.arrival_date, form.departure_date
    if arrival is None:
        raise Invalid("arrival_date", _("Give the arrival date (annex 2, cl. 26)."))
    if departure is None:
        raise Invalid("departure_date", _("Give the departure date (annex 2, cl. 26)."))
    if arrival <= to_local(now).date():
        raise Invalid("arrival_date", _("The arrival date must be after today."))
    if departure < arrival:
        raise Invalid("departure_date", _("The departure date cannot be before the arrival date."))
    # Both the arrival and the departure day are days of the stay.
    days = (departure - arrival).days + 1
    if days > R.STAY_MAX_DAYS:
        raise Invalid("departure_date", _(
            "The stay is %(days)d calendar days; sanatorium-resort treatment is given for at most 14 calendar "
            "days (annex 2, cl. 26).") % {"days": days})
    same_year = Order.objects.filter(
        entry__recipient_iin=entry.recipient_iin, reg_id=R.SANATORIUM, arrival_date__year=arrival.year,
        state__in=[*Order.ACTIVE, S.COMPLETED, S.REFUSED_AFTER_ARRIVAL])
    if same_year.exists():
        raise Conflict(_("Sanatorium-resort treatment is given not more than once per calendar year; %(year)d "
                         "already has an order (annex 2, cl. 26).") % {"year": arrival.year})


def cancel_limit(reg: Regulation, arrival: dt.date) -> tuple[dt.datetime, str]:
    """The last moment to cancel: closing time of the 3rd working day before arrival (annex 2 cl. 31, 32)."""
    cal, schedule = calendar(reg)
    day, counted = arrival, 0
    while counted < R.CANCEL_DAYS:
        day -= dt.timedelta(days=1)
        try:
            if cal.is_working(day):
                counted += 1
        except CalendarError as exc:
            raise Invalid("arrival_date", str(exc)) from None
    why = (f"not later than {R.CANCEL_DAYS} working days before the arrival on {arrival:%Y-%m-%d}: the "
           f"{R.CANCEL_DAYS}rd working day before it is {day:%Y-%m-%d}, closing time of the '{schedule}' schedule "
           f"(the employment department's days of the regulation)")
    return cal.closing(day), why


def review_due(reg: Regulation, sent_at: dt.datetime) -> tuple[dt.datetime, str]:
    cal, schedule = calendar(reg)
    due = cal.add(sent_at, f"{R.REVIEW_DAYS} working days")
    why = (f"{R.REVIEW_DAYS} working days from the order's receipt on {to_local(sent_at):%Y-%m-%d}, not counting "
           f"that day, on the '{schedule}' schedule (the employment department's working days of the regulation, "
           f"holidays and transfer decrees of the law); due at its closing time")
    return due, why


def form_order(entry: QueueEntry, form: OrderForm, now: dt.datetime, *, assisted_by=None) -> Order:
    """The recipient chooses a supplier and sends the EDS-signed order with the reimbursement application."""
    rules = portal_rules(entry.reg_id)
    with transaction.atomic():
        entry = _lock(entry)
        reg = regulation(entry)
        if entry.state == E.BLOCKED:
            raise Conflict(_("Supplier choice is blocked: two months passed since the data reached the Portal. "
                             "Press “activate supplier selection” first (%(cite)s).") % {"cite": entry.block_cite})
        if entry.state == E.ORDERED:
            raise Conflict(_("An order for this service is already with a supplier."))
        if entry.state == E.SERVED:
            raise Conflict(_("This service has been provided."))
        if not ContractAcceptance.objects.filter(entry=entry).exists():
            raise Conflict(_("Sign the public contract first (%(cite)s).") % {"cite": rules.cite(rules.contract)})
        supplier = suppliers_for(entry).filter(pk=form.supplier_id).first()
        if supplier is None:
            raise Invalid("supplier", _("Choose a supplier that is in the register and offers this service in your "
                                        "region."))
        offer = SupplierOffer.objects.get(supplier=supplier, reg_id=entry.reg_id)
        if rules.sl_format and form.sl_format not in Order.SlFormat.values:
            raise Invalid("sl_format", _("Choose the format: face to face or online (annex 1, cl. 39)."))
        if rules.receipt_method and form.receipt_method not in Order.ReceiptMethod.values:
            raise Invalid("receipt_method", _("Choose how to receive it: delivery or self-pickup (%(cite)s).")
                          % {"cite": rules.cite(rules.order)})
        limit, limit_why = None, ""
        if rules.stay:
            _check_stay(entry, form, now)
            limit, limit_why = cancel_limit(reg, form.arrival_date)  # type: ignore[arg-type]
        free = free_capacity(offer, form.arrival_date, form.departure_date) if rules.stay else free_capacity(offer)
        if free == 0:
            raise Conflict(_("This supplier has no free places for these dates; choose another supplier."))
        priced = stay.sums(offer, form.arrival_date, form.departure_date, to_local(now).date()) \
            if rules.stay else None  # type: ignore[arg-type]
        # The replacement check again on the day of ordering (a year's norm may be used up since intake).
        checked = entitlements.order_check(entry, form.quantity, to_local(now).date())
        due, why = review_due(reg, now)
        content = {"document": "order", "service": entry.reg_id, "recipient_iin": entry.recipient_iin,
                   "supplier_bin": supplier.bin, "unit_price": str(offer.unit_price), "unit": offer.unit,
                   "sl_format": form.sl_format if rules.sl_format else "",
                   "receipt_method": form.receipt_method if rules.receipt_method else "",
                   "arrival_date": form.arrival_date if rules.stay else None,
                   "departure_date": form.departure_date if rules.stay else None, "at": now.isoformat()}
        if checked is not None:
            content |= {"item": checked.item, "quantity": checked.quantity}
        if priced is not None:
            content |= {"order_sum": str(priced.order_sum), "guaranteed_sum": str(priced.guaranteed),
                        "surcharge": str(priced.surcharge)}
        order_sig = signing.sign("order", "portal.order", None, content, now, signer_iin=entry.recipient_iin,
                                 signer_name=entry.recipient_name, user=assisted_by)
        reimb_sig = signing.sign("reimbursement-application", "portal.order", None, {
            **content, "document": "application to reimburse the guaranteed sum (Order No. 14)"}, now,
            signer_iin=entry.recipient_iin, signer_name=entry.recipient_name, user=assisted_by)
        order = Order.objects.create(
            number=f"pending-{entry.pk}-{now.timestamp()}", entry=entry, supplier=supplier, reg_id=entry.reg_id,
            unit=offer.unit, unit_price=Decimal(offer.unit_price), sent_at=now, review_due=due, review_why=why,
            review_cite=rules.cite(rules.review),
            sl_format=form.sl_format if rules.sl_format else "",
            receipt_method=form.receipt_method if rules.receipt_method else "",
            arrival_date=form.arrival_date if rules.stay else None,
            departure_date=form.departure_date if rules.stay else None,
            cancel_limit=limit, cancel_limit_why=limit_why,
            bed_days=priced.bed_days if priced else None, order_sum=priced.order_sum if priced else None,
            guaranteed_sum=priced.guaranteed if priced else None, surcharge=priced.surcharge if priced else None,
            sums_why=priced.why if priced else "",
            item=checked.item if checked else "", quantity=checked.quantity if checked else None,
            order_signature=order_sig, reimbursement_signature=reimb_sig)
        order.number = f"P{to_local(now):%Y}-{order.pk:07d}"
        order.save(update_fields=["number"])
        order_sig.object_id = reimb_sig.object_id = order.pk
        order_sig.save(update_fields=["object_id"])
        reimb_sig.save(update_fields=["object_id"])
        entry.state = E.ORDERED
        entry.save(update_fields=["state"])
    return order


def _back_to_choice(entry: QueueEntry) -> None:
    """The recipient keeps the possibility to choose another supplier (annex 2 cl. 33; the same on refusal)."""
    entry.state = E.REMINDED if entry.reminded_at else E.AWAITING_CHOICE
    entry.save(update_fields=["state"])


def recipient_order(iin: str, pk: int) -> Order:
    order = Order.objects.select_related("entry__case__regulation", "supplier").filter(
        pk=pk, entry__recipient_iin=iin).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


def cancel_by_recipient(order: Order, now: dt.datetime, note: str = "") -> Order:
    """The recipient cancels; a sanatorium bed order not later than 3 working days before arrival (cl. 31)."""
    rules = portal_rules(order.reg_id)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.state not in (S.SENT, S.ACCEPTED):
            raise Conflict(_("Only an order that is sent or accepted can be cancelled."))
        if rules.stay and order.cancel_limit is not None and now > order.cancel_limit:
            raise Conflict(_("A bed order can be cancelled not later than 3 working days before the arrival date: "
                             "the limit was %(limit)s (annex 2, cl. 31).")
                           % {"limit": f"{to_local(order.cancel_limit):%Y-%m-%d %H:%M}"})
        entry = order.entry
        sig = signing.sign("cancellation", "portal.order", order.pk, {
            "document": "cancellation of the order", "order": order.number, "by": "recipient", "note": note,
            "at": now.isoformat()}, now, signer_iin=entry.recipient_iin, signer_name=entry.recipient_name)
        order.state, order.cancelled_at = S.CANCELLED_BY_RECIPIENT, now
        order.cancel_reason = Order.CancelReason.RECIPIENT
        order.cancel_note, order.cancel_signature = note, sig
        order.cancel_cite = R.RECIPIENT_CANCEL_CITE if rules.stay else ""
        order.save()
        _back_to_choice(entry)
    return order


def reactivate(entry: QueueEntry, now: dt.datetime) -> QueueEntry:
    """The "activate supplier selection" button after a block: the place in the queue stays (registered_at is
    untouched) and the IPR data pass to the Portal again, so a new two-month window starts."""
    rules = portal_rules(entry.reg_id)
    with transaction.atomic():
        entry = _lock(entry)
        if entry.state != E.BLOCKED:
            raise Conflict(_("Supplier selection is not blocked."))
        entry.state, entry.reactivated_at, entry.portal_from, entry.reminded_at = E.AWAITING_CHOICE, now, now, None
        set_choice_window(entry, rules)
        entry.save()
    return entry


# --- the supplier's acts ----------------------------------------------------------------------------


def supplier_of(user) -> SupplierUser:
    su = SupplierUser.objects.select_related("supplier").filter(user_id=getattr(user, "pk", None)).first()
    if su is None:
        raise AccessDenied(_("This account does not act for a supplier."))
    return su


def supplier_orders(su: SupplierUser) -> QuerySet[Order]:
    return Order.objects.filter(supplier_id=su.supplier_id).select_related("entry").order_by("-sent_at", "-id")


def supplier_order(su: SupplierUser, pk: int) -> Order:
    """One of the supplier's own orders; another supplier's is the same 404 as none."""
    order = supplier_orders(su).select_related("entry__case__regulation").filter(pk=pk).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


def overdue_orders(now: dt.datetime) -> QuerySet[Order]:
    """Orders no supplier answered within its 5 working days."""
    return Order.objects.filter(state=S.SENT, review_due__lt=now)


def supplier_review(su: SupplierUser, order_id: int, accept: bool, reasons: str, now: dt.datetime, *,
                    details: dict | None = None) -> Order:
    """Accept, or refuse with reasons, by an EDS-signed notice to the recipient's cabinet (annex 1 cl. 40 …).
    A late answer is still recorded: its lateness shows (reviewed_at after review_due).  A sanatorium's
    acceptance is its notification confirming the bed (annex 7), with ``details`` for the form's blanks."""
    order = supplier_order(su, order_id)
    rules = portal_rules(order.reg_id)
    reasons = reasons.strip()
    if accept and rules.stay:
        stay.clean_details(details)
    if not accept and not reasons:
        hint = f" ({rules.refusal_hint})" if rules.refusal_hint else ""
        raise Invalid("reasons", _("A refusal must give its reasons%(hint)s (%(cite)s).")
                      % {"hint": hint, "cite": order.review_cite})
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("entry").get(pk=order.pk)
        if order.state != S.SENT:
            raise Conflict(_("This order has already been answered."))
        sig = signing.sign("acceptance" if accept else "refusal", "portal.order", order.pk, {
            "document": "acceptance of the order" if accept else "refusal of the order", "order": order.number,
            "supplier_bin": su.supplier.bin, "reasons": reasons, "at": now.isoformat()}, now,
            signer_iin=su.supplier.bin, signer_name=su.full_name or str(su.supplier), user=su.user)
        order.state = S.ACCEPTED if accept else S.REFUSED
        order.reviewed_at, order.reviewed_by, order.review_signature = now, su.user, sig
        order.refusal_reasons = "" if accept else reasons
        if accept:
            from qyzmet.portal import legacy  # legacy builds on this module's helpers

            order.transitional, order.transitional_why = legacy.transitional(order)
        order.save()
        if accept and rules.stay:
            stay.issue_bed_notice(order, su, details, now)
        if not accept:
            _back_to_choice(order.entry)
    return order


def cancel_by_supplier(su: SupplierUser, order_id: int, reason: str, note: str, now: dt.datetime) -> Order:
    """After accepting, a sanatorium may cancel only for leaving the register or force majeure, not later than
    3 working days before arrival (annex 2 cl. 32).  The other acts give suppliers no such right."""
    order = supplier_order(su, order_id)
    rules = portal_rules(order.reg_id)
    if not rules.stay:
        raise Conflict(_("The act gives the supplier no right to cancel an accepted order of this service."))
    if reason not in (Order.CancelReason.EXCLUDED, Order.CancelReason.FORCE_MAJEURE):
        raise Invalid("reason", _("The supplier may cancel only because it applied to leave the register or for "
                                  "force majeure (annex 2, cl. 32)."))
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("entry").get(pk=order.pk)
        if order.state != S.ACCEPTED:
            raise Conflict(_("Only an accepted order can be cancelled by the supplier (annex 2, cl. 32)."))
        if order.cancel_limit is not None and now > order.cancel_limit:
            raise Conflict(_("The supplier can cancel not later than 3 working days before the arrival date: the "
                             "limit was %(limit)s (annex 2, cl. 32).")
                           % {"limit": f"{to_local(order.cancel_limit):%Y-%m-%d %H:%M}"})
        sig = signing.sign("cancellation", "portal.order", order.pk, {
            "document": "cancellation of the bed order", "order": order.number, "by": "supplier",
            "reason": reason, "note": note, "at": now.isoformat()}, now, signer_iin=su.supplier.bin,
            signer_name=su.full_name or str(su.supplier), user=su.user)
        order.state, order.cancelled_at, order.cancel_reason = S.CANCELLED_BY_SUPPLIER, now, reason
        order.cancel_note, order.cancel_signature, order.cancel_cite = note, sig, R.SUPPLIER_CANCEL_CITE
        order.save()
        _back_to_choice(order.entry)
    return order


def record_stay(su: SupplierUser, order_id: int, what: str, now: dt.datetime) -> Order:
    """The sanatorium records the arrival, a no-show, or the end of the stay (annex 2 cl. 30); other suppliers
    record the service as completed.  Completion serves the queue entry."""
    order = supplier_order(su, order_id)
    rules = portal_rules(order.reg_id)
    allowed = {"arrived": (S.ACCEPTED,), "no-show": (S.ACCEPTED,), "completed": (S.ARRIVED,) if rules.stay
               else (S.ACCEPTED,), "refused-after-arrival": (S.ARRIVED,)}
    if what not in allowed or (not rules.stay and what != "completed"):
        raise Invalid("what", _("Not something this order can record."))
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("entry").get(pk=order.pk)
        if order.state not in allowed[what]:
            raise Conflict(_("The order is not in a state that allows this."))
        order.state = what
        if what == "arrived":
            order.arrived_at = now
        elif what == "no-show":
            order.no_show_at = now
        else:
            order.completed_at = now
        order.save()
        entry = order.entry
        if what in ("completed", "refused-after-arrival"):
            entry.state, entry.served_at = E.SERVED, now
            entry.save(update_fields=["state", "served_at"])
        if what == "completed":
            entitlements.handed_over(order, now)  # the item the order was for goes into the ledger
        elif what == "no-show":
            _back_to_choice(entry)
    return order


# --- staff ---------------------------------------------------------------------------------------------


def require_staff(actor: Actor | None) -> Actor:
    if actor is None:
        raise AccessDenied(_("This account is not a staff member of any office."))
    if not actor.roles & STAFF_ROLES:
        raise AccessDenied(_("The E-Sobes queue and the supplier register are kept by the department's specialist "
                             "and head."))
    return actor


def office_queue(actor: Actor, reg_id: str = "") -> QuerySet[QueueEntry]:
    entries = QueueEntry.objects.filter(office_id=actor.office_id).select_related("case").order_by(
        "reg_id", "registered_at", "id")
    return entries.filter(reg_id=reg_id) if reg_id else entries


@dataclass(frozen=True)
class SupplierForm:
    name_kk: str
    name_ru: str
    bin: str
    region: str = ""
    phone: str = ""
    address: str = ""
    in_register: bool = True
    exclusion_reason: str = ""
    office_ids: tuple[int, ...] = ()
    offers: tuple[tuple[str, Decimal, str, int | None, str], ...] = ()  # reg_id, price, unit, capacity, profile


def check_bin(value: str) -> str:
    value = "".join((value or "").split())
    try:
        parse_bin(value)
    except InvalidIdentifier as exc:
        raise Invalid("bin", _("This BIN is not valid: %(reason)s.") % {"reason": str(exc)}) from None
    return value


def save_supplier(actor: Actor, form: SupplierForm, now: dt.datetime, pk: int | None = None) -> Supplier:
    require_staff(actor)
    bin_value = check_bin(form.bin)
    if not form.name_kk.strip():
        raise Invalid("name_kk", _("Give the name in Kazakh."))
    if not form.name_ru.strip():
        raise Invalid("name_ru", _("Give the name in Russian."))
    for reg_id, price, _unit, capacity, _profile in form.offers:
        portal_rules(reg_id)
        if price is None or price < 0:
            raise Invalid("unit_price", _("The unit price must be a sum in tenge, not negative."))
        if capacity is not None and capacity < 0:
            raise Invalid("capacity", _("The capacity cannot be negative."))
    with transaction.atomic():
        clash = Supplier.objects.filter(bin=bin_value).exclude(pk=pk).exists()
        if clash:
            raise Invalid("bin", _("A supplier with this BIN is already in the register."))
        supplier = Supplier.objects.select_for_update().get(pk=pk) if pk else Supplier()
        was_in = supplier.in_register if pk else True
        supplier.name_kk, supplier.name_ru, supplier.bin = form.name_kk.strip(), form.name_ru.strip(), bin_value
        supplier.region, supplier.phone, supplier.address = form.region, form.phone, form.address
        supplier.in_register = form.in_register
        if was_in and not form.in_register:
            supplier.excluded_at, supplier.exclusion_reason = now, form.exclusion_reason
        elif form.in_register:
            supplier.excluded_at, supplier.exclusion_reason = None, ""
        supplier.save()
        if form.office_ids:
            supplier.offices.set(form.office_ids)
        elif not pk:
            supplier.offices.set([actor.office_id])
        for reg_id, price, unit, capacity, profile in form.offers:
            SupplierOffer.objects.update_or_create(supplier=supplier, reg_id=reg_id, defaults={
                "unit_price": price, "unit": unit or "unit", "capacity": capacity, "profile": profile})
    return supplier


def find_entry_for_staff(actor: Actor, pk: int) -> QueueEntry:
    entry = office_queue(require_staff(actor)).filter(pk=pk).first()
    if entry is None:
        raise NotFound(_("No such queue entry."))
    return entry


def visible_orders_for_staff(actor: Actor) -> QuerySet[Order]:
    return Order.objects.filter(entry__office_id=require_staff(actor).office_id)


__all__ = ["AccessDenied", "Conflict", "Invalid", "NotFound"]
