"""Entitlement norms as data: which item a recipient may get, how many, how often, at whose expense.

Order No. 61's rules for prosthetic-orthopaedic aid, technical (compensatory) means and wheelchairs
(annexes 3 and 4) are mostly tables of entitlement.  A regulation file holds them under
``entitlements:``: the recipients' categories the tables name, the items (with their kk/ru names and the
row of the indications annex), one or more norms per item — quantity per period, the minimum period
before a replacement, discount or own expense — each cited, the act's special rules (two prostheses at
once, covers instead of a new prosthesis, one set of wheelchairs or the other, a commission's early
replacement or extension…), and the indications and contraindications the specialist checks an IPR
measure against.

Periods are written as the acts write them: ``7 years``, ``6 months``.  A number without a unit is a
load error, not a guess.  What the data *mean* for one person on one day is
:mod:`qyzmet.core.entitlement`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, PlainSerializer

from qyzmet.core.basemodel import Cited, Code, Text, _Strict


@dataclass(frozen=True, order=True)
class Period:
    """A length of time in calendar years or months ("7 years", "6 months")."""

    amount: int
    unit: Literal["year", "month"]

    @property
    def months(self) -> int:
        return self.amount * 12 if self.unit == "year" else self.amount

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"

    def times(self, n: int) -> Period:
        return Period(self.amount * n, self.unit)


_PERIOD = re.compile(r"^\s*(\d+)\s*([^\d\s].*?)\s*$")
_YEAR = ("year", "жыл", "год", "лет")
_MONTH = ("month", "ай", "месяц")


def parse_period(text: object) -> Period:
    if isinstance(text, Period):
        return text
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise ValueError(f"a period is text such as '7 years' or '6 months', got {text!r}")
    if isinstance(text, int) or text.strip().isdigit():
        raise ValueError(f"period {str(text).strip()!r} has no unit: write e.g. '{text} years' or '{text} months'")
    match = _PERIOD.match(text)
    if not match:
        raise ValueError(f"cannot read the period {text!r}: write e.g. '7 years' or '6 months'")
    amount, word = int(match.group(1)), match.group(2).lower()
    if amount <= 0:
        raise ValueError(f"period {text!r} must be longer than zero")
    if word.startswith(_YEAR):
        return Period(amount, "year")
    if word.startswith(_MONTH):
        return Period(amount, "month")
    raise ValueError(f"period {text!r}: the unit must be years or months")


PeriodField = Annotated[Period, BeforeValidator(parse_period), PlainSerializer(str, return_type=str)]

Payment = Literal["free", "discount", "own-expense"]
ItemGroup = Literal["prosthesis", "footwear", "self-care", "hearing", "vision", "hygiene", "mobility"]
Unit = Literal["piece", "pair", "set", "sheet", "course"]


class RecipientCategory(Cited):
    """A category of recipients a norm table names (GPW-privileged, group I, a child with a disability…).

    ``applicant_categories`` are the regulation's applicant categories that prove it (the GPW certificate
    of the ``wwii-veteran`` category); ``minor`` marks the category a child under 18 belongs to, as the
    IIN's birth date shows.
    """

    code: Code
    name: Text
    applicant_categories: tuple[Code, ...] = ()
    minor: bool = False


class Norm(Cited):
    """One row of a norm table: for these categories, this many per period, at this price."""

    categories: tuple[Code, ...] = Field(default=(), description="empty: every recipient of the item's chapter")
    quantity: int = Field(default=1, ge=1, description="how many per period")
    per: PeriodField | Literal["calendar-year"] | None = Field(
        default=None, description="the period the quantity is counted over; None: per replacement period")
    replace_after: PeriodField | None = Field(
        default=None, description="not replaced earlier than this, counted from the date of receipt")
    max_use: PeriodField | None = Field(default=None, description="worn at most this long (a training prosthesis)")
    once_per_lifetime: bool = False
    payment: Payment = "free"
    discount_percent: int | None = Field(default=None, ge=1, le=99)
    formula: str | None = Field(default=None, description="how the act's quantity is made, e.g. '6 a day × 365 days'")
    quarters: tuple[int, ...] | None = Field(default=None, description="the quarterly split the recipient may choose")
    note: Text | None = None


class Item(Cited):
    """An item of the norm tables, named as the act names it."""

    code: Code
    name: Text
    family: Code | None = Field(
        default=None, description="items that replace one another (a lever-drive and a manual walking chair); "
                                  "None: the item alone")
    group: ItemGroup
    unit: Unit = "piece"
    row: str | None = Field(default=None, description="its row in the indications annex, e.g. '3.2'")
    make: Literal["complex", "small"] | None = Field(
        default=None, description="prosthetic-orthopaedic means: complex (45 working days) or small (7)")
    norms: tuple[Norm, ...]


RuleKind = Literal[
    "double-period",  # two received at once: replaced after two periods (annex 3 cl. 46)
    "covers-instead",  # usable after its period and not renewed: the period's covers instead (cl. 49)
    "issued-with",  # issued together with (breast prostheses with two bras, cl. 48)
    "one-of-sets",  # one set or the other at a time (wheelchairs, annex 4 cl. 26)
    "early-replacement",  # a body's decision allows a replacement before the period ends (cl. 50, 90)
    "extension",  # a commission's conclusion extends the period (cl. 50)
    "one-per-family",  # one reading machine for a family of two or more (annex 1 row 3.2)
    "then-own-expense",  # after the kit is used up, at the recipient's own expense (test strips, cl. 100)
    "supplier-fault-repair",  # poor manufacture: repaired at the supplier's expense (cl. 50)
]


class Rule(Cited):
    """A special rule of the act about some items; the check knows what each kind means."""

    code: Code
    kind: RuleKind
    items: tuple[Code, ...] = ()
    sets: tuple[tuple[Code, ...], ...] = ()
    gives: tuple[Code, ...] = ()
    text: Text


class Condition(Cited):
    """A finding of the medical-social expertise an indication or contraindication names."""

    code: Code
    name: Text


class Requires(_Strict):
    """What an indications row asks of the recipient, where the act gives it as a number or a category.

    Every field is optional; a row only says what the act says.  ``any_of`` needs one of the findings,
    ``all_of`` all of them.
    """

    categories: tuple[Code, ...] = ()
    age_min: int | None = Field(default=None, description="full years, at least")
    age_max: int | None = Field(default=None, description="full years, at most")
    acuity_max: float | None = Field(default=None, description="visual acuity of the better eye with correction")
    acuity_min: float | None = None
    field_max: int | None = Field(default=None, description="concentric narrowing of the visual field, degrees")
    hearing_degree_min: int | None = Field(default=None, ge=1, le=4)
    weight_min: int | None = Field(default=None, description="kg")
    working_age: bool = False
    school_age: bool = False
    any_of: tuple[Code, ...] = ()
    all_of: tuple[Code, ...] = ()


class Indication(Cited):
    """One row of the indications and contraindications annex."""

    row: str
    items: tuple[Code, ...]
    indications: Text
    contraindications: Text | None = None
    requires: Requires | None = None
    ruled_out_by: tuple[Code, ...] = Field(default=(), description="findings that are contraindications")
    relative: tuple[Code, ...] = Field(default=(), description="relative contraindications: flagged, not ruled out")


class Entitlements(Cited):
    """The norm tables of one regulation."""

    categories: tuple[RecipientCategory, ...] = ()
    items: tuple[Item, ...]
    rules: tuple[Rule, ...] = ()
    conditions: tuple[Condition, ...] = ()
    indications: tuple[Indication, ...] = ()
    period_rule: Text | None = Field(default=None, description="how 'N years from receipt' is counted")

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def category(self, code: str) -> RecipientCategory | None:
        return next((c for c in self.categories if c.code == code), None)

    def condition(self, code: str) -> Condition | None:
        return next((c for c in self.conditions if c.code == code), None)

    def rules_for(self, item: str, kind: RuleKind | None = None) -> list[Rule]:
        return [r for r in self.rules if (item in r.items or any(item in s for s in r.sets))
                and (kind is None or r.kind == kind)]

    def indications_for(self, item: str) -> list[Indication]:
        return [row for row in self.indications if item in row.items]
