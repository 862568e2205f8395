"""Moving running cases to another version of their regulation: the plan, the move, and replaying a moved case.

A case stays on the version it was submitted under (``Case.regulation``).  A migration plan moves the open
cases of one version to another: the open step is matched by number *and* role — a case whose open step has
no counterpart in the new version (the step disappeared, or that number is now another role's) cannot move
automatically, and the plan says so; the steps still ahead are the new version's.  The term and the open
step's due are counted again on the new version (``recount``: the new term from the same start, the step's
new duration from the step's start).  Moving writes one ``regulation-migrated`` event per case (old and new
version and dates) and repins the case, in one transaction per case with its row locked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.cases import services
from qyzmet.cases.models import Case, RegulationVersion, Task
from qyzmet.cases.workflow import Invalid
from qyzmet.core import engine
from qyzmet.core.calendar import to_local
from qyzmet.core.regulation import Regulation
from qyzmet.recompute import audit
from qyzmet.recompute.recount import recount

OPEN = (Case.Status.SUBMITTED, Case.Status.IN_PROGRESS)


@dataclass(frozen=True)
class StepChange:
    n: int
    role_before: str | None  # None: the step is new in the target version
    role_after: str | None  # None: the step is gone
    duration_before: str | None
    duration_after: str | None

    def describe(self) -> str:
        if self.role_before is None:
            return f"step {self.n}: new ({self.role_after}, {self.duration_after or 'no duration'})"
        if self.role_after is None:
            return f"step {self.n}: gone ({self.role_before})"
        if self.role_before != self.role_after:
            return f"step {self.n}: {self.role_before} → {self.role_after} ({self.duration_after or 'no duration'})"
        if self.duration_before != self.duration_after:
            return f"step {self.n} ({self.role_after}): {self.duration_before} → {self.duration_after}"
        return f"step {self.n} ({self.role_after}): unchanged"


@dataclass(frozen=True)
class CaseMove:
    case_id: int
    number: str
    route: str
    step: int | None
    role: str | None
    can_move: bool
    reason: str  # why it cannot move ("" when it can)
    term_before: dt.datetime | None = None
    term_after: dt.datetime | None = None
    step_due_before: dt.datetime | None = None
    step_due_after: dt.datetime | None = None

    def as_dict(self) -> dict:
        iso = lambda v: to_local(v).isoformat() if v else None  # noqa: E731
        return {"number": self.number, "route": self.route, "step": self.step, "role": self.role,
                "can_move": self.can_move, "reason": self.reason, "term_due_before": iso(self.term_before),
                "term_due": iso(self.term_after), "step_due_before": iso(self.step_due_before),
                "step_due": iso(self.step_due_after)}


@dataclass
class Plan:
    reg_id: str
    source: list[RegulationVersion]
    target: RegulationVersion
    routes: dict[str, list[StepChange]] = field(default_factory=dict)
    moves: list[CaseMove] = field(default_factory=list)

    @property
    def movable(self) -> list[CaseMove]:
        return [m for m in self.moves if m.can_move]

    def as_dict(self) -> dict:
        return {"regulation": self.reg_id, "from": self.source[0].version, "to": self.target.version,
                "routes": {code: [c.describe() for c in changes] for code, changes in self.routes.items()},
                "cases": [m.as_dict() for m in self.moves],
                "summary": {"open": len(self.moves), "can_move": len(self.movable),
                            "cannot_move": len(self.moves) - len(self.movable)}}


def _rows(reg_id: str, version: int, field_name: str) -> list[RegulationVersion]:
    rows = list(RegulationVersion.objects.filter(reg_id=reg_id, version=version).order_by("-loaded_at", "-pk"))
    if not rows:
        known = ", ".join(str(v) for v in sorted(set(RegulationVersion.objects.filter(reg_id=reg_id)
                                                       .values_list("version", flat=True)))) or _("none")
        raise Invalid(field_name, _("%(reg)s has no version %(version)s (versions: %(known)s).") % {
            "reg": reg_id, "version": version, "known": known})
    return rows


def route_changes(before: Regulation, after: Regulation) -> dict[str, list[StepChange]]:
    out = {}
    for code, route in before.routes.items():
        target = after.routes.get(code)
        new_steps = {s.n: s for s in target.steps} if target else {}
        old_steps = {s.n: s for s in route.steps}
        out[code] = [StepChange(n, old_steps[n].role if n in old_steps else None,
                                new_steps[n].role if n in new_steps else None,
                                str(old_steps[n].duration) if n in old_steps and old_steps[n].duration else None,
                                str(new_steps[n].duration) if n in new_steps and new_steps[n].duration else None)
                     for n in sorted(old_steps.keys() | new_steps.keys())]
    return out


def case_move(case: Case, before: Regulation, after: Regulation, after_row: RegulationVersion) -> CaseMove:
    """Whether and how one open case moves from ``before`` to ``after``."""
    state = engine.state_from_dict(case.state)
    step = before.route(state.route).step(state.step) if state.step else None
    base = dict(case_id=case.pk, number=case.number, route=state.route, step=state.step,
                role=step.role if step else None)
    target = after.routes.get(state.route)
    if target is None:
        return CaseMove(**base, can_move=False, reason=f"v{after.version} has no route {state.route!r}")
    if step is not None:
        counterpart = next((s for s in target.steps if s.n == step.n), None)
        if counterpart is None or counterpart.role != step.role:
            now_is = f" (its step {step.n} is {counterpart.role}'s)" if counterpart else ""
            return CaseMove(**base, can_move=False,
                            reason=f"step {step.n} ({step.role}) has no counterpart in v{after.version}{now_is}: "
                                   "move it by hand")
    if state.custody is not None:
        return CaseMove(**base, can_move=False, reason="the result is kept by the provider (storage)")
    moved = recount(after, replace(state, version=after.version, content_hash=after.content_hash),
                    services.calendars_of(after))
    return CaseMove(**base, can_move=True, reason="", term_before=state.term_due, term_after=moved.term_due,
                    step_due_before=state.step_due, step_due_after=moved.step_due)


def plan(reg_id: str, version_from: int, version_to: int) -> Plan:
    """Which open cases of ``reg_id`` v``version_from`` would move to v``version_to``, and how."""
    if version_from == version_to:
        raise Invalid("to", _("The target version must differ from the one the cases are on."))
    source = _rows(reg_id, version_from, "from")
    target = _rows(reg_id, version_to, "to")[0]
    after = services.regulation_of(target)
    result = Plan(reg_id, source, target)
    befores = {row.pk: services.regulation_of(row) for row in source}
    result.routes = route_changes(befores[source[0].pk], after)
    for case in Case.objects.filter(regulation__in=source, status__in=OPEN).order_by("id"):
        result.moves.append(case_move(case, befores[case.regulation_id], after, target))
    return result


def migrate(reg_id: str, version_from: int, version_to: int, *, actor=None, note: str = "",
            now: dt.datetime | None = None) -> Plan:
    """Move every case the plan allows; each in its own transaction, re-checked under its row lock."""
    now = now or timezone.now()
    result = plan(reg_id, version_from, version_to)
    after = services.regulation_of(result.target)
    done = []
    for move in result.moves:
        if not move.can_move:
            done.append(move)
            continue
        with transaction.atomic():
            case = Case.objects.select_for_update().select_related("regulation").get(pk=move.case_id)
            before = services.regulation_of(case.regulation)
            if case.status not in OPEN or case.regulation.version != version_from:
                done.append(replace(move, can_move=False, reason="the case changed meanwhile"))
                continue
            move = case_move(case, before, after, result.target)
            if move.can_move:
                _write(case, move, after, result.target, actor, note, now)
            done.append(move)
    result.moves = done
    return result


def _iso(value: dt.datetime | None) -> str | None:
    return to_local(value).isoformat() if value else None


def _write(case: Case, move: CaseMove, after: Regulation, target: RegulationVersion, actor, note: str,
           now: dt.datetime) -> None:
    state = engine.state_from_dict(case.state)
    event = engine.MigrateRegulation(
        from_version=state.version, from_hash=state.content_hash, to_version=after.version,
        to_hash=after.content_hash, step=state.step, term_due_before=_iso(state.term_due),
        term_due=_iso(move.term_after), step_due_before=_iso(state.step_due), step_due=_iso(move.step_due_after),
        by=getattr(actor, "username", None), note=note)
    at = max(to_local(now), state.step_started) if state.step_started else now
    new, effects = engine.apply(after, state, event, at, services.calendars_of(after))
    suspended = new.suspended_since is not None
    case.regulation = target
    case.state = engine.state_to_dict(new)
    case.seq = new.seq
    case.term_due = None if suspended else new.term_due
    case.step_due = None if suspended else new.step_due
    case.term_why = next((e.data["why"] for e in effects if e.kind == "term-set"), case.term_why)
    case.save(update_fields=["regulation", "state", "seq", "term_due", "step_due", "term_why"])
    if not suspended and new.step is not None:
        step = after.route(new.route).step(new.step)
        Task.objects.filter(case=case, step=new.step, closed_at__isnull=True).update(
            due=new.step_due, cite=step.cite or "", why=f"moved to {after.id} v{after.version} by a migration plan")
    audit.record([audit.Entry(case.pk, case.number, new.seq, engine.to_jsonable(engine.event_to_dict(event)), at)],
                 actor)


def replay(case: Case) -> engine.CaseState:
    """``services.replay_case`` for a case that may have been migrated: the events before the migration are
    applied with the version they were made under."""
    reg = services.regulation_of(case.regulation)

    def version(number: int, content_hash: str) -> Regulation:
        row = RegulationVersion.objects.get(reg_id=case.regulation.reg_id, version=number, content_hash=content_hash)
        return services.regulation_of(row)

    events = [(engine.event_from_dict(e.payload), e.at) for e in case.events.order_by("seq")]
    return engine.replay(reg, events, services.calendars_of(reg), versions=version)
