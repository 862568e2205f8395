"""Pages of the attachment to a PHC organisation (annex 3): the citizen's request and "My attachment" under
/health/attachment/, the organisation's register and requests under /staff/health/attachment/.

Every rule is in :mod:`qyzmet.health.attachment`; these views only collect the input and show the answer.
"My attachment" is shown only to a browser that sent the request or looked it up with its number and the IIN
(POST, failures throttled like "Check my application"), as a citizen's documents are.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from qyzmet.cases.access import Actor
from qyzmet.cases.models import Case
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import to_local
from qyzmet.documents.models import Document
from qyzmet.documents.views import remember_citizen_case
from qyzmet.health import attachment as A
from qyzmet.health.forms import AttachmentForm
from qyzmet.web import throttle
from qyzmet.web.forms import ApplicationLookupForm
from qyzmet.web.staff import staff_view
from qyzmet.web.text import current_language, in_language

SESSION_KEY = "health_attachments"  # the attachment cases proved in this browser session
ATTACHED_OFFICE = "health_attached_office"  # the office the person is attached to, to offer it first
PAGE_SIZE = 50
_FIELDS = {"applicant.iin": "iin", "applicant.name": "name", "applicant.phone": "phone", "office": "office"}


def _now() -> dt.datetime:
    return to_local(timezone.now())


def _remember(request: HttpRequest, case: Case) -> None:
    ids = [pk for pk in request.session.get(SESSION_KEY, []) if pk != case.pk][-9:]
    request.session[SESSION_KEY] = [*ids, case.pk]
    remember_citizen_case(request, case.pk)  # the talon's PDF, as on "Check my application"


# --- the citizen ---------------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
def request_attachment(request: HttpRequest) -> HttpResponse:
    offices = list(A.organisations())
    lang = current_language()
    form = AttachmentForm(request.POST or None, offices=[(o.code, in_language(o, lang)) for o in offices])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = A.request_online(data["office"], data["iin"], data["name"], data["phone"], _now(),
                                    language=lang if lang in ("kk", "ru") else "kk")
        except Invalid as exc:
            name = _FIELDS.get(exc.field, exc.field)
            form.add_error(name if name in form.fields else None, exc.message)
        else:
            _remember(request, case)
            return redirect("health:attachment-mine", pk=case.pk)
    choices = [{"code": o.code, "name": in_language(o, lang), "address": o.address} for o in offices]
    return render(request, "health/attachment_request.html", {
        "form": form, "offices": offices, "choices": choices, "chosen": form["office"].value() or ""},
        status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Find one's attachment request by its number and the IIN (POST; failures throttled)."""
    form = ApplicationLookupForm(request.POST if request.method == "POST" else None)
    not_found, blocked, status = False, None, 200
    if form.is_valid():
        got = throttle.guarded_lookup(request, form.cleaned_data["number"],
                                      lambda: A.own_case(form.cleaned_data["number"], form.cleaned_data["iin"]))
        if got.found is not None:
            _remember(request, got.found)
            return redirect("health:attachment-mine", pk=got.found.pk)
        not_found, blocked = got.not_found, got.blocked_minutes
        status = 429 if blocked else 200
    return render(request, "health/attachment_lookup.html",
                  {"form": form, "not_found": not_found, "blocked": blocked},
                  status=status if not form.errors else 400)


@never_cache
def mine(request: HttpRequest, pk: int) -> HttpResponse:
    if pk not in request.session.get(SESSION_KEY, []):
        raise Http404("look the request up with its number and IIN first")
    case = Case.objects.select_related("provider_office", "regulation").get(pk=pk)
    lines = A.history(case.applicant_iin)
    now_attached = next((a for a in lines if a.until is None), None)
    if now_attached is not None:
        request.session[ATTACHED_OFFICE] = now_attached.office.code
    return render(request, "health/attachment_mine.html", {
        "case": case, "stage": A.stage(case), "current": now_attached, "lines": lines,
        "iin_tail": case.applicant_iin[-4:], "documents": Document.objects.filter(case=case, lang=case.language
                                                                                  or "kk").order_by("issued_at")})


# --- the organisation ----------------------------------------------------------------------------------

@staff_view
def register(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The office's attached population (current lines), the requests waiting, and who left recently."""
    q = request.GET.get("q", "").strip()
    rows = A.attached(actor, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "health/attachment_register.html", {
        "page": page, "q": q, "total": rows.count(), "requests": A.requests(actor), "left": A.left(actor),
        "may_process": actor.holds(A.PROVIDER)})


@require_POST
@staff_view
def process(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    case = A.process(actor, pk, _now())
    if case.status == Case.Status.ISSUED:
        messages.success(request, _("%(number)s: the notification of attachment is sent; the person is in the "
                                    "register.") % {"number": case.number})
    else:
        messages.success(request, _("%(number)s: the request is checked and registered.") % {"number": case.number})
    return redirect("health:attachment-register")
