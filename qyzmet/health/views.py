"""The polyclinic's registry under /staff/health/: the day of a doctor with its free and taken times, booking
at the counter or on the phone, home calls, the portal requests waiting for an answer, the doctor's day list,
and the schedule (the weekly template and the slots generated from it).

Every view calls :mod:`qyzmet.health.booking`, :mod:`~qyzmet.health.home_calls` or
:mod:`~qyzmet.health.schedule`, which check the office and the registrar's role; refusals become 403/404
through ``staff_view`` and a form error naming the field.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qyzmet.cases.access import Actor, NotFound
from qyzmet.cases.models import Task
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import WEEKDAYS, to_local
from qyzmet.health import booking as B
from qyzmet.health import home_calls, schedule
from qyzmet.health.access import require_registrar
from qyzmet.health.forms import CounterForm, apply_error, patient_of
from qyzmet.health.models import Booking, Doctor, Slot
from qyzmet.web.deadline_reasons import closed_reason
from qyzmet.web.staff import staff_view
from qyzmet.web.text import current_language


def _now() -> dt.datetime:
    return to_local(timezone.now())


def _day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return default


def _day_url(doctor_id: int | None, day: dt.date) -> str:
    query = f"?day={day.isoformat()}" + (f"&doctor={doctor_id}" if doctor_id else "")
    return reverse("health:registry") + query


def _waiting(actor: Actor) -> list[dict]:
    """Portal requests of this office waiting for the registrar's answer, with the step's due time and clause."""
    rows = (Booking.objects.filter(office_id=actor.office_id, channel=Booking.Channel.PORTAL, answered_at__isnull=True,
                                   status__in=(Booking.Status.BOOKED, Booking.Status.REQUESTED))
            .select_related("slot", "doctor", "case").order_by("created_at"))
    tasks = {t.case_id: t for t in Task.objects.filter(case__in=[b.case_id for b in rows], closed_at__isnull=True)}
    return [{"booking": b, "task": tasks.get(b.case_id)} for b in rows]


@staff_view
def registry(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_registrar(actor)
    now = _now()
    day = _day(request.GET.get("day"), now.date())
    doctors = list(Doctor.objects.filter(office_id=actor.office_id, active=True))
    chosen = next((d for d in doctors if str(d.pk) == request.GET.get("doctor")), doctors[0] if doctors else None)
    rows = []
    if chosen is not None:
        slots = list(B.slots_of_day(chosen, day))
        held = {b.slot_id: b for b in Booking.objects.filter(slot__in=slots, status__in=B.ACTIVE)}
        rows = [{"slot": s, "booking": held.get(s.pk), "past": s.starts_at <= now} for s in slots]
    closed = schedule.office_calendar(chosen.office).why_closed(day) if chosen else None
    closed = closed_reason(closed) if closed else None  # the holiday's name in the page's language
    return render(request, "health/registry.html", {
        "doctors": doctors, "doctor": chosen, "day": day, "rows": rows, "waiting": _waiting(actor), "now": now,
        "closed": closed, "prev": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1)})


@require_http_methods(["GET", "POST"])
@staff_view
def book(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    require_registrar(actor)
    slot = Slot.objects.select_related("doctor").filter(pk=pk, doctor__office_id=actor.office_id).first()
    if slot is None:
        raise NotFound(_("No such time in your office's schedule."))
    kind = Booking.Kind.HOME_CALL if slot.kind == Slot.Kind.HOME_VISIT else Booking.Kind.APPOINTMENT
    form = CounterForm(request.POST or None, home_call=kind == Booking.Kind.HOME_CALL,
                       initial={"language": current_language() if current_language() in ("kk", "ru") else "kk"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = B.book(actor, kind, slot.pk, patient_of(data), data["channel"], _now())
        except Invalid as exc:
            apply_error(form, exc.field, exc.message)
        except B.SlotTaken as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(number)s: say to the patient — %(answer)s")
                             % {"number": booking.case.number, "answer": B.answer_text(booking, current_language())})
            return redirect(_day_url(slot.doctor_id, to_local(slot.starts_at).date()))
    return render(request, "health/book.html", {"form": form, "slot": slot, "kind": kind},
                  status=400 if form.errors else 200)


@require_POST
@staff_view
def act(request: HttpRequest, actor: Actor, pk: int, action: str) -> HttpResponse:
    """Cancel, attended, no-show, the portal answer or its refusal: one POST each, back to the day."""
    now = _now()
    booking = B.booking_for(actor, pk)
    try:
        if action == "cancel":
            B.cancel(actor, pk, now)
            messages.success(request, _("Cancelled: the time is free again."))
        elif action in ("attended", "no-show"):
            B.mark(actor, pk, action, now)
            messages.success(request, _("Recorded: %(status)s.") % {"status": B.status_label(action)})
        elif action == "confirm":
            done = B.confirm_online(actor, pk, now)
            messages.success(request, _("The answer is sent to the personal cabinet: %(answer)s")
                             % {"answer": B.answer_text(done, current_language())})
        elif action == "refuse":
            B.refuse_online(actor, pk, request.POST.get("reason", ""), now)
            messages.success(request, _("The refusal is sent to the personal cabinet."))
        else:
            raise NotFound(action)
    except (Invalid, B.Conflict) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    day = to_local(booking.slot.starts_at).date() if booking.slot else now.date()
    return redirect(request.POST.get("next") or _day_url(booking.doctor_id, day))


@require_http_methods(["GET", "POST"])
@staff_view
def home_call(request: HttpRequest, actor: Actor, pk: int | None = None) -> HttpResponse:
    """A new call at the counter or on the phone (``pk`` None), or the visit time of a portal request."""
    require_registrar(actor)
    now = _now()
    waiting = B.booking_for(actor, pk) if pk is not None else None
    free = B.free_slots(office=waiting.office if waiting else None, kind=Slot.Kind.HOME_VISIT, now=now, limit=60)
    free = [s for s in free if s.doctor.office_id == actor.office_id]
    form = CounterForm(request.POST or None, home_call=True,
                       initial={"language": current_language() if current_language() in ("kk", "ru") else "kk"})
    error = ""
    if request.method == "POST":
        slot_id = request.POST.get("slot", "")
        try:
            if waiting is not None:
                done = home_calls.assign_visit(actor, waiting.pk, slot_id, now)
            elif form.is_valid():
                done = home_calls.register_call(actor, patient_of(form.cleaned_data), form.cleaned_data["channel"],
                                                slot_id, now)
            else:
                done = None
        except Invalid as exc:
            if exc.field == "slot" or waiting is not None:
                error = exc.message
            else:
                apply_error(form, exc.field, exc.message)
            done = None
        except B.Conflict as exc:
            error, done = str(exc), None
        if done is not None:
            messages.success(request, _("%(number)s: say to the patient — %(answer)s")
                             % {"number": done.case.number, "answer": B.answer_text(done, current_language())})
            return redirect(reverse("health:registry") + f"?day={to_local(done.slot.starts_at).date().isoformat()}"
                            f"&doctor={done.doctor_id}")
    failed = bool(error or (request.method == "POST" and waiting is None and form.errors))
    return render(request, "health/home_call.html", {
        "form": form, "waiting": waiting, "free": free, "error": error, "chosen": request.POST.get("slot", "")},
        status=400 if failed else 200)


@staff_view
def doctor_day(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The doctor's list for a day: the registrar's, or the doctor's own (a doctor linked to this account)."""
    doctor = Doctor.objects.select_related("office", "staff").filter(pk=pk, office_id=actor.office_id).first()
    if doctor is None:
        raise NotFound(_("No such doctor in your office."))
    if not (doctor.staff and doctor.staff.user_id == actor.user_id):
        require_registrar(actor)
    day = _day(request.GET.get("day"), _now().date())
    rows = (Booking.objects.filter(doctor=doctor, status__in=B.ACTIVE, slot__in=B.slots_of_day(doctor, day))
            .select_related("slot", "case").order_by("slot__starts_at"))
    return render(request, "health/doctor_day.html", {"doctor": doctor, "day": day, "rows": rows})


@require_http_methods(["GET", "POST"])
@staff_view
def doctors(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The schedule page: the office's doctors, and a form to add one."""
    require_registrar(actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            doctor = schedule.add_doctor(actor, full_name=request.POST.get("full_name", ""),
                                         speciality_kk=request.POST.get("speciality_kk", ""),
                                         speciality_ru=request.POST.get("speciality_ru", ""),
                                         room=request.POST.get("room", ""))
        except Invalid as exc:
            errors[exc.field] = exc.message
        else:
            messages.success(request, _("The doctor is added: now give the weekly template."))
            return redirect("health:template", pk=doctor.pk)
    rows = Doctor.objects.filter(office_id=actor.office_id).select_related("template")
    return render(request, "health/doctors.html", {"doctors": rows, "errors": errors, "form": request.POST},
                  status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@staff_view
def template(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The doctor's weekly template, and the generation of slots for a range of days."""
    require_registrar(actor)
    doctor = schedule.doctor_for(actor, pk)
    now = _now()
    errors: dict[str, str] = {}
    generated = None
    current = getattr(doctor, "template", None)
    if request.method == "POST":
        try:
            if request.POST.get("what") == "generate":
                first = _day(request.POST.get("first"), dt.date.min)
                last = _day(request.POST.get("last"), dt.date.min)
                if first == dt.date.min:
                    raise Invalid("first", _("Enter the first day as YYYY-MM-DD."))
                if last == dt.date.min:
                    raise Invalid("last", _("Enter the last day as YYYY-MM-DD."))
                generated = schedule.generate(actor, doctor, first, last, now)
            else:
                current = schedule.save_template(
                    actor, doctor,
                    reception={wd: request.POST.get(f"reception.{wd}", "") for wd in WEEKDAYS},
                    home_visits={wd: request.POST.get(f"home_visits.{wd}", "") for wd in WEEKDAYS},
                    slot_minutes=request.POST.get("slot_minutes", ""),
                    home_visit_minutes=request.POST.get("home_visit_minutes", ""))
                messages.success(request, _("The weekly template is saved. Generate the slots for the days ahead."))
                return redirect("health:template", pk=doctor.pk)
        except Invalid as exc:
            errors[exc.field] = exc.message
    days = [{"code": wd, "name": _weekday_name(i),
             "reception": request.POST.get(f"reception.{wd}") if errors else ", ".join(
                 (current.reception if current else {}).get(wd, [])),
             "home": request.POST.get(f"home_visits.{wd}") if errors else ", ".join(
                 (current.home_visits if current else {}).get(wd, []))}
            for i, wd in enumerate(WEEKDAYS)]
    return render(request, "health/template.html", {
        "doctor": doctor, "template": current, "days": days, "errors": errors, "generated": generated,
        "closed_days": [(day, closed_reason(why)) for day, why in generated.closed_days] if generated else [],
        "form": request.POST, "first": now.date(), "last": now.date() + dt.timedelta(days=13),
        "schedule": doctor.office.schedule}, status=400 if errors else 200)


def _weekday_name(i: int) -> str:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")][i]
