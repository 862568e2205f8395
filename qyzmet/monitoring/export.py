"""The report's tables as CSV (one table) and XLSX (every table, one sheet each, and the violations), with the
headers in the reader's language (``gettext``: Kazakh, Russian or English, as the page)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qyzmet.monitoring.compliance import Report, Row, Violation

CASE_COLUMNS = [
    ("cases", gettext_lazy("Cases")), ("in_term", gettext_lazy("In term")), ("overdue", gettext_lazy("Overdue")),
    ("closed_late", gettext_lazy("Closed late")), ("open_overdue", gettext_lazy("Open past the term")),
    ("refused", gettext_lazy("Refused")), ("acceptance_refused", gettext_lazy("Acceptance refused")),
    ("no_term", gettext_lazy("No term")), ("steps", gettext_lazy("Steps")),
    ("late_steps", gettext_lazy("Late steps")),
]
STEP_COLUMNS = [
    ("steps", gettext_lazy("Steps")), ("done", gettext_lazy("Done")), ("late_steps", gettext_lazy("Late steps")),
    ("open_late", gettext_lazy("Open past the due")), ("mean_minutes", gettext_lazy("Average, working minutes")),
    ("p90_minutes", gettext_lazy("90th percentile, working minutes")), ("norm", gettext_lazy("Norm")),
    ("cite", gettext_lazy("Clause")),
]
STAFF_COLUMNS = [("done", gettext_lazy("Steps done")), ("closed_late", gettext_lazy("Done late"))]
COLUMNS = {"office": CASE_COLUMNS, "service": CASE_COLUMNS, "route": CASE_COLUMNS, "step": STEP_COLUMNS,
           "staff": STAFF_COLUMNS}
TITLES = {"office": gettext_lazy("By office"), "service": gettext_lazy("By service"),
          "route": gettext_lazy("By route"), "step": gettext_lazy("By step"),
          "staff": gettext_lazy("By staff member")}
FIRST = {"office": gettext_lazy("Office"), "service": gettext_lazy("Service"), "route": gettext_lazy("Service"),
         "step": gettext_lazy("Service"), "staff": gettext_lazy("Staff member")}
DETAIL = {"route": gettext_lazy("Route"), "step": gettext_lazy("Step"), "staff": gettext_lazy("Office")}
MAX_VIOLATIONS = 20_000  # one workbook's sheet of violations; the page and the API list the rest


def header(group: str) -> list[str]:
    cells = [str(FIRST[group])]
    if group in DETAIL:
        cells.append(str(DETAIL[group]))
    cells.append(_("Code"))
    return cells + [str(label) for _key, label in COLUMNS[group]]


def cells(row: Row) -> list:
    out: list = [row.label]
    if row.group in DETAIL:
        out.append(row.detail)
    out.append(row.code)
    for key, _label in COLUMNS[row.group]:
        value = row.get(key)
        out.append("" if value is None else value)
    return out


def to_csv(report: Report, group: str) -> str:
    """One table; a BOM first, so a spreadsheet opens the Kazakh and Russian letters as UTF-8."""
    buf = io.StringIO()
    buf.write("\ufeff")
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(header(group))
    for row in report.tables.get(group, []):
        out.writerow(cells(row))
    return buf.getvalue()


VIOLATION_HEADER = [gettext_lazy("Application"), gettext_lazy("Violation"), gettext_lazy("Service"),
                    gettext_lazy("Route"), gettext_lazy("Step"), gettext_lazy("Norm"), gettext_lazy("Due"),
                    gettext_lazy("Closed"), gettext_lazy("Clause"), gettext_lazy("Office"),
                    gettext_lazy("Staff member"), gettext_lazy("Technical note")]


def violation_cells(v: Violation) -> list:
    kind = _("the service's term") if v.kind == "term" else _("a step's term")
    step = f"{v.step}. {v.step_name}" if v.step else ""
    return [v.number, kind, v.service_name, v.route, step, v.norm,
            v.due.replace(tzinfo=None) if v.due else "", v.closed.replace(tzinfo=None) if v.closed else _("still open"),
            v.cite, v.office, v.closed_by, v.why]


def to_xlsx(report: Report, violations: list[Violation]) -> bytes:
    """Every table of the report on its own sheet, then the violations (Almaty local times, no offset:
    spreadsheets keep no time zone)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    q = report.question
    wb = Workbook()
    summary = wb.active
    summary.title = _("Summary")[:31]
    summary.append([_("Compliance monitoring")])
    summary["A1"].font = Font(bold=True)
    summary.append([_("First day"), q.first])
    summary.append([_("Last day"), q.last])
    summary.append([_("As of"), q.as_of.replace(tzinfo=None)])
    summary.append([_("Offices"), ", ".join(o.code for o in q.scope.offices)])
    for key, label in CASE_COLUMNS:
        summary.append([str(label), report.totals.get(key, 0)])
    for group, rows in report.tables.items():
        sheet = wb.create_sheet(str(TITLES[group])[:31])
        sheet.append(header(group))
        for c in sheet[1]:
            c.font = Font(bold=True)
        for row in rows:
            sheet.append(cells(row))
    sheet = wb.create_sheet(_("Violations")[:31])
    sheet.append([str(h) for h in VIOLATION_HEADER])
    for c in sheet[1]:
        c.font = Font(bold=True)
    for v in violations[:MAX_VIOLATIONS]:
        sheet.append(violation_cells(v))
    if len(violations) > MAX_VIOLATIONS:
        sheet.append([_("Only the first %(n)s violations are listed here.") % {"n": MAX_VIOLATIONS}])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
