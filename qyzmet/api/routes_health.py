"""Doctors' slots, appointments and home calls (Mangystau 2015, annexes 1 and 2) for the registry's systems.

Free slots are listed by office, doctor and date; a booking or home call is made at the counter or on the
phone by the office's medical registrar (the case is opened and issued with the date and time as its result);
cancel, attended, no-show and the portal answer act on one entry.  A time taken a moment ago by somebody else
is a 409 ``conflict`` (choose another), never a 500; a wrong field is a 422 naming it (``patient.iin``,
``slot``, ``channel``…).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from qyzmet.api.auth import actor
from qyzmet.api.common import In, Instant, PageParams, now, page_of, paginate
from qyzmet.api.idempotency import KEY, run_once
from qyzmet.api.schemas import ERRORS
from qyzmet.cases.models import Task
from qyzmet.directory.models import Office
from qyzmet.health import attachment, home_calls, step_norms
from qyzmet.health import booking as B
from qyzmet.health.models import Attachment, Booking, Doctor, Slot

router = Router(tags=["health"])


class DoctorOut(Schema):
    id: int
    name: str
    speciality_kk: str
    speciality_ru: str
    room: str


class SlotOut(Schema):
    id: int
    kind: str = Field(..., description="reception or home-visit")
    starts_at: Instant
    ends_at: Instant
    doctor: DoctorOut
    office: str = Field(..., description="the office code")


class PatientIn(In):
    iin: str = Field(..., max_length=32)
    surname: str = Field(..., max_length=100)
    first_name: str = Field(..., max_length=100)
    patronymic: str = Field("", max_length=100)
    condition: str = Field("", max_length=2000, description="the condition and brief information on the illness "
                                                             "or accident (cl. 8)")
    address: str = Field("", max_length=500, description="the actual address; required for a home call")
    phone: str = Field("", max_length=20, description="a Kazakhstan number; required for a home call")
    language: Literal["kk", "ru", ""] = Field("", description="the language of the answer; default kk")


class BookingIn(In):
    slot: int = Field(..., description="a free reception slot of your office")
    channel: Literal["registry", "phone"] = Field(..., description="in person at the registry, or by phone")
    patient: PatientIn


class HomeCallIn(In):
    slot: int | None = Field(None, description="a free home-visit slot of your office; none: the earliest")
    channel: Literal["registry", "phone"]
    patient: PatientIn


class BookingOut(Schema):
    id: int
    number: str = Field(..., description="the case's application number")
    kind: str = Field(..., description="appointment or home-call")
    regulation: str
    channel: str = Field(..., description="registry, phone or portal")
    status: str = Field(..., description="requested, booked, cancelled, attended, no-show")
    slot: SlotOut | None
    answer: str = Field(..., description="the answer given to the patient, in the case's language")
    answered_at: Instant | None
    answer_due: Instant | None = Field(None, description="while the registrar's answer is awaited: its due time")
    answer_cite: str = Field("", description="the clause of that step's term")
    case_status: str


class SlotParams(Schema):
    office: str | None = Field(None, description="office code, e.g. mangystau-2015-polyclinic")
    doctor: int | None = None
    date: dt.date | None = Field(None, description="one day (Almaty); default: all from now")
    kind: Literal["reception", "home-visit"] = "reception"
    limit: int = Field(100, ge=1, le=500)


def _doctor(d: Doctor) -> DoctorOut:
    return DoctorOut(id=d.pk, name=d.full_name, speciality_kk=d.speciality_kk, speciality_ru=d.speciality_ru,
                     room=d.room)


def _slot(s: Slot) -> SlotOut:
    return SlotOut(id=s.pk, kind=s.kind, starts_at=s.starts_at, ends_at=s.ends_at, doctor=_doctor(s.doctor),
                   office=s.doctor.office.code)


def _out(b: Booking) -> BookingOut:
    b = Booking.objects.select_related("slot__doctor__office", "doctor", "case__regulation").get(pk=b.pk)
    task = Task.objects.filter(case_id=b.case_id, closed_at__isnull=True).first()
    return BookingOut(id=b.pk, number=b.case.number, kind=b.kind, regulation=b.case.regulation.reg_id,
                      channel=b.channel, status=b.status, slot=_slot(b.slot) if b.slot else None,
                      answer=B.answer_text(b) if (b.answered_at or b.status == "cancelled") else "",
                      answered_at=b.answered_at, answer_due=task.due if task else None,
                      answer_cite=task.cite if task else "", case_status=b.case.status)


def _patient(p: PatientIn) -> B.Patient:
    return B.Patient(iin=p.iin, surname=p.surname, first_name=p.first_name, patronymic=p.patronymic,
                     condition=p.condition, address=p.address, phone=p.phone, language=p.language)


@router.get("/slots", response={200: list[SlotOut], **ERRORS}, summary="Free slots by office, doctor and date")
def slots(request, params: Query[SlotParams]):
    actor(request)
    office = None
    if params.office:
        office = Office.objects.filter(code=params.office).first()
        if office is None:
            raise B.Invalid("office", f"no office {params.office!r}")
    doctor = None
    if params.doctor is not None:
        doctor = Doctor.objects.filter(pk=params.doctor).first()
        if doctor is None:
            raise B.Invalid("doctor", f"no doctor {params.doctor}")
    found = B.free_slots(office=office, doctor=doctor, day=params.date, kind=params.kind, now=now(),
                         limit=params.limit)
    return [_slot(s) for s in found]


@router.post("/bookings", response={201: BookingOut, **ERRORS},
             summary="Book a reception slot for a patient at the registry or on the phone (the registrar)")
def create_booking(request, body: BookingIn, idempotency_key: str | None = KEY):
    who = actor(request)
    return run_once(request, idempotency_key, 201, lambda: _out(
        B.book(who, Booking.Kind.APPOINTMENT, body.slot, _patient(body.patient), body.channel, now())))


@router.post("/home-calls", response={201: BookingOut, **ERRORS},
             summary="Register a home call and assign the doctor's visit time (the registrar)")
def create_home_call(request, body: HomeCallIn, idempotency_key: str | None = KEY):
    who = actor(request)
    return run_once(request, idempotency_key, 201, lambda: _out(
        home_calls.register_call(who, _patient(body.patient), body.channel, body.slot, now())))


@router.get("/bookings/{booking_id}", response={200: BookingOut, **ERRORS}, summary="One appointment or home call")
def get_booking(request, booking_id: int):
    return _out(B.booking_for(actor(request), booking_id))


class AssignIn(In):
    slot: int | None = Field(None, description="for a portal home call: the visit's slot; none: the earliest")


@router.post("/bookings/{booking_id}/{action}", response={200: BookingOut, **ERRORS},
             summary="cancel | attended | no-show | answer (the registrar's answer to a portal request)")
def act(request, booking_id: int, action: str, body: AssignIn | None = None):
    who = actor(request)
    at = now()
    if action == "cancel":
        done = B.cancel(who, booking_id, at)
    elif action in ("attended", "no-show"):
        done = B.mark(who, booking_id, action, at)
    elif action == "answer":
        booking = B.booking_for(who, booking_id)
        if booking.kind == Booking.Kind.HOME_CALL and booking.status == Booking.Status.REQUESTED:
            done = home_calls.assign_visit(who, booking_id, body.slot if body else None, at)
        else:
            done = B.confirm_online(who, booking_id, at)
    else:
        raise Http404(f"no action {action!r}: cancel, attended, no-show or answer")
    return _out(done)


# --- the Register of Attached Population (annex 3) and the step-by-step check -------------------------------

class AttachmentOut(Schema):
    iin: str
    name: str = Field(..., description="the applicant's name on the attachment request")
    office: str = Field(..., description="the office code of the PHC organisation")
    since: Instant = Field(..., description="when the notification of attachment was sent (annex 3, cl. 7.6)")
    until: Instant | None = Field(None, description="when a later attachment ended this one; none: current")
    number: str = Field(..., description="the phc-attachment case")


class AttachmentRequestOut(Schema):
    number: str
    status: str = Field(..., description="the case's status: in-progress, or issued once the notification is sent")
    step: int | None = Field(None, description="the provider's step now open (4 or 6); none when issued")
    attachment: AttachmentOut | None = Field(None, description="the register line written when issued")


class AttachedParams(Schema):
    q: str = Field("", max_length=200, description="an IIN or part of a name")


def _attachments(rows: list) -> list[AttachmentOut]:
    return [AttachmentOut(iin=a.iin, name=a.case.applicant_name, office=a.office.code, since=a.since, until=a.until,
                          number=a.case.number) for a in rows]


@router.get("/attached", response={200: page_of(AttachmentOut), **ERRORS},
            summary="The office's attached population now (staff of a PHC organisation)")
def attached(request, params: Query[AttachedParams], page: Query[PageParams]):
    rows = attachment.attached(actor(request), q=params.q).select_related("office")
    return paginate(rows, page, _attachments)


@router.post("/attachment-requests/{case_id}/process", response={200: AttachmentRequestOut, **ERRORS},
             summary="The provider's next step of an attachment request: check and register (cl. 7.4), or send "
                     "the notification (cl. 7.6)")
def process_attachment(request, case_id: int):
    who = actor(request)
    case = attachment.process(who, case_id, now())
    line = Attachment.objects.select_related("office", "case").filter(case=case).first()
    task = attachment.open_task(case)
    return AttachmentRequestOut(number=case.number, status=case.status, step=task.step if task else None,
                                attachment=_attachments([line])[0] if line else None)


class StepParams(Schema):
    from_: dt.date = Field(..., alias="from", description="first day (Almaty)")
    to: dt.date = Field(..., description="last day, included")
    service: str | None = Field(None, description="one regulation id")


@router.get("/steps", response={200: dict, **ERRORS},
            summary="The office's finished steps in a period against each step's norm (heads, or every staff "
                    "member where the office has no head)")
def steps(request, params: Query[StepParams]):
    who = actor(request)
    step_norms.require_reader(who)
    first, last = step_norms.period(params.from_, params.to)
    office = Office.objects.get(pk=who.office_id)
    return step_norms.as_dict(step_norms.report(office, first, last, service=step_norms.check_service(params.service)))
