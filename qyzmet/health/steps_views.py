"""/staff/health/steps/: the office's step-by-step check against the acts' step norms (``step_norms``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from qyzmet.cases.access import Actor
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import to_local
from qyzmet.directory.models import Office
from qyzmet.health import step_norms as N
from qyzmet.web.staff import staff_view
from qyzmet.web.text import current_language


@staff_view
def steps(request: HttpRequest, actor: Actor) -> HttpResponse:
    N.require_reader(actor)
    office = Office.objects.get(pk=actor.office_id)
    today = to_local(timezone.now()).date()
    first = request.GET.get("from") or today.replace(day=1).isoformat()
    last = request.GET.get("to") or today.isoformat()
    service = request.GET.get("service", "")
    errors: dict[str, str] = {}
    report = None
    try:
        a, b = N.period(first, last)
        report = N.report(office, a, b, service=N.check_service(service))
    except Invalid as exc:
        errors[exc.field] = exc.message
    lang = current_language()
    rows = []
    if report is not None:
        for r in report.rows:
            rows.append({"r": r, "service": r.service.get(lang) or r.service["kk"],
                         "role": r.role_name.get(lang) or r.role, "action": r.action.get(lang) or r.action["kk"],
                         "norm": r.norm_text(lang if lang in ("kk", "ru") else "en"),
                         "mean": N.minutes(r.mean_seconds), "p90": N.minutes(r.p90_seconds),
                         "over_p90": r.norm_seconds is not None and (r.p90_seconds or 0) > r.norm_seconds})
    names = {reg.id: reg.name.get(lang) for reg in N.services_of(office)}
    return render(request, "health/steps.html", {
        "office": office, "report": report, "rows": rows, "errors": errors, "first": first, "last": last,
        "service": service, "services": sorted(names.items(), key=lambda kv: kv[0]),
        "late": [{"x": x, "service": names.get(x.reg_id, x.reg_id), "worked": N.minutes(x.worked_seconds),
                  "over": N.minutes(x.over_seconds)} for x in report.late] if report else []},
        status=400 if errors else 200)
