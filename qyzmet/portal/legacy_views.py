"""Pages for recipients served outside the Portal (annex 1 cl. 35, 36): the department records them from the
queue page; the recipient confirms the services received in the cabinet."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qyzmet.cases.access import Actor
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.portal import legacy, views, workflow
from qyzmet.portal.forms import LegacyForm
from qyzmet.portal.models import QueueEntry, Supplier


def form_for(actor: Actor, data=None) -> LegacyForm:
    """The recipients still without an order in the office's PA / SL queues, and the suppliers to name."""
    entries = workflow.office_queue(actor).filter(
        reg_id__in=legacy.SERVICES, legacy_supplier__isnull=True,
        state__in=[QueueEntry.State.AWAITING_CHOICE, QueueEntry.State.REMINDED, QueueEntry.State.BLOCKED])
    choices = [(e.pk, f"{e.recipient_name or e.recipient_iin} — {e.case.number}") for e in entries[:500]]
    suppliers = Supplier.objects.filter(offers__reg_id__in=legacy.SERVICES).distinct().order_by("name_ru")
    label = (lambda s: s.name_kk) if views.current_language() == "kk" else (lambda s: s.name_ru)
    return LegacyForm(data, entries=choices, suppliers=[(s.pk, label(s)) for s in suppliers])


@require_POST
@views.portal_staff_view
def staff_mark(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = form_for(actor, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            legacy.mark(actor, d["entry"], d["supplier"], d["since"], timezone.now())
        except (Invalid, Conflict) as exc:
            form.add_error(exc.field if isinstance(exc, Invalid) and exc.field in form.fields else None,
                           views._message(exc))
        else:
            messages.success(request, _("Recorded: the messages to the recipient and the supplier's representative "
                                        "are queued (annex 1, cl. 35)."))
            return redirect("portal:queue")
    return views.queue_page(request, actor, legacy_form=form, status=422)


@require_POST
@views.recipient_view
def cabinet_confirm(request: HttpRequest, iin: str, pk: int) -> HttpResponse:
    entry = workflow.entry_of(iin, pk)
    try:
        legacy.confirm(entry, timezone.now())
    except Conflict as exc:
        return views._entry_page(request, entry, error=str(exc), status=409)
    messages.success(request, _("You confirmed the services received outside the Portal (annex 1, cl. 36)."))
    return redirect("portal:cabinet-entry", pk=entry.pk)
