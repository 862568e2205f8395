"""The regulation consistency checker.

Two kinds of findings:

* **errors** — the *file* is wrong or incomplete as an encoding: a missing cite or kk/ru text, a step
  whose role is not defined, a reference to a document that does not exist, steps out of order.
  The engine must not run such a regulation.
* **warnings** — the *act* is defective and the file says so faithfully: steps that overrun the term,
  a step in calendar days under a working-day term, a step without a duration, a role the act uses
  but never defines, kk and ru texts that disagree.

Every rule and its code are listed in docs/lint-rules.md; codes are stable.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel

from qyzmet.core.calendar import BUILTIN_SCHEDULES, CalendarError, Schedule
from qyzmet.core.durations import Duration, Unit
from qyzmet.core.loader import field_path
from qyzmet.core.norms import Indication, Item, Norm
from qyzmet.core.regulation import Cited, Regulation, Route, Step, Term, Text
from qyzmet.core.timeline import term_schedule

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    regulation: str
    severity: Severity
    code: str
    message: str
    cite: str | None
    where: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


_CYRILLIC = "а-яёәғқңөұүһіА-ЯЁӘҒҚҢӨҰҮҺІ"
_MIXED_SCRIPT = re.compile(f"[{_CYRILLIC}][a-zA-Z]+|[a-zA-Z]+[{_CYRILLIC}]")

# Elements whose cite the linter does not demand: plain value holders inside a cited parent.
_CITE_EXEMPT = {"Text", "Source", "FormField"}


def lint(reg: Regulation) -> list[Finding]:
    """All findings for one regulation, errors first, in a stable order."""
    findings: list[Finding] = []
    for check in _CHECKS:
        findings.extend(check(reg))
    order = {"error": 0, "warning": 1}
    return sorted(findings, key=lambda f: (order[f.severity], f.code, f.where))


def _f(reg: Regulation, severity: Severity, code: str, message: str, cite: str | None,
       where: str = "") -> Finding:
    return Finding(reg.id, severity, code, message, cite, where)


def _walk(model: BaseModel, path: tuple = ()) -> Iterator[tuple[tuple, BaseModel]]:
    yield path, model
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _walk(value, (*path, name))
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk(item, (*path, name, i))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from _walk(item, (*path, name, key))


# --- completeness of the encoding ------------------------------------------------------------------

def check_cites(reg: Regulation) -> Iterator[Finding]:
    for path, node in _walk(reg):
        if isinstance(node, Cited) and type(node).__name__ not in _CITE_EXEMPT and not (node.cite or "").strip():
            yield _f(reg, "error", "missing-cite", f"{field_path(path)} has no cite: which clause says this?",
                     None, field_path(path))


def check_texts(reg: Regulation) -> Iterator[Finding]:
    for path, node in _walk(reg):
        if not isinstance(node, Text):
            continue
        where = field_path(path)
        for lang in ("kk", "ru"):
            value = getattr(node, lang) or ""
            if not value.strip():
                yield _f(reg, "error", "missing-text", f"{where} has no {lang} text", _parent_cite(reg, path), where)
            elif match := _MIXED_SCRIPT.search(value):
                # Digitised acts often carry Latin i/a/o/c inside Cyrillic words; they break search and sorting.
                yield _f(reg, "error", "mixed-script", f"{where}.{lang}: a Latin letter inside a Cyrillic word "
                         f"({match.group(0)!r})", _parent_cite(reg, path), where)


def _parent_cite(reg: Regulation, path: tuple) -> str | None:
    node: object = reg
    cite = None
    for part in path:
        node = node[part] if isinstance(node, (tuple, dict)) else getattr(node, part)  # type: ignore[index]
        if isinstance(node, Cited) and node.cite:
            cite = node.cite
    return cite


def check_codes(reg: Regulation) -> Iterator[Finding]:
    for group in ("documents", "categories", "acceptance_refusal_grounds", "refusal_grounds", "roles",
                  "forms", "results", "schedules", "sms"):
        counts = Counter(item.code for item in getattr(reg, group))
        for code, n in counts.items():
            if n > 1:
                yield _f(reg, "error", "duplicate-code", f"{group}: code {code!r} is defined {n} times", None, group)
    channels = Counter(c.code for c in reg.channels)
    for code, n in channels.items():
        if n > 1:
            yield _f(reg, "error", "duplicate-code", f"channel {code!r} is defined {n} times", None, "channels")


def check_act_dates(reg: Regulation) -> Iterator[Finding]:
    act = reg.act
    pairs = [("adopted", act.adopted, "in_force_from", act.in_force_from),
             ("in_force_from", act.in_force_from, "in_force_to", act.in_force_to),
             ("adopted", act.adopted, "in_force_to", act.in_force_to)]
    if act.registration:
        pairs.append(("adopted", act.adopted, "registration.date", act.registration.date))
    for a_name, a, b_name, b in pairs:
        if a and b and a > b:
            yield _f(reg, "error", "in-force-order", f"act.{a_name} {a} is after act.{b_name} {b}", act.cite,
                     "act")


def check_references(reg: Regulation) -> Iterator[Finding]:
    documents = {d.code for d in reg.documents}
    forms = {f.code for f in reg.forms}
    results = {r.code for r in reg.results}
    channels = {c.code for c in reg.channels}
    schedules = {s.code for s in reg.schedules} | set(BUILTIN_SCHEDULES)
    producible = documents | forms | results
    for i, cat in enumerate(reg.categories):
        for doc in cat.documents:
            if doc not in documents:
                yield _f(reg, "error", "unknown-reference", f"category {cat.code!r} requires unknown document {doc!r}",
                         cat.cite, f"categories[{i}].documents")
    for group in ("documents", "results"):
        for i, item in enumerate(getattr(reg, group)):
            if item.form and item.form not in forms:
                yield _f(reg, "error", "unknown-reference", f"{group[:-1]} {item.code!r} names unknown form "
                         f"{item.form!r}", item.cite, f"{group}[{i}].form")
    for i, term in enumerate(reg.terms):
        if term.channel not in channels:
            yield _f(reg, "error", "unknown-reference", f"term for channel {term.channel!r}, which is not "
                     "among the channels", term.cite, f"terms[{i}]")
    for i, ch in enumerate(reg.channels):
        if ch.schedule not in schedules:
            yield _f(reg, "error", "unknown-reference", f"channel {ch.code!r} uses unknown schedule "
                     f"{ch.schedule!r}", ch.cite, f"channels[{i}].schedule")
    for i, role in enumerate(reg.roles):
        if role.schedule and role.schedule not in schedules:
            yield _f(reg, "error", "unknown-reference", f"role {role.code!r} uses unknown schedule "
                     f"{role.schedule!r}", role.cite, f"roles[{i}].schedule")
    if reg.storage is not None and reg.role(reg.storage.then) is None:
        yield _f(reg, "error", "unknown-reference", f"storage is kept by unknown role {reg.storage.then!r}",
                 reg.storage.cite, "storage.then")
    for name, route in reg.routes.items():
        if route.channel not in channels:
            yield _f(reg, "error", "unknown-reference", f"route {name!r} runs through channel {route.channel!r}, "
                     "which is not among the channels", route.cite, f"routes.{name}.channel")
        for j, step in enumerate(route.steps):
            for code in step.produces:
                if code not in producible:
                    yield _f(reg, "error", "unknown-reference", f"route {name!r} step {step.n} produces unknown "
                             f"document/form/result {code!r}", step.cite, f"routes.{name}.steps[{j}].produces")
    for i, sms in enumerate(reg.sms):
        trigger = sms.trigger
        if trigger is None:
            continue
        where = f"sms[{i}].trigger"
        if trigger.route not in reg.routes:
            yield _f(reg, "error", "unknown-sms-trigger", f"sms {sms.code!r} is sent on route {trigger.route!r}, "
                     f"which is not defined (routes: {', '.join(reg.routes)})", sms.cite, where)
        elif not any(step.n == trigger.step for step in reg.routes[trigger.route].steps):  # type: ignore[index]
            steps = len(reg.routes[trigger.route].steps)  # type: ignore[index]
            yield _f(reg, "error", "unknown-sms-trigger", f"sms {sms.code!r} is sent on step {trigger.step} of "
                     f"route {trigger.route!r}, which has steps 1..{steps}", sms.cite, where)
    for i, sched in enumerate(reg.schedules):
        try:
            Schedule.from_text(sched.code, sched.weekly)
        except CalendarError as exc:
            yield _f(reg, "error", "bad-schedule", str(exc), sched.cite, f"schedules[{i}]")


def check_results(reg: Regulation) -> Iterator[Finding]:
    kinds = {r.kind for r in reg.results}
    if "positive" not in kinds:
        yield _f(reg, "error", "missing-result", "no positive result is defined", None, "results")
    if "refusal" not in kinds or not reg.refusal_grounds:
        # Some acts (the 2015 health regulations) never say on what grounds, or in what form, the service
        # may be refused: a real gap, so a warning, and the engine then allows no refusal.
        yield _f(reg, "warning", "no-refusal-path", "the act defines no reasoned refusal (no refusal result or no "
                 "refusal grounds): the service cannot be lawfully refused", reg.provider.cite, "results")
    if "main" not in reg.routes:
        yield _f(reg, "error", "missing-route", "every regulation has a 'main' route", None, "routes")
    for cat in reg.categories:
        if not cat.documents:
            yield _f(reg, "warning", "category-without-documents",
                     f"applicant category {cat.code!r} has no documents listed", cat.cite, "categories")
    if reg.form == "non-automated":
        for r in reg.results:
            if r.medium == "electronic":
                yield _f(reg, "warning", "medium-vs-form", f"result {r.code!r} is electronic but the service "
                         f"is non-automated ({reg.form_cite})", r.cite, "results")


# --- routes and steps ------------------------------------------------------------------------------

def check_steps(reg: Regulation) -> Iterator[Finding]:
    for name, route in reg.routes.items():
        base = f"routes.{name}"
        if not route.steps:
            yield _f(reg, "error", "empty-route", f"route {name!r} has no steps", route.cite, base)
            continue
        numbers = [s.n for s in route.steps]
        if numbers != list(range(1, len(numbers) + 1)):
            yield _f(reg, "error", "step-numbering", f"route {name!r} steps are numbered {numbers}, expected "
                     f"1..{len(numbers)}", route.cite, base)
        for flag in ("accepts", "decides"):
            count = sum(1 for s in route.steps if getattr(s, flag))
            if count != 1:
                yield _f(reg, "error", "route-flags", f"route {name!r} has {count} steps marked {flag!r}; "
                         "exactly one is needed", route.cite, base)
        if not route.steps[-1].issues or sum(1 for s in route.steps if s.issues) != 1:
            yield _f(reg, "error", "route-flags", f"route {name!r}: the last step, and only it, must be marked "
                     "'issues'", route.cite, base)
        flags = [i for i, s in enumerate(route.steps) if s.accepts] + [
            i for i, s in enumerate(route.steps) if s.decides]
        if len(flags) == 2 and flags[0] > flags[1]:
            yield _f(reg, "error", "route-flags", f"route {name!r}: the decision comes before acceptance",
                     route.cite, base)
        yield from _check_branches(reg, name, route)
        seen: dict[tuple, int] = {}
        for j, step in enumerate(route.steps):
            where = f"{base}.steps[{j}]"
            yield from _check_step(reg, name, step, where)
            key = (step.role, step.action.kk, step.duration)
            if step.action.kk and key in seen:
                yield _f(reg, "warning", "duplicate-step", f"route {name!r} step {step.n} repeats step "
                         f"{seen[key]} (same role, action and duration)", step.cite, where)
            seen.setdefault(key, step.n)


def _check_branches(reg: Regulation, name: str, route: Route) -> Iterator[Finding]:
    main = [s.n for s in route.steps]
    taken = set(main)
    decides = next((s.n for s in route.steps if s.decides), None)
    for b, branch in enumerate(route.branches):
        where = f"routes.{name}.branches[{b}]"
        label = f"route {name!r} branch {branch.code!r}"
        if branch.from_step not in main:
            yield _f(reg, "error", "unknown-reference", f"{label} leaves from step {branch.from_step}, which the main "
                     "line does not have", branch.cite, where)
        elif decides is not None and main.index(branch.from_step) > main.index(decides):
            yield _f(reg, "error", "route-flags", f"{label} leaves after the deciding step {decides}: a refusal "
                     "is decided at or before it", branch.cite, where)
        if not branch.steps or not branch.steps[-1].issues or sum(1 for s in branch.steps if s.issues) != 1:
            yield _f(reg, "error", "route-flags", f"{label}: the last step, and only it, must be marked 'issues'",
                     branch.cite, where)
        for j, step in enumerate(branch.steps):
            if step.n in taken:
                yield _f(reg, "error", "step-numbering", f"{label} step {step.n}: the number is already used in "
                         "the route (a branch's steps are numbered after the main line's)", step.cite,
                         f"{where}.steps[{j}]")
            taken.add(step.n)
            if step.accepts or step.decides:
                yield _f(reg, "error", "route-flags", f"{label} step {step.n} accepts or decides: a branch only "
                         "carries out the refusal", step.cite, f"{where}.steps[{j}]")
            if step.counted_from_step is not None and step.counted_from_step not in taken:
                yield _f(reg, "error", "unknown-reference", f"{label} step {step.n} counts from step "
                         f"{step.counted_from_step}, which comes later or does not exist", step.cite,
                         f"{where}.steps[{j}]")
            yield from _check_step(reg, f"{name}/{branch.code}", step, f"{where}.steps[{j}]")
    codes = Counter(b.code for b in route.branches)
    for code, count in codes.items():
        if count > 1:
            yield _f(reg, "error", "duplicate-code", f"route {name!r} has {count} branches {code!r}", route.cite,
                     f"routes.{name}.branches")


def _check_step(reg: Regulation, route: str, step: Step, where: str) -> Iterator[Finding]:
    label = f"route {route!r} step {step.n}"
    if not step.role:
        yield _f(reg, "error", "step-without-role", f"{label} has no role", step.cite, where)
    else:
        role = reg.role(step.role)
        if role is None:
            yield _f(reg, "error", "unknown-role", f"{label}: role {step.role!r} is not defined in roles",
                     step.cite, where)
        elif not role.declared:
            yield _f(reg, "warning", "role-not-in-act", f"{label}: the act has {step.role!r} act in its step "
                     f"table but never lists it among the structural-functional units", step.cite, where)
    if not step.has_due_rule:
        words = f" (the act says: {step.duration_text.get('en') or step.duration_text.get('kk')})" \
            if step.duration_text else ""
        yield _f(reg, "warning", "step-without-duration", f"{label} has no duration{words}", step.cite, where)
    rules = [name for name, on in (("duration", step.duration is not None and not step.rhythm),
                                   ("within", step.within), ("before_term_end", step.before_term_end)) if on]
    if len(rules) > 1:
        yield _f(reg, "error", "due-rule-conflict", f"{label} has both {' and '.join(rules)}: one due rule per step",
                 step.cite, where)
    if step.times_a_day and step.at_least_times_a_day:
        yield _f(reg, "error", "due-rule-conflict", f"{label} has both times_a_day and at_least_times_a_day",
                 step.cite, where)
    if step.counted_from_step is not None and step.duration is None:
        yield _f(reg, "error", "due-rule-conflict", f"{label}: counted_from_step needs a duration", step.cite, where)
    if step.before_term_end is not None and step.before_term_end.unit is Unit.WORKING_DAY:
        yield _f(reg, "error", "due-rule-conflict", f"{label}: before_term_end counts back in plain time (hours or "
                 "calendar days), not working days", step.cite, where)
    if step.when is not None:
        unknown = [c for c in step.when.categories if reg.category(c) is None]
        if unknown:
            yield _f(reg, "error", "unknown-reference", f"{label}: the condition names unknown categories "
                     f"{', '.join(unknown)}", step.when.cite, where + ".when")
        if not step.when.categories and step.when.asked is None:
            yield _f(reg, "error", "empty-condition", f"{label}: a condition needs categories or the act's words "
                     "(asked)", step.when.cite, where + ".when")
        if step.accepts or step.decides or step.issues:
            yield _f(reg, "error", "route-flags", f"{label}: a step that accepts, decides or issues cannot be "
                     "conditional", step.when.cite, where + ".when")
    if not step.output and not step.produces:
        yield _f(reg, "warning", "step-without-output", f"{label} has no output (completion form)",
                 step.cite, where)
    if step.duration and step.duration_ru and step.duration != step.duration_ru:
        yield _f(reg, "warning", "kk-ru-mismatch", f"{label}: the Kazakh text says {step.duration}, the Russian "
                 f"text {step.duration_ru}", step.cite, where)


def check_kk_ru(reg: Regulation) -> Iterator[Finding]:
    for i, term in enumerate(reg.terms):
        if term.duration and term.duration_ru and term.duration != term.duration_ru:
            yield _f(reg, "warning", "kk-ru-mismatch", f"term for {term.channel}: the Kazakh text says "
                     f"{term.duration}, the Russian text {term.duration_ru}", term.cite, f"terms[{i}]")
    for i, ch in enumerate(reg.channels):
        q = ch.queue
        if q and q.max_service and q.max_service_ru and q.max_service != q.max_service_ru:
            yield _f(reg, "warning", "kk-ru-mismatch", f"channel {ch.code}: the Kazakh text gives a maximum "
                     f"service time of {q.max_service}, the Russian text {q.max_service_ru}", q.cite,
                     f"channels[{i}].queue")


def check_cross_references(reg: Regulation) -> Iterator[Finding]:
    document_clauses = {_clause_number(d.cite) for d in reg.documents if d.cite}
    document_clauses |= {_clause_number(c.cite) for c in reg.categories if c.cite}
    document_clauses.discard(None)
    if not document_clauses:
        return
    for i, term in enumerate(reg.terms):
        if term.refers_to and _clause_number(term.refers_to) not in document_clauses:
            listed = ", ".join(sorted(str(c) for c in document_clauses))
            yield _f(reg, "warning", "wrong-cross-reference", f"term for {term.channel} counts from the documents "
                     f"of {term.refers_to}, but the documents are listed in cl. {listed}", term.cite, f"terms[{i}]")


def _clause_number(cite: str | None) -> str | None:
    """'cl. 13.3, annex 1' → '13': the top-level clause a cite points into."""
    if not cite:
        return None
    match = re.search(r"(?:cl\.|clause|п\.|тармақ)\s*(\d+)", cite)
    return match.group(1) if match else None


def check_duplicate_clauses(reg: Regulation) -> Iterator[Finding]:
    for group in ("documents", "acceptance_refusal_grounds", "refusal_grounds"):
        texts: dict[str, str] = {}
        for item in getattr(reg, group):
            text = (item.text if hasattr(item, "text") else item.name).kk
            if not text:
                continue
            norm = " ".join(text.lower().split())
            if norm in texts:
                yield _f(reg, "warning", "duplicate-clause", f"{group}: {item.code!r} repeats {texts[norm]!r} "
                         "word for word", item.cite, group)
            texts.setdefault(norm, item.code)


# --- terms --------------------------------------------------------------------------------------

def _schedule(reg: Regulation, name: str) -> Schedule:
    for s in reg.schedules:
        if s.code == name:
            return Schedule.from_text(s.code, s.weekly)
    return BUILTIN_SCHEDULES.get(name, BUILTIN_SCHEDULES["department"])


def _day_minutes(schedule: Schedule) -> int:
    """Length of a typical working day, to express minutes as a share of a day."""
    lengths = [sum(b - a for a, b in day) for day in schedule.weekly if day]
    return max(lengths) // 60


def _min_calendar_days(working_days: int, open_weekdays: int) -> int:
    """The fewest calendar days that can hold ``working_days`` working days (best-placed start)."""
    if working_days <= 0:
        return 0
    closed = 7 - open_weekdays
    return working_days + closed * ((working_days - 1) // open_weekdays)


def _min_working_days(calendar_days: int, open_weekdays: int) -> int:
    """The fewest working days that ``calendar_days`` consecutive days can contain."""
    closed = 7 - open_weekdays
    return calendar_days - (closed * (calendar_days // 7) + min(closed, calendar_days % 7))


@dataclass
class StepSum:
    """Durations of a route's steps, kept per unit: they cannot be added without a calendar."""

    working_days: int = 0
    calendar_days: int = 0
    minutes: int = 0

    def add(self, d: Duration) -> None:
        if d.unit is Unit.WORKING_DAY:
            self.working_days += d.amount
        elif d.unit is Unit.CALENDAR_DAY:
            self.calendar_days += d.amount
        else:
            self.minutes += d.minutes

    def __str__(self) -> str:
        parts = []
        if self.working_days:
            parts.append(str(Duration(self.working_days, Unit.WORKING_DAY)))
        if self.calendar_days:
            parts.append(str(Duration(self.calendar_days, Unit.CALENDAR_DAY)))
        if self.minutes:
            h, m = divmod(self.minutes, 60)
            parts.append(" ".join(x for x in (f"{h} h" if h else "", f"{m} min" if m else "") if x))
        return " + ".join(parts) or "nothing"


def counted_steps(route: Route, term_unit: Unit, steps: list[Step] | None = None) -> list[Step]:
    """Steps that run inside the term.

    A term in days is counted from the day after submission, so minute/hour steps (and 'within the working
    day' or rhythm steps) up to and including the accepting step happen on the uncounted day of submission, as
    do steps 'on the day of application'.  A term in minutes or hours counts them all.
    """
    steps = list(route.steps) if steps is None else steps
    if term_unit.is_time:
        return steps
    accept_at = next((i for i, s in enumerate(steps) if s.accepts), -1)
    out = []
    for i, step in enumerate(steps):
        same_day = (step.duration is not None and step.duration.unit.is_time) or step.within == "working-day" \
            or (step.rhythm and step.duration is None)
        if (i <= accept_at and same_day) or step.within == "application-day":
            continue
        out.append(step)
    return out


def check_terms(reg: Regulation) -> Iterator[Finding]:
    for name, route in reg.routes.items():
        term = reg.term_for(route.channel)
        base = f"routes.{name}"
        if term is None:
            yield _f(reg, "error", "missing-term", f"route {name!r} runs through channel {route.channel!r}, "
                     "which has no term", route.cite, base)
            continue
        if term.duration is None:
            yield _f(reg, "warning", "term-without-duration", f"the term for channel {term.channel!r} is not a "
                     "duration", term.cite, base)
            continue
        yield from _check_units(reg, name, route, term)
        for label, steps, where in _paths(name, route):
            yield from _check_overrun(reg, label, route, steps, term, where)
            for own in term.by_result:
                if reg.result(own.result) is None:
                    continue
                # Each result's own term must hold the steps too (a positive HIV finding's 3 days as well as 20).
                yield from _check_overrun(reg, label, route, steps, term.model_copy(
                    update={"duration": own.duration, "cite": own.cite}), where)
        for j, own in enumerate(term.by_result):
            if reg.result(own.result) is None:
                yield _f(reg, "error", "unknown-reference", f"the term for channel {term.channel!r} names unknown "
                         f"result {own.result!r}", own.cite, f"terms.by_result[{j}]")


def _paths(name: str, route: Route) -> Iterator[tuple[str, list[Step], str]]:
    """The main line and each branch's way (the main line up to the branch's step, then the branch)."""
    yield f"route {name!r}", list(route.steps), f"routes.{name}"
    for b, branch in enumerate(route.branches):
        head = []
        for step in route.steps:
            head.append(step)
            if step.n == branch.from_step:
                break
        yield f"route {name!r} branch {branch.code!r}", head + list(branch.steps), f"routes.{name}.branches[{b}]"


def _check_units(reg: Regulation, name: str, route: Route, term: Term) -> Iterator[Finding]:
    assert term.duration is not None
    day_units = {Unit.WORKING_DAY, Unit.CALENDAR_DAY}
    if term.duration.unit not in day_units:
        return
    for j, step in enumerate(route.steps):
        if step.duration and step.duration.amount and step.duration.unit in day_units \
                and step.duration.unit != term.duration.unit:  # "the same day" (0) has no unit to mix
            yield _f(reg, "warning", "mixed-units", f"route {name!r} step {step.n} is counted in "
                     f"{step.duration.unit.value}s ({step.duration}) but the term is in "
                     f"{term.duration.unit.value}s ({term.duration}, {term.cite})", step.cite,
                     f"routes.{name}.steps[{j}]")


def _copy(total: StepSum) -> StepSum:
    return StepSum(total.working_days, total.calendar_days, total.minutes)


def _step_bound(step: Step, day_minutes: int) -> tuple[StepSum, str | None]:
    """The most a step can take, as the linter counts it, and a note on how a due rule was counted."""
    bound = StepSum()
    if step.within == "working-day":
        bound.add(Duration(1, Unit.WORKING_DAY))  # it may start at opening time and run to closing
        return bound, "'within the working day' counted as up to one working day"
    if step.rhythm and step.duration is None:
        bound.minutes += math.ceil(day_minutes / step.rhythm)
        return bound, f"a step done {step.rhythm} times a day counted as 1/{step.rhythm} of a working day"
    if step.duration is not None:
        bound.add(step.duration)
    return bound, None


def _check_overrun(reg: Regulation, name: str, route: Route, path: list[Step], term: Term,
                   where: str) -> Iterator[Finding]:
    assert term.duration is not None
    steps = counted_steps(route, term.duration.unit, path)
    schedule = _schedule(reg, term_schedule(reg, route.channel).schedule)
    open_days = sum(1 for d in schedule.weekly if d)
    day_minutes = _day_minutes(schedule)
    extra = 1 if "issuance-day" in term.excludes else 0
    unit = term.duration.unit
    allowed = term.duration.amount + extra if not unit.is_time else term.duration.minutes

    def used(total: StepSum) -> Fraction:
        if unit is Unit.WORKING_DAY:
            return Fraction(total.working_days) + Fraction(total.minutes, day_minutes) + \
                _min_working_days(total.calendar_days, open_days)
        if unit is Unit.CALENDAR_DAY:
            wd = total.working_days + math.ceil(Fraction(total.minutes, day_minutes))
            return Fraction(_min_calendar_days(wd, open_days) + total.calendar_days)
        return Fraction(total.minutes + day_minutes * (total.working_days + total.calendar_days))

    total = StepSum()
    at_start: dict[int, StepSum] = {}
    notes: list[str] = []
    reserve: tuple[StepSum, Duration] | None = None  # the steps up to a 'before the term ends' step, its margin
    for step in steps:
        at_start[step.n] = _copy(total)
        if step.before_term_end is not None:
            reserve = (_copy(total), step.before_term_end)
            notes.append(f"step {step.n} is due {step.before_term_end} before the term ends")
            continue
        bound, note = _step_bound(step, day_minutes)
        if note and note not in notes:
            notes.append(note)
        anchor = at_start.get(step.counted_from_step) if step.counted_from_step else None
        if anchor is not None:
            # "within 3 working days after receiving the package": the span from that step's start to this
            # step's end is bounded by this step's duration, whatever the steps in between took.
            total = _plus(anchor, bound)
            notes.append(f"step {step.n} counted from the start of step {step.counted_from_step}")
            continue
        total = _plus(total, bound)
    value = used(total)
    if reserve is not None:
        before, margin = reserve
        margin_sum = StepSum()
        margin_sum.add(Duration(math.ceil(margin.minutes / (24 * 60)) if margin.unit.is_time else margin.amount,
                                Unit.CALENDAR_DAY if unit is Unit.CALENDAR_DAY else Unit.WORKING_DAY))
        value = max(value, used(_plus(before, margin_sum)))
    cite = f"{term.cite}; {route.cite}"
    excluded = " (the issuance day is not counted)" if extra else ""
    how = f" ({'; '.join(notes)})" if notes else ""
    if value > allowed:
        yield _f(reg, "warning", "term-overrun", f"{name}: the steps add up to {total}, more than the "
                 f"term of {term.duration}{excluded} ({term.cite}){how}", cite, where)
    elif value == allowed and total.working_days + total.calendar_days > 0:
        yield _f(reg, "warning", "term-no-slack", f"{name}: the steps add up to exactly the term of "
                 f"{term.duration}; any delay makes the case overdue{how}", cite, where)


def _plus(a: StepSum, b: StepSum) -> StepSum:
    return StepSum(a.working_days + b.working_days, a.calendar_days + b.calendar_days, a.minutes + b.minutes)


_FORMULA = re.compile(r"^\s*(\d[\d\s]*)\s*(?:a|per|in a)\s+day\s*[×x*]\s*(\d+)\s*days?\s*$")


def check_entitlements(reg: Regulation) -> Iterator[Finding]:
    """The norm tables: every code they name is defined, and every number agrees with the act's own
    arithmetic (a yearly 2 190 is 6 a day × 365; a quarterly split adds up to the year)."""
    ent = reg.entitlements
    if ent is None:
        return
    items = {i.code for i in ent.items}
    families = {i.family for i in ent.items if i.family}
    cats = {c.code for c in ent.categories}
    conditions = {c.code for c in ent.conditions}
    for group, codes in (("items", [i.code for i in ent.items]), ("categories", [c.code for c in ent.categories]),
                         ("conditions", [c.code for c in ent.conditions]), ("rules", [r.code for r in ent.rules])):
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            yield _f(reg, "error", "duplicate-code", f"entitlements.{group}: code {code!r} is used twice",
                     ent.cite, f"entitlements.{group}")
    # Items issued together with another (two bras with a breast prosthesis) follow that item's period.
    given_with = {c for r in ent.rules if r.kind == "issued-with" for c in r.gives}
    for i, item in enumerate(ent.items):
        for j, norm in enumerate(item.norms):
            yield from _check_norm(reg, item, norm, f"entitlements.items[{i}].norms[{j}]", cats, given_with)
    for i, rule in enumerate(ent.rules):
        for code in [*rule.items, *rule.gives, *(c for s in rule.sets for c in s)]:
            if code not in items and code not in families:
                yield _f(reg, "error", "unknown-reference", f"rule {rule.code}: names item {code!r}, which "
                         "entitlements.items does not define", rule.cite, f"entitlements.rules[{i}]")
    for i, row in enumerate(ent.indications):
        yield from _check_indication(reg, row, f"entitlements.indications[{i}]", items, cats, conditions)
    for item in ent.items:
        if item.row and not any(item.code in r.items for r in ent.indications):
            yield _f(reg, "warning", "item-without-indications", f"{item.code} names row {item.row} of the "
                     "indications annex, but no indications row covers it", item.cite, "entitlements.items")


def _check_norm(reg: Regulation, item: Item, norm: Norm, at: str, cats: set[str],
                given_with: set[str]) -> Iterator[Finding]:
    for c in norm.categories:
        if c not in cats:
            yield _f(reg, "error", "unknown-reference", f"{item.code}: norm names category {c!r}, which "
                     "entitlements.categories does not define", norm.cite, at)
    if norm.payment == "discount" and not norm.discount_percent and norm.note is None:
        # A discount the act states as a sum (boots: the cost of the shoes, cl. 59) is said in a note.
        yield _f(reg, "error", "norm-discount", f"{item.code}: a discount without its percent or a note saying "
                 "what it is", norm.cite, at)
    if norm.payment != "discount" and norm.discount_percent:
        yield _f(reg, "error", "norm-discount", f"{item.code}: a percent on a norm that is not a discount",
                 norm.cite, at)
    if norm.quarters is not None and sum(norm.quarters) != norm.quantity:
        yield _f(reg, "error", "norm-arithmetic", f"{item.code}: the quarters {list(norm.quarters)} add up to "
                 f"{sum(norm.quarters)}, not the quantity {norm.quantity}", norm.cite, at)
    if norm.formula:
        match = _FORMULA.match(norm.formula)
        product = int(match.group(1).replace(" ", "")) * int(match.group(2)) if match else None
        if product is None:
            yield _f(reg, "error", "norm-arithmetic", f"{item.code}: cannot read the formula {norm.formula!r} "
                     "(write e.g. '6 a day × 365 days')", norm.cite, at)
        elif product != norm.quantity:
            yield _f(reg, "error", "norm-arithmetic", f"{item.code}: {norm.formula} is {product}, not the quantity "
                     f"{norm.quantity}", norm.cite, at)
    counted = norm.per or norm.replace_after
    if norm.quantity > 1 and counted is None and not norm.once_per_lifetime and item.code not in given_with:
        yield _f(reg, "error", "norm-without-period", f"{item.code}: {norm.quantity} of what period? A quantity "
                 "needs 'per' or 'replace_after'", norm.cite, at)


def _check_indication(reg: Regulation, row: Indication, at: str, items: set[str], cats: set[str],
                      conditions: set[str]) -> Iterator[Finding]:
    for code in row.items:
        if code not in items:
            yield _f(reg, "error", "unknown-reference", f"indications row {row.row}: names item {code!r}, which "
                     "entitlements.items does not define", row.cite, at)
    req = row.requires
    for code in [*row.ruled_out_by, *row.relative, *((*req.any_of, *req.all_of) if req else ())]:
        if code not in conditions:
            yield _f(reg, "error", "unknown-reference", f"indications row {row.row}: names finding {code!r}, which "
                     "entitlements.conditions does not define", row.cite, at)
    for code in (req.categories if req else ()):
        if code not in cats:
            yield _f(reg, "error", "unknown-reference", f"indications row {row.row}: names category {code!r}",
                     row.cite, at)


_CHECKS = (check_cites, check_texts, check_codes, check_act_dates, check_references, check_results,
           check_steps, check_kk_ru, check_cross_references, check_duplicate_clauses, check_terms,
           check_entitlements)

RULES: dict[str, tuple[Severity, str]] = {
    "missing-cite": ("error", "an element has no cite (clause, annex, table row)"),
    "missing-text": ("error", "a text lacks its kk or ru version"),
    "mixed-script": ("error", "a Latin letter inside a Cyrillic word (a digitisation artefact: і written as i)"),
    "duplicate-code": ("error", "two elements of one list share a code"),
    "in-force-order": ("error", "act dates out of order (adopted, registered, in force from/to)"),
    "unknown-reference": ("error", "a reference to a document, form, result, channel, schedule or storage "
                                   "keeper that is not defined"),
    "unknown-sms-trigger": ("error", "an SMS's trigger names a route or step that does not exist"),
    "bad-schedule": ("error", "a schedule's hours cannot be read or overlap"),
    "missing-result": ("error", "no positive result is defined"),
    "no-refusal-path": ("warning", "the act defines no reasoned refusal (no refusal result or no refusal grounds)"),
    "missing-route": ("error", "no 'main' route"),
    "empty-route": ("error", "a route without steps"),
    "step-numbering": ("error", "steps are not numbered 1..N in order"),
    "route-flags": ("error", "not exactly one accepting and one deciding step, or the last step does not issue"),
    "step-without-role": ("error", "a step names no role"),
    "unknown-role": ("error", "a step's role is not defined in roles"),
    "missing-term": ("error", "a route's channel has no term"),
    "role-not-in-act": ("warning", "the act's step table uses an actor its SFU list never defines"),
    "step-without-duration": ("warning", "a step has no duration the calendar can count"),
    "step-without-output": ("warning", "a step has no output (completion form)"),
    "kk-ru-mismatch": ("warning", "the Kazakh and Russian texts give different numbers"),
    "wrong-cross-reference": ("warning", "a clause points at the wrong clause"),
    "duplicate-clause": ("warning", "two clauses say the same thing word for word"),
    "duplicate-step": ("warning", "a route repeats a step"),
    "category-without-documents": ("warning", "an applicant category lists no documents"),
    "medium-vs-form": ("warning", "an electronic result from a non-automated service"),
    "term-without-duration": ("warning", "a channel's total term is not a countable duration"),
    "mixed-units": ("warning", "a step counted in calendar days under a working-day term, or the reverse"),
    "term-overrun": ("warning", "the route's steps cannot fit in the total term"),
    "term-no-slack": ("warning", "the route's steps fill the total term exactly"),
}


# --- complaints (the appeal levels of `complaints:`) -------------------------------------------------
# Appended with its own codes; the shell (qyzmet/complaints) routes a complaint by these entries, so an entry
# it could not route, or a term the act does not give, is an error of the file.

_COMPLAINT_LEVEL = {"provider": 0, "psc": 0, "quality-authority": 1, "court": 2}


def check_complaints(reg: Regulation) -> Iterator[Finding]:
    last = -1
    for i, c in enumerate(reg.complaints):
        where = f"complaints[{i}]"
        level = _COMPLAINT_LEVEL[c.body]
        if level < last:
            yield _f(reg, "error", "complaint-order", f"{where}: a complaint to {c.body!r} comes after a higher "
                     "level; list the levels in the act's order of appeal (provider/psc, quality-authority, court)",
                     c.cite, where)
        last = max(last, level)
        if c.body == "court" and (c.term is not None or c.role):
            yield _f(reg, "error", "complaint-court", f"{where}: the court route carries a term or a role; the acts "
                     "name the court without a term and nobody in the service considers it", c.cite, where)
        if c.body == "provider" and c.role and reg.role(c.role) is None:
            yield _f(reg, "error", "complaint-unknown-role", f"{where}: role {c.role!r} is not defined in roles",
                     c.cite, where)
        if c.body != "court" and c.term is None:
            yield _f(reg, "warning", "complaint-without-term", f"{where}: a complaint to {c.body!r} has no "
                     "consideration term the calendar can count", c.cite, where)


_CHECKS = (*_CHECKS, check_complaints)
RULES.update({
    "complaint-order": ("error", "the complaint levels are not in the order of appeal (provider/psc, "
                                 "quality-authority, court)"),
    "complaint-court": ("error", "the court route carries a term or a role"),
    "complaint-unknown-role": ("error", "a complaint to the provider names a role not defined in roles"),
    "complaint-without-term": ("warning", "a complaint level other than court has no consideration term"),
})


# --- documents: alternatives and conditions (issue 13 part 3) ------------------------------------------
# An alternative (`documents[].instead_of`) stands in for a category's requirement, and a category's
# document may hold only under a condition (`when:`); the checklist (core/checklist.py) relies on both.

def check_document_alternatives(reg: Regulation) -> Iterator[Finding]:
    codes = {d.code for d in reg.documents}
    for i, doc in enumerate(reg.documents):
        where = f"documents[{i}].instead_of"
        for code in doc.instead_of:
            if code == doc.code:
                yield _f(reg, "error", "unknown-alternative", f"document {doc.code!r} is listed as its own "
                         "alternative", doc.cite, where)
            elif code not in codes:
                yield _f(reg, "error", "unknown-alternative", f"document {doc.code!r} stands instead of unknown "
                         f"document {code!r}", doc.cite, where)
    for i, cat in enumerate(reg.categories):
        required = set(cat.documents)
        for doc in reg.documents:
            replaced = [c for c in doc.instead_of if c in required]
            if doc.code in required and replaced:
                # Listing the alternative too would demand both: the act lets one replace the other.
                yield _f(reg, "error", "alternative-required", f"category {cat.code!r} requires {doc.code!r}, "
                         f"which may stand instead of {', '.join(replaced)} in the same list", cat.cite,
                         f"categories[{i}].documents[{cat.documents.index(doc.code)}]")
        for cond in cat.conditions:
            at = f"categories[{i}].documents[{cat.documents.index(cond.code)}]" if cond.code in required else \
                f"categories[{i}].conditions"
            if not (cond.cite or "").strip():
                yield _f(reg, "error", "condition-without-cite", f"category {cat.code!r}: the condition of "
                         f"{cond.code!r} has no cite: which clause says when it is needed?", cat.cite, at)
            if cond.code not in codes:
                yield _f(reg, "error", "unknown-reference", f"category {cat.code!r} requires unknown document "
                         f"{cond.code!r}", cat.cite, at)
            w = cond.when
            lowest = min(a for a in (w.age_from, w.age_from_female) if a is not None) if w.age_from else None
            if w.age_under is not None and lowest is not None and lowest >= w.age_under:
                yield _f(reg, "error", "condition-never-holds", f"category {cat.code!r}: {cond.code!r} is needed "
                         f"under {w.age_under} and from {lowest} at once, which no applicant is", cond.cite, at)


_CHECKS = (*_CHECKS, check_document_alternatives)
RULES.update({
    "unknown-alternative": ("error", "a document stands instead of a document that is not defined (or of itself)"),
    "alternative-required": ("error", "a category requires both a document and the alternative that may replace it"),
    "condition-without-cite": ("error", "a category's conditional document has no cite for its condition"),
    "condition-never-holds": ("error", "a conditional document's age bounds exclude every applicant"),
})
