"""Recipients who were served outside the Portal before the rules (annex 1 cl. 35, 36, 45: PA and SL).

- cl. 35: within one working day of entering such a recipient's IPR data into the Portal, the department
  initiates two messages: to the recipient, to confirm the earlier choice of supplier or choose a new one;
  to the supplier's representative, that it can register on the Portal;
- cl. 36: the two-month window for the choice does not apply to them; they confirm the services received
  and choose a supplier on the Portal;
- cl. 45 (its first paragraph; the second repeats it with "chose per cl. 35 and 36" instead of the date,
  digest 002a defect 17): for those who got the service outside the Portal and confirmed it, or chose a
  supplier before 5 February 2021, the reporting period is paid in full — not only from the day the
  acceptance notice arrived.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from qyzmet.cases.access import Actor
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core.calendar import to_local
from qyzmet.portal import rules as R
from qyzmet.portal import signing, workflow
from qyzmet.portal.models import Order, QueueEntry, Supplier

SERVICES = R.HOURLY
NOTICE_CITE = "annex 1, cl. 35"
WINDOW_CITE = "annex 1, cl. 36"
IN_FULL_CITE = "annex 1, cl. 45"
# Cl. 45: "2021 жылғы 5 ақпанға дейін" — before 5 February 2021.
CUT_OFF = dt.date(2021, 2, 5)
SMS_RECIPIENT = "legacy-confirm"
SMS_SUPPLIER = "legacy-supplier-register"
E = QueueEntry.State


def mark(actor: Actor, entry_id: int, supplier_id: int, since: dt.date | None, now: dt.datetime) -> QueueEntry:
    """The department records that the recipient was served outside the Portal by ``supplier`` since
    ``since``; the cl. 35 messages go at once and the two-month window is lifted (cl. 36)."""
    entry = workflow.find_entry_for_staff(actor, entry_id)
    if entry.reg_id not in SERVICES:
        raise Invalid("entry", _("Only the personal assistant and sign-language services had recipients served "
                                 "outside the Portal (annex 1, cl. 35)."))
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    if supplier is None:
        raise Invalid("supplier", _("Choose the supplier that served the recipient."))
    if since is None:
        raise Invalid("since", _("Give the date the recipient has been served since."))
    if since > to_local(now).date():
        raise Invalid("since", _("The date cannot be in the future."))
    with transaction.atomic():
        entry = QueueEntry.objects.select_for_update().select_related("case__regulation").get(pk=entry.pk)
        if entry.legacy_supplier_id is not None:
            raise Conflict(_("This recipient is already recorded as served outside the Portal."))
        if entry.state in (E.ORDERED, E.SERVED):
            raise Conflict(_("The recipient has already ordered on the Portal."))
        reg = workflow.regulation(entry)
        cal, _schedule = workflow.calendar(reg)
        entry.legacy_supplier, entry.legacy_since = supplier, since
        entry.legacy_notice_due = cal.add(entry.portal_from, "1 working days")
        entry.legacy_notified_at = now
        # Cl. 36: no reminder, no block for them.
        if entry.state == E.BLOCKED:
            entry.blocked_at = None
        entry.state = E.AWAITING_CHOICE
        entry.remind_due = entry.block_due = None
        entry.remind_why = entry.block_why = f"not counted: served outside the Portal ({WINDOW_CITE})"
        entry.remind_cite = entry.block_cite = WINDOW_CITE
        workflow.queue_sms(entry, reg, SMS_RECIPIENT, now)
        if supplier.phone:
            workflow.queue_sms(entry, reg, SMS_SUPPLIER, now, phone=supplier.phone)
        else:
            workflow.add_note(entry, now, "no message to the supplier's representative: the register has no phone")
        entry.save()
    return entry


def notice_late(entry: QueueEntry) -> bool:
    """The messages went later than one working day after the data reached the Portal (cl. 35)."""
    return bool(entry.legacy_notice_due and entry.legacy_notified_at
                and entry.legacy_notified_at > entry.legacy_notice_due)


def confirm(entry: QueueEntry, now: dt.datetime, *, assisted_by=None) -> QueueEntry:
    """The recipient confirms, with EDS, the services received outside the Portal (cl. 36, item 1)."""
    with transaction.atomic():
        entry = QueueEntry.objects.select_for_update(of=("self",)).select_related("legacy_supplier").get(pk=entry.pk)
        if entry.legacy_supplier_id is None:
            raise Conflict(_("No services outside the Portal are recorded for you."))
        if entry.legacy_confirmed_at is not None:
            raise Conflict(_("You have already confirmed them."))
        signing.sign("other", "portal.queueentry", entry.pk, {
            "document": "confirmation of the services received outside the Portal", "service": entry.reg_id,
            "supplier_bin": entry.legacy_supplier.bin, "since": entry.legacy_since, "cite": WINDOW_CITE,
            "at": now.isoformat()}, now, signer_iin=entry.recipient_iin, signer_name=entry.recipient_name,
            user=assisted_by)
        entry.legacy_confirmed_at = now
        entry.save(update_fields=["legacy_confirmed_at"])
    return entry


def transitional(order: Order) -> tuple[bool, str]:
    """Is the order paid in full for the reporting period of its acceptance (cl. 45)?  And why."""
    if order.reg_id not in SERVICES:
        return False, ""
    entry = order.entry
    if entry.legacy_confirmed_at is not None:
        return True, (f"served outside the Portal by {entry.legacy_supplier} since {entry.legacy_since:%Y-%m-%d}, "
                      f"services confirmed on {to_local(entry.legacy_confirmed_at):%Y-%m-%d}: the reporting period "
                      f"is paid in full ({IN_FULL_CITE})")
    if to_local(order.sent_at).date() < CUT_OFF:
        return True, (f"supplier chosen on {to_local(order.sent_at):%Y-%m-%d}, before 5 February 2021: the "
                      f"reporting period is paid in full ({IN_FULL_CITE})")
    return False, ""


def paid_from(order: Order) -> dt.date | None:
    """The first day the journal may hold: the acceptance notice's day (cl. 45), or the first of its month
    when the reporting period is paid in full."""
    if order.reviewed_at is None:
        return None
    accepted = to_local(order.reviewed_at).date()
    return accepted.replace(day=1) if order.transitional else accepted
