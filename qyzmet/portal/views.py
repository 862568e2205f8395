"""The Portal's pages: the recipient's cabinet, the supplier's cabinet, the department's queue and register.

The pages call :mod:`qyzmet.portal.workflow` and never decide a rule themselves.  The recipient signs in
as on "Check my application" (application number + IIN, the same throttle); the browser session then
holds the IIN, and every look-up is filtered by it, so another person's entry is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from qyzmet.cases.access import AccessDenied, Actor, NotFound, actor_for
from qyzmet.cases.models import Case
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core.calendar import to_local
from qyzmet.documents.views import remember_citizen_case
from qyzmet.entitlements import workflow as entitlements
from qyzmet.portal import manufacture, workflow
from qyzmet.portal import rules as R
from qyzmet.portal.forms import OrderFormFields, ReviewForm, SupplierCancelForm, SupplierEditForm
from qyzmet.portal.models import BedNotice, Order, QueueEntry, Supplier, SupplierOffer
from qyzmet.web import throttle
from qyzmet.web.forms import ApplicationLookupForm
from qyzmet.web.text import current_language

SESSION_IIN = "portal-recipient-iin"

ENTRY_STATES = {
    "awaiting-choice": gettext_lazy("Waiting for your choice of a supplier"),
    "reminded": gettext_lazy("Reminded to choose a supplier"),
    "blocked": gettext_lazy("Supplier choice blocked"),
    "ordered": gettext_lazy("Order sent to a supplier"),
    "served": gettext_lazy("Provided"),
}
ORDER_STATES = {
    "sent": gettext_lazy("Sent, waiting for the supplier's answer"),
    "accepted": gettext_lazy("Accepted by the supplier"),
    "refused": gettext_lazy("Refused by the supplier"),
    "cancelled-by-recipient": gettext_lazy("Cancelled by the recipient"),
    "cancelled-by-supplier": gettext_lazy("Cancelled by the supplier"),
    "arrived": gettext_lazy("Arrived"),
    "no-show": gettext_lazy("Did not arrive"),
    "refused-after-arrival": gettext_lazy("Service refused after arrival"),
    "completed": gettext_lazy("Completed"),
}


def _now():
    return timezone.now()


def service_name(reg_id: str) -> str:
    from qyzmet.core.loader import shipped_catalog

    reg = shipped_catalog().get(reg_id)
    if reg is None:
        return reg_id
    lang = current_language()
    return getattr(reg.name, lang, None) or reg.name.kk or reg.name.ru or reg_id


def _error_status(exc: Exception) -> int:
    return 422 if isinstance(exc, Invalid) else 409


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, Invalid) else str(exc)


# --- the recipient's cabinet -----------------------------------------------------------------------------


def _recipient(request: HttpRequest) -> str | None:
    return request.session.get(SESSION_IIN)


def _entry_view(entry: QueueEntry, pos: int | None) -> dict:
    return {"entry": entry, "position": pos, "service": service_name(entry.reg_id),
            "state_label": ENTRY_STATES.get(entry.state, entry.state)}


@never_cache
@require_http_methods(["GET", "POST"])
def cabinet(request: HttpRequest) -> HttpResponse:
    """Sign in with an application number and the IIN; then the recipient's queue entries."""
    iin = _recipient(request)
    if iin and request.method == "GET":
        entries = list(workflow.entries_of(iin))
        places = workflow.positions(entries)
        return render(request, "portal/cabinet.html", {
            "entries": [_entry_view(e, places.get(e.pk)) for e in entries],
            "standing": entitlements.standing(iin, to_local(timezone.now()).date())})
    form = ApplicationLookupForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "not_found": False, "blocked": None}
    status = 200
    if form.is_valid():
        number = form.cleaned_data["number"]
        tries = throttle.lookup(request, number)
        limit = throttle.blocked(tries)
        if limit is not None:
            context["blocked"] = limit.window_seconds // 60
            status = 429
        else:
            case = Case.objects.filter(number=number, applicant_iin=form.cleaned_data["iin"]).first()
            if case is None:
                throttle.record_failure(tries)
                context["not_found"] = True
            else:
                request.session.cycle_key()  # a new session id on signing in
                request.session[SESSION_IIN] = case.applicant_iin
                remember_citizen_case(request, case.pk)
                return redirect("portal:cabinet")
    elif request.method == "POST":
        status = 422
    return render(request, "portal/cabinet_sign_in.html", context, status=status)


@require_POST
def cabinet_sign_out(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_IIN, None)
    return redirect("portal:cabinet")


def recipient_view(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        iin = _recipient(request)
        if not iin:
            return redirect("portal:cabinet")
        try:
            return view(request, iin, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from None

    return never_cache(wrapped)


def _suppliers(entry: QueueEntry) -> list[Supplier]:
    """The suppliers the recipient may choose, each labelled with its name in the page's language and price."""
    suppliers = []
    for s in workflow.suppliers_for(entry).prefetch_related("offers"):
        offer = next(o for o in s.offers.all() if o.reg_id == entry.reg_id)
        s.label = f"{s.name_kk if current_language() == 'kk' else s.name_ru} — {offer.unit_price} ₸ / {offer.unit}"
        s.offer = offer
        suppliers.append(s)
    return suppliers


def _entry_page(request: HttpRequest, entry: QueueEntry, *, form: OrderFormFields | None = None,
                error: str = "", status: int = 200) -> HttpResponse:
    rules = workflow.portal_rules(entry.reg_id)
    suppliers = _suppliers(entry)
    orders = list(entry.orders.select_related("supplier", "bed_notice").order_by("-sent_at"))
    for o in orders:
        o.state_label = ORDER_STATES.get(o.state, o.state)
        o.notice = getattr(o, "bed_notice", None)  # the reverse one-to-one raises AttributeError when absent
    return render(request, "portal/entry.html", {
        **_entry_view(entry, entry.position()), "rules": rules, "suppliers": suppliers,
        "contract": getattr(entry, "contract", None) if hasattr(entry, "contract") else None,
        "form": form or OrderFormFields(suppliers=suppliers), "orders": orders, "error": error,
        "can_order": entry.state in ("awaiting-choice", "reminded"),
        "legacy_supplier": entry.legacy_supplier, "norm": entitlements.order_norm(entry, to_local(_now()).date()),
    }, status=status)


@recipient_view
def cabinet_entry(request: HttpRequest, iin: str, pk: int) -> HttpResponse:
    return _entry_page(request, workflow.entry_of(iin, pk))


@require_POST
@recipient_view
def cabinet_contract(request: HttpRequest, iin: str, pk: int) -> HttpResponse:
    entry = workflow.entry_of(iin, pk)
    try:
        workflow.accept_contract(entry, _now())
    except (Invalid, Conflict) as exc:
        return _entry_page(request, entry, error=_message(exc), status=_error_status(exc))
    messages.success(request, _("The public contract is signed."))
    return redirect("portal:cabinet-entry", pk=entry.pk)


@require_POST
@recipient_view
def cabinet_order(request: HttpRequest, iin: str, pk: int) -> HttpResponse:
    entry = workflow.entry_of(iin, pk)
    form = OrderFormFields(request.POST, suppliers=_suppliers(entry))
    if not form.is_valid():
        return _entry_page(request, entry, form=form, status=422)
    data = form.cleaned_data
    try:
        workflow.form_order(entry, workflow.OrderForm(
            supplier_id=data["supplier"], sl_format=data["sl_format"], receipt_method=data["receipt_method"],
            arrival_date=data["arrival_date"], departure_date=data["departure_date"], quantity=data["quantity"]),
            _now())
    except Invalid as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return _entry_page(request, entry, form=form, status=422)
        return _entry_page(request, entry, form=form, error=exc.message, status=422)
    except Conflict as exc:
        return _entry_page(request, entry, form=form, error=str(exc), status=409)
    messages.success(request, _("The order is signed and sent to the supplier."))
    return redirect("portal:cabinet-entry", pk=entry.pk)


@require_POST
@recipient_view
def cabinet_reactivate(request: HttpRequest, iin: str, pk: int) -> HttpResponse:
    entry = workflow.entry_of(iin, pk)
    try:
        workflow.reactivate(entry, _now())
    except Conflict as exc:
        return _entry_page(request, entry, error=str(exc), status=409)
    messages.success(request, _("Supplier selection is active again; your place in the queue is kept."))
    return redirect("portal:cabinet-entry", pk=entry.pk)


@require_POST
@recipient_view
def cabinet_cancel(request: HttpRequest, iin: str, pk: int) -> HttpResponse:
    order = workflow.recipient_order(iin, pk)
    try:
        workflow.cancel_by_recipient(order, _now(), request.POST.get("note", "")[:500])
    except (Invalid, Conflict) as exc:
        return _entry_page(request, order.entry, error=_message(exc), status=_error_status(exc))
    messages.success(request, _("The order is cancelled; you may choose another supplier."))
    return redirect("portal:cabinet-entry", pk=order.entry_id)


# --- the supplier's cabinet ------------------------------------------------------------------------------


def supplier_view(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            su = workflow.supplier_of(request.user)
            return view(request, su, *args, **kwargs)
        except AccessDenied as exc:
            return render(request, "portal/denied.html", {"message": str(exc)}, status=403)
        except NotFound as exc:
            raise Http404(str(exc)) from None

    return never_cache(wrapped)


def _order_row(order: Order, now) -> Order:
    order.state_label = ORDER_STATES.get(order.state, order.state)
    order.service = service_name(order.reg_id)
    order.is_overdue = order.overdue(now)
    return order


@supplier_view
def supplier_home(request: HttpRequest, su) -> HttpResponse:
    now = _now()
    orders = [_order_row(o, now) for o in workflow.supplier_orders(su)[:200]]
    return render(request, "portal/supplier_home.html", {"su": su, "orders": orders,
                                                          "overdue": sum(o.is_overdue for o in orders)})


def _supplier_order_page(request: HttpRequest, su, order: Order, *, review: ReviewForm | None = None,
                         cancel: SupplierCancelForm | None = None, error: str = "", status: int = 200):
    order = _order_row(order, _now())
    return render(request, "portal/supplier_order.html", {
        "su": su, "order": order, "entry": order.entry, "review": review or ReviewForm(),
        "cancel": cancel or SupplierCancelForm(), "error": error,
        "stay": workflow.portal_rules(order.reg_id).stay, "manufacture": order.reg_id == manufacture.PROSTHETIC,
        "made_late": manufacture.late(order), "made_as": manufacture.item_kind(order),
        "bed_notice": BedNotice.objects.filter(order=order).first(),
        "stay_act": order.acts.first() if order.reg_id == R.SANATORIUM else None}, status=status)


@supplier_view
def supplier_order(request: HttpRequest, su, pk: int) -> HttpResponse:
    return _supplier_order_page(request, su, workflow.supplier_order(su, pk))


@require_POST
@supplier_view
def supplier_review(request: HttpRequest, su, pk: int) -> HttpResponse:
    order = workflow.supplier_order(su, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _supplier_order_page(request, su, order, review=form, status=422)
    try:
        workflow.supplier_review(su, pk, form.cleaned_data["decision"] == "accept", form.cleaned_data["reasons"],
                                 _now(), details=form.bed_notice() if order.reg_id == R.SANATORIUM else None)
    except Invalid as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _supplier_order_page(request, su, order, review=form, status=422)
    except Conflict as exc:
        return _supplier_order_page(request, su, order, review=form, error=str(exc), status=409)
    messages.success(request, _("Your answer is signed and sent to the recipient's cabinet."))
    return redirect("portal:supplier-order", pk=pk)


@require_POST
@supplier_view
def supplier_cancel(request: HttpRequest, su, pk: int) -> HttpResponse:
    order = workflow.supplier_order(su, pk)
    form = SupplierCancelForm(request.POST)
    if not form.is_valid():
        return _supplier_order_page(request, su, order, cancel=form, status=422)
    try:
        workflow.cancel_by_supplier(su, pk, form.cleaned_data["reason"], form.cleaned_data["note"], _now())
    except (Invalid, Conflict) as exc:
        return _supplier_order_page(request, su, order, cancel=form, error=_message(exc),
                                    status=_error_status(exc))
    messages.success(request, _("The order is cancelled."))
    return redirect("portal:supplier-order", pk=pk)


@require_POST
@supplier_view
def supplier_record(request: HttpRequest, su, pk: int) -> HttpResponse:
    order = workflow.supplier_order(su, pk)
    try:
        workflow.record_stay(su, pk, request.POST.get("what", ""), _now())
    except (Invalid, Conflict) as exc:
        return _supplier_order_page(request, su, order, error=_message(exc), status=_error_status(exc))
    messages.success(request, _("Recorded."))
    return redirect("portal:supplier-order", pk=pk)


@require_POST
@supplier_view
def supplier_manufacture(request: HttpRequest, su, pk: int) -> HttpResponse:
    """Prosthetic-orthopaedic means: passed to production (complex or small), waiting for fitting, fitted."""
    order = workflow.supplier_order(su, pk)
    try:
        manufacture.record(su, pk, request.POST.get("what", ""), _now())
    except (Invalid, Conflict) as exc:
        return _supplier_order_page(request, su, order, error=_message(exc), status=_error_status(exc))
    messages.success(request, _("Recorded."))
    return redirect("portal:supplier-order", pk=pk)


# --- department staff: the queue and the register -------------------------------------------------------


def staff_page(require: Callable[[Actor | None], Actor]) -> Callable[[Callable], Callable]:
    """A department page: signed in, ``require`` admits the actor (else 403 with its reason), and the view
    gets the actor; a NotFound is a 404."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                actor = require(actor_for(request.user))
                request.actor = actor  # type: ignore[attr-defined]
                return view(request, actor, *args, **kwargs)
            except AccessDenied as exc:
                return render(request, "portal/denied.html", {"message": str(exc)}, status=403)
            except NotFound as exc:
                raise Http404(str(exc)) from None

        return wrapped

    return decorate


portal_staff_view = staff_page(workflow.require_staff)


@portal_staff_view
def staff_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    return queue_page(request, actor)


def queue_page(request: HttpRequest, actor: Actor, *, legacy_form=None, status: int = 200) -> HttpResponse:
    from qyzmet.portal import legacy_views  # it builds on this module's decorators

    service = request.GET.get("service", "")
    if service and service not in R.RULES:
        service = ""
    entries = list(workflow.office_queue(actor, service).prefetch_related("orders")[:500])
    places = workflow.positions(entries)
    queues: dict[str, list[dict]] = {}
    for e in entries:
        queues.setdefault(e.reg_id, []).append(_entry_view(e, places.get(e.pk)))
    return render(request, "portal/staff_queue.html", {
        "queues": [(reg_id, service_name(reg_id), rows) for reg_id, rows in queues.items()],
        "services": [(reg_id, service_name(reg_id)) for reg_id in R.RULES], "service": service,
        "legacy_form": legacy_form or legacy_views.form_for(actor)}, status=status)


@portal_staff_view
def staff_suppliers(request: HttpRequest, actor: Actor) -> HttpResponse:
    suppliers = Supplier.objects.prefetch_related("offers", "offices").order_by("name_ru")
    rows = []
    for s in suppliers:
        s.serves_here = any(o.pk == actor.office_id for o in s.offices.all())
        s.offer_rows = [(service_name(o.reg_id), o) for o in s.offers.all()]
        rows.append(s)
    return render(request, "portal/staff_suppliers.html", {"suppliers": rows})


def _supplier_initial(s: Supplier) -> dict:
    initial = {"name_kk": s.name_kk, "name_ru": s.name_ru, "bin": s.bin, "region": s.region, "phone": s.phone,
               "address": s.address, "in_register": s.in_register, "exclusion_reason": s.exclusion_reason}
    offers = {o.reg_id: o for o in s.offers.all()}
    for n, reg_id in enumerate(R.RULES):
        if reg_id in offers:
            initial[f"price_{n}"] = offers[reg_id].unit_price
            initial[f"capacity_{n}"] = offers[reg_id].capacity
            if offers[reg_id].profile:
                initial["profile"] = offers[reg_id].profile
    return initial


@portal_staff_view
def staff_supplier_edit(request: HttpRequest, actor: Actor, pk: int | None = None) -> HttpResponse:
    existing = Supplier.objects.filter(pk=pk).first() if pk else None
    if pk and existing is None:
        raise Http404(_("No such supplier."))
    if request.method != "POST":
        form = SupplierEditForm(initial=_supplier_initial(existing) if existing else None)
        return render(request, "portal/staff_supplier_form.html", {"form": form, "supplier": existing})
    form = SupplierEditForm(request.POST)
    status = 422
    if form.is_valid():
        d = form.cleaned_data
        offers = []
        for n, reg_id in enumerate(R.RULES):
            if d.get(f"price_{n}") is not None:
                unit = "bed-day" if reg_id == R.SANATORIUM else "hour" if "assistant" in reg_id or \
                    "sign" in reg_id else "item"
                offers.append((reg_id, d[f"price_{n}"], unit, d.get(f"capacity_{n}"),
                               d["profile"] if reg_id == R.SANATORIUM else ""))
        try:
            saved = workflow.save_supplier(actor, workflow.SupplierForm(
                name_kk=d["name_kk"], name_ru=d["name_ru"], bin=d["bin"], region=d["region"], phone=d["phone"],
                address=d["address"], in_register=d["in_register"], exclusion_reason=d["exclusion_reason"],
                offers=tuple(offers)), _now(), pk=pk)
        except Invalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if existing is not None:
                # Offers left without a price are withdrawn.
                SupplierOffer.objects.filter(supplier=saved).exclude(reg_id__in=[o[0] for o in offers]).delete()
            messages.success(request, _("The supplier is saved."))
            return redirect("portal:suppliers")
    return render(request, "portal/staff_supplier_form.html", {"form": form, "supplier": existing}, status=status)
