"""/staff/monitoring/: the overview with its filters, tables and charts; the violations behind a row; the
exports.  Who sees what is ``scope.scope_for``; every number comes from ``compliance``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qyzmet.cases.access import Actor
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import to_local
from qyzmet.core.loader import shipped_catalog
from qyzmet.directory.models import ServicePoint
from qyzmet.monitoring import charts, export
from qyzmet.monitoring import compliance as C
from qyzmet.monitoring.scope import Scope, scope_for
from qyzmet.monitoring.templatetags.qyzmet_monitoring import worktime
from qyzmet.web.staff import staff_view
from qyzmet.web.text import current_language

PAGE_SIZE = 100
FILTERS = ("from", "to", "office", "service", "route")


def _filters(request: HttpRequest) -> dict[str, str]:
    today = to_local(timezone.now()).date()
    values = {name: (request.GET.get(name) or "").strip() for name in FILTERS}
    values["from"] = values["from"] or today.replace(day=1).isoformat()
    values["to"] = values["to"] or today.isoformat()
    return values


def _question(scope: Scope, f: dict[str, str]) -> C.Question:
    return C.ask(scope, f["from"], f["to"], office=f["office"], service=f["service"], route=f["route"])


def _services(scope: Scope, lang: str) -> list[tuple[str, str]]:
    ids = scope.office_ids
    codes = set(ServicePoint.objects.filter(Q(office_id__in=ids) | Q(provider_id__in=ids))
                .values_list("reg_id", flat=True))
    return sorted((r.id, r.name.get(lang) or r.id) for r in shipped_catalog().regulations if r.id in codes)


def _context(scope: Scope, f: dict[str, str], lang: str) -> dict:
    return {"scope": scope, "f": f, "services": _services(scope, lang), "routes": C.ROUTES,
            "route_names": C.ROUTE_NAMES, "query": urlencode({k: v for k, v in f.items() if v})}


def _link(f: dict[str, str], key: dict[str, str]) -> str:
    return urlencode({**{k: v for k, v in f.items() if v}, **key})


@staff_view
def overview(request: HttpRequest, actor: Actor) -> HttpResponse:
    scope = scope_for(actor)
    f = _filters(request)
    lang = current_language()
    context = _context(scope, f, lang)
    try:
        q = _question(scope, f)
    except Invalid as exc:
        context["errors"] = {exc.field: exc.message}
        return render(request, "monitoring/overview.html", context, status=400)
    report = C.report(q, lang=lang)
    tables = []
    for group, rows in report.tables.items():
        tables.append({"group": group, "title": export.TITLES[group], "first": export.FIRST[group],
                       "detail": export.DETAIL.get(group),
                       "columns": [(k, PAGE_LABELS.get(k, label)) for k, label in export.COLUMNS[group]],
                       "rows": [{"row": r, "cells": _cells(r), "link": _link(f, r.key)} for r in rows]})
    context.update(report=report, q=q, tables=tables, errors={}, **_charts(report))
    return render(request, "monitoring/overview.html", context)


PAGE_LABELS = {"mean_minutes": gettext_lazy("Average, working time"),
               "p90_minutes": gettext_lazy("90th percentile, working time")}
VIOLATION_COUNTS = frozenset({"overdue", "closed_late", "open_overdue", "late_steps", "open_late"})


def _cells(r: C.Row) -> list[dict]:
    """A table row's cells: working times as "1 h 05 min", the violation counts linked to their list."""
    out = []
    for key, _label in export.COLUMNS[r.group]:
        if key in ("mean_minutes", "p90_minutes"):
            seconds = r.mean_seconds if key == "mean_minutes" else r.p90_seconds
            out.append({"v": worktime(seconds) if seconds is not None else None, "num": True})
        else:
            out.append({"v": r.get(key), "num": key not in ("norm", "cite"), "link": key in VIOLATION_COUNTS})
    return out


def _charts(report: C.Report) -> dict:
    in_term = charts.Series(_("In term"), charts.IN_TERM)
    overdue = charts.Series(_("Overdue"), charts.OVERDUE, hatched=True)
    late = charts.Series(_("Late steps"), charts.OVERDUE, hatched=True)
    worst = sorted((r for r in report.tables.get("step", []) if r.counts.get("late_steps")),
                   key=lambda r: (-r.counts["late_steps"], r.code))[:10]
    offices = report.tables.get("office", [])
    return {
        "trend_chart": charts.columns(
            "chart-trend", _("Cases whose term fell due, by week"),
            _("For each ISO week of the period, the cases whose term fell due that week: closed in term, or "
              "overdue. The same numbers are in the table under the chart."),
            [(w.label, [w.in_term, w.overdue]) for w in report.weeks], [in_term, overdue],
            _("No case's term fell due in this period.")),
        "worst_chart": charts.bars(
            "chart-worst", _("The steps most often late"),
            _("The ten steps with the most late passes in the period. The table “By step” gives every step."),
            [(_("Step %(n)s · %(service)s") % {"n": r.key["step"], "service": r.label}, [r.counts["late_steps"]])
             for r in worst], [late],
            _("No step was late in this period.")),
        "offices_chart": charts.bars(
            "chart-offices", _("Offices compared"),
            _("For each office, its cases of the period in term and overdue. The table “By office” gives the same "
              "numbers."),
            [(r.label, [r.counts["in_term"], r.counts["overdue"]]) for r in offices], [in_term, overdue],
            _("No office in this view.")),
        "worst": worst,
    }


@staff_view
def violations(request: HttpRequest, actor: Actor) -> HttpResponse:
    scope = scope_for(actor)
    f = _filters(request)
    lang = current_language()
    context = _context(scope, f, lang)
    try:
        q = _question(scope, f)
        d = C.drill(request.GET)
    except Invalid as exc:
        context["errors"] = {exc.field: exc.message}
        return render(request, "monitoring/violations.html", context, status=400)
    # The drill-down's office is one of the scope's: narrowing checks it as the filter does.
    if d.office:
        q = C.Question(q.first, q.last, q.scope.narrow(d.office), q.service, q.route, q.now)
    terms = Paginator(C.overdue_cases(q, d), PAGE_SIZE).get_page(request.GET.get("terms_page"))
    steps = Paginator(C.late_steps(q, d), PAGE_SIZE).get_page(request.GET.get("steps_page"))
    params = {**{k: v for k, v in f.items() if v}, **d.as_params()}
    context.update(
        q=q, drill=d, errors={}, terms=terms, steps=steps,
        term_rows=C.present(terms.object_list, "term", q, lang),
        step_rows=C.present(steps.object_list, "step", q, lang),
        params=urlencode(params), back=urlencode({k: v for k, v in f.items() if v}),
        drill_text=_drill_text(d))
    return render(request, "monitoring/violations.html", context)


def _drill_text(d: C.Drill) -> str:
    parts = []
    if d.office:
        parts.append(_("office %(code)s") % {"code": d.office})
    if d.service:
        parts.append(d.service)
    if d.route:
        parts.append(_("route %(route)s") % {"route": d.route})
    if d.step is not None:
        parts.append(_("step %(n)s") % {"n": d.step})
    if d.staff:
        parts.append(_("closed by %(user)s") % {"user": d.staff})
    return ", ".join(parts)


@staff_view
def export_csv(request: HttpRequest, actor: Actor) -> HttpResponse:
    scope = scope_for(actor)
    f = _filters(request)
    group = request.GET.get("table", "office")
    if group not in C.GROUPS:
        return HttpResponse(_("Choose a table: office, service, route, step or staff."), status=400,
                            content_type="text/plain; charset=utf-8")
    try:
        q = _question(scope, f)
    except Invalid as exc:
        return HttpResponse(f"{exc.field}: {exc.message}", status=400, content_type="text/plain; charset=utf-8")
    report = C.report(q, groups=(group,), lang=current_language())
    response = HttpResponse(export.to_csv(report, group), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(q, group)}.csv"'
    return response


@staff_view
def export_xlsx(request: HttpRequest, actor: Actor) -> HttpResponse:
    scope = scope_for(actor)
    f = _filters(request)
    try:
        q = _question(scope, f)
    except Invalid as exc:
        return HttpResponse(f"{exc.field}: {exc.message}", status=400, content_type="text/plain; charset=utf-8")
    lang = current_language()
    report = C.report(q, lang=lang)
    nothing = C.Drill()
    found = (C.present(C.overdue_cases(q, nothing)[:export.MAX_VIOLATIONS + 1], "term", q, lang)
             + C.present(C.late_steps(q, nothing)[:export.MAX_VIOLATIONS + 1], "step", q, lang))
    response = HttpResponse(export.to_xlsx(report, found), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{_filename(q, "compliance")}.xlsx"'
    return response


def _filename(q: C.Question, what: str) -> str:
    office = q.scope.offices[0].code if len(q.scope.offices) == 1 else q.scope.kind
    return f"{what}-{office}-{q.first:%Y%m%d}-{q.last:%Y%m%d}"

