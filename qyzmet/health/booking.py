"""Booking a doctor's slot: at the registry, by phone or on the portal; cancelling; attended and no-show.

Every entry is a case of ``mangystau-2015/doctor-appointment`` (annex 2) or ``…/home-doctor-call`` (annex 1),
opened through :mod:`qyzmet.cases.workflow`:

- at the registry or by phone (route ``main``): the registrar's one step of at most 10 minutes (cl. 5.1, 8.1)
  accepts the request, enters it in the journal and gives the oral answer with the date and time — intake and
  that step's completion with the answer happen in one transaction, so the case is issued with its result;
- on the portal (route ``portal``): the applicant's and the information system's steps are recorded at once
  (as ``cases.workflow.apply_online`` does), the chosen slot is held, and the registrar's electronic answer is
  due within 30 minutes (cl. 8.1); the registrar confirms it (or refuses on process 6, cl. 9.10).

No double booking: the slot row is locked (``select_for_update``) before anything is checked or written, and
the partial unique index ``health_one_active_per_slot`` refuses a second active entry even if a path forgot
the lock.  The loser of a race gets :class:`SlotTaken` (a 409), never an error page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from qyzmet.cases import services
from qyzmet.cases import workflow as cases
from qyzmet.cases.access import Actor, Conflict, NotFound
from qyzmet.cases.models import Case, Task
from qyzmet.cases.workflow import Invalid
from qyzmet.core import engine
from qyzmet.core.calendar import to_local
from qyzmet.core.iin import InvalidIdentifier, parse_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.directory.models import Office, ServicePoint
from qyzmet.health.access import require_registrar
from qyzmet.health.models import ACTIVE, Booking, Doctor, Slot
from qyzmet.health.schedule import APPOINTMENT, HOME_CALL

REGULATION = {Booking.Kind.APPOINTMENT: APPOINTMENT, Booking.Kind.HOME_CALL: HOME_CALL}
SLOT_KIND = {Booking.Kind.APPOINTMENT: Slot.Kind.RECEPTION, Booking.Kind.HOME_CALL: Slot.Kind.HOME_VISIT}
REFUSAL_GROUND = "request-violations"  # process 6, cl. 9.9-9.10 of both annexes
COUNTER_CHANNELS = (Booking.Channel.REGISTRY, Booking.Channel.PHONE)


class SlotTaken(Conflict):
    """Someone else took this time a moment ago (HTTP 409)."""


@dataclass(frozen=True)
class Patient:
    """What the journal records of the patient (annex 1 and annex 2, cl. 8)."""

    iin: str
    surname: str
    first_name: str
    patronymic: str = ""
    condition: str = ""
    address: str = ""
    phone: str = ""
    language: str = ""  # kk or ru: the language of the answer; empty: the page's language (else kk)

    @property
    def full_name(self) -> str:
        return " ".join(p.strip() for p in (self.surname, self.first_name, self.patronymic) if p.strip())


@dataclass(frozen=True)
class Checked:
    patient: Patient
    age: int
    sex: str
    phone: str  # +7XXXXXXXXXX or ""
    language: str


def check_patient(p: Patient, today: dt.date, *, kind: str = Booking.Kind.APPOINTMENT) -> Checked:
    """The IIN is valid and gives the age and sex; the name is there; the phone is a Kazakhstan number.

    A home call needs the actual address and a phone: the doctor goes there and may need to call."""
    iin = "".join(p.iin.split())
    try:
        info = parse_iin(iin, today=today)
    except InvalidIdentifier as exc:
        raise Invalid("patient.iin", cases.invalid_iin(exc)) from None
    if info.birth_date > today:
        raise Invalid("patient.iin", _("This IIN gives a birth date in the future."))
    if not p.surname.strip():
        raise Invalid("patient.surname", _("Enter the patient's surname."))
    if not p.first_name.strip():
        raise Invalid("patient.first_name", _("Enter the patient's first name."))
    digits = "".join(ch for ch in p.phone if ch.isdigit())
    if digits and (len(digits) != 11 or digits[0] not in "78"):
        raise Invalid("patient.phone", _("A Kazakhstan phone number has 11 digits, e.g. +7 701 234 56 78."))
    if kind == Booking.Kind.HOME_CALL:
        if not p.address.strip():
            raise Invalid("patient.address", _("Enter the actual address the doctor is to come to."))
        if not digits:
            raise Invalid("patient.phone", _("Enter a contact phone number for the doctor's visit."))
    for name, value, limit in (("surname", p.surname, 100), ("first_name", p.first_name, 100),
                               ("patronymic", p.patronymic, 100), ("condition", p.condition, 2000),
                               ("address", p.address, 500)):
        if len(value.strip()) > limit:
            raise Invalid(f"patient.{name}", _("At most %(n)s characters.") % {"n": limit})
    language = p.language or (translation.get_language() or "kk").split("-")[0]
    if language not in ("kk", "ru"):
        language = "kk"
    phone = f"+7{digits[1:]}" if digits else ""
    clean = Patient(iin, p.surname.strip(), p.first_name.strip(), p.patronymic.strip(), p.condition.strip(),
                    p.address.strip(), phone, language)
    return Checked(clean, cases.age(info.birth_date, today), info.sex, phone, language)


# --- the answer: the result the act gives (date and time; the doctor; the room) -------------------------

def answer_text(booking: Booking, lang: str | None = None) -> str:
    """The oral (or electronic) answer, in ``lang`` (default: the case's language)."""
    with translation.override(lang or booking.case.language or "kk"):
        if booking.status == Booking.Status.CANCELLED and booking.cancelled_by == "patient":
            return _("The applicant cancelled the request before the answer.")
        slot, doctor = booking.slot, booking.doctor
        if slot is None or doctor is None:
            return _("No time has been given yet.")
        at = to_local(slot.starts_at)
        speciality = doctor.speciality_ru if translation.get_language() == "ru" else doctor.speciality_kk
        values = {"date": f"{at:%d.%m.%Y}", "time": f"{at:%H:%M}", "doctor": doctor.full_name,
                  "speciality": speciality, "room": doctor.room or "—", "address": booking.address}
        if booking.kind == Booking.Kind.HOME_CALL:
            return _("The doctor will come on %(date)s at %(time)s: %(doctor)s (%(speciality)s), to %(address)s.") \
                % values
        return _("Appointment on %(date)s at %(time)s: %(doctor)s (%(speciality)s), room %(room)s.") % values


# --- slots ------------------------------------------------------------------------------------------

def active_booking():
    return Booking.objects.filter(slot=OuterRef("pk"), status__in=ACTIVE)


def slots_of_day(doctor: Doctor, day: dt.date, kind: str | None = None) -> QuerySet[Slot]:
    """The doctor's slots on ``day`` with ``taken`` annotated."""
    from qyzmet.core.calendar import local_instant

    rows = Slot.objects.filter(doctor=doctor, starts_at__gte=local_instant(day, 0),
                               starts_at__lt=local_instant(day + dt.timedelta(days=1), 0))
    if kind:
        rows = rows.filter(kind=kind)
    return rows.annotate(taken=Exists(active_booking())).order_by("starts_at")


def free_slots(*, office: Office | None = None, doctor: Doctor | None = None, day: dt.date | None = None,
               kind: str = Slot.Kind.RECEPTION, now: dt.datetime, limit: int = 200) -> list[Slot]:
    """Future slots nobody holds, earliest first."""
    from qyzmet.core.calendar import local_instant

    rows = Slot.objects.filter(kind=kind, starts_at__gt=now, doctor__active=True).exclude(
        Exists(active_booking())).select_related("doctor__office")
    if office is not None:
        rows = rows.filter(doctor__office=office)
    if doctor is not None:
        rows = rows.filter(doctor=doctor)
    if day is not None:
        rows = rows.filter(starts_at__gte=local_instant(day, 0),
                           starts_at__lt=local_instant(day + dt.timedelta(days=1), 0))
    return list(rows.order_by("starts_at", "doctor_id")[:limit])


def _locked_slot(slot_id: object, kind: str, now: dt.datetime, office_id: int | None) -> Slot:
    """The slot row, locked until the transaction ends; every refusal names the field ``slot``."""
    try:
        pk = int(str(slot_id))
    except ValueError:
        pk = 0
    rows = Slot.objects.select_for_update(of=("self",)).filter(pk=pk)
    if office_id is not None:
        rows = rows.filter(doctor__office_id=office_id)
    slot = rows.first()
    if slot is None:
        raise Invalid("slot", _("There is no such time in the schedule: choose one of the free times."))
    if slot.kind != SLOT_KIND[kind]:
        raise Invalid("slot", _("This time is not for this kind of visit: choose one of the free times."))
    if slot.starts_at <= now:
        raise Invalid("slot", _("This time has already passed: choose a later one."))
    if Booking.objects.filter(slot=slot, status__in=ACTIVE).exists():
        raise SlotTaken(_("This time was just taken: choose another."))
    return Slot.objects.select_related("doctor__office").get(pk=slot.pk)


# --- opening the case -------------------------------------------------------------------------------

def _task(case: Case) -> Task:
    return Task.objects.get(case=case, closed_at__isnull=True, purpose="step")


def _answer(actor: Actor, booking: Booking, now: dt.datetime) -> Case:
    """The registrar's step that gives the answer: the positive decision with the date and time as its note."""
    text = answer_text(booking)
    return cases.complete(actor, _task(booking.case).pk, cases.Completion(note=text, decision="positive",
                                                                          reason=text), now)


def _create(**fields) -> Booking:
    try:
        with transaction.atomic():
            return Booking.objects.create(**fields)
    except IntegrityError:
        # Only reachable if the lock was bypassed: the index is the last word, and the answer the same.
        raise SlotTaken(_("This time was just taken: choose another.")) from None


def book(actor: Actor, kind: str, slot_id: object, patient: Patient, channel: str, now: dt.datetime) -> Booking:
    """The registrar books a slot for a patient at the counter or on the phone, and gives the answer."""
    require_registrar(actor)
    now = to_local(now)
    if channel not in COUNTER_CHANNELS:
        raise Invalid("channel", _("Choose how the patient applied: in person at the registry or by phone."))
    checked = check_patient(patient, now.date(), kind=kind)
    with transaction.atomic():
        slot = _locked_slot(slot_id, kind, now, actor.office_id)
        case = cases.intake(actor, cases.Application(
            regulation=REGULATION[kind], iin=checked.patient.iin, category="", name=checked.patient.full_name,
            phone=checked.phone, route="main", language=checked.language), now)
        booking = _create(kind=kind, office_id=actor.office_id, slot=slot, doctor=slot.doctor, case=case,
                          channel=channel, status=Booking.Status.BOOKED, created_at=now, created_by_id=actor.user_id,
                          answered_at=now, **_journal(checked))
        booking.case = _answer(actor, booking, now)
    return booking


def _journal(checked: Checked) -> dict:
    p = checked.patient
    return {"iin": p.iin, "surname": p.surname, "first_name": p.first_name, "patronymic": p.patronymic,
            "age": checked.age, "sex": checked.sex, "condition": p.condition, "address": p.address,
            "phone": checked.phone}


def _portal_case(kind: str, office: Office, checked: Checked, now: dt.datetime) -> Case:
    """The case on the act's portal route, worked by ``office``; the portal's own steps recorded at once.

    ``cases.workflow.apply_online`` does the same but sends the case to the first office with a portal
    service point; here the patient chose the polyclinic, so the case goes to that one."""
    reg = shipped_catalog().get(REGULATION[kind])
    route = cases.portal_route(reg)
    if route is None or not ServicePoint.objects.filter(office=office, reg_id=reg.id, route=route).exists():
        raise Invalid("office", _("This organisation does not take this service on the portal."))
    cases.check_applicant(reg, checked.patient.iin, "", now.date())
    row = services.register_regulation(reg)
    event = engine.Submit(route, checked.patient.iin, "any", (), by="applicant")
    case = services.submit(row, event, now, provider_office=office, applicant_name=checked.patient.full_name,
                           applicant_phone=checked.phone, language=checked.language).case
    return cases.advance_system_steps(case, now)


def book_online(slot_id: object, patient: Patient, now: dt.datetime) -> Booking:
    """A patient books a free slot on the portal; the slot is held and the registrar's answer is due in 30 min."""
    now = to_local(now)
    checked = check_patient(patient, now.date())
    with transaction.atomic():
        slot = _locked_slot(slot_id, Booking.Kind.APPOINTMENT, now, None)
        case = _portal_case(Booking.Kind.APPOINTMENT, slot.doctor.office, checked, now)
        return _create(kind=Booking.Kind.APPOINTMENT, office=slot.doctor.office, slot=slot, doctor=slot.doctor,
                       case=case, channel=Booking.Channel.PORTAL, status=Booking.Status.BOOKED, created_at=now,
                       **_journal(checked))


# --- the journal entry afterwards ----------------------------------------------------------------------

def booking_for(actor: Actor, pk: int) -> Booking:
    """An entry of the registrar's office; another office's is not found."""
    booking = (Booking.objects.select_related("slot", "doctor", "case", "office")
               .filter(pk=pk, office_id=actor.office_id).first())
    if booking is None:
        raise NotFound(_("No such appointment or home call in your office."))
    return booking


def waiting_for_answer(booking: Booking) -> bool:
    """A portal request whose electronic answer the registrar has not given yet."""
    return (booking.channel == Booking.Channel.PORTAL and booking.answered_at is None
            and booking.status in (Booking.Status.BOOKED, Booking.Status.REQUESTED))


def confirm_online(actor: Actor, pk: int, now: dt.datetime) -> Booking:
    """The registrar's electronic answer to a portal appointment (cl. 8.1: within 30 minutes)."""
    booking = booking_for(actor, pk)
    require_registrar(actor)
    if not waiting_for_answer(booking):
        raise Conflict(_("This request has already been answered."))
    if booking.kind == Booking.Kind.HOME_CALL and booking.status == Booking.Status.REQUESTED:
        raise Conflict(_("Assign the time of the doctor's visit first."))
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if not waiting_for_answer(locked):
            raise Conflict(_("This request has already been answered."))
        booking.answered_at = now
        booking.save(update_fields=["answered_at"])
        booking.case = _answer(actor, booking, now)
    return booking


def refuse_online(actor: Actor, pk: int, reason: str, now: dt.datetime) -> Booking:
    """Process 6 (cl. 9.10): the request does not meet the grounds for the service; the slot is freed."""
    booking = booking_for(actor, pk)
    require_registrar(actor)
    if not waiting_for_answer(booking):
        raise Conflict(_("This request has already been answered."))
    if not reason.strip():
        raise Invalid("reason", _("A reasoned refusal needs the written reason."))
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.answered_at is not None:
            raise Conflict(_("This request has already been answered."))
        cases.complete(actor, _task(booking.case).pk, cases.Completion(
            note=reason.strip(), decision="refusal", grounds=(REFUSAL_GROUND,), reason=reason.strip()), now)
        booking.answered_at = now
        booking.status, booking.cancelled_at, booking.cancelled_by = Booking.Status.CANCELLED, now, "registrar"
        booking.save(update_fields=["answered_at", "status", "cancelled_at", "cancelled_by"])
    return booking


def _cancel(booking: Booking, by: str, now: dt.datetime) -> Booking:
    with transaction.atomic():
        locked = Booking.objects.select_for_update(of=("self",)).select_related("slot").get(pk=booking.pk)
        if locked.status not in (Booking.Status.BOOKED, Booking.Status.REQUESTED):
            raise Conflict(_("Only a booked time can be cancelled; this one is “%(status)s”.")
                           % {"status": status_label(locked.status)})
        if locked.slot is not None and locked.slot.starts_at <= now:
            raise Conflict(_("This time has already begun: record whether the patient came instead."))
        if waiting_for_answer(locked) and locked.case_id is not None:
            # Nobody has answered the portal request yet: it ends as withdrawn, so the registrar's answer step
            # leaves the inbox instead of going overdue on a request that no longer exists.
            services.apply_event(locked.case, engine.CloseRequest("withdrawn", by=by), now)
        booking.status, booking.cancelled_at, booking.cancelled_by = Booking.Status.CANCELLED, now, by
        booking.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    return booking


def cancel(actor: Actor, pk: int, now: dt.datetime) -> Booking:
    """The registrar cancels a booking (the patient asked, the doctor is away): the slot is free again."""
    booking = booking_for(actor, pk)
    require_registrar(actor)
    return _cancel(booking, "registrar", to_local(now))


def cancel_own(number: str, iin: str, now: dt.datetime) -> Booking:
    """The patient cancels their own booking, proven by the application number and the IIN."""
    booking = own_booking(number, iin)
    if booking is None:
        raise NotFound(_("No appointment or home call with this number and IIN."))
    return _cancel(booking, "patient", to_local(now))


def own_booking(number: str, iin: str) -> Booking | None:
    number = "".join(number.split()).upper()
    iin = "".join(iin.split())
    return (Booking.objects.select_related("slot", "doctor__office", "case__regulation", "office")
            .filter(case__number=number, iin=iin).first())


def mark(actor: Actor, pk: int, status: str, now: dt.datetime) -> Booking:
    """Attended or did not come: recorded once the slot's time has begun."""
    booking = booking_for(actor, pk)
    require_registrar(actor)
    if status not in (Booking.Status.ATTENDED, Booking.Status.NO_SHOW):
        raise Invalid("status", _("Record “attended” or “no-show”."))
    now = to_local(now)
    with transaction.atomic():
        locked = Booking.objects.select_for_update(of=("self",)).select_related("slot").get(pk=booking.pk)
        if locked.status != Booking.Status.BOOKED:
            raise Conflict(_("Only a booked time can be marked; this one is “%(status)s”.")
                           % {"status": status_label(locked.status)})
        if locked.slot.starts_at > now:
            raise Conflict(_("The time has not begun yet: it can be marked from %(time)s.")
                           % {"time": f"{to_local(locked.slot.starts_at):%d.%m.%Y %H:%M}"})
        booking.status, booking.marked_at, booking.marked_by_id = status, now, actor.user_id
        booking.save(update_fields=["status", "marked_at", "marked_by"])
    return booking


def status_label(status: str) -> str:
    return {
        Booking.Status.REQUESTED: _("Requested, waiting for a time"),
        Booking.Status.BOOKED: _("Booked"),
        Booking.Status.CANCELLED: _("Cancelled"),
        Booking.Status.ATTENDED: _("Attended"),
        Booking.Status.NO_SHOW: _("Did not come"),
    }.get(status, status)


def channel_label(channel: str) -> str:
    return {
        Booking.Channel.REGISTRY: _("In person at the registry"),
        Booking.Channel.PHONE: _("By phone"),
        Booking.Channel.PORTAL: _("On the portal"),
    }.get(channel, channel)
