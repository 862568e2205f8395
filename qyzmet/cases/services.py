"""The shell around the engine: load a case, ask the core for the transition, store the result.

Every transition writes the new state, its event and its effects in one transaction, with the case
row locked, so two clerks pressing a button at once cannot both move the same case.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from qyzmet.cases.access import task_office_id
from qyzmet.cases.audit import append_event
from qyzmet.cases.models import Case, ChecklistItem, Effect, Event, RegulationVersion, Task
from qyzmet.core import engine
from qyzmet.core.calendar import to_local
from qyzmet.core.loader import RegulationLoadError, load_text, shipped_catalog
from qyzmet.core.regulation import Regulation
from qyzmet.core.timeline import CalendarLookup, calendars_for
from qyzmet.directory.models import Office, calendar_exceptions

_regulation_cache: dict[int, Regulation] = {}

# What else a transition writes in its transaction: the documents app issues the papers the act ties to it,
# the notify app queues its SMS.  They register here from their AppConfig.ready() so this module needs
# no import of theirs; a listener that raises rolls the whole transition back.
TransitionListener = Callable[["Transition"], None]
transition_listeners: list[TransitionListener] = []


@dataclass(frozen=True)
class Transition:
    """One recorded transition, as the listeners see it (inside its transaction)."""

    case: Case
    event_row: Event
    event: engine.Event
    state: engine.CaseState
    effects: list[engine.Effect]
    now: dt.datetime
    actor: object
    regulation: Regulation


def register_regulation(reg: Regulation) -> RegulationVersion:
    """Store the regulation's text so cases pinned to it can always be replayed."""
    row, _ = RegulationVersion.objects.get_or_create(
        reg_id=reg.id, version=reg.version, content_hash=reg.content_hash,
        defaults={
            "service": reg.service, "name_kk": reg.name.kk or "", "name_ru": reg.name.ru or "",
            "name_en": reg.name.en or "", "source": _source_text(reg),
        },
    )
    _regulation_cache[row.pk] = reg
    return row


def _source_text(reg: Regulation) -> str:
    from pathlib import Path

    try:
        return Path(reg.source_path).read_text(encoding="utf-8")
    except OSError:
        import yaml

        return yaml.safe_dump(reg.model_dump(mode="json"), allow_unicode=True, sort_keys=False)


def sync_catalog() -> list[RegulationVersion]:
    return [register_regulation(reg) for reg in shipped_catalog().regulations]


def regulation_of(row: RegulationVersion) -> Regulation:
    """The regulation object a case is pinned to: from the catalog if unchanged, else from its stored text."""
    cached = _regulation_cache.get(row.pk)
    if cached is not None:
        return cached
    reg = shipped_catalog().find(row.reg_id, row.version, row.content_hash)
    if reg is None:
        try:
            reg = load_text(row.source, f"stored:{row.reg_id}@v{row.version}")
        except RegulationLoadError as exc:  # pragma: no cover - stored texts loaded once already
            raise engine.EngineError(f"stored regulation {row} no longer loads: {exc}") from None
    _regulation_cache[row.pk] = reg
    return reg


@dataclass(frozen=True)
class Outcome:
    case: Case
    effects: list[engine.Effect]


def calendars_of(reg: Regulation) -> CalendarLookup:
    """Schedule name → working calendar for ``reg``, with the calendar exceptions recorded in the directory."""
    return calendars_for(reg, calendar_exceptions())


def submit(reg_row: RegulationVersion, event: engine.Submit, now: dt.datetime, *, office: Office | None = None,
           provider_office: Office | None = None, applicant_name: str = "", actor=None, number: str | None = None,
           **details: str) -> Outcome:
    """Create a case from a submission.  ``details``: applicant_phone, representative_name/_iin, power_of_attorney."""
    reg = regulation_of(reg_row)
    state, effects = engine.apply(reg, None, event, now, calendars_of(reg))
    with transaction.atomic():
        case = Case.objects.create(
            number=number or f"pending-{uuid.uuid4().hex[:20]}", regulation=reg_row, route=state.route,
            channel=state.channel, office=office,
            provider_office=provider_office or (office if state.channel == "provider" else None),
            applicant_iin=state.iin, personal_code=state.personal_code or None, applicant_name=applicant_name,
            category=state.category,
            submitted_at=now, state=engine.state_to_dict(state), seq=0, **details,
        )
        if number is None:
            # The primary key is the only race-free counter both SQLite and PostgreSQL give us.
            case.number = f"Q{now:%Y}-{case.pk:07d}"
        ChecklistItem.objects.bulk_create([
            ChecklistItem(case=case, document=i.code, name=i.name, provided_as=i.provided_as, present=i.present,
                          cite=i.cite or "")
            for i in engine.checklist(reg, state.category, state.documents, iin=state.iin or None,
                                      today=to_local(now).date())
        ])
        _record(case, state, event, now, effects, actor, reg)
    return Outcome(case, effects)


def apply_event(case: Case, event: engine.Event, now: dt.datetime, *, actor=None) -> Outcome:
    """Apply one event to a stored case; raises :class:`engine.EngineError` and stores nothing if refused."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("regulation").get(pk=case.pk)
        reg = regulation_of(locked.regulation)
        state = engine.state_from_dict(locked.state)
        new_state, effects = engine.apply(reg, state, event, now, calendars_of(reg))
        _record(locked, new_state, event, now, effects, actor, reg)
    return Outcome(locked, effects)


def _record(case: Case, state: engine.CaseState, event: engine.Event, now: dt.datetime,
            effects: list[engine.Effect], actor, reg: Regulation) -> None:
    # The case row is locked (or was just created) in this transaction: the chain cannot fork here.
    row = append_event(case, event.kind, engine.to_jsonable(engine.event_to_dict(event)), now, actor, seq=state.seq)
    Effect.objects.bulk_create([
        Effect(case=case, event=row, kind=e.kind, payload=engine.to_jsonable(e.data)) for e in effects
    ])
    for effect in effects:
        if effect.kind == "task-opened":
            Task.objects.create(case=case, step=effect.data["n"], role=effect.data["role"] or "", opened_at=now,
                                due=effect.data["due"], why=effect.data["why"], cite=effect.data["cite"] or "",
                                office_id=task_office_id(reg, effect.data["role"], case),
                                purpose=effect.data.get("purpose", "step"))
        elif effect.kind == "task-closed":
            Task.objects.filter(case=case, step=effect.data["n"], closed_at__isnull=True).update(
                closed_at=now, closed_by=actor, late=effect.data["late"])
        elif effect.kind == "suspended":
            # A suspended term does not run: the open step has no due instant until the case resumes.
            Task.objects.filter(case=case, step=effect.data["n"], closed_at__isnull=True).update(
                due=None, why=f"suspended since {now:%Y-%m-%d %H:%M} ({effect.data['cite']})")
        elif effect.kind == "task-due-moved":
            Task.objects.filter(case=case, step=effect.data["n"], closed_at__isnull=True).update(
                due=effect.data["due"], why=effect.data["why"])
    suspended = state.suspended_since is not None
    case.status = state.status.value
    case.current_step = state.step
    # The rows answer "what is due when" for lists and overdue queries: nothing runs while suspended.
    case.step_due = None if suspended else state.step_due
    case.accepted_at = state.accepted_at
    case.term_due = None if suspended else state.term_due
    term = next((e for e in effects if e.kind == "term-set"), None)
    if term is not None:
        case.term_why = term.data.get("why") or ""
    case.outcome = state.outcome or ""
    case.grounds = list(state.grounds or ([state.acceptance_refusal_ground] if state.acceptance_refusal_ground
                                          else []))
    case.closed_at = state.closed_at
    case.in_term = state.in_term()
    case.state = engine.state_to_dict(state)
    case.seq = state.seq
    case.save()
    transition = Transition(case, row, event, state, effects, now, actor, reg)
    for listener in transition_listeners:
        listener(transition)


def replay_case(case: Case) -> engine.CaseState:
    """Rebuild the state from the stored events (audit and tests)."""
    reg = regulation_of(case.regulation)
    events = [(engine.event_from_dict(e.payload), e.at) for e in case.events.order_by("seq")]
    return engine.replay(reg, events, calendars_of(reg))


__all__ = [
    "Outcome",
    "Transition",
    "apply_event",
    "register_regulation",
    "regulation_of",
    "replay_case",
    "submit",
    "sync_catalog",
    "transition_listeners",
]
