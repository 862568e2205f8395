"""Applying online: the services whose act gives them an e-gov portal channel."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from qyzmet.cases import workflow
from qyzmet.core.calendar import to_local
from qyzmet.web.forms import OnlineApplicationForm
from qyzmet.web.text import current_language

# Workflow errors name the API's fields; the form's fields are named a little differently.
_FIELDS = {"applicant.iin": "iin", "applicant.phone": "phone", "regulation": None}


def services(request: HttpRequest) -> HttpResponse:
    lang = current_language()
    items = [{"reg": reg, "name": reg.name.get(lang)} for reg in workflow.online_services()]
    return render(request, "web/apply_list.html", {"services": items})


def apply(request: HttpRequest, reg_id: str) -> HttpResponse:
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
