"""Applying online: the services whose act gives them an e-gov portal channel."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.cases import workflow
from qyzmet.core.calendar import to_local
from qyzmet.web.forms import OnlineApplicationForm
from qyzmet.web.text import current_language

# Workflow errors name the API's fields; the form's fields are named a little differently.
_FIELDS = {"applicant.iin": "iin", "applicant.phone": "phone", "regulation": None}

# Services whose online request needs more than this generic form: a doctor's free time (annex 2, cl. 3), the
# polyclinic that sends the doctor (annex 1), the organisation chosen (annex 3).  The health pages ask for them.
HEALTH_PAGES = {
    "mangystau-2015/doctor-appointment": "health:start",
    "mangystau-2015/home-doctor-call": "health:start",
    "mangystau-2015/phc-attachment": "health:attachment",
}


def services(request: HttpRequest) -> HttpResponse:
    lang = current_language()
    items = [{"reg": reg, "name": reg.name.get(lang),
              "health": reverse(HEALTH_PAGES[reg.id]) if reg.id in HEALTH_PAGES else "",
              "health_label": _("Book at /health/") if HEALTH_PAGES.get(reg.id) == "health:start"
              else _("Ask for it at /health/attachment/")}
             for reg in workflow.online_services()]
    return render(request, "web/apply_list.html", {"services": items})


def apply(request: HttpRequest, reg_id: str) -> HttpResponse:
    if reg_id in HEALTH_PAGES:
        return redirect(HEALTH_PAGES[reg_id])
    reg = next((r for r in workflow.online_services() if r.id == reg_id), None)
    if reg is None:
        raise Http404("this service cannot be applied for online")
    lang = current_language()
    form = OnlineApplicationForm(reg, lang, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        app = workflow.Application(
            regulation=reg.id, iin=data["iin"], category=data.get("category", ""),
            documents=tuple(data.get("documents", ())), name=data["name"], phone=data["phone"])
        try:
            case = workflow.apply_online(app, to_local(timezone.now()))
        except workflow.Invalid as exc:
            field = _FIELDS.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            return render(request, "web/apply_done.html", {"case": case, "name": reg.name.get(lang)})
    term = reg.term_for("portal")
    return render(request, "web/apply_form.html", {"reg": reg, "name": reg.name.get(lang), "form": form,
                                                   "term": term}, status=400 if form.errors else 200)
