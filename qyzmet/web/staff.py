"""The staff workspace: inbox, cases, intake, receipts, registries.

Every view resolves the signed-in person to an :class:`~qyzmet.cases.access.Actor` and calls the
workflow layer, which enforces the office and role rules; a view never decides permissions itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qyzmet.cases import suspension, workflow
from qyzmet.cases.access import (
    AccessDenied,
    Actor,
    NotFound,
    actor_for,
    case_for,
    my_tasks,
    office_cases,
    task_for,
    urgency,
)
from qyzmet.cases.models import Case, Registry, RegistryItem, Task
from qyzmet.cases.services import regulation_of
from qyzmet.core import engine
from qyzmet.core.calendar import to_local
from qyzmet.core.iin import InvalidIdentifier, parse_iin
from qyzmet.core.timeline import result_choices
from qyzmet.directory.models import person_name
from qyzmet.documents.models import case_documents
from qyzmet.entitlements import workflow as entitlements
from qyzmet.web import timeline_view
from qyzmet.web.checklist_view import case_rows, intake_rows
from qyzmet.web.deadline_reasons import term_reasons
from qyzmet.web.text import current_language, in_language

PAGE_SIZE = 50
# One registry holds what a sector sends in one go; the page offers the most urgent this many.
READY_LIMIT = 200


def staff_view(view: Callable) -> Callable:
    """Signed-in staff only; the workflow's refusals become 403/404 pages, never tracebacks."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        actor = actor_for(request.user)
        if actor is None:
            return _denied(request, _("This account is not a member of any office's staff."))
        request.actor = actor  # type: ignore[attr-defined]
        request.takes_applications = workflow.takes_applications(actor)  # type: ignore[attr-defined]
        try:
            return view(request, actor, *args, **kwargs)
        except AccessDenied as exc:
            return _denied(request, str(exc))
        except workflow.Conflict as exc:  # e.g. a step someone else finished a moment ago
            messages.error(request, str(exc))
            return redirect("staff:inbox")
        except NotFound:
            raise Http404(_("Not found in your office")) from None

    return wrapped


def _denied(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/staff/denied.html", {"message": message}, status=403)


def _now():
    return to_local(timezone.now())


def _page(request: HttpRequest, query):
    return Paginator(query, PAGE_SIZE).get_page(request.GET.get("page"))


def _rows(page, query: QuerySet) -> list:
    """The rows of a page of ids (``access.newest_first``), read by primary key in the page's order."""
    ids = [row["id"] for row in page.object_list]
    found = query.in_bulk(ids)
    return [found[pk] for pk in ids]


# --- inbox and case lists ---------------------------------------------------------------------

@staff_view
def inbox(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = _page(request, my_tasks(actor))
    now = _now()
    rows = []
    for task in page.object_list:
        reg = regulation_of(task.case.regulation)
        step = reg.route(task.case.route).step(task.step)
        rows.append({"task": task, "case": task.case, "reg": reg, "step": step, "role": reg.role(task.role),
                     "urgency": urgency(task.opened_at, task.due, now)})
    # Complaints (qyzmet.complaints): the open complaints this person answers, a panel above the tasks.
    from qyzmet.complaints.workflow import inbox_panel
    request.complaints = inbox_panel(actor, now)  # type: ignore[attr-defined]
    return render(request, "web/staff/inbox.html", {"page": page, "rows": rows, "now": now})


@staff_view
def case_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    status = status if status in Case.Status.values else ""
    page = _page(request, office_cases(actor, q=q, status=status))
    # The list skips the stored YAML and the engine state.
    cases = _rows(page, Case.objects.select_related("regulation").defer("regulation__source", "state"))
    return render(request, "web/staff/case_list.html", {
        "page": page, "cases": cases, "q": q, "status": status, "statuses": Case.Status.values})


@staff_view
def case_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _case_page(request, actor, case_for(actor, pk=pk))


def _case_page(request: HttpRequest, actor: Actor, case: Case, *, errors: dict[str, str] | None = None,
               form: dict | None = None, status: int = 200) -> HttpResponse:
    reg = regulation_of(case.regulation)
    route = reg.route(case.route)
    rows = timeline_view.timeline(case, reg, _now())
    current = next((r for r in rows if r.current), None)
    # The task row already read for the timeline says whose it is; a kept result has nothing to do.
    mine = (current is not None and actor.holds(current.task_role) and current.task_office_id == actor.office_id
            and current.task_purpose != "storage")
    step = current.step if current else None
    state = engine.state_from_dict(case.state)
    issuing_role = route.step(state.step).role if state.step else None
    psc_issuer = case.office_id == actor.office_id and actor.holds(issuing_role)
    storage_ends = engine.storage_ends(reg, state) if state.custody is None else None
    registry_items = list(case.registry_items.select_related("registry").order_by("-registry__dispatched_at"))
    # A receiving step opens when the registry is sent, but its work starts when the line is taken over.
    arriving = next((i.registry for i in registry_items if step and i.state == RegistryItem.State.SENT
                     and i.registry.step + 1 == step.n), None)
    context = {
        "case": case, "reg": reg, "route": route, "rows": rows, "current": current, "mine": mine,
        "custody": state.custody, "storage_ends": storage_ends,
        "can_store": bool(psc_issuer and storage_ends and _now() >= storage_ends),
        "can_request": bool(psc_issuer and state.custody == "provider"),
        "checklist": case_rows(reg, case), "events": timeline_view.events(case),
        "registry_items": registry_items, "arriving": arriving,
        "taken_by_other": bool(current and current.claimed_by_id not in (None, actor.user_id)),
        "dispatch": bool(step and workflow.is_dispatch_step(route, step.n)),
        "refusable": bool(mine and step and step.n == workflow.accepting_step(route).n
                          and case.status == Case.Status.SUBMITTED and reg.acceptance_refusal_grounds),
        "errors": errors or {}, "form": form or {},
        "term": reg.term_for(route.channel), "term_reasons": term_reasons(case, reg, current_language()),
        "documents": case_documents(case),
        "result_choices": result_choices(reg, case.channel),
        "suspension": suspension.panel(reg, state, holds_step=bool(current and actor.holds(current.task_role)
                                                                    and current.task_office_id == actor.office_id)),
    }
    from qyzmet.notify.views import case_sms

    context["sms"] = case_sms(case)
    context["entitlement"] = entitlements.case_panel(case, to_local(_now()).date()) if reg.entitlements else None
    from qyzmet.complaints.workflow import case_panel as complaints_panel  # qyzmet.complaints: the case's complaints

    context["complaints"] = complaints_panel(case, _now())
    return render(request, "web/staff/case_detail.html", context, status=status)


@staff_view
def sms_journal(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The office's SMS journal (the act's annex): number, date and time, phone, text, status."""
    from qyzmet.notify.views import journal

    return journal(request, actor)


# --- doing a step --------------------------------------------------------------------------------

def _task_case(actor: Actor, task_id: int) -> Case:
    return task_for(actor, task_id, to_act=False).case


@require_POST
@staff_view
def task_claim(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    try:
        task = workflow.claim(actor, pk, _now())
    except workflow.Conflict as exc:
        messages.error(request, str(exc))
        return redirect("staff:case", pk=_task_case(actor, pk).pk)
    messages.success(request, _("You took step %(n)s.") % {"n": task.step})
    return redirect("staff:case", pk=task.case_id)


@require_POST
@staff_view
def task_complete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    task = task_for(actor, pk, to_act=False)
    case = task.case
    done = workflow.Completion(
        note=request.POST.get("note", ""), decision=request.POST.get("decision") or None,
        grounds=tuple(request.POST.getlist("grounds")), reason=request.POST.get("reason", ""),
        result=request.POST.get("result", ""))
    try:
        case = workflow.complete(actor, pk, done, _now())
    except workflow.Invalid as exc:
        return _case_page(request, actor, case, errors={exc.field: exc.message}, form=request.POST, status=400)
    except workflow.Conflict as exc:
        messages.error(request, str(exc))
        return redirect("staff:case", pk=case.pk)
    messages.success(request, _("Step done. The case moved on."))
    route = regulation_of(case.regulation).route(case.route)
    if task.step == workflow.accepting_step(route).n and case.channel in ("psc", "provider"):
        return redirect("staff:receipt", pk=case.pk)  # hand the talon / receipt over at once
    return redirect("staff:inbox")


@require_POST
@staff_view
def task_refuse(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    case = _task_case(actor, pk)
    try:
        case = workflow.refuse_acceptance(actor, pk, request.POST.get("ground", ""), request.POST.get("note", ""),
                                          _now())
    except workflow.Invalid as exc:
        return _case_page(request, actor, case, errors={exc.field: exc.message}, form=request.POST, status=400)
    except workflow.Conflict as exc:
        messages.error(request, str(exc))
        return redirect("staff:case", pk=case.pk)
    return redirect("staff:receipt", pk=case.pk)


@require_POST
@staff_view
def result_store(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _custody_action(request, workflow.store_uncollected, actor, pk,
                           _("The result was handed to the provider for storage."))


@require_POST
@staff_view
def result_request(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _custody_action(request, workflow.request_result, actor, pk,
                           _("The provider was asked to send the result back."))


def _custody_action(request: HttpRequest, action, actor: Actor, pk: int, done: str) -> HttpResponse:
    try:
        action(actor, pk, _now())
    except workflow.Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("staff:case", pk=pk)


@staff_view
def receipt(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The talon / PSC receipt, or the receipt refusing acceptance, as the act lists their fields."""
    case = case_for(actor, pk=pk)
    reg = regulation_of(case.regulation)
    route = reg.route(case.route)
    accept = workflow.accepting_step(route)
    decisive = case.events.select_related("actor__staff").filter(
        kind__in=("complete-step", "refuse-acceptance")).order_by("seq")
    receiver = next((e for e in decisive if e.kind == "refuse-acceptance"
                     or e.payload.get("n") == accept.n), None)
    if case.status == Case.Status.SUBMITTED or receiver is None:
        messages.error(request, _("The documents have not been accepted yet; there is no receipt."))
        return redirect("staff:case", pk=case.pk)
    refused = case.status == Case.Status.ACCEPTANCE_REFUSED
    ground = reg.acceptance_refusal_ground(case.grounds[0]) if refused and case.grounds else None
    return render(request, "web/staff/receipt.html", {
        "case": case, "reg": reg, "route": route, "step": accept, "refused": refused, "ground": ground,
        "checklist": case_rows(reg, case), "receiver": receiver,
        "receiver_name": person_name(receiver.actor) if receiver.actor else "",
        "kind": "receipt" if route.channel == "psc" else "talon",
        "term_reasons": term_reasons(case, reg, current_language()),
        "papers": [d for d in case_documents(case) if d.form in RECEIPT_PAPERS],
    })


def _language(chosen: str) -> str:
    """The language of service picked at the counter; anything else falls back to the page's rule."""
    return chosen if chosen in ("kk", "ru") else ""


# The papers handed over the counter when the documents are accepted or refused: one click prints them.
RECEIPT_PAPERS = ("talon", "receipt", "acceptance-refusal-receipt")


# --- intake ---------------------------------------------------------------------------------------

def _matches(offer: workflow.Offer, q: str) -> bool:
    reg = offer.regulation
    hay = " ".join([reg.id, reg.name.kk or "", reg.name.ru or "", reg.name.en or ""]).casefold()
    return all(word in hay for word in q.casefold().split())


@staff_view
def intake_choose(request: HttpRequest, actor: Actor) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    every = workflow.offers(actor)
    offers = [o for o in every if not q or _matches(o, q)]
    template = "web/staff/_offers.html" if getattr(request, "htmx", False) else "web/staff/intake_choose.html"
    return render(request, template, {"offers": offers, "q": q, "office_offers": bool(every)})


def _offer(actor: Actor, reg_id: str) -> workflow.Offer:
    offer = next((o for o in workflow.offers(actor) if o.regulation.id == reg_id), None)
    if offer is None:
        raise NotFound(reg_id)
    return offer


@staff_view
def intake_form(request: HttpRequest, actor: Actor, reg_id: str) -> HttpResponse:
    offer = _offer(actor, reg_id)
    reg = offer.regulation
    form = request.POST if request.method == "POST" else {"category": request.GET.get("category", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        app = workflow.Application(
            regulation=reg.id, iin=request.POST.get("iin", "").strip(), category=request.POST.get("category", ""),
            documents=tuple(request.POST.getlist("documents")), name=request.POST.get("name", ""),
            phone=request.POST.get("phone", ""), language=_language(request.POST.get("language", "")),
            representative_name=request.POST.get("representative_name", ""),
            representative_iin=request.POST.get("representative_iin", ""),
            power_of_attorney=request.POST.get("power_of_attorney", ""))
        if not app.name.strip():
            errors["name"] = _("Enter the applicant's full name.")
        else:
            try:
                case = entitlements.intake(actor, app, _item_request(reg, request.POST), _now())
            except workflow.Invalid as exc:
                errors[_form_field(exc.field)] = exc.message
            else:
                messages.success(request, _("Application %(number)s registered.") % {"number": case.number})
                return redirect("staff:case", pk=case.pk)
    category = reg.category(form.get("category", "")) if form.get("category") else None
    chosen = form.getlist("recipient_categories") if hasattr(form, "getlist") else []
    return render(request, "web/staff/intake_form.html", {
        "offer": offer, "reg": reg, "form": form, "errors": errors, "category": category,
        "chosen_categories": chosen,
        "checklist": _checklist(reg, category, form), "iin_info": _iin_info(form.get("iin", "")),
    }, status=400 if errors else 200)


def _form_field(field: str) -> str:
    return {"applicant.iin": "iin", "applicant.phone": "phone", "representative.iin": "representative_iin",
            "representative.power_of_attorney": "power_of_attorney", "entitlement.item": "item",
            "entitlement.quantity": "quantity", "entitlement.categories": "categories"}.get(field, field)


def _item_request(reg, post) -> entitlements.ItemRequest | None:
    """The IPR measure's item from the intake form (None: the service has no norm tables)."""
    if reg.entitlements is None:
        return None
    return entitlements.ItemRequest(item=post.get("item", ""),
                                    quantity=entitlements.form_quantity(post.get("quantity", ""),
                                                                        "entitlement.quantity"),
                                    categories=tuple(post.getlist("recipient_categories")))


def _checklist(reg, category, form) -> list:
    """The category's checklist for the applicant whose IIN is typed (its birth date decides the documents
    of minors and of pension age), each requirement with the documents that may stand in for it."""
    chosen = set(form.getlist("documents")) if hasattr(form, "getlist") else set()
    return intake_rows(reg, category, chosen, (form.get("iin") or "").strip(), _now().date())


def _iin_info(iin: str) -> dict | None:
    if not iin.strip():
        return None
    today = _now().date()
    try:
        info = parse_iin(iin.strip(), today=today)
    except InvalidIdentifier as exc:
        return {"error": str(exc)}
    years = workflow.age(info.birth_date, today)
    return {"birth_date": info.birth_date, "age": years, "minor": years < 18, "sex": info.sex}


@staff_view
def intake_checklist(request: HttpRequest, actor: Actor, reg_id: str) -> HttpResponse:
    """htmx: the document checklist for the chosen applicant category."""
    reg = _offer(actor, reg_id).regulation
    category = reg.category(request.GET.get("category", ""))
    return render(request, "web/staff/_checklist.html",
                  {"reg": reg, "category": category, "checklist": _checklist(reg, category, request.GET)})


@staff_view
def intake_iin(request: HttpRequest, actor: Actor, reg_id: str) -> HttpResponse:
    """htmx: what the IIN says (birth date, a minor?) while the clerk types it."""
    reg = _offer(actor, reg_id).regulation
    return render(request, "web/staff/_iin.html", {
        "reg": reg, "iin_info": _iin_info(request.GET.get("iin", "")),
        "children": [reg.category(c) for c in workflow.minor_categories(reg)]})


# --- registries -----------------------------------------------------------------------------------

@staff_view
def registry_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    ready = []
    for task in workflow.dispatchable(actor)[:READY_LIMIT]:
        reg = regulation_of(task.case.regulation)
        ready.append({"task": task, "case": task.case, "reg": reg, "urgency": urgency(task.opened_at, task.due,
                                                                                      _now())})
    # The whole office sees what arrived; the buttons are for the role of the step receiving each line
    # (anyone else would be refused), read in the same query.  The lines show the registry, its sender
    # and the case number: not the case's engine state.
    receiver = Task.objects.filter(case_id=OuterRef("case_id"), step=OuterRef("registry__step") + 1,
                                   closed_at__isnull=True, role__in=actor.roles)
    incoming = (RegistryItem.objects.filter(registry__to_office_id=actor.office_id, state=RegistryItem.State.SENT)
                .annotate(mine=Exists(receiver))
                .select_related("registry__from_office", "case").defer("case__state")
                .order_by("registry__dispatched_at", "id"))
    page = _page(request, workflow.registry_history(actor))
    recent = _rows(page, Registry.objects.select_related("from_office", "to_office"))
    rhythm = [{"rule": r, "provider": in_language(r.provider)} for r in workflow.dispatch_rhythm(actor, _now())]
    return render(request, "web/staff/registries.html", {
        "ready": ready, "ready_more": len(ready) == READY_LIMIT, "incoming": incoming[:READY_LIMIT],
        "page": page, "recent": recent, "rhythm": rhythm})


@require_POST
@staff_view
def registry_dispatch(request: HttpRequest, actor: Actor) -> HttpResponse:
    ids = [int(x) for x in request.POST.getlist("tasks") if x.isdigit()]
    try:
        registry = workflow.dispatch(actor, ids, _now())
    except (workflow.Invalid, workflow.Conflict) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
        return redirect("staff:registries")
    messages.success(request, _("Registry %(number)s dispatched.") % {"number": registry.number})
    return redirect("staff:registry", pk=registry.pk)


@staff_view
def registry_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    registry = workflow.registry_for(actor, pk)
    items = registry.items.select_related("case__regulation", "acted_by__staff")
    return render(request, "web/staff/registry.html", {
        "registry": registry, "items": items, "incoming": registry.to_office_id == actor.office_id})


@require_POST
@staff_view
def item_acknowledge(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    try:
        item = workflow.acknowledge(actor, pk, _now())
    except workflow.Conflict as exc:
        messages.error(request, str(exc))
        return redirect("staff:registries")
    messages.success(request, _("Case %(number)s taken over.") % {"number": item.case.number})
    return redirect("staff:registries")


@require_POST
@staff_view
def item_return(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    try:
        item = workflow.return_item(actor, pk, request.POST.get("errors", ""), _now())
    except (workflow.Invalid, workflow.Conflict) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
        return redirect("staff:registries")
    messages.success(request, _("Case %(number)s returned with the errors found.") % {"number": item.case.number})
    return redirect("staff:registries")
