"""The case page's buttons that suspend and resume a term (the rules are in cases.suspension)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qyzmet.cases import suspension, workflow
from qyzmet.cases.access import Actor
from qyzmet.web.staff import staff_view


@require_POST
@staff_view
def suspend(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    try:
        suspension.suspend(actor, pk, request.POST.get("ground", ""), request.POST.get("note", ""), timezone.now())
    except (workflow.Invalid, workflow.Conflict) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("staff:case", pk=pk)
    messages.success(request, _("The term is suspended: nothing is due until you resume it."))
    return redirect("staff:case", pk=pk)


@require_POST
@staff_view
def resume(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    try:
        suspension.resume(actor, pk, request.POST.get("note", ""), timezone.now())
    except workflow.Conflict as exc:
        messages.error(request, str(exc))
        return redirect("staff:case", pk=pk)
    messages.success(request, _("The term runs again; its due dates moved by the time it was suspended."))
    return redirect("staff:case", pk=pk)
