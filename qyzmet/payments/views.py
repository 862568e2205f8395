"""The pages of the journal, the act and the payment, in the Portal's three cabinets.

They call :mod:`qyzmet.payments.workflow` and never decide a rule themselves.  The supplier, recipient and
staff decorators are the Portal's: the same sign-in, the same 404 for what is not one's own.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from qyzmet.cases.access import Actor
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core.calendar import to_local
from qyzmet.documents.views import pdf_bytes_response
from qyzmet.payments import rules as R
from qyzmet.payments import stay, workflow
from qyzmet.payments.forms import ActMonthForm, JournalDayForm, PaymentForm
from qyzmet.payments.models import ServiceAct
from qyzmet.portal.views import (
    _error_status,
    _message,
    portal_staff_view,
    recipient_view,
    service_name,
    supplier_view,
)

ACT_STATES = {
    "draft": gettext_lazy("Draft, not signed"),
    "supplier-signed": gettext_lazy("Signed by the supplier, waiting for the recipient"),
    "signed": gettext_lazy("Signed by both parties"),
    "paid": gettext_lazy("Paid"),
}


def _now():
    return timezone.now()


def _today():
    return to_local(_now()).date()


def _act_row(act: ServiceAct) -> ServiceAct:
    act.state_label = ACT_STATES.get(act.state, act.state)
    act.is_overdue = act.overdue(_today())
    act.service = service_name(act.order.reg_id)
    return act


def act_pdf_response(act: ServiceAct) -> HttpResponse:
    return pdf_bytes_response(act.pdf, f"act-{act.number}.pdf")


# --- the supplier ---------------------------------------------------------------------------------------


def _journal_page(request: HttpRequest, su, order, *, form: JournalDayForm | None = None,
                  month: ActMonthForm | None = None, error: str = "", status: int = 200) -> HttpResponse:
    sl = order.reg_id == R.SL
    entries = list(workflow.journal_of(order))
    return render(request, "payments/journal.html", {
        "su": su, "order": order, "entry": order.entry, "service": service_name(order.reg_id), "sl": sl,
        "entries": entries, "form": form or JournalDayForm(sign_language=sl),
        "month": month or ActMonthForm(), "error": error, "accepted_on": workflow.accepted_on(order),
        "acts": [_act_row(a) for a in order.acts.order_by("-period_start")],
        "year_used": workflow.sl_year_used(order.entry.recipient_iin, _today().year) if sl else None,
        "can_journal": order.state in ("accepted", "completed")}, status=status)


@require_http_methods(["GET", "POST"])
@supplier_view
def supplier_journal(request: HttpRequest, su, pk: int) -> HttpResponse:
    order = workflow.supplier_order(su, pk)
    if request.method != "POST":
        return _journal_page(request, su, order)
    form = JournalDayForm(request.POST, sign_language=order.reg_id == R.SL)
    if not form.is_valid():
        return _journal_page(request, su, order, form=form, status=422)
    d = form.cleaned_data
    try:
        workflow.add_journal_entry(su, pk, workflow.DayForm(
            day=d["day"], hours=d["hours"], started=d["started"], ended=d["ended"], places=d.get("places", ""),
            sl_format=d.get("sl_format", ""), note=d["note"], recipient_pays=d.get("recipient_pays", False)), _now())
    except Invalid as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return _journal_page(request, su, order, form=form, status=422)
        return _journal_page(request, su, order, form=form, error=exc.message, status=422)
    except Conflict as exc:
        return _journal_page(request, su, order, form=form, error=str(exc), status=409)
    messages.success(request, _("The day is in the journal."))
    return redirect("payments:supplier-journal", pk=pk)


@require_POST
@supplier_view
def supplier_form_act(request: HttpRequest, su, pk: int) -> HttpResponse:
    order = workflow.supplier_order(su, pk)
    form = ActMonthForm(request.POST)
    if not form.is_valid():
        return _journal_page(request, su, order, month=form, status=422)
    try:
        act = workflow.form_act(su, pk, form.cleaned_data["month"], _now())
    except Invalid as exc:
        form.add_error("month" if exc.field == "month" else None, exc.message)
        return _journal_page(request, su, order, month=form, status=422)
    except Conflict as exc:
        return _journal_page(request, su, order, month=form, error=str(exc), status=409)
    messages.success(request, _("The act is formed. Check it, then sign it."))
    return redirect("payments:supplier-act", pk=act.pk)


@require_POST
@supplier_view
def supplier_form_stay_act(request: HttpRequest, su, pk: int) -> HttpResponse:
    """A sanatorium forms the act of the stay from the arrival and end it recorded (annex 2 cl. 26-30)."""
    from qyzmet.portal.views import _supplier_order_page

    try:
        act = stay.form_act(su, pk, _now())
    except (Invalid, Conflict) as exc:
        return _supplier_order_page(request, su, workflow.supplier_order(su, pk), error=_message(exc),
                                    status=_error_status(exc))
    messages.success(request, _("The act is formed. Check it, then sign it."))
    return redirect("payments:supplier-act", pk=act.pk)


@supplier_view
def supplier_acts(request: HttpRequest, su) -> HttpResponse:
    acts = [_act_row(a) for a in workflow.supplier_acts(su).order_by("-period_start", "number")[:300]]
    return render(request, "payments/acts.html", {"acts": acts, "role": "supplier"})


def _act_page(request: HttpRequest, act: ServiceAct, role: str, *, error: str = "", status: int = 200,
              payment: PaymentForm | None = None) -> HttpResponse:
    return render(request, "payments/act.html", {
        "act": _act_row(act), "order": act.order, "entry": act.order.entry, "role": role, "error": error,
        "sl": act.order.reg_id == R.SL, "stay": act.unit == stay.UNIT, "payment_form": payment or PaymentForm(),
        "supplier_holds": workflow.signature_holds(act.supplier_signature, bytes(act.pdf))
        if act.supplier_signature_id else None}, status=status)


@supplier_view
def supplier_act(request: HttpRequest, su, pk: int) -> HttpResponse:
    return _act_page(request, workflow.supplier_act(su, pk), "supplier")


@supplier_view
def supplier_act_pdf(request: HttpRequest, su, pk: int) -> HttpResponse:
    return act_pdf_response(workflow.supplier_act(su, pk))


@require_POST
@supplier_view
def supplier_sign(request: HttpRequest, su, pk: int) -> HttpResponse:
    act = workflow.supplier_act(su, pk)
    try:
        workflow.sign_act_by_supplier(su, pk, _now())
    except (Invalid, Conflict) as exc:
        return _act_page(request, act, "supplier", error=_message(exc), status=_error_status(exc))
    messages.success(request, _("The act is signed and sent to the recipient's cabinet."))
    return redirect("payments:supplier-act", pk=pk)


# --- the recipient ------------------------------------------------------------------------------------------


@recipient_view
def cabinet_acts(request: HttpRequest, iin: str) -> HttpResponse:
    acts = [_act_row(a) for a in workflow.recipient_acts(iin).order_by("-period_start", "number")[:300]]
    return render(request, "payments/acts.html", {"acts": acts, "role": "recipient"})


@recipient_view
def cabinet_act(request: HttpRequest, iin: str, pk: int) -> HttpResponse:
    return _act_page(request, workflow.recipient_act(iin, pk), "recipient")


@recipient_view
def cabinet_act_pdf(request: HttpRequest, iin: str, pk: int) -> HttpResponse:
    return act_pdf_response(workflow.recipient_act(iin, pk))


@require_POST
@recipient_view
def cabinet_sign(request: HttpRequest, iin: str, pk: int) -> HttpResponse:
    act = workflow.recipient_act(iin, pk)
    try:
        workflow.sign_act_by_recipient(iin, pk, _now())
    except (Invalid, Conflict) as exc:
        return _act_page(request, act, "recipient", error=_message(exc), status=_error_status(exc))
    messages.success(request, _("You have signed the act."))
    return redirect("payments:cabinet-act", pk=pk)


# --- the department ---------------------------------------------------------------------------------------


@portal_staff_view
def staff_acts(request: HttpRequest, actor: Actor) -> HttpResponse:
    acts = [_act_row(a) for a in workflow.staff_acts(actor).order_by("due_date", "number")[:500]]
    missing = [m for m in workflow.overdue_acts(actor, _today()) if m.act is None]
    for m in missing:
        m.service = service_name(m.order.reg_id)  # type: ignore[attr-defined]
    return render(request, "payments/staff_acts.html", {
        "acts": acts, "missing": missing, "overdue": sum(a.is_overdue for a in acts) + len(missing),
        "payment_form": PaymentForm()})


@portal_staff_view
def staff_act(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _act_page(request, workflow.staff_act(actor, pk), "staff")


@portal_staff_view
def staff_act_pdf(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return act_pdf_response(workflow.staff_act(actor, pk))


@require_POST
@portal_staff_view
def staff_pay(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    act = workflow.staff_act(actor, pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return _act_page(request, act, "staff", payment=form, status=422)
    try:
        workflow.record_payment(actor, pk, _now(), reference=form.cleaned_data["reference"])
    except (Invalid, Conflict) as exc:
        return _act_page(request, act, "staff", payment=form, error=_message(exc), status=_error_status(exc))
    messages.success(request, _("The payment is recorded."))
    return redirect("payments:acts")
