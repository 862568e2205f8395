"""The department's page of one Portal order: what the supplier and the recipient see of it, and for PA / SL
the periods the service is stopped (annex 1 cl. 41)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qyzmet.cases.access import Actor
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.portal import stops, views
from qyzmet.portal.forms import CloseStopForm, StopForm
from qyzmet.portal.models import BedNotice


def _page(request: HttpRequest, actor: Actor, pk: int, *, form: StopForm | None = None,
          close: CloseStopForm | None = None, error: str = "", status: int = 200) -> HttpResponse:
    order = views._order_row(stops.staff_order(actor, pk), timezone.now())
    rows = list(stops.stops_of(order))
    for row in rows:
        row.reason_text = stops.REASON_TEXT.get(row.reason, row.reason)
    return render(request, "portal/staff_order.html", {
        "order": order, "entry": order.entry, "stops": rows, "can_stop": order.reg_id in stops.REASONS,
        "form": form or StopForm(), "close": close or CloseStopForm(), "error": error,
        "acts": list(order.acts.order_by("-period_start")),
        "bed_notice": BedNotice.objects.filter(order=order).first()}, status=status)


@require_http_methods(["GET", "POST"])
@views.portal_staff_view
def staff_order(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _page(request, actor, pk)
    if "stop" in request.POST:
        close = CloseStopForm(request.POST)
        if not close.is_valid():
            return _page(request, actor, pk, close=close, status=422)
        try:
            stops.close(actor, close.cleaned_data["stop"], close.cleaned_data["end"])
        except (Invalid, Conflict) as exc:
            return _page(request, actor, pk, error=views._message(exc), status=views._error_status(exc))
        messages.success(request, _("The stop now has its last day."))
        return redirect("portal:staff-order", pk=pk)
    form = StopForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            stops.record(actor, pk, d["reason"], d["start"], d["end"], d["note"], timezone.now())
        except Invalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except Conflict as exc:
            return _page(request, actor, pk, form=form, error=str(exc), status=409)
        else:
            messages.success(request, _("The service is stopped for the period (annex 1, cl. 41)."))
            return redirect("portal:staff-order", pk=pk)
    return _page(request, actor, pk, form=form, status=422)
