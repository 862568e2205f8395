"""The page where the holder of a personal code follows their anonymous HIV examination."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from qyzmet.documents.models import case_documents
from qyzmet.documents.views import remember_citizen_case
from qyzmet.health import hiv
from qyzmet.web import throttle
from qyzmet.web.text import current_language


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Personal code"), max_length=32,
        help_text=_("As written on your talon, for example ABCDE-FGH23"),
        error_messages={"required": _("Enter your personal code")},
        widget=forms.TextInput(attrs={"class": "q-input q-input--width-20", "autocomplete": "off",
                                      "autocapitalize": "characters", "spellcheck": "false"}),
    )


@require_http_methods(["GET", "POST"])
def result(request: HttpRequest) -> HttpResponse:
    """POST, so the code never lands in a URL or a log; failures are limited as the application lookup is."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "not_found": False, "exam": None, "blocked": None}
    status = 200
    if form.is_valid():
        code = form.cleaned_data["code"]
        got = throttle.guarded_lookup(request, code, lambda: hiv.find(code))
        context["not_found"], context["blocked"] = got.not_found, got.blocked_minutes
        status = 429 if got.blocked_minutes else 200
        case = got.found
        if case is not None:
            exam = hiv.examination(case, current_language())
            context["exam"] = exam
            if exam.stage is hiv.Stage.ISSUED:
                remember_citizen_case(request, case.pk)  # so the certificate's PDF link opens
                context["documents"] = [d for d in case_documents(case) if d.form.startswith("certificate")]
    return render(request, "health/hiv_result.html", context, status=status)
