"""The citizen pages, staff sign-in/out, and a placeholder inbox that the staff pages will replace."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qyzmet.cases.models import Case
from qyzmet.documents.models import case_documents
from qyzmet.documents.views import remember_citizen_case
from qyzmet.web import throttle
from qyzmet.web.citizen import citizen_view
from qyzmet.web.forms import ApplicationLookupForm, StaffLoginForm
from qyzmet.web.text import current_language


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


# The answer concerns one person's application: no shared cache or back-button copy may keep it.
@never_cache
@require_http_methods(["GET", "POST"])
def my_application(request: HttpRequest) -> HttpResponse:
    """Look an application up by its number and the applicant's IIN.

    POST, so the IIN never lands in a URL, a proxy log or the browser history.  A wrong pair gets one
    neutral answer whether or not the number exists, so the page cannot be used to learn which numbers
    belong to which IINs.

    Failed lookups are limited per client and per application number (``throttle``): past the limit the
    page answers 429 without looking, until the window ends.
    """
    form = ApplicationLookupForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "not_found": False, "application": None, "blocked": None}
    status = 200
    if form.is_valid():
        number = form.cleaned_data["number"]
        got = throttle.guarded_lookup(request, number, lambda: Case.objects.select_related("regulation").filter(
            number=number, applicant_iin=form.cleaned_data["iin"]).first())
        context["not_found"], context["blocked"] = got.not_found, got.blocked_minutes
        status = 429 if got.blocked_minutes else 200
        case = got.found
        if case is not None:
            context["application"] = citizen_view(case, current_language(), timezone.now())
            context["documents"] = case_documents(case)
            from qyzmet.complaints.workflow import case_panel as complaints_panel  # qyzmet.complaints

            context["complaints"] = complaints_panel(case, timezone.now())
            remember_citizen_case(request, case.pk)
            from qyzmet.notify.views import case_sms

            context["sms"] = case_sms(case)
    return render(request, "web/my_application.html", context, status=status)


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "too_many_attempts"):
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "web:home"


