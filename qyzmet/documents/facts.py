"""What a document can say about its case, and how each field of an annex's form is filled from it.

The forms' field codes are the annexes' own (216 of them across the catalog).  A field the case holds
(number, dates, applicant, documents, officer, grounds with their clause…) is filled; a signature, a seal
or a detail the case does not record (an address, a measurement) is left as a line for the hand, exactly as
the paper annex leaves it.  Pure Python: the documents app builds :class:`Facts` from a stored case and
``qyzmet documents render --sample`` from invented data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from qyzmet.core.iin import InvalidIdentifier, parse_iin


@dataclass(frozen=True)
class Ground:
    text: str
    cite: str


@dataclass(frozen=True)
class Facts:
    """One case as its documents see it, texts already in the document's language."""

    lang: str
    number: str
    service: str
    provider: str  # the office that renders the service
    office: str  # where the application was received
    office_address: str
    submitted_at: dt.datetime
    applicant_name: str
    iin: str
    phone: str = ""
    representative: str = ""
    accepted_at: dt.datetime | None = None
    accepted_by: str = ""  # the officer who accepted the documents
    decided_by: str = ""
    issue_by: dt.datetime | None = None  # the term's end: when the result is due
    closed_at: dt.datetime | None = None
    result: str = ""  # the result's name
    outcome: str = ""  # positive | refusal | acceptance-refused
    documents: tuple[tuple[str, bool], ...] = ()  # (name, presented)
    grounds: tuple[Ground, ...] = ()
    dated: dt.datetime | None = None  # the document's own date (the transition's instant)
    extra: dict[str, str] = field(default_factory=dict)
    personal_code: str = ""  # an anonymous applicant's code, in place of the IIN


def long_date(day: dt.date, lang: str) -> str:
    """Dates as Kazakh and Russian official papers write them: 19.03.2025 (the same in both languages)."""
    return f"{day:%d.%m.%Y}"


_CITE_WORDS = {
    "kk": ((r"\bannex (\d+)", r"\1-қосымша"), (r"\bcl\. ?", ""), (r"\bitem ", ""), (r"\brow ", "жол ")),
    "ru": ((r"\bannex (\d+)", r"приложение \1"), (r"\bcl\. ?", "п. "), (r"\bitem ", "пп. "), (r"\brow ", "строка ")),
}


def cite_in(cite: str, lang: str) -> str:
    """A cite as the catalog writes it ("annex 3, item 9.2") in the words of the document's language."""
    for pattern, words in _CITE_WORDS.get(lang, ()):
        cite = re.sub(pattern, words, cite)
    return cite


def _date(value: dt.datetime | None, lang: str) -> str:
    return long_date(value.date(), lang) if value else ""


def _name_part(index: int) -> Callable[[Facts], str]:
    def part(f: Facts) -> str:
        parts = f.applicant_name.split()
        return parts[index] if len(parts) > index else ""
    return part


def _birth_date(f: Facts) -> str:
    try:
        return long_date(parse_iin(f.iin).birth_date, f.lang)
    except InvalidIdentifier:
        return ""


_SEX = {"male": {"kk": "ер", "ru": "мужской"}, "female": {"kk": "әйел", "ru": "женский"}}


def _sex(f: Facts) -> str:
    try:
        return _SEX[parse_iin(f.iin).sex][f.lang]
    except InvalidIdentifier:
        return ""


def _presented(f: Facts) -> str:
    names = [name for name, present in f.documents if present]
    return "\n".join(f"{i}. {name}" for i, name in enumerate(names, 1))


def _missing(f: Facts) -> str:
    if f.extra.get("refusal-reason"):
        return f.extra["refusal-reason"]
    names = [name for name, present in f.documents if not present]
    return "\n".join(f"{i}. {name}" for i, name in enumerate(names, 1))


def _grounds(f: Facts) -> str:
    return "\n".join(f"{g.text} ({cite_in(g.cite, f.lang)})" if g.cite else g.text for g in f.grounds)


def _issue_place(f: Facts) -> str:
    when = _date(f.issue_by, f.lang)
    where = ", ".join(part for part in (f.office, f.office_address) if part)
    return "; ".join(part for part in (when, where) if part)


def _number_and_date(f: Facts) -> str:
    return f"{f.number}, {_date(f.accepted_at or f.submitted_at, f.lang)}"


def _accepted_on(f: Facts) -> str:
    return _date(f.accepted_at or f.dated or f.submitted_at, f.lang)


def _document_date(f: Facts) -> str:
    return _date(f.dated or f.accepted_at or f.submitted_at, f.lang)


def _officer(f: Facts) -> str:
    return f.accepted_by or f.decided_by


def _responsible(f: Facts) -> str:
    return f.decided_by or f.accepted_by


def _result_date(f: Facts) -> str:
    return _date(f.closed_at or f.dated, f.lang)


_S = Callable[[Facts], str]

# field code → how the case fills it.  Grouped by what the annexes mean, whatever word each act uses.
_FILL: dict[str, _S] = {}


def _fills(codes: str, how: _S) -> None:
    for code in codes.split():
        _FILL[code] = how


_fills("registration-number case-number", lambda f: f.number)
_fills("request-number-and-date application-number-and-date number-and-date", _number_and_date)
_fills("accepted-on acceptance-date registration-date slip-accepted-on service-and-registration-date",
       _accepted_on)
_fills("date signed-on slip-date referral-date blood-draw-date", _document_date)
_fills("result-date service-date service-or-refusal-date", _result_date)
_fills("issue-date-time-place", _issue_place)
_fills("applicant-name citizen-name full-name recipient-name slip-citizen unemployed-full-name for-whom recipient "
       "applicant-name-and-address", lambda f: f.applicant_name)
_fills("surname", _name_part(0))
_fills("first-name", _name_part(1))
_fills("patronymic", _name_part(2))
_fills("iin", lambda f: f.iin)
_fills("personal-code", lambda f: f.personal_code)
_fills("birth-date birth-date-repeated", _birth_date)
_fills("sex", _sex)
_fills("phone", lambda f: f.phone)
_fills("service-type service-name request requested-services", lambda f: f.service)
_fills("attached-documents attached-copies", _presented)
_fills("documents-count", lambda f: str(sum(1 for _, present in f.documents if present)))
_fills("missing-documents missing-or-expired-documents", _missing)
_fills("accepted-by acceptor acceptor-name inspector-name received-by slip-acceptor received-full-name",
       _officer)
_fills("employee specialist executor drawn-up-by specialist-full-name", _responsible)
_fills("addressee district-department office issuer head-of-organisation medical-organisation", lambda f: f.provider)
_fills("refusal-reasons refusal-reason", _grounds)
_fills("outcome", lambda f: f.result)


def fill(code: str, f: Facts) -> str:
    """The value of one form field; "" where the paper leaves a line (signature, seal, what the case lacks)."""
    if code in f.extra:
        return f.extra[code]
    how = _FILL.get(code)
    return how(f) if how else ""


def fillable(code: str) -> bool:
    """Whether the case itself fills this field (the rest are signatures and details written by hand)."""
    return code in _FILL
