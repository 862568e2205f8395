"""Complaint pages: the office's list, one complaint (answer, escalate, close), registering one about a case at
the counter, the papers; and the applicant's own filing and escalation after looking the case up.

Every rule is in :mod:`qyzmet.complaints.workflow`; these views only turn its refusals into form errors and
pages (``staff_view``: 403 for what the person sees but may not do, 404 for what their office does not see).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qyzmet.cases.access import Actor, Conflict, NotFound, case_for
from qyzmet.cases.models import Case
from qyzmet.cases.services import regulation_of
from qyzmet.cases.workflow import Invalid
from qyzmet.complaints import papers, terms, workflow
from qyzmet.complaints.forms import AnswerForm, ComplaintForm, EscalateForm
from qyzmet.complaints.models import Complaint
from qyzmet.core.calendar import to_local
from qyzmet.documents.models import Document
from qyzmet.documents.views import CITIZEN_CASES, pdf_response
from qyzmet.web.staff import staff_view
from qyzmet.web.text import current_language

PAGE_SIZE = 50
FILTERS = ("open", "overdue", "all")


def _now():
    return to_local(timezone.now())


def _form_error(form, exc: Invalid) -> None:
    field = {"answer": "answer"}.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


# --- staff ---------------------------------------------------------------------------------------------

@require_GET
@staff_view
def complaint_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    show = request.GET.get("show", "open")
    show = show if show in FILTERS else "open"
    now = _now()
    query = workflow.visible(actor).select_related("case__regulation").defer("case__regulation__source",
                                                                            "case__state")
    if show != "all":
        query = query.filter(status__in=Complaint.OPEN)
    if show == "overdue":
        query = query.filter(due__lt=now)
    query = query.order_by(F("due").asc(nulls_last=True), "-registered_at", "id")
    page = Paginator(query, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [workflow._row(regulation_of(c.case.regulation), c, now) for c in page.object_list]
    return render(request, "complaints/list.html", {"page": page, "rows": rows, "show": show, "filters": FILTERS})


def _detail_context(actor: Actor, complaint: Complaint, now) -> dict:
    reg = regulation_of(complaint.case.regulation)
    level = workflow.level_of(reg, complaint)
    lang = current_language()
    try:
        workflow.next_option(reg, complaint)
        workflow.escalation_reason(complaint, now)
        escalate_refusal = ""
    except Conflict as exc:
        escalate_refusal = str(exc)
    court = workflow.court(reg)
    return {
        "c": complaint, "reg": reg, "level": level, "to": workflow.body_text(reg, complaint, lang),
        "urgency": workflow._row(reg, complaint, now).urgency, "status": workflow.status_label(complaint.status),
        "reasons": terms.reasons(reg, level, complaint.considering_office, complaint.registered_at, complaint.due,
                                 lang),
        "gap": workflow.gap(reg) if level is None else None,
        "may_answer": workflow.may_answer(actor, complaint) and complaint.status == Complaint.Status.REGISTERED,
        "answer_role": complaint.role, "escalate_refusal": escalate_refusal,
        "may_escalate": not escalate_refusal,
        "court": (court.note or court.to).get(lang) if court else "", "court_cite": (court.cite or "") if court else "",
        "case_visible": actor.office_id in (complaint.case.office_id, complaint.case.provider_office_id),
        "escalation": Complaint.objects.filter(parent=complaint).first(),
        "history": list(complaint.history.select_related("actor__staff")),
        "documents": papers.documents_of(complaint), "outcome": workflow.outcome_label(complaint.outcome),
        "reason": workflow.reason_label(complaint.escalation_reason),
        "channel": workflow.channel_label(complaint.channel),
    }


def _detail(request: HttpRequest, actor: Actor, complaint: Complaint, *, answer_form=None, escalate_form=None,
            status: int = 200) -> HttpResponse:
    context = _detail_context(actor, complaint, _now())
    context["answer_form"] = answer_form or AnswerForm()
    context["escalate_form"] = escalate_form or EscalateForm()
    return render(request, "complaints/detail.html", context, status=status)


@require_GET
@staff_view
def complaint_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _detail(request, actor, workflow.complaint_for(actor, pk))


@require_POST
@staff_view
def complaint_answer(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    complaint = workflow.complaint_for(actor, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            workflow.answer(actor, pk, outcome=form.cleaned_data["outcome"], text=form.cleaned_data["answer"],
                            now=_now())
        except Invalid as exc:
            _form_error(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("complaints:detail", pk=pk)
        else:
            messages.success(request, _("The answer is recorded; its paper is ready to print."))
            return redirect("complaints:detail", pk=pk)
    return _detail(request, actor, complaint, answer_form=form, status=422)


@require_POST
@staff_view
def complaint_escalate(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    complaint = workflow.complaint_for(actor, pk)
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            child = workflow.escalate(actor, pk, text=form.cleaned_data["text"], now=_now())
        except Invalid as exc:
            _form_error(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("complaints:detail", pk=pk)
        else:
            messages.success(request, _("Complaint %(number)s is registered with the next level.")
                             % {"number": child.number})
            return redirect("complaints:detail", pk=child.pk)
    return _detail(request, actor, complaint, escalate_form=form, status=422)


@require_POST
@staff_view
def complaint_close(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    try:
        workflow.close(actor, pk, now=_now())
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The complaint is closed."))
    return redirect("complaints:detail", pk=pk)


@require_http_methods(["GET", "POST"])
@staff_view
def complaint_new(request: HttpRequest, actor: Actor, case_id: int) -> HttpResponse:
    """Register a complaint handed in at the counter about a case this office sees."""
    case = case_for(actor, pk=case_id)
    panel = workflow.case_panel(case, _now())
    form = ComplaintForm(request.POST if request.method == "POST" else None, options=panel.options)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = workflow.file_at_counter(actor, case.pk, to=form.cleaned_data["to"],
                                                 text=form.cleaned_data["text"],
                                                 complainant=form.cleaned_data["complainant"], now=_now())
        except Invalid as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Complaint %(number)s is registered.") % {"number": complaint.number})
            return redirect("complaints:detail", pk=complaint.pk)
    return render(request, "complaints/new.html", {"case": case, "panel": panel, "form": form},
                  status=422 if form.errors else 200)


@require_GET
@staff_view
def complaint_paper(request: HttpRequest, actor: Actor, pk: int, document_id: int) -> HttpResponse:
    """A complaint's paper for the staff who see the complaint (the quality authority does not see the case)."""
    complaint = workflow.complaint_for(actor, pk)
    forms = [papers.form_code(complaint, k) for k in papers.KINDS]
    document = Document.objects.select_related("case").filter(pk=document_id, case_id=complaint.case_id,
                                                              form__in=forms).first()
    if document is None:
        raise NotFound(_("No such paper."))
    return pdf_response(document, inline=request.GET.get("download") != "1")


# --- the applicant ---------------------------------------------------------------------------------

def _citizen_case(request: HttpRequest, case_id: int) -> Case:
    """The case the applicant proved in this browser session (number + IIN on "Check my application")."""
    if case_id not in request.session.get(CITIZEN_CASES, []):
        # The same answer whether or not the case exists: nothing is confirmed to a guesser.
        raise Http404(_("Look your application up by its number and your IIN first."))
    case = (Case.objects.select_related("regulation", "office__organisation", "provider_office")
            .filter(pk=case_id).first())
    if case is None:
        raise Http404(_("Look your application up by its number and your IIN first."))
    return case


def _escalation_refusal(case: Case, complaint: Complaint) -> str:
    """Why this complaint cannot go to the next level now ("" when it can)."""
    try:
        workflow.next_option(regulation_of(case.regulation), complaint)
        workflow.escalation_reason(complaint, _now())
    except Conflict as exc:
        return str(exc)
    return ""


def _citizen_page(request: HttpRequest, case: Case, *, form=None, escalate_form=None, escalating: int | None = None,
                  done: Complaint | None = None, error: str = "", status: int = 200) -> HttpResponse:
    panel = workflow.case_panel(case, _now())
    return render(request, "complaints/citizen.html", {
        "case": case, "panel": panel, "form": form or ComplaintForm(options=panel.options),
        "escalate_form": escalate_form, "done": done, "error": error,
        "items": [(row, papers.documents_of(row.complaint), _escalation_refusal(case, row.complaint),
                   escalate_form if escalate_form is not None and escalating == row.complaint.pk
                   else EscalateForm(auto_id=f"esc-{row.complaint.pk}-%s")) for row in panel.rows],
        "service": regulation_of(case.regulation).name.get(current_language()),
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def citizen_file(request: HttpRequest, case_id: int) -> HttpResponse:
    """The applicant's complaint about their own case, online."""
    case = _citizen_case(request, case_id)
    if request.method == "GET":
        return _citizen_page(request, case)
    panel = workflow.case_panel(case, _now())
    form = ComplaintForm(request.POST, options=panel.options)
    if form.is_valid():
        try:
            complaint = workflow.register(None, case, to=form.cleaned_data["to"], text=form.cleaned_data["text"],
                                          complainant=form.cleaned_data["complainant"], now=_now(),
                                          channel=Complaint.Channel.ONLINE)
        except Invalid as exc:
            _form_error(form, exc)
        except Conflict as exc:
            return _citizen_page(request, case, form=form, error=str(exc), status=409)
        else:
            return _citizen_page(request, case, done=complaint)
    return _citizen_page(request, case, form=form, status=422)


@never_cache
@require_POST
def citizen_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = Complaint.objects.filter(pk=pk).only("case_id").first()
    if complaint is None:
        raise Http404(_("Look your application up by its number and your IIN first."))
    case = _citizen_case(request, complaint.case_id)
    form = EscalateForm(request.POST, auto_id=f"esc-{pk}-%s")
    if form.is_valid():
        try:
            child = workflow.escalate(None, pk, text=form.cleaned_data["text"], now=_now(),
                                      channel=Complaint.Channel.ONLINE, case=case)
        except Invalid as exc:
            _form_error(form, exc)
        except Conflict as exc:
            return _citizen_page(request, case, error=str(exc), status=409)
        else:
            return _citizen_page(request, case, done=child)
    return _citizen_page(request, case, escalate_form=form, escalating=pk, status=422)


@never_cache
@require_POST
def citizen_close(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = Complaint.objects.filter(pk=pk).only("case_id").first()
    if complaint is None:
        raise Http404(_("Look your application up by its number and your IIN first."))
    case = _citizen_case(request, complaint.case_id)
    try:
        workflow.close(None, pk, now=_now(), case=case)
    except Conflict as exc:
        return _citizen_page(request, case, error=str(exc), status=409)
    return _citizen_page(request, case)
