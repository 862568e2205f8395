"""The document checklist as the staff pages show it: a requirement with the documents that may stand in
for it ("X or Y"), the condition that puts it on this applicant's list, optional ("if any") items, and
documents only shown and handed back.

The intake form's rows come from :func:`qyzmet.core.engine.checklist` for the IIN typed so far; a stored
case's rows are its ``ChecklistItem`` rows read back against the pinned regulation
(:func:`qyzmet.core.checklist.describe`), since the rows keep only the document actually given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from qyzmet.core import engine
from qyzmet.core.checklist import alternatives_of, describe
from qyzmet.core.regulation import Category, Document, DocumentCondition, Regulation


def condition_label(cond: DocumentCondition | None) -> str:
    """The condition in the page's language: "only under 18", "men from 63, women from 58", "if any"."""
    if cond is None:
        return ""
    parts = []
    if cond.age_under is not None:
        parts.append(_("only for applicants under %(age)s") % {"age": cond.age_under})
    if cond.age_from is not None:
        if cond.age_from_female is not None:
            parts.append(_("men from %(men)s, women from %(women)s") % {"men": cond.age_from,
                                                                         "women": cond.age_from_female})
        else:
            parts.append(_("only for applicants aged %(age)s or more") % {"age": cond.age_from})
    if cond.no_iin:
        parts.append(_("only where the applicant has no IIN"))
    if cond.if_any:
        parts.append(_("if any"))
    return "; ".join(parts)


@dataclass(frozen=True)
class Choice:
    doc: Document
    checked: bool


@dataclass(frozen=True)
class IntakeRow:
    """One requirement of the intake form: its own box and one box per alternative."""

    code: str
    doc: Document | None
    checked: bool
    alternatives: tuple[Choice, ...]
    optional: bool
    condition: str
    condition_cite: str | None


def intake_rows(reg: Regulation, category: Category | None, chosen: set[str], iin: str,
                today: dt.date) -> list[IntakeRow]:
    """The checklist the clerk ticks: the category's documents for this applicant (by the IIN's birth date),
    or every document the act lists before a category is chosen."""
    if category is None:
        return [IntakeRow(d.code, d, d.code in chosen, (), False, "", None) for d in reg.documents]
    rows = []
    for item in engine.checklist(reg, category.code, tuple(chosen), iin=iin or None, today=today):
        code = item.requirement or item.code
        rows.append(IntakeRow(
            code=code, doc=reg.document(code), checked=code in chosen,
            alternatives=tuple(Choice(a, a.code in chosen) for a in alternatives_of(reg, code)),
            optional=item.optional, condition=condition_label(item.condition), condition_cite=item.condition_cite,
        ))
    return [r for r in rows if r.doc is not None]


@dataclass(frozen=True)
class CaseRow:
    """A stored checklist row with what it means: the templates read ``document``, ``present``,
    ``provided_as`` and ``cite`` as on the model row."""

    document: str
    present: bool
    provided_as: str
    cite: str
    instead_of: str | None  # the requirement this (alternative) document replaced
    alternatives: tuple[str, ...]  # what could have stood in for a missing requirement
    optional: bool
    condition: str
    shown: bool


def case_rows(reg: Regulation, case) -> list[CaseRow]:
    rows = []
    for item in case.checklist.all():
        info = describe(reg, case.category, item.document)
        rows.append(CaseRow(
            document=item.document, present=item.present, provided_as=item.provided_as, cite=item.cite,
            instead_of=info.instead_of, alternatives=() if item.present else info.alternatives,
            optional=info.optional, condition=condition_label(info.condition), shown=info.shown,
        ))
    return rows
