"""The department's "Activity plans" page: the E-Sobes "Planning of activities" record of each service.

GET shows one planned year (``?year=``, by default next year: the plan is made in the year before it); the
table says per service whether the plan was entered on time, late, is still missing or overdue, beside the
number waiting in the office's queue.  POST enters or changes one service's plan.  The rules are
:mod:`qyzmet.portal.planning`'s; this module only reads the form and shows the answer.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from qyzmet.cases.access import Actor
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import to_local
from qyzmet.portal import planning
from qyzmet.portal.planning_forms import PlanForm
from qyzmet.portal.views import portal_staff_view, service_name

STATE_LABELS = {
    planning.ON_TIME: gettext_lazy("Entered on time"),
    planning.LATE: gettext_lazy("Entered late"),
    planning.MISSING: gettext_lazy("Not entered yet"),
    planning.OVERDUE: gettext_lazy("Overdue"),
}
STATE_TAGS = {planning.ON_TIME: "q-tag q-tag--on-track", planning.LATE: "q-tag q-tag--at-risk",
              planning.MISSING: "q-tag", planning.OVERDUE: "q-tag q-tag--overdue"}


def _shown_year(value: str | None, now: dt.datetime) -> int:
    """The year asked for, when one may plan it; otherwise next year, the one being planned now."""
    try:
        return planning.check_year(int(value or ""), now)
    except (ValueError, Invalid):
        return planning.last_year(now)


def _years(now: dt.datetime) -> list[int]:
    return list(range(planning.last_year(now), planning.FIRST_YEAR - 1, -1))


def _form(services: list[str], now: dt.datetime, data=None, initial=None) -> PlanForm:
    return PlanForm(data, initial=initial, services=[(r, service_name(r)) for r in services], years=_years(now))


def _initial(rows: list[planning.PlanRow], year: int, service: str) -> dict:
    """The form filled with the chosen service's plan (``?service=``), so "Change" starts from its figures."""
    initial: dict = {"year": year}
    row = next((r for r in rows if r.reg_id == service), None)
    if row is not None:
        initial["reg_id"] = row.reg_id
        if row.plan is not None:
            initial.update(recipients=row.plan.recipients, budget=row.plan.budget, note=row.plan.note)
    return initial


def _page(request: HttpRequest, actor: Actor, year: int, form: PlanForm, now: dt.datetime,
          status: int = 200) -> HttpResponse:
    rows = planning.status(actor.office_id, year, to_local(now).date())
    this_year = to_local(now).year
    return render(request, "portal/staff_plans.html", {
        "year": year, "form": form, "why": planning.due_why(year, ""),
        "rows": [{"row": r, "service": service_name(r.reg_id), "state_label": STATE_LABELS[r.state],
                  "tag": STATE_TAGS[r.state]} for r in rows],
        "switcher": [this_year, this_year + 1],
    }, status=status)


@portal_staff_view
@require_http_methods(["GET", "POST"])
def staff_plans(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor, services = planning.require_planner(actor)
    now = timezone.now()
    if request.method != "POST":
        year = _shown_year(request.GET.get("year"), now)
        rows = planning.status(actor.office_id, year, to_local(now).date())
        form = _form(services, now, initial=_initial(rows, year, request.GET.get("service", "")))
        return _page(request, actor, year, form, now)
    form = _form(services, now, data=request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            plan = planning.save_plan(actor, d["reg_id"], d["year"], d["recipients"], d["budget"], d["note"], now)
        except Invalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The plan of %(service)s for %(year)s is saved.")
                             % {"service": service_name(plan.reg_id), "year": plan.year})
            return redirect(f"{reverse('portal:plans')}?year={plan.year}")
    year = form.cleaned_data.get("year") or _shown_year(request.POST.get("year"), now)
    return _page(request, actor, year, form, now, status=422)
