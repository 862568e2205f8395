"""Suspending and resuming a case's term, where the act gives grounds for it, and refusing it where it does not.

The person who does the open step suspends it (they are the one who finds the ground); while suspended no
step can be done and nothing is due, and on resuming every due date moves by the working time the case
stood still.  The engine keeps each suspension with its ground and clause, so the case page and the
deadline's explanation can say why the date moved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from qyzmet.cases import services
from qyzmet.cases.access import AccessDenied, Actor, Conflict, case_for
from qyzmet.cases.models import Case, Task
from qyzmet.cases.workflow import Invalid, apply_as
from qyzmet.core import engine
from qyzmet.core.calendar import to_local
from qyzmet.core.regulation import Ground, Regulation
from qyzmet.web.text import current_language


@dataclass(frozen=True)
class Period:
    ground: str
    text: str
    cite: str | None
    since: dt.datetime
    until: dt.datetime | None  # None: still suspended
    working_time: str  # "2 working days 3 h" in words; empty while still suspended


@dataclass(frozen=True)
class Panel:
    grounds: tuple[Ground, ...]
    refusal: str  # why the act allows no suspension, when it allows none
    periods: tuple[Period, ...]
    suspended: bool
    can_act: bool


def _ground_text(reg: Regulation, code: str, lang: str) -> str:
    ground = next((g for g in reg.suspension.grounds if g.code == code), None) if reg.suspension else None
    return ground.text.get(lang) if ground else code


def no_suspension(reg: Regulation) -> str:
    """The act's own words for allowing no suspension, or that it says nothing about it."""
    lang = current_language()
    rule = reg.suspension
    if rule is not None and rule.note is not None:
        return _("The act allows no suspension of the term: “%(text)s” (%(cite)s).") % {
            "text": rule.note.get(lang), "cite": rule.cite}
    return _("The act gives no ground for suspending the term, so it cannot be suspended.")


def working_time(seconds: int) -> str:
    minutes = seconds // 60
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)s h %(m)s min of working time") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)s h of working time") % {"h": hours}
    return _("%(m)s min of working time") % {"m": rest}


def may_act(actor: Actor, case: Case) -> bool:
    """The person who holds the open step (its role, in the office that does it) suspends and resumes."""
    if case.current_step is None:
        return False
    task = Task.objects.filter(case=case, step=case.current_step, closed_at__isnull=True).first()
    return task is not None and task.office_id == actor.office_id and actor.holds(task.role)


def panel(reg: Regulation, state: engine.CaseState, holds_step: bool) -> Panel | None:
    """What the case page shows about suspension; None for a closed case that was never suspended.
    ``holds_step``: the reader holds the open step (the page knows it from the task it already read)."""
    if state.status.closed and not state.suspensions:
        return None
    lang = current_language()
    periods = [Period(r.ground, _ground_text(reg, r.ground, lang), r.cite, to_local(r.since), to_local(r.until),
                      working_time(r.seconds)) for r in state.suspensions]
    if state.suspended_since is not None:
        ground = state.suspension_ground or ""
        cite = next((g.cite for g in reg.suspension.grounds if g.code == ground), None) if reg.suspension else None
        periods.append(Period(ground, _ground_text(reg, ground, lang), cite, to_local(state.suspended_since), None, ""))
    grounds = reg.suspension.grounds if reg.suspension else ()
    return Panel(grounds=tuple(grounds), refusal="" if grounds else no_suspension(reg), periods=tuple(periods),
                 suspended=state.suspended_since is not None,
                 can_act=state.status is engine.Status.IN_PROGRESS and holds_step)


def suspend(actor: Actor, case_id: int, ground: str, note: str, now: dt.datetime) -> Case:
    case = case_for(actor, pk=case_id)
    reg = services.regulation_of(case.regulation)
    grounds = reg.suspension.grounds if reg.suspension else ()
    if not grounds:
        raise Conflict(no_suspension(reg))
    if not any(g.code == ground for g in grounds):
        raise Invalid("ground", _("“%(ground)s” is not a ground for suspending the term (grounds: %(known)s).")
                      % {"ground": ground, "known": ", ".join(g.code for g in grounds)})
    if not note.strip():
        raise Invalid("note", _("Say what happened: the suspension is recorded with its reason."))
    return _act(actor, case, engine.Suspend(ground, by=actor.username, note=note.strip()), now)


def resume(actor: Actor, case_id: int, note: str, now: dt.datetime) -> Case:
    case = case_for(actor, pk=case_id)
    return _act(actor, case, engine.Resume(by=actor.username, note=note.strip()), now)


def _act(actor: Actor, case: Case, event: engine.Event, now: dt.datetime) -> Case:
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not may_act(actor, locked):
            raise AccessDenied(_("Only the person who does the open step of this case can suspend or resume its "
                                 "term."))
        return apply_as(locked, event, now, actor)
