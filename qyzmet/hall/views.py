"""The hall's pages: the staff view (who waits against the norm, the windows, the day's summary), the
kiosk that issues talons, and the "now calling" board.

The kiosk and the board run on the hall's own screens, signed in with an account of the office's hall
staff: they show and issue only that office's talons.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qyzmet.cases.access import Actor
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core.calendar import local_instant, to_local
from qyzmet.directory.models import Office
from qyzmet.hall import norms, report, workflow
from qyzmet.hall.models import Visit
from qyzmet.web.staff import staff_view

SESSION_WINDOW = "hall_window"


def _now() -> dt.datetime:
    return to_local(timezone.now())


def _day(raw: str, now: dt.datetime) -> dt.date:
    if not raw.strip():
        return now.date()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid("date", _("Enter the date as YYYY-MM-DD.")) from None


def _windows(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= workflow.MAX_WINDOW:
        raise Invalid("windows", _("Enter the number of windows open, from 1 to %(max)s.")
                      % {"max": workflow.MAX_WINDOW})
    return int(raw)


def _my_window(request: HttpRequest) -> int | None:
    value = request.session.get(SESSION_WINDOW)
    return value if isinstance(value, int) else None


@staff_view
def hall(request: HttpRequest, actor: Actor) -> HttpResponse:
    workflow.require_hall(actor)
    now = _now()
    errors: dict[str, str] = {}
    try:
        day = _day(request.GET.get("date", ""), now)
    except Invalid as exc:
        errors[exc.field], day = exc.message, now.date()
    try:
        windows = _windows(request.GET.get("windows", ""))
    except Invalid as exc:
        errors[exc.field], windows = exc.message, None
    office = Office.objects.get(pk=actor.office_id)
    live = day == now.date()
    context = {
        "office": office, "now": now, "day": day, "live": live, "errors": errors,
        "summary": report.day_summary(office, day, now, windows),
        "state": report.hall_state(office.pk, day, now) if live else None,
        "window": _my_window(request), "windows_param": request.GET.get("windows", ""),
    }
    if request.htmx and request.htmx.target == "hall-live":
        return render(request, "hall/_live.html", context)
    window = context["window"]
    mine = []
    if live and window is not None:
        mine = list(Visit.objects.filter(office_id=office.pk, window=window, state__in=workflow.OPEN)
                    .order_by("last_called_at"))
    context.update(mine=[report.waiting_row(v, now) if v.state == Visit.State.CALLED else report.service_row(v, now)
                         for v in mine],
                   offers=norms.offers(office.pk), priority_basis=workflow.priority_basis(office.pk),
                   form=request.session.pop("hall_form", {}), form_errors=request.session.pop("hall_errors", {}))
    return render(request, "hall/hall.html", context, status=422 if errors else 200)


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("hall:hall")


@require_POST
@staff_view
def call_next(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        visit = workflow.call_next(actor, window=request.POST.get("window", ""), now=timezone.now())
    except (Invalid, Conflict) as exc:
        messages.error(request, exc.message if isinstance(exc, Invalid) else str(exc))
        return _back(request)
    request.session[SESSION_WINDOW] = visit.window if visit else int(request.POST["window"])
    if visit is None:
        messages.info(request, _("Nobody is waiting."))
    else:
        messages.success(request, _("Talon %(number)s is called to window %(window)s.")
                         % {"number": visit.number, "window": visit.window})
    return _back(request)


@require_POST
@staff_view
def visit_action(request: HttpRequest, actor: Actor, pk: int, action: str) -> HttpResponse:
    now = timezone.now()
    try:
        if action == "start":
            visit = workflow.start(actor, pk, now)
            messages.success(request, _("The service of talon %(number)s has started.") % {"number": visit.number})
        elif action == "recall":
            visit = workflow.recall(actor, pk, now)
            messages.success(request, _("Talon %(number)s is called again.") % {"number": visit.number})
        else:
            visit = workflow.finish(actor, pk, outcome=request.POST.get("outcome", ""), now=now,
                                    case_number=request.POST.get("case", ""), note=request.POST.get("note", ""))
            messages.success(request, _("Talon %(number)s is finished.") % {"number": visit.number})
    except Invalid as exc:
        request.session["hall_errors"] = {exc.field: exc.message}
        request.session["hall_form"] = {"visit": pk, "case": request.POST.get("case", ""),
                                        "note": request.POST.get("note", ""),
                                        "outcome": request.POST.get("outcome", "")}
    except Conflict as exc:
        messages.error(request, str(exc))
    return _back(request)


def _booked_for(raw: str, now: dt.datetime) -> dt.datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        at = dt.time.fromisoformat(raw)
    except ValueError:
        raise Invalid("booked_for", _("Enter the booked time as HH:MM.")) from None
    return local_instant(now.date(), at.hour * 3600 + at.minute * 60)


@require_POST
@staff_view
def issue(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A talon issued by the staff: a booked one, or one served out of turn where that is allowed."""
    now = _now()
    try:
        visit = workflow.issue(actor, reg_id=request.POST.get("service", ""), now=now,
                               booked_for=_booked_for(request.POST.get("booked_for", ""), now),
                               priority=request.POST.get("priority") == "on",
                               priority_reason=request.POST.get("priority_reason", ""))
    except Invalid as exc:
        request.session["hall_errors"] = {exc.field: exc.message}
        request.session["hall_form"] = {k: request.POST.get(k, "") for k in
                                        ("service", "booked_for", "priority", "priority_reason")}
        return redirect(_url_with_anchor("issue"))
    messages.success(request, _("Talon %(number)s is issued.") % {"number": visit.number})
    return _back(request)


def _url_with_anchor(anchor: str) -> str:
    from django.urls import reverse

    return reverse("hall:hall") + f"#{anchor}"


@require_http_methods(["GET", "POST"])
@staff_view
def kiosk(request: HttpRequest, actor: Actor) -> HttpResponse:
    workflow.require_hall(actor)
    office = Office.objects.get(pk=actor.office_id)
    offers = norms.offers(office.pk)
    if request.method == "POST":
        now = _now()
        try:
            visit = workflow.issue(actor, reg_id=request.POST.get("service", ""), now=now)
        except Invalid as exc:
            return render(request, "hall/kiosk.html", {"office": office, "offers": offers, "error": exc.message},
                          status=422)
        ahead = workflow.waiting(office.pk, visit.day).filter(queued_at__lt=visit.queued_at).count()
        return render(request, "hall/kiosk_talon.html", {
            "office": office, "visit": visit, "ahead": ahead, "name": report.service_name(visit.reg_id)})
    return render(request, "hall/kiosk.html", {"office": office, "offers": offers})


@staff_view
def board(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Now calling: the talons called to a window and not yet at it, the latest call first."""
    workflow.require_hall(actor)
    now = _now()
    office = Office.objects.get(pk=actor.office_id)
    calling = (Visit.objects.filter(office_id=office.pk, day=now.date(), state=Visit.State.CALLED)
               .order_by("-last_called_at", "-id")[:12])
    serving = (Visit.objects.filter(office_id=office.pk, day=now.date(), state=Visit.State.SERVING)
               .order_by("window")[:30])
    waiting = workflow.waiting(office.pk, now.date()).count()
    context = {"office": office, "calling": calling, "serving": serving, "waiting": waiting, "now": now}
    if request.htmx and request.htmx.target == "board-live":
        return render(request, "hall/_board.html", context)
    return render(request, "hall/board.html", context)
