"""The citizen's pages under /health/: book a doctor online (organisation → doctor → free time), see and
cancel one's own booking, call a doctor home online.  The portal route of each act: the request is sent at
once, the registrar answers within 30 minutes (annex 1 and annex 2, cl. 8.1) in "My appointment".

A booking is shown only to a browser that made it or looked it up with its number and IIN (POST, throttled
like "Check my application"), as the citizen's documents are.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from qyzmet.cases.access import Conflict, NotFound
from qyzmet.cases.models import Task
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import to_local
from qyzmet.directory.models import Office, ServicePoint
from qyzmet.health import booking as B
from qyzmet.health import home_calls
from qyzmet.health.attachment_views import ATTACHED_OFFICE
from qyzmet.health.forms import PatientForm, apply_error, patient_of
from qyzmet.health.models import Booking, Doctor, Slot
from qyzmet.health.schedule import APPOINTMENT, HOME_CALL
from qyzmet.web import throttle
from qyzmet.web.forms import ApplicationLookupForm
from qyzmet.web.text import current_language

SESSION_KEY = "health_bookings"
DAYS_SHOWN = 14


def _now() -> dt.datetime:
    return to_local(timezone.now())


def _language() -> str:
    lang = current_language()
    return lang if lang in ("kk", "ru") else "kk"


def remember(request: HttpRequest, booking: Booking) -> None:
    ids = [pk for pk in request.session.get(SESSION_KEY, []) if pk != booking.pk][-19:]
    request.session[SESSION_KEY] = [*ids, booking.pk]


def _remembered(request: HttpRequest, pk: int) -> Booking:
    if pk not in request.session.get(SESSION_KEY, []):
        raise Http404("look the booking up with its number and IIN first")
    return Booking.objects.select_related("slot", "doctor__office", "case", "office").get(pk=pk)


def _offices(reg_id: str):
    """The organisations that take the service on the portal (a portal service point), with active doctors."""
    ids = ServicePoint.objects.filter(reg_id=reg_id, route="portal").values_list("provider_id", flat=True)
    return Office.objects.filter(pk__in=ids, doctors__active=True).distinct().order_by("code")


def start(request: HttpRequest) -> HttpResponse:
    # The polyclinic this browser's "My attachment" showed the person attached to comes first.
    attached = request.session.get(ATTACHED_OFFICE, "")
    offices = sorted(_offices(APPOINTMENT), key=lambda o: o.code != attached)
    return render(request, "health/public_start.html", {"offices": offices, "home_offices": _offices(HOME_CALL),
                                                        "attached": attached})


def office_doctors(request: HttpRequest, code: str) -> HttpResponse:
    office = _offices(APPOINTMENT).filter(code=code).first()
    if office is None:
        raise Http404("no such organisation takes appointments online")
    doctors = Doctor.objects.filter(office=office, active=True)
    return render(request, "health/public_doctors.html", {"office": office, "doctors": doctors})


def doctor_slots(request: HttpRequest, pk: int) -> HttpResponse:
    doctor = Doctor.objects.select_related("office").filter(pk=pk, active=True).first()
    if doctor is None or not _offices(APPOINTMENT).filter(pk=doctor.office_id).exists():
        raise Http404("no such doctor")
    now = _now()
    slots = [s for s in B.free_slots(doctor=doctor, now=now, limit=500)
             if to_local(s.starts_at).date() < now.date() + dt.timedelta(days=DAYS_SHOWN)]
    days = [(day, list(group)) for day, group in groupby(slots, key=lambda s: to_local(s.starts_at).date())]
    return render(request, "health/public_slots.html", {"doctor": doctor, "days": days})


@never_cache
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    slot = Slot.objects.select_related("doctor__office").filter(pk=pk, kind=Slot.Kind.RECEPTION).first()
    if slot is None:
        raise Http404("no such time")
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = B.book_online(slot.pk, patient_of(form.cleaned_data, _language()), _now())
        except Invalid as exc:
            apply_error(form, exc.field, exc.message)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            remember(request, booking)
            return redirect("health:mine", pk=booking.pk)
    return render(request, "health/public_book.html", {"form": form, "slot": slot},
                  status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def home_call(request: HttpRequest, code: str) -> HttpResponse:
    office = _offices(HOME_CALL).filter(code=code).first()
    if office is None:
        raise Http404("no such organisation takes home calls online")
    form = PatientForm(request.POST or None, home_call=True)
    if request.method == "POST" and form.is_valid():
        try:
            booking = home_calls.request_online(office, patient_of(form.cleaned_data, _language()), _now())
        except Invalid as exc:
            apply_error(form, exc.field, exc.message)
        else:
            remember(request, booking)
            return redirect("health:mine", pk=booking.pk)
    return render(request, "health/public_home_call.html", {"form": form, "office": office},
                  status=400 if form.errors else 200)


def _due(booking: Booking) -> Task | None:
    return Task.objects.filter(case_id=booking.case_id, closed_at__isnull=True).first()


@never_cache
def mine(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _remembered(request, pk)
    lang = current_language()
    return render(request, "health/public_mine.html", {
        "b": booking, "answer": B.answer_text(booking, lang) if booking.answered_at or booking.slot else "",
        "status": B.status_label(booking.status), "task": _due(booking), "now": _now(),
        "cancellable": booking.status in (Booking.Status.BOOKED, Booking.Status.REQUESTED)
        and (booking.slot is None or booking.slot.starts_at > _now())})


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Find one's booking by the application number and the IIN (POST; failures throttled)."""
    form = ApplicationLookupForm(request.POST if request.method == "POST" else None)
    not_found, blocked, status = False, None, 200
    if form.is_valid():
        got = throttle.guarded_lookup(request, form.cleaned_data["number"],
                                      lambda: B.own_booking(form.cleaned_data["number"], form.cleaned_data["iin"]))
        if got.found is not None:
            remember(request, got.found)
            return redirect("health:mine", pk=got.found.pk)
        not_found, blocked = got.not_found, got.blocked_minutes
        status = 429 if blocked else 200
    return render(request, "health/public_lookup.html", {"form": form, "not_found": not_found, "blocked": blocked},
                  status=status if not form.errors else 400)


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _remembered(request, pk)
    try:
        B.cancel_own(booking.case.number, booking.iin, _now())
    except (Conflict, NotFound) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your booking is cancelled."))
    return redirect("health:mine", pk=pk)
