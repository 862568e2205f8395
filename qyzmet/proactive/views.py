"""The proactive pages: the citizen answers the SMS request on the web, and the department's IPR list.

The citizen's page needs the IIN and the code from the SMS: the code is the secret, the IIN finds the
request.  Guesses are limited twice: five wrong codes lock the request (workflow), and the same per-client
and per-subject throttle as "Check my application" stops one device walking through IINs.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from qyzmet.cases import services
from qyzmet.cases import workflow as cases_workflow
from qyzmet.cases.access import Actor
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.portal.views import service_name, staff_page
from qyzmet.proactive import workflow
from qyzmet.proactive.forms import AnswerForm, IprForm
from qyzmet.web import throttle
from qyzmet.web.deadline_reasons import step_reason, term_reasons
from qyzmet.web.text import current_language

REQUEST_STATES = {
    "sent": gettext_lazy("Sent, waiting for the answer"),
    "consented": gettext_lazy("Consent received"),
    "declined": gettext_lazy("Refused by the recipient"),
    "expired": gettext_lazy("No answer in time: deleted"),
}


# --- the citizen's answer ----------------------------------------------------------------------------------


def _answer_context(result: workflow.Answer) -> dict:
    case = result.request.case if result.request else None
    reg = services.regulation_of(case.regulation) if case else None
    return {"outcome": result.outcome, "case": case, "tries_left": result.tries_left,
            "service": service_name(case.regulation.reg_id) if case else "",
            "term_reasons": term_reasons(case, reg, current_language()) if case else None}


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest) -> HttpResponse:
    form = AnswerForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "blocked": None}
    status = 200
    if form.is_valid():
        iin = form.cleaned_data["iin"]
        tries = throttle.lookup(request, iin)
        limit = throttle.blocked(tries)
        if limit is not None:
            context["blocked"] = limit.window_seconds // 60
            status = 429
        else:
            result = workflow.answer(form.cleaned_data["code"], timezone.now(), channel="web", iin=iin)
            if result.outcome in ("wrong-code", "no-request"):
                throttle.record_failure(tries)
            context.update(_answer_context(result))
            if result.outcome not in ("wrong-code", "no-request"):
                context["form"] = AnswerForm()  # answered: the code is spent, nothing to send again
            status = {"wrong-code": 422, "no-request": 404, "locked": 423}.get(result.outcome, 200)
    elif request.method == "POST":
        status = 422
    return render(request, "proactive/answer.html", context, status=status)


# --- the department ---------------------------------------------------------------------------------------------


staff_view = staff_page(workflow.require_staff)


def _services() -> list[tuple[str, str]]:
    return [(r.id, service_name(r.id)) for r in workflow.proactive_services()]


def _answer_reason(reg_id: str) -> str:
    """How the answer's 3 working days are counted, in the page's language."""
    reg = next((r for r in workflow.proactive_services() if r.id == reg_id), None)
    if reg is None:
        return ""
    route = reg.route(workflow.proactive_route(reg))
    step = cases_workflow.accepting_step(route)
    return step_reason(reg, route, step, current_language())


def _list_page(request: HttpRequest, actor: Actor, form: IprForm, *, error: str = "", status: int = 200):
    records = list(workflow.office_records(actor)[:300])
    for r in records:
        req = getattr(r, "request", None) if hasattr(r, "request") else None
        r.req = req
        r.service = service_name(r.reg_id)
        r.state_label = REQUEST_STATES.get(req.state, req.state) if req else _("Not sent")
        r.answer_reason = _answer_reason(r.reg_id)
    return render(request, "proactive/staff_list.html", {"records": records, "form": form, "error": error},
                  status=status)


@staff_view
def staff_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _list_page(request, actor, IprForm(services=_services()))


@require_POST
@staff_view
def staff_receive(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = IprForm(request.POST, services=_services())
    if not form.is_valid():
        return _list_page(request, actor, form, status=422)
    d = form.cleaned_data
    now = timezone.now()
    try:
        record = workflow.receive_ipr(workflow.IprData(
            regulation=d["regulation"], iin=d["iin"], name=d["name"], phone=d["phone"], measures=d["measures"],
            source=d["source"], language=d["language"], disability_group=d["disability_group"],
            disability_until=d["disability_until"]), workflow.office_of(actor), now, entered_by=request.user)
        if d["send"]:
            workflow.send_request(record, now, actor=actor)
    except Invalid as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return _list_page(request, actor, form, status=422)
        return _list_page(request, actor, form, error=exc.message, status=422)
    except Conflict as exc:
        return _list_page(request, actor, form, error=str(exc), status=409)
    messages.success(request, _("The SMS request is sent.") if d["send"] else _("The IPR data are saved."))
    return redirect("proactive:staff")


@require_POST
@staff_view
def staff_send(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    record = workflow.record_for(actor, pk)
    try:
        workflow.send_request(record, timezone.now(), actor=actor)
    except Conflict as exc:
        return _list_page(request, actor, IprForm(services=_services()), error=str(exc), status=409)
    messages.success(request, _("The SMS request is sent."))
    return redirect("proactive:staff")
