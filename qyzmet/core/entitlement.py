"""May this person receive item X on date D?  The replacement check over a regulation's norm tables.

Pure functions over :mod:`qyzmet.core.norms` and a recipient's history of receipts; the Django shell
(``qyzmet.entitlements``) supplies the history from its ledger and words the answer in kk/ru/en.

How a period runs ("not replaced earlier than 7 years from receipt"): from the day of receipt to the same
date N years (months) later, or to the last day of that month when the date does not exist — the rule every
term in months follows here (``engine.add_months``): received 29.02.2024, one year → 28.02.2025; four years
→ 29.02.2028.  On that date the item may be received again.

A norm counts receipts of the item — or of its family (items that replace one another) — inside its
period: ``quantity`` of them at most.  Yearly norms counted over the calendar year (hygiene means, cl. 102)
count the receipts of the year of D.  Of the norms that apply to the person's categories, the most
favourable one answers (a child's 2 years before an adult's 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from qyzmet.core.engine import add_months
from qyzmet.core.norms import Entitlements, Indication, Item, Norm, Period

Reason = Literal[
    "unknown-item",  # the regulation's norm tables have no such item
    "not-entitled",  # no norm of the item covers the person's categories
    "own-expense",  # the act provides it to these categories only at their own expense
    "first",  # never received: may receive
    "period-passed",  # the period since the last receipt has passed
    "quantity-left",  # inside the period, but the norm's quantity is not used up
    "no-period",  # the act sets no replacement period for the item
    "too-early",  # the period has not passed: the earliest date follows
    "quantity-used",  # the period's quantity is used up
    "lifetime-used",  # once per lifetime, already received
    "other-set-held",  # one set or the other (room + walking chairs or a universal one)
    "early-decision",  # a body's decision allows it before the period ends
    "extended",  # a commission extended the period of the item held
]


@dataclass(frozen=True)
class Received:
    """One entry of a recipient's ledger: an item received on a day."""

    item: str
    on: dt.date
    quantity: int = 1
    source: str = ""


@dataclass(frozen=True)
class Decision:
    """A body's decision about one item: an early replacement allowed from ``on`` (cl. 50, 90), or the
    period extended so that no replacement comes before ``until`` (cl. 50)."""

    item: str
    kind: Literal["early-replacement", "extension"]
    on: dt.date
    until: dt.date | None = None
    cite: str = ""


@dataclass(frozen=True)
class Answer:
    item: str
    on: dt.date
    allowed: bool
    reason: Reason
    cite: str
    earliest: dt.date | None = None
    norm: Norm | None = None
    since: Received | None = None  # the receipt the period runs from
    period: Period | Literal["calendar-year"] | None = None
    quantity: int = 1
    used: int = 0
    limit: int | None = None
    blocked_by: str | None = None  # other-set-held: the item held

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def payment(self) -> str:
        return self.norm.payment if self.norm else "free"

    def as_dict(self) -> dict:
        period = self.period if isinstance(self.period, str) or self.period is None else str(self.period)
        return {
            "item": self.item, "on": self.on.isoformat(), "allowed": self.allowed, "reason": self.reason,
            "earliest": self.earliest.isoformat() if self.earliest else None, "cite": self.cite,
            "period": period, "since": self.since.on.isoformat() if self.since else None,
            "quantity": self.quantity, "used": self.used, "limit": self.limit, "remaining": self.remaining,
            "payment": self.payment, "discount_percent": self.norm.discount_percent if self.norm else None,
            "blocked_by": self.blocked_by,
        }


def add_period(day: dt.date, period: Period) -> dt.date:
    """The same date ``period`` later (the last day of a shorter month)."""
    return add_months(day, period.months)  # type: ignore[arg-type,return-value]


def family_of(ent: Entitlements, item: Item) -> set[str]:
    """The codes of the items that replace ``item`` (itself included)."""
    if item.family is None:
        return {item.code}
    return {i.code for i in ent.items if i.family == item.family}


def applicable_norms(item: Item, categories: Iterable[str]) -> list[Norm]:
    cats = set(categories)
    return [n for n in item.norms if not n.categories or cats & set(n.categories)]


def check(ent: Entitlements, item_code: str, categories: Iterable[str], on: dt.date,
          history: Sequence[Received] = (), *, quantity: int = 1,
          decisions: Sequence[Decision] = ()) -> Answer:
    """The answer for one item on one day, with the clause and, when it is no, the earliest date."""
    item = ent.item(item_code)
    if item is None:
        return Answer(item_code, on, False, "unknown-item", ent.cite or "")
    cats = set(categories)
    norms = applicable_norms(item, cats)
    if not norms:
        cites = "; ".join(sorted({n.cite or "" for n in item.norms}))
        return Answer(item.code, on, False, "not-entitled", cites or item.cite or "")
    provided = [n for n in norms if n.payment != "own-expense"]
    if not provided:
        return Answer(item.code, on, False, "own-expense", norms[0].cite or "", norm=norms[0])
    with_main = _issued_with(ent, item, provided, cats, on, history, quantity, decisions)
    if with_main is not None:
        return with_main
    family = family_of(ent, item)
    mine = sorted((r for r in history if r.item in family and r.on <= on), key=lambda r: r.on)
    double = bool(ent.rules_for(item.code, "double-period"))
    answers = [_by_norm(item, n, on, mine, quantity, double) for n in provided]
    best = min(answers, key=_preference)
    best = _with_decisions(best, item, family, decisions, mine)
    blocked = _other_set(ent, item, on, history, cats)
    if blocked is not None and (best.allowed or (best.earliest and blocked.earliest
                                                 and blocked.earliest > best.earliest)):
        return blocked  # the other set's period ends later than this item's own
    return best


def _issued_with(ent: Entitlements, item: Item, norms: list[Norm], cats: set[str], on: dt.date,
                 history: Sequence[Received], quantity: int, decisions: Sequence[Decision]) -> Answer | None:
    """An item issued together with another and with no period of its own (two bras with a breast prosthesis,
    cl. 48; the test strips in the talking glucometer's kit, cl. 100) comes when the main item may come."""
    if any(n.per or n.replace_after or n.once_per_lifetime for n in norms):
        return None
    rule = next((r for r in ent.rules if r.kind == "issued-with" and item.code in r.gives), None)
    if rule is None:
        return None
    norm = max(norms, key=lambda n: n.quantity)
    if quantity > norm.quantity:
        return Answer(item.code, on, False, "quantity-used", norm.cite or "", norm=norm, quantity=quantity,
                      limit=norm.quantity)
    mains = [m for m in rule.items if ent.item(m) is not None]
    held = [r for r in history if r.item in mains and r.on <= on]
    main = max(held, key=lambda r: r.on).item if held else (mains[0] if mains else None)
    if main is None:
        return None
    a = check(ent, main, cats, on, history, decisions=decisions)
    cite = "; ".join(dict.fromkeys(c for c in (norm.cite, rule.cite, a.cite) if c))
    return Answer(item.code, on, a.allowed, a.reason, cite, earliest=a.earliest, norm=norm, since=a.since,
                  period=a.period, quantity=quantity, used=0 if a.allowed else norm.quantity, limit=norm.quantity,
                  blocked_by=a.blocked_by)


def _preference(a: Answer) -> tuple:
    """Allowed first, then the earliest date, then free before a discount."""
    return (not a.allowed, a.earliest or dt.date.max, a.payment != "free")


def _holdings(receipts: Sequence[Received], double: bool) -> list[tuple[Received, int]]:
    """Receipts with the multiple of the period each runs for: two prostheses received the same day run
    for two periods and count as one (cl. 46)."""
    if not double:
        return [(r, 1) for r in receipts]
    by_day: dict[dt.date, list[Received]] = {}
    for r in receipts:
        by_day.setdefault(r.on, []).append(r)
    out = []
    for day in sorted(by_day):
        same = by_day[day]
        if sum(r.quantity for r in same) >= 2:
            out.append((Received(same[0].item, day, 1, same[0].source), 2))
        else:
            out.extend((r, 1) for r in same)
    return out


def _by_norm(item: Item, norm: Norm, on: dt.date, mine: Sequence[Received], quantity: int,
             double: bool) -> Answer:
    cite = norm.cite or item.cite or ""
    base = {"item": item.code, "on": on, "norm": norm, "cite": cite, "quantity": quantity}
    last = mine[-1] if mine else None
    if norm.once_per_lifetime:
        if last is not None:
            return Answer(**base, allowed=False, reason="lifetime-used", since=last, used=1, limit=1)
        return Answer(**base, allowed=True, reason="first", limit=1)
    limit = norm.quantity
    if norm.per == "calendar-year":
        used = sum(r.quantity for r in mine if r.on.year == on.year)
        if used + quantity <= limit:
            return Answer(**base, allowed=True, reason="first" if not mine else "quantity-left",
                          period="calendar-year", used=used, limit=limit, since=last)
        earliest = dt.date(on.year + 1, 1, 1) if quantity <= limit else None
        return Answer(**base, allowed=False, reason="quantity-used", earliest=earliest, period="calendar-year",
                      used=used, limit=limit, since=last)
    period = norm.per or norm.replace_after
    if period is None:
        return Answer(**base, allowed=True, reason="first" if not mine else "no-period", since=last)
    held = [(r, k) for r, k in _holdings(mine, double) if add_period(r.on, period.times(k)) > on]
    used = sum(r.quantity for r, _k in held)
    if used + quantity <= limit:
        reason: Reason = "first" if not mine else ("period-passed" if not held else "quantity-left")
        return Answer(**base, allowed=True, reason=reason, period=period, used=used, limit=limit, since=last)
    if quantity > limit:
        return Answer(**base, allowed=False, reason="quantity-used", period=period, used=used, limit=limit)
    # The earliest day enough of the held receipts have run out for this quantity to fit.
    ends = sorted(((add_period(r.on, period.times(k)), r) for r, k in held), key=lambda pair: pair[0])
    freed, earliest, since = 0, None, None
    for end, r in ends:
        freed += r.quantity
        if used - freed + quantity <= limit:
            earliest, since = end, r
            break
    reason = "too-early" if limit == 1 else "quantity-used"
    return Answer(**base, allowed=False, reason=reason, earliest=earliest, period=period, used=used, limit=limit,
                  since=since)


def _with_decisions(answer: Answer, item: Item, family: set[str], decisions: Sequence[Decision],
                    mine: Sequence[Received]) -> Answer:
    last = mine[-1].on if mine else None
    mine_decisions = sorted((d for d in decisions if d.item in family and d.on <= answer.on
                             and (last is None or d.on >= last)), key=lambda d: d.on)
    for d in reversed(mine_decisions):
        if d.kind == "extension" and d.until and d.until > answer.on:
            # An extension only ever moves the date later than the period would (never earlier).
            earliest = max(d.until, answer.earliest) if answer.earliest else d.until
            return Answer(item.code, answer.on, False, "extended", d.cite, earliest=earliest, norm=answer.norm,
                          since=answer.since, period=answer.period, quantity=answer.quantity)
        if d.kind == "early-replacement" and not answer.allowed and answer.reason in ("too-early", "quantity-used"):
            return Answer(item.code, answer.on, True, "early-decision", d.cite, norm=answer.norm,
                          since=answer.since, period=answer.period, quantity=answer.quantity)
    return answer


def _other_set(ent: Entitlements, item: Item, on: dt.date, history: Sequence[Received],
               cats: set[str]) -> Answer | None:
    """One set or the other (annex 4 cl. 26): an item of another set still in its period blocks this one."""
    key = item.family or item.code
    rules = {r.code: r for r in ent.rules_for(key, "one-of-sets") + ent.rules_for(item.code, "one-of-sets")}
    for rule in rules.values():
        mine = next((s for s in rule.sets if key in s or item.code in s), ())
        others = {c for s in rule.sets if s is not mine for c in s}
        for r in sorted(history, key=lambda r: r.on, reverse=True):
            other = ent.item(r.item)
            if other is None or r.on > on or not ({other.code, other.family or ""} & others):
                continue
            answer = check(_without_sets(ent), other.code, cats, on, [x for x in history if x.on <= on])
            if not answer.allowed and answer.earliest:
                return Answer(item.code, on, False, "other-set-held", rule.cite or "", earliest=answer.earliest,
                              since=r, period=answer.period, blocked_by=other.code, norm=answer.norm)
    return None


def _without_sets(ent: Entitlements) -> Entitlements:
    return ent.model_copy(update={"rules": tuple(r for r in ent.rules if r.kind != "one-of-sets")})


# --- indications and contraindications (annex 1 of annex 3, annex 2 of annex 4) -------------------------

@dataclass(frozen=True)
class Findings:
    """What the specialist recorded of the recipient's medical-social expertise for the check."""

    conditions: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    age: int | None = None
    acuity: float | None = None
    field_degrees: int | None = None
    hearing_degree: int | None = None
    weight: int | None = None
    working_age: bool = False
    school_age: bool = False


@dataclass(frozen=True)
class Flag:
    row: str
    kind: Literal["unsupported", "ruled-out", "relative", "note"]
    cite: str
    unmet: tuple[tuple[str, str], ...] = field(default=())  # what the row asks that the findings do not show
    found: tuple[str, ...] = field(default=())  # the contraindications found


def indications(ent: Entitlements, item: str, f: Findings) -> list[Flag]:
    """The rows of the indications annex an IPR measure for ``item`` is not supported by or ruled out by.

    A row with no structured requirement or contraindication is returned as a note for the specialist
    (e.g. over 110 kg: a wheelchair of increased load capacity)."""
    flags: list[Flag] = []
    rows = ent.indications_for(item)
    supported = [row for row in rows if row.requires is not None and not _unmet(row, f)]
    for row in rows:
        cite = row.cite or f"row {row.row}"
        found = tuple(c for c in row.ruled_out_by if c in f.conditions)
        if found:
            flags.append(Flag(row.row, "ruled-out", cite, found=found))
        relative = tuple(c for c in row.relative if c in f.conditions)
        if relative:
            flags.append(Flag(row.row, "relative", cite, found=relative))
        if row.requires is None and not row.ruled_out_by and not row.relative:
            flags.append(Flag(row.row, "note", cite))
    with_requirements = [row for row in rows if row.requires is not None]
    if with_requirements and not supported:
        # None of the item's rows is met: name what each asks (a row split into sub-kinds may have several).
        for row in with_requirements:
            flags.append(Flag(row.row, "unsupported", row.cite or f"row {row.row}", unmet=_unmet(row, f)))
    # A row the act splits into alternatives (group I of working age, or children) is several entries with one
    # label: each finding is said once per row.
    return list(dict.fromkeys(flags))


def _unmet(row: Indication, f: Findings) -> tuple[tuple[str, str], ...]:
    """What the row asks that the findings do not show, as (what, value) pairs the shell words:
    category, age-min, age-max, sight, hearing, weight, working-age, school-age, any-of, condition."""
    req = row.requires
    if req is None:
        return ()
    out: list[tuple[str, str]] = []
    if req.categories and not set(req.categories) & f.categories:
        out.append(("category", ",".join(req.categories)))
    if req.age_min is not None and (f.age is None or f.age < req.age_min):
        out.append(("age-min", str(req.age_min)))
    if req.age_max is not None and (f.age is None or f.age > req.age_max):
        out.append(("age-max", str(req.age_max)))
    if req.acuity_max is not None or req.field_max is not None:
        # The act joins the two with "and (or)": either the acuity or the narrowed field qualifies.
        acuity_ok = req.acuity_max is not None and f.acuity is not None and f.acuity <= req.acuity_max and (
            req.acuity_min is None or f.acuity >= req.acuity_min)
        field_ok = req.field_max is not None and f.field_degrees is not None and f.field_degrees <= req.field_max
        if not (acuity_ok or field_ok):
            low = f"{req.acuity_min}–" if req.acuity_min is not None else "≤ "
            acuity = f"{low}{req.acuity_max}" if req.acuity_max is not None else ""
            field_text = f"≤ {req.field_max}°" if req.field_max is not None else ""
            out.append(("sight", "|".join((acuity, field_text))))
    if req.hearing_degree_min is not None and (f.hearing_degree is None or f.hearing_degree < req.hearing_degree_min):
        out.append(("hearing", str(req.hearing_degree_min)))
    if req.weight_min is not None and (f.weight is None or f.weight < req.weight_min):
        out.append(("weight", str(req.weight_min)))
    if req.working_age and not f.working_age:
        out.append(("working-age", ""))
    if req.school_age and not f.school_age:
        out.append(("school-age", ""))
    if req.any_of and not set(req.any_of) & f.conditions:
        out.append(("any-of", ",".join(req.any_of)))
    out.extend(("condition", c) for c in req.all_of if c not in f.conditions)
    return tuple(out)


def recipient_categories(ent: Entitlements, chosen: Iterable[str], *, applicant_category: str = "",
                         age: int | None = None) -> list[str]:
    """The person's categories: those chosen from the disability data, plus the ones their applicant
    category proves (a GPW certificate) and the minor's category a child's IIN shows."""
    out = {c for c in chosen if ent.category(c) is not None}
    for cat in ent.categories:
        if applicant_category and applicant_category in cat.applicant_categories:
            out.add(cat.code)
        if cat.minor and age is not None and age < 18:
            out.add(cat.code)
        if not cat.minor and not cat.applicant_categories and cat.code == "disabled-person":
            out.add(cat.code)
    return sorted(out)
