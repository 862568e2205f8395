"""The department's page of one recipient's entitlements: what they may receive now or from when, the
ledger of what they received, the decisions that move a date, and the forms that add to them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qyzmet.cases.access import Actor, case_for
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import to_local
from qyzmet.entitlements import workflow
from qyzmet.entitlements.models import BodyDecision, Receipt
from qyzmet.portal.workflow import require_staff
from qyzmet.web.staff import staff_view


def _date(value: str, field_name: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(field_name, _("Enter the date as YYYY-MM-DD.")) from None


def _split(value: str) -> tuple[str, str]:
    reg_id, _sep, item = value.partition("|")
    return reg_id, item


def _choices() -> list[dict]:
    return [{"reg": reg, "items": reg.entitlements.items, "rules": reg.entitlements.rules}
            for reg in workflow.regulations_with_norms()]


@require_http_methods(["GET", "POST"])
@staff_view
def recipient(request: HttpRequest, actor: Actor) -> HttpResponse:
    iin = (request.POST.get("iin") or request.GET.get("iin") or "").strip()
    now = timezone.now()
    today = to_local(now).date()
    errors: dict[str, str] = {}
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            require_staff(actor)
            reg_id, item = _split(request.POST.get("item", ""))
            if request.POST.get("what") == "decision":
                workflow.record_decision(
                    actor, iin=iin, reg_id=reg_id, item=item, kind=request.POST.get("kind", ""),
                    decided_on=_date(request.POST.get("decided_on", ""), "decided_on") or today,
                    until=_date(request.POST.get("until", ""), "until"), reason=request.POST.get("reason", ""),
                    now=now)
                messages.success(request, _("The decision is recorded."))
            else:
                quantity = workflow.form_quantity(request.POST.get("quantity", ""))
                received = _date(request.POST.get("received_on", ""), "received_on")
                if received is None:
                    raise Invalid("received_on", _("Enter the date the item was received."))
                workflow.record_receipt(actor, iin=iin, reg_id=reg_id, item=item, received_on=received,
                                        quantity=quantity, note=request.POST.get("note", ""), now=now)
                messages.success(request, _("The receipt is recorded in the ledger."))
        except Invalid as exc:
            prefix = "d-" if request.POST.get("what") == "decision" else ""
            errors[prefix + exc.field] = exc.message
        else:
            return redirect(reverse("entitlements:recipient") + f"?iin={iin}")
    d_errors = {k.removeprefix("d-"): v for k, v in errors.items() if k.startswith("d-")}
    context: dict = {"iin": iin, "errors": errors, "d_errors": d_errors, "form": form, "choices": _choices(),
                     "today": today}
    if iin:
        try:
            workflow.check_iin(iin, today)
        except Invalid as exc:
            context["iin_error"] = exc.message
        else:
            context.update(
                standing=workflow.standing(iin, today),
                receipts=Receipt.objects.filter(recipient_iin=iin).select_related("entered_by", "order"),
                decisions=BodyDecision.objects.filter(recipient_iin=iin))
    return render(request, "entitlements/recipient.html", context, status=422 if errors else 200)


@require_http_methods(["POST"])
@staff_view
def case_findings(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The specialist records the MSE findings on the case page; the indications flags follow."""
    case = case_for(actor, pk=pk)
    data = {"conditions": request.POST.getlist("conditions"), "working_age": request.POST.get("working_age"),
            "school_age": request.POST.get("school_age"),
            **{name: request.POST.get(name, "") for name in workflow.FINDING_NUMBERS}}
    try:
        workflow.record_findings(actor, case, data)
    except Invalid as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The findings are recorded; the indications are checked against them."))
    return redirect("staff:case", pk=pk)
