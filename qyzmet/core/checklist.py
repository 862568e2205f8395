"""The document checklist of one applicant: which of the category's documents this person must give, which
may stand in for which, and which were given.

Three things the acts say about documents, beyond a list per applicant group:

* **alternatives** — a document that may replace another (``documents[].instead_of``): "the IIN instead of the
  taxpayer and SIK certificates", "a court decision where the archives were not preserved".  The requirement
  is met when any of them is given, and the checklist row is about the one actually given;
* **shown only** — ``provided_as: shown``: presented for identification and handed back, no copy kept;
* **conditions** — ``categories[].documents`` items with ``when:``: a minor's birth certificate
  (``age_under: 18``), the pensioner's certificate at pension age (``age_from``/``age_from_female``), the
  RNN/SIK certificates "where there is no IIN", a court decision "if any".  The IIN gives the birth date and
  sex, so the checklist of a known applicant keeps or drops each; an "if any" document, or one whose condition
  cannot be decided (no IIN), is listed as optional and never counted missing.

Pure Python (no Django): the engine, the shell and the documents all read the checklist through here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from qyzmet.core.iin import InvalidIdentifier, parse_iin
from qyzmet.core.regulation import Category, Document, DocumentCondition, Regulation

Sex = Literal["male", "female"]


@dataclass(frozen=True)
class Applicant:
    """What the checklist needs to know of the person: read from the IIN when there is one."""

    birth_date: dt.date | None = None
    sex: Sex | None = None
    has_iin: bool | None = None  # None: not known (a form still being filled in)

    @classmethod
    def from_iin(cls, iin: str | None, today: dt.date | None = None) -> Applicant:
        if not iin or not iin.strip():
            return cls()
        try:
            info = parse_iin(iin.strip(), today=today)
        except InvalidIdentifier:
            return cls()
        return cls(info.birth_date, info.sex, True)


@dataclass(frozen=True)
class ChecklistItem:
    """One requirement of the checklist.

    ``code``/``name``/``provided_as``/``cite`` describe the document the row is about: the one given where an
    alternative was given (so the receipt lists what the applicant actually handed in), else the act's own.
    """

    code: str
    name: str
    provided_as: str
    present: bool
    cite: str | None
    requirement: str = ""  # the document the category asks for ("" = code)
    alternatives: tuple[str, ...] = ()  # documents that may stand in for the requirement
    optional: bool = False  # "if any", or a condition that cannot be decided: never counted missing
    condition: DocumentCondition | None = None
    condition_cite: str | None = None
    shown: bool = field(default=False)  # shown and returned, no copy kept

    @property
    def missing(self) -> bool:
        return not self.present and not self.optional

    @property
    def instead_of(self) -> str | None:
        """The act's document this row's (alternative) document replaced, if it did."""
        return self.requirement if self.requirement and self.requirement != self.code else None


def age_on(birth: dt.date, today: dt.date) -> int:
    """Full years on ``today``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def applies(cond: DocumentCondition, who: Applicant, today: dt.date) -> bool | None:
    """Does the condition hold for this applicant?  None when it cannot be told (no birth date yet)."""
    verdicts: list[bool | None] = []
    if cond.no_iin:
        verdicts.append(None if who.has_iin is None else not who.has_iin)
    if cond.age_under is not None or cond.age_from is not None:
        if who.birth_date is None:
            verdicts.append(None)
        else:
            years = age_on(who.birth_date, today)
            if cond.age_under is not None:
                verdicts.append(years < cond.age_under)
            if cond.age_from is not None:
                if cond.age_from_female is not None and who.sex is None:
                    verdicts.append(None)
                else:
                    start = cond.age_from_female if who.sex == "female" and cond.age_from_female else cond.age_from
                    verdicts.append(years >= start)
    if False in verdicts:
        return False
    return None if None in verdicts else True


def alternatives_of(reg: Regulation, code: str) -> tuple[Document, ...]:
    """The documents that may stand in for ``code``, in the file's order."""
    return tuple(d for d in reg.documents if code in d.instead_of)


def build(reg: Regulation, category: Category, presented: tuple[str, ...] | list[str], who: Applicant,
          today: dt.date) -> list[ChecklistItem]:
    given = set(presented)
    items: list[ChecklistItem] = []
    for code in category.documents:
        conditional = category.condition(code)
        cond = conditional.when if conditional else None
        verdict = applies(cond, who, today) if cond else True
        if verdict is False:
            continue  # not this applicant's document: a minor's birth certificate for an adult
        doc = reg.document(code)
        alternatives = alternatives_of(reg, code)
        chosen = doc if code in given else next((a for a in alternatives if a.code in given), None)
        shown_doc = chosen or doc
        items.append(ChecklistItem(
            code=shown_doc.code if shown_doc else code,
            name=shown_doc.name.get("kk") if shown_doc else code,
            provided_as=shown_doc.provided_as if shown_doc else "copy",
            present=chosen is not None or (doc is None and code in given),
            cite=(shown_doc.cite if shown_doc else None) or category.cite,
            requirement=code,
            alternatives=tuple(a.code for a in alternatives),
            optional=bool(cond and (cond.if_any or verdict is None)),
            condition=cond,
            condition_cite=conditional.cite if conditional else None,
            shown=bool(shown_doc and shown_doc.provided_as == "shown"),
        ))
    return items


@dataclass(frozen=True)
class RowInfo:
    """What a stored checklist row (a document code) means in its category."""

    requirement: str  # the document the category asks for
    alternatives: tuple[str, ...]  # what may stand in for it
    condition: DocumentCondition | None
    condition_cite: str | None
    instead_of: str | None  # the requirement, when the row's document is an alternative given in its place
    shown: bool
    optional: bool  # "if any": never counted missing


def describe(reg: Regulation, category_code: str, document: str) -> RowInfo:
    """Read a stored row back: rows are written from :func:`build`, so a row's document is the category's
    requirement or one of its alternatives; the condition and alternatives come from the pinned regulation."""
    category = reg.category(category_code)
    doc = reg.document(document)
    requirement = document
    if category is not None and document not in category.documents and doc is not None:
        requirement = next((c for c in doc.instead_of if c in category.documents), document)
    conditional = category.condition(requirement) if category else None
    cond = conditional.when if conditional else None
    return RowInfo(
        requirement=requirement, alternatives=tuple(a.code for a in alternatives_of(reg, requirement)),
        condition=cond, condition_cite=conditional.cite if conditional else None,
        instead_of=requirement if requirement != document else None,
        shown=bool(doc and doc.provided_as == "shown"), optional=bool(cond and cond.if_any))


# --- the condition in words (summary, PDFs: no Django catalogue in the core) ----------------------------

_WORDS: dict[str, dict[str, str]] = {
    "age_under": {"kk": "{n} жасқа толмағандар үшін", "ru": "для лиц моложе {n} лет", "en": "under {n}"},
    "age_from": {"kk": "{n} жастан бастап", "ru": "с {n} лет", "en": "aged {n} or more"},
    "age_from_sex": {"kk": "ерлер {n} жастан, әйелдер {f} жастан бастап",
                     "ru": "мужчины с {n} лет, женщины с {f} лет", "en": "men from {n}, women from {f}"},
    "if_any": {"kk": "бар болған жағдайда", "ru": "при наличии", "en": "if any"},
    "no_iin": {"kk": "ЖСН болмаған жағдайда", "ru": "при отсутствии ИИН", "en": "where there is no IIN"},
    "shown": {"kk": "көрсетілді, қайтарылды", "ru": "предъявлен, возвращён", "en": "shown, returned"},
    "instead_of": {"kk": "орнына: {x}", "ru": "вместо: {x}", "en": "instead of: {x}"},
    "or": {"kk": "немесе", "ru": "или", "en": "or"},
}


def word(key: str, lang: str, **values: object) -> str:
    table = _WORDS[key]
    return (table.get(lang) or table["kk"]).format(**values)


def condition_text(cond: DocumentCondition, lang: str) -> str:
    """The condition as a reader says it: "under 18", "men from 63, women from 58", "if any"."""
    parts = []
    if cond.age_under is not None:
        parts.append(word("age_under", lang, n=cond.age_under))
    if cond.age_from is not None:
        if cond.age_from_female is not None:
            parts.append(word("age_from_sex", lang, n=cond.age_from, f=cond.age_from_female))
        else:
            parts.append(word("age_from", lang, n=cond.age_from))
    if cond.no_iin:
        parts.append(word("no_iin", lang))
    if cond.if_any:
        parts.append(word("if_any", lang))
    text = "; ".join(parts)
    if cond.note and cond.note.get(lang):
        text = f"{text} — {cond.note.get(lang)}" if text else cond.note.get(lang)
    return text


def requirement_text(reg: Regulation, requirement: str, lang: str) -> str:
    """"X or Y": the requirement with its alternatives, in ``lang``."""
    names = [d.name.get(lang) for d in (reg.document(requirement), *alternatives_of(reg, requirement)) if d]
    return f" {word('or', lang)} ".join(names) or requirement
