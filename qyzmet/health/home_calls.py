"""Calling a doctor home (Mangystau 2015, annex 1): the call registration journal and the visit time.

At the registry or by phone the registrar takes the call, enters it in the journal and says the date and time
of the doctor's visit at once — one step of at most 10 minutes (cl. 5.1, 8.1).  On the portal the request
waits for the registrar, who assigns the visit and so gives the electronic answer within 30 minutes (cl. 8.1).
The visit time is a home-visit slot of one of the office's doctors: inside that doctor's home-visit hours.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qyzmet.cases.access import Actor, Conflict
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import to_local
from qyzmet.directory.models import Office
from qyzmet.health import booking as B
from qyzmet.health.access import require_registrar
from qyzmet.health.models import Booking, Slot

RETRIES = 5  # "the earliest free time" chosen for the registrar may be taken by a colleague meanwhile


def earliest_visit(office_id: int, now: dt.datetime) -> Slot:
    slots = B.free_slots(office=Office.objects.get(pk=office_id), kind=Slot.Kind.HOME_VISIT, now=now, limit=1)
    if not slots:
        raise Invalid("slot", _("No doctor of this office has a free home-visit time in the schedule: generate "
                                "the slots on the schedule page first."))
    return slots[0]


def register_call(actor: Actor, patient: B.Patient, channel: str, slot_id: object, now: dt.datetime) -> Booking:
    """The registrar takes a call at the counter or on the phone; without a chosen time, the earliest free one."""
    require_registrar(actor)
    now = to_local(now)
    if slot_id not in (None, ""):
        return B.book(actor, Booking.Kind.HOME_CALL, slot_id, patient, channel, now)
    for attempt in range(RETRIES):
        slot = earliest_visit(actor.office_id, now)
        try:
            return B.book(actor, Booking.Kind.HOME_CALL, slot.pk, patient, channel, now)
        except B.SlotTaken:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def request_online(office: Office, patient: B.Patient, now: dt.datetime) -> Booking:
    """A patient calls the doctor home on the portal: the request waits for the registrar's answer."""
    now = to_local(now)
    checked = B.check_patient(patient, now.date(), kind=Booking.Kind.HOME_CALL)
    with transaction.atomic():
        case = B._portal_case(Booking.Kind.HOME_CALL, office, checked, now)
        return Booking.objects.create(kind=Booking.Kind.HOME_CALL, office=office, case=case,
                                      channel=Booking.Channel.PORTAL, status=Booking.Status.REQUESTED,
                                      created_at=now, **B._journal(checked))


def assign_visit(actor: Actor, pk: int, slot_id: object, now: dt.datetime) -> Booking:
    """The registrar gives a portal request its visit time, which is the electronic answer (cl. 8.1)."""
    booking = B.booking_for(actor, pk)
    require_registrar(actor)
    now = to_local(now)
    if booking.kind != Booking.Kind.HOME_CALL or booking.status != Booking.Status.REQUESTED:
        raise Conflict(_("This home call already has its answer."))
    chosen = slot_id if slot_id not in (None, "") else earliest_visit(actor.office_id, now).pk
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != Booking.Status.REQUESTED:
            raise Conflict(_("This home call already has its answer."))
        slot = B._locked_slot(chosen, Booking.Kind.HOME_CALL, now, actor.office_id)
        booking.slot, booking.doctor, booking.answered_at = slot, slot.doctor, now
        booking.status = Booking.Status.BOOKED
        try:
            with transaction.atomic():
                booking.save(update_fields=["slot", "doctor", "status", "answered_at"])
        except IntegrityError:
            raise B.SlotTaken(_("This time was just taken: choose another.")) from None
        booking.case = B._answer(actor, booking, now)
    return booking
