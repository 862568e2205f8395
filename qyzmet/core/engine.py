"""The case engine: pure transitions ``(regulation, state, event, now) -> (state, effects)``.

A case moves along one route of its regulation: it is submitted through a channel, its documents are
checked against the applicant category's checklist, it is accepted (talon / receipt) or acceptance
is refused (with a ground from the act's closed list), each step is done by its role in turn, the
outcome is decided (result, or a reasoned refusal whose grounds come only from the act), and the last
step issues it.  Nothing here touches a database or a clock: the shell stores the events, and
replaying them reproduces the state exactly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal

from qyzmet.core.calendar import CalendarException, calendar_for, parse_interval, to_local
from qyzmet.core.checklist import Applicant, ChecklistItem
from qyzmet.core.checklist import build as _build_checklist
from qyzmet.core.durations import Duration, Unit
from qyzmet.core.regulation import Ground, Regulation, Route, Step
from qyzmet.core.timeline import (
    CalendarLookup,
    StepContext,
    applies,
    calendars_for,
    result_choices,
    step_deadline,
    term_deadline,
    term_schedule,
    term_start,
)


class EngineError(ValueError):
    """An event that the regulation does not allow in the case's current state."""


class MissingDocuments(EngineError):
    """Acceptance refused by the engine: documents of the checklist are missing and the act makes that a
    ground to refuse them.  Carries the codes and the ground, so a caller can say it in a reader's words."""

    def __init__(self, missing: tuple[str, ...], ground: Ground) -> None:
        super().__init__(f"cannot accept: missing {', '.join(missing)}; refuse acceptance on ground "
                         f"{ground.code!r} ({ground.cite})")
        self.missing = missing
        self.ground = ground


class Status(StrEnum):
    SUBMITTED = "submitted"  # documents handed in, not yet accepted
    IN_PROGRESS = "in-progress"  # accepted, moving through the route's steps
    ISSUED = "issued"  # the result or the reasoned refusal reached the applicant
    ACCEPTANCE_REFUSED = "acceptance-refused"  # documents not accepted; the case ends
    REQUEST_CLOSED = "request-closed"  # a proactive request refused or left unanswered: no application

    @property
    def closed(self) -> bool:
        return self in (Status.ISSUED, Status.ACCEPTANCE_REFUSED, Status.REQUEST_CLOSED)


# --- events -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Submit:
    route: str
    iin: str
    category: str
    documents: tuple[str, ...] = ()
    by: str | None = None
    # An anonymous examination registers the applicant under a code instead of the IIN (``iin`` is then "").
    personal_code: str = ""
    kind: Literal["submit"] = "submit"


@dataclass(frozen=True)
class RefuseAcceptance:
    ground: str
    by: str | None = None
    note: str = ""
    kind: Literal["refuse-acceptance"] = "refuse-acceptance"


@dataclass(frozen=True)
class CompleteStep:
    n: int
    by: str | None = None
    note: str = ""
    kind: Literal["complete-step"] = "complete-step"


@dataclass(frozen=True)
class SkipStep:
    """The holder of a step the act makes conditional ("depending on the duration of incapacity") records that
    the condition does not hold: the step is not done and the case moves on."""

    n: int
    note: str
    by: str | None = None
    kind: Literal["skip-step"] = "skip-step"


@dataclass(frozen=True)
class Decide:
    outcome: Literal["positive", "refusal"]
    grounds: tuple[str, ...] = ()
    by: str | None = None
    note: str = ""
    # Which of the act's results, where it has several of one kind (an examination's positive or negative
    # finding); required when the term depends on the result.
    result: str | None = None
    kind: Literal["decide"] = "decide"


@dataclass(frozen=True)
class ReturnStep:
    """The receiving office sends a case back to the step that handed it over, with the errors found.

    Only a step that receives a registry (the previous step's output is a registry) can do this: the
    acts make the receiving office check the package against the registry.
    """

    n: int
    errors: str
    by: str | None = None
    kind: Literal["return-step"] = "return-step"


@dataclass(frozen=True)
class StoreResult:
    """The PSC kept an uncollected result for the act's storage period and hands it to the provider."""

    by: str | None = None
    kind: Literal["store-result"] = "store-result"


@dataclass(frozen=True)
class RequestResult:
    """The applicant came after all: the PSC asks the provider to send the kept result back."""

    by: str | None = None
    kind: Literal["request-result"] = "request-result"


@dataclass(frozen=True)
class ReturnResult:
    """The provider sends the kept result back to the PSC, which can then hand it over."""

    by: str | None = None
    kind: Literal["return-result"] = "return-result"


@dataclass(frozen=True)
class CloseRequest:
    """A proactive request ends without an application: the recipient refused it by code, or did not answer
    within the step's term and the request is deleted (mlsp-2021 annex 1 cl. 14, 15, 28, 29 and their
    twins).  Only at the accepting step of a proactive route; "expired" only once that step is overdue.
    "withdrawn": on any route, the applicant took back a request nobody has answered yet (a portal
    appointment cancelled before the registrar's answer) — no application was made, nothing is owed."""

    reason: Literal["declined", "expired", "withdrawn"]
    by: str | None = None
    note: str = ""
    kind: Literal["close-request"] = "close-request"


@dataclass(frozen=True)
class Suspend:
    """The term stops running on one of the act's suspension grounds (refused where the act gives none)."""

    ground: str
    by: str | None = None
    note: str = ""
    kind: Literal["suspend"] = "suspend"


@dataclass(frozen=True)
class Resume:
    """The term runs again; the due dates move by the working time the case was suspended."""

    by: str | None = None
    note: str = ""
    kind: Literal["resume"] = "resume"


@dataclass(frozen=True)
class CalendarChanged:
    """A decree changed the working calendar (a day off, a transfer day, special hours) and the running term or
    step is counted again on the new calendar (``qyzmet.recompute``).

    The shell counts the new dates and records them with the dates they replace, so the event is the audit
    entry (old, new, decree) and the engine refuses it if the case moved meanwhile.  ``before`` / ``after`` are
    the directory's exception on that day before and after the change (None: the law's own day), so
    :func:`replay` counts the earlier events on the calendar of their time.  Instants are ISO 8601 strings.
    """

    day: str
    schedule: str = ""  # the exception's schedule; "" every schedule
    source: str = ""  # the decree or order
    before: dict[str, str] | None = None  # {"kind", "hours", "name"}
    after: dict[str, str] | None = None
    term_due_before: str | None = None
    term_due: str | None = None
    step_due_before: str | None = None
    step_due: str | None = None
    by: str | None = None
    kind: Literal["calendar-changed"] = "calendar-changed"


@dataclass(frozen=True)
class MigrateRegulation:
    """A migration plan moves a running case to another version of its regulation (``qyzmet catalog migrate``).

    ``apply`` is given the target version; the case must be pinned to ``from_version``/``from_hash``.  The shell
    maps the open step (same number and role) and counts the dates on the new version; they are recorded with
    the ones they replace.
    """

    from_version: int
    from_hash: str
    to_version: int
    to_hash: str
    step: int | None = None
    term_due_before: str | None = None
    term_due: str | None = None
    step_due_before: str | None = None
    step_due: str | None = None
    by: str | None = None
    note: str = ""
    kind: Literal["regulation-migrated"] = "regulation-migrated"


Event = (Submit | RefuseAcceptance | CompleteStep | Decide | ReturnStep | StoreResult | RequestResult | ReturnResult
         | CloseRequest | Suspend | Resume | SkipStep)
Event = Event | CalendarChanged | MigrateRegulation  # the shell's recounting events (qyzmet.recompute)
EVENT_TYPES: dict[str, type] = {
    "submit": Submit, "refuse-acceptance": RefuseAcceptance, "complete-step": CompleteStep, "decide": Decide,
    "return-step": ReturnStep, "store-result": StoreResult, "request-result": RequestResult,
    "return-result": ReturnResult, "close-request": CloseRequest, "suspend": Suspend, "resume": Resume,
    "skip-step": SkipStep,
    "calendar-changed": CalendarChanged, "regulation-migrated": MigrateRegulation,
}


def event_to_dict(event: Event) -> dict[str, Any]:
    data = {k: v for k, v in event.__dict__.items()}
    for key, value in data.items():
        if isinstance(value, tuple):
            data[key] = list(value)
    return data


def event_from_dict(data: dict[str, Any]) -> Event:
    data = dict(data)
    kind = data.pop("kind", None)
    cls = EVENT_TYPES.get(kind or "")
    if cls is None:
        raise EngineError(f"unknown event kind {kind!r}; expected one of {', '.join(EVENT_TYPES)}")
    for key, value in data.items():
        if isinstance(value, list):
            data[key] = tuple(value)
    try:
        return cls(**data)
    except TypeError as exc:
        raise EngineError(f"bad {kind} event: {exc}") from None


# --- state and effects ----------------------------------------------------------------------------

@dataclass(frozen=True)
class StepRecord:
    n: int
    role: str | None
    started: dt.datetime
    due: dt.datetime | None
    completed: dt.datetime
    by: str | None
    skipped: bool = False  # a conditional step whose condition did not hold

    @property
    def late(self) -> bool:
        return self.due is not None and self.completed > self.due


@dataclass(frozen=True)
class SuspensionRecord:
    """One suspension of the term: the ground, from when to when, and how much working time it stopped."""

    ground: str
    cite: str | None
    since: dt.datetime
    until: dt.datetime
    seconds: int  # working time of the term's schedule inside [since, until)


@dataclass(frozen=True)
class CaseState:
    regulation_id: str
    version: int
    content_hash: str
    route: str
    channel: str
    iin: str
    category: str
    documents: tuple[str, ...]
    submitted_at: dt.datetime
    status: Status = Status.SUBMITTED
    step: int | None = 1  # the step waiting to be done
    step_started: dt.datetime | None = None
    step_due: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    term_due: dt.datetime | None = None
    outcome: Literal["positive", "refusal"] | None = None
    grounds: tuple[str, ...] = ()
    acceptance_refusal_ground: str | None = None
    request_closed: Literal["declined", "expired", "withdrawn"] | None = None  # why a request ended unanswered
    closed_at: dt.datetime | None = None
    history: tuple[StepRecord, ...] = ()
    seq: int = 0  # number of events applied
    # Where an uncollected result is while the issuing step waits: None at the PSC, "provider" when
    # handed over for storage, "returning" while the provider sends it back on request.
    custody: Literal["provider", "returning"] | None = None
    personal_code: str = ""  # the anonymous applicant's code (the IIN is then "")
    result: str | None = None  # the result code the deciding step named (results with their own terms)
    suspended_since: dt.datetime | None = None
    suspension_ground: str | None = None
    suspensions: tuple[SuspensionRecord, ...] = ()
    branch: str | None = None  # the branch of the route the case left the main line for (a refusal via the PSC)

    @property
    def overdue_steps(self) -> int:
        return sum(1 for r in self.history if r.late)

    def in_term(self) -> bool | None:
        """Was the result issued within the total term?  None while open or without a term."""
        if self.status is not Status.ISSUED or self.term_due is None or self.closed_at is None:
            return None
        return self.closed_at <= self.term_due


@dataclass(frozen=True)
class Effect:
    """Something the shell must do or record: open a task, hand a receipt, issue a result."""

    kind: Literal["task-opened", "task-closed", "receipt", "acceptance-refusal-receipt", "term-set",
                  "decision", "result-issued", "incomplete-documents", "returned", "request-closed",
                  "suspended", "resumed", "task-due-moved"]
    data: dict[str, Any] = field(default_factory=dict)


# --- the transitions ------------------------------------------------------------------------------

def checklist(reg: Regulation, category: str, presented: tuple[str, ...] | list[str], *,
              birth_date: dt.date | None = None, sex: str | None = None, iin: str | None = None,
              today: dt.date | None = None) -> list[ChecklistItem]:
    """The documents this applicant of the category must present, and which of them are there.

    The applicant's age decides the conditional documents (a minor's birth certificate, the pension-age
    certificate): give ``iin`` (its birth date and sex are read) or ``birth_date``/``sex``; ``today`` is the
    day the age is taken on (the submission's).  Without them such documents are listed as optional.
    A requirement is met by the document or by one that may stand in for it (``instead_of``).
    """
    if not reg.categories:
        return []  # the act delegates the document list (recorded as a gap); nothing to check here
    cat = reg.category(category)
    if cat is None:
        known = ", ".join(c.code for c in reg.categories) or "none defined"
        raise EngineError(f"{reg.id}: unknown applicant category {category!r} (categories: {known})")
    today = today or dt.date.today()
    who = Applicant.from_iin(iin, today) if iin else Applicant()
    if birth_date is not None:
        who = Applicant(birth_date, sex or who.sex, True if iin else who.has_iin)  # type: ignore[arg-type]
    return _build_checklist(reg, cat, presented, who, today)


def _checklist_of(reg: Regulation, state: CaseState) -> list[ChecklistItem]:
    """The case's checklist: the applicant's age is taken on the submission day, so a replay agrees."""
    return checklist(reg, state.category, state.documents, iin=state.iin or None,
                     today=to_local(state.submitted_at).date())


def apply(reg: Regulation, state: CaseState | None, event: Event, now: dt.datetime,
          calendars: CalendarLookup | None = None) -> tuple[CaseState, list[Effect]]:
    """One transition.  Raises :class:`EngineError` when the regulation does not allow ``event``."""
    now = to_local(now)
    calendars = calendars or calendars_for(reg)
    if state is None:
        if not isinstance(event, Submit):
            raise EngineError("a case starts with a submission")
        return _submit(reg, event, now, calendars)
    if isinstance(event, Submit):
        raise EngineError("this case has already been submitted")
    if state.status.closed:
        raise EngineError(f"the case is closed ({state.status.value}); nothing more can happen to it")
    if isinstance(event, MigrateRegulation):
        return _migrate(reg, state, event)
    if (state.regulation_id, state.version, state.content_hash) != (reg.id, reg.version, reg.content_hash):
        raise EngineError(f"the case is pinned to {state.regulation_id} v{state.version} "
                          f"({state.content_hash[:12]}), not to this regulation text")
    if now < (state.step_started or state.submitted_at):
        raise EngineError("an event cannot happen before the previous one")
    route = reg.route(state.route)
    if isinstance(event, CalendarChanged):
        # Also while suspended: the stopped term is counted again, so resuming adds to the new date.
        new, effects = _calendar_changed(state, event)
        return replace(new, seq=state.seq + 1), effects
    if state.suspended_since is not None and not isinstance(event, Resume):
        raise EngineError(f"the term is suspended since {state.suspended_since:%Y-%m-%d %H:%M} on the ground "
                          f"{state.suspension_ground!r}; resume it first")
    if isinstance(event, RefuseAcceptance):
        new, effects = _refuse_acceptance(reg, state, event, now)
    elif isinstance(event, Decide):
        new, effects = _decide(reg, route, state, event, calendars)
    elif isinstance(event, Suspend):
        new, effects = _suspend(reg, route, state, event, now)
    elif isinstance(event, Resume):
        new, effects = _resume(reg, route, state, event, now, calendars)
    elif isinstance(event, ReturnStep):
        new, effects = _return_step(reg, route, state, event, now, calendars)
    elif isinstance(event, (StoreResult, RequestResult, ReturnResult)):
        new, effects = _custody(reg, route, state, event, now, calendars)
    elif isinstance(event, CloseRequest):
        new, effects = _close_request(route, state, event, now)
    elif isinstance(event, SkipStep):
        new, effects = _skip_step(reg, route, state, event, now, calendars)
    else:
        new, effects = _complete_step(reg, route, state, event, now, calendars)
    return replace(new, seq=state.seq + 1), effects


def replay(reg: Regulation, events: list[tuple[Event, dt.datetime]],
           calendars: CalendarLookup | None = None,
           versions: Callable[[int, str], Regulation] | None = None) -> CaseState:
    """Rebuild a case's state from its event log.

    ``calendars`` is today's calendar; each ``calendar-changed`` event says which day changed when, so the
    events before it are counted on the calendar without that change, as they were.  A migrated case needs
    ``versions`` ((version, content hash) → regulation) for the events before its migration; ``reg`` is the
    version it is pinned to now."""
    calendars = calendars or calendars_for(reg)
    changes = [e for e, _ in events if isinstance(e, CalendarChanged)]
    lookups = [calendars]
    for change in reversed(changes):
        lookups.insert(0, calendars_with(lookups[0], change, "before"))
    lookup = lookups.pop(0)
    migrations = [e for e, _ in events if isinstance(e, MigrateRegulation)]
    current = reg
    if migrations:
        if versions is None:
            raise EngineError("the case was migrated to another regulation version: replaying it needs the "
                              "earlier version (qyzmet.recompute.versions.replay)")
        current = versions(migrations[0].from_version, migrations[0].from_hash)
    state: CaseState | None = None
    for event, at in events:
        if isinstance(event, MigrateRegulation):
            current = reg if event is migrations[-1] else versions(event.to_version, event.to_hash)  # type: ignore[misc]
        state, _ = apply(current, state, event, at, lookup)
        if isinstance(event, CalendarChanged):
            lookup = lookups.pop(0)
    if state is None:
        raise EngineError("an empty event log has no case")
    return state


def _submit(reg: Regulation, event: Submit, now: dt.datetime,
            calendars: CalendarLookup) -> tuple[CaseState, list[Effect]]:
    if event.route not in reg.routes:
        raise EngineError(f"{reg.id} has no route {event.route!r} (routes: {', '.join(reg.routes)})")
    route = reg.route(event.route)
    from qyzmet.core.iin import InvalidIdentifier, parse_iin

    category = reg.category(event.category)
    if category is not None and category.identity == "personal-code":
        # The act registers this applicant under a code (an anonymous examination): no IIN may enter the case.
        if event.iin:
            raise EngineError(f"category {category.code!r} is registered under a personal code, not an IIN "
                              f"({category.cite}); no IIN is taken")
        if not event.personal_code.strip():
            raise EngineError(f"category {category.code!r} needs the personal code assigned at registration "
                              f"({category.cite})")
    else:
        if event.personal_code:
            raise EngineError("only an applicant registered under a personal code has one")
        try:
            parse_iin(event.iin, today=now.date())
        except InvalidIdentifier as exc:
            raise EngineError(f"invalid IIN {event.iin!r}: {exc}") from None
    unknown = [d for d in event.documents if reg.document(d) is None]
    if unknown:
        raise EngineError(f"{reg.id} defines no document(s) {', '.join(unknown)}")
    items = checklist(reg, event.category, event.documents, iin=event.iin or None, today=now.date())
    state = CaseState(
        regulation_id=reg.id, version=reg.version, content_hash=reg.content_hash, route=event.route,
        channel=route.channel, iin=event.iin, category=event.category, documents=tuple(event.documents),
        submitted_at=now, step_started=now, seq=1, personal_code=event.personal_code.strip(),
    )
    first = next((s for s in route.steps if applies(s, state.category)), route.steps[0])
    state, effects = _open_step(reg, route, state, first, now, calendars)
    missing = [i for i in items if i.missing]
    if missing:
        effects.append(Effect("incomplete-documents", {
            "missing": [{"code": i.code, "name": i.name, "cite": i.cite} for i in missing]}))
    return state, effects


def step_context(state: CaseState, now: dt.datetime | None = None, n: int | None = None) -> StepContext:
    """What the due rules of the case's steps may refer to: the submission, the term, the earlier steps' starts."""
    started = {r.n: r.started for r in state.history}
    if n is not None and now is not None:
        started[n] = now
    return StepContext(submitted_at=state.submitted_at, term_due=state.term_due, started=started)


def next_step(route: Route, state: CaseState, n: int) -> Step | None:
    """The step a case goes to after step ``n``: the refusal branch that leaves at ``n`` when the case was refused
    there, else the next step of its line that the act does for the case's category; None after the last."""
    branch = route.branch_from(n) if route.branch_of(n) is None else None
    if branch is not None and state.outcome == "refusal" and state.branch == branch.code:
        candidates = list(branch.steps)
    else:
        candidates = []
        following = route.following(n)
        while following is not None:
            candidates.append(following)
            following = route.following(following.n)
    return next((s for s in candidates if applies(s, state.category)), None)


def _open_step(reg: Regulation, route: Route, state: CaseState, step: Step, now: dt.datetime,
               calendars: CalendarLookup) -> tuple[CaseState, list[Effect]]:
    deadline = step_deadline(reg, route, step, now, calendars, step_context(state, now, step.n))
    due = deadline.due if deadline else None
    state = replace(state, step=step.n, step_started=now, step_due=due)
    return state, [Effect("task-opened", {
        "n": step.n, "role": step.role, "due": due, "cite": step.cite,
        "why": deadline.why if deadline else "the act gives this step no duration",
    })]


def _refuse_acceptance(reg: Regulation, state: CaseState, event: RefuseAcceptance,
                       now: dt.datetime) -> tuple[CaseState, list[Effect]]:
    if state.status is not Status.SUBMITTED:
        raise EngineError("documents were already accepted; a refusal now must be a reasoned refusal (decide)")
    ground = reg.acceptance_refusal_ground(event.ground)
    if ground is None:
        known = ", ".join(g.code for g in reg.acceptance_refusal_grounds)
        hint = f"grounds: {known}" if known else "this act gives no ground for refusing to accept documents"
        raise EngineError(f"{event.ground!r} is not a ground for refusing acceptance in {reg.id} ({hint})")
    missing = [i.code for i in _checklist_of(reg, state) if i.missing]
    new = replace(state, status=Status.ACCEPTANCE_REFUSED, acceptance_refusal_ground=ground.code,
                  closed_at=now, step=None, step_due=None)
    return new, [Effect("acceptance-refusal-receipt", {
        "ground": ground.code, "text": ground.text.model_dump(), "cite": ground.cite, "missing": missing,
        "by": event.by, "at": now, "note": event.note,
    }), Effect("task-closed", {"n": state.step, "late": bool(state.step_due and now > state.step_due)})]


def _close_request(route: Route, state: CaseState, event: CloseRequest,
                   now: dt.datetime) -> tuple[CaseState, list[Effect]]:
    step = route.step(state.step) if state.step else None
    if event.reason == "withdrawn":
        # The portal's steps before the answer are the system's own; what matters is that nobody decided yet.
        if state.status not in (Status.SUBMITTED, Status.IN_PROGRESS) or step is None or state.outcome is not None:
            raise EngineError("only a request nobody has answered yet can be withdrawn")
    elif route.channel != "proactive" or state.status is not Status.SUBMITTED or step is None or not step.accepts:
        raise EngineError("only a proactive request still waiting for the recipient's answer can be closed")
    if event.reason == "expired" and (state.step_due is None or now <= state.step_due):
        due = f"{state.step_due:%Y-%m-%d %H:%M}" if state.step_due else "no due time"
        raise EngineError(f"the request cannot expire before its answer term ends ({due})")
    if event.reason not in ("declined", "expired", "withdrawn"):
        raise EngineError(f"reason must be 'declined', 'expired' or 'withdrawn', not {event.reason!r}")
    new = replace(state, status=Status.REQUEST_CLOSED, request_closed=event.reason, closed_at=now, step=None,
                  step_due=None)
    return new, [Effect("request-closed", {"reason": event.reason, "by": event.by, "at": now, "note": event.note,
                                           "cite": step.cite, "due": state.step_due}),
                 Effect("task-closed", {"n": step.n, "role": step.role, "by": event.by, "late": False})]


def _decide(reg: Regulation, route: Route, state: CaseState, event: Decide,
            calendars: CalendarLookup) -> tuple[CaseState, list[Effect]]:
    decides = next(s for s in route.steps if s.decides)
    if state.status is not Status.IN_PROGRESS and not (
        state.status is Status.SUBMITTED and decides.accepts and state.step == decides.n
    ):
        # A one-step service (the registrar accepts and answers at once) decides while accepting.
        raise EngineError("documents must be accepted before the case is decided")
    early = route.branch_from(state.step) if state.step and state.step != decides.n else None
    if early is not None and route.branch_of(state.step) is None:
        # The act lets the receiving office refuse here, before the deciding step (a faulty package returned
        # to the PSC, a refusal sent back on the 13th working day): only a refusal, and it takes the branch.
        if event.outcome != "refusal":
            raise EngineError(f"at step {state.step} the act provides only a refusal ({early.cite}); the positive "
                              f"decision is taken at step {decides.n}")
    elif state.step is None or route.branch_of(state.step) is not None or _after(route, state.step, decides.n):
        raise EngineError(f"the decision was fixed at step {decides.n}; it cannot be changed now")
    if event.outcome == "positive":
        if event.grounds:
            raise EngineError("a positive decision has no refusal grounds")
    elif event.outcome == "refusal":
        if not event.grounds:
            raise EngineError("a reasoned refusal needs at least one ground from the regulation")
        unknown = [g for g in event.grounds if reg.refusal_ground(g) is None]
        if unknown:
            known = ", ".join(g.code for g in reg.refusal_grounds) or "none"
            raise EngineError(f"not a refusal ground of {reg.id}: {', '.join(unknown)} (grounds: {known})")
    else:
        raise EngineError(f"outcome must be 'positive' or 'refusal', not {event.outcome!r}")
    result = _named_result(reg, route, event)
    leaving = route.branch_from(state.step) if event.outcome == "refusal" else None
    new = replace(state, outcome=event.outcome, grounds=tuple(event.grounds), result=result,
                  branch=leaving.code if leaving else None)
    effects = [Effect("decision", {
        "outcome": event.outcome, "grounds": [
            {"code": g, "cite": reg.refusal_ground(g).cite} for g in event.grounds  # type: ignore[union-attr]
        ], "by": event.by, "note": event.note, "result": result,
    })]
    term = reg.term_for(route.channel)
    if result is not None and term is not None and term.for_result(result) is not None \
            and state.accepted_at is not None:
        # The act gives this result its own term: the due date moves from the bound to that term.
        deadline = term_deadline(reg, route.channel, term_start(reg, route.channel, state.submitted_at,
                                                                state.accepted_at), calendars, result)
        if deadline is not None:
            due, why = after_suspensions(reg, route, state, deadline.due, deadline.why, calendars)
            new = replace(new, term_due=due)
            effects.append(Effect("term-set", {"due": due, "why": why, "cite": deadline.cite}))
    return new, effects


def _after(route: Route, n: int, m: int) -> bool:
    """Is main-line step ``n`` after main-line step ``m``?"""
    order = [s.n for s in route.steps]
    return order.index(n) > order.index(m)


def _named_result(reg: Regulation, route: Route, event: Decide) -> str | None:
    """The result the deciding step names: required where the act has several of the decision's kind for the
    channel (their terms may differ too)."""
    choices = [r.code for r, _term in result_choices(reg, route.channel, event.outcome)]
    if event.result is None:
        if choices:
            raise EngineError(f"name the result of the {event.outcome} decision: {', '.join(choices)}")
        return None
    result = reg.result(event.result)
    if result is None:
        known = ", ".join(r.code for r in reg.results)
        raise EngineError(f"{reg.id} has no result {event.result!r} (results: {known})")
    if result.kind != event.outcome:
        raise EngineError(f"result {result.code!r} is a {result.kind} result, not a {event.outcome} one")
    if result.channels and route.channel not in result.channels:
        raise EngineError(f"result {result.code!r} ends cases of the {', '.join(result.channels)} channel, not of "
                          f"{route.channel!r}")
    return result.code


def _term_calendar(reg: Regulation, route: Route, calendars: CalendarLookup):
    return calendars(term_schedule(reg, route.channel).schedule)


def after_suspensions(reg: Regulation, route: Route, state: CaseState, due: dt.datetime, why: str,
                       calendars: CalendarLookup) -> tuple[dt.datetime, str]:
    """A due date recomputed from the start still owes the working time the case was suspended."""
    seconds = sum(r.seconds for r in state.suspensions)
    if not seconds:
        return due, why
    moved = _term_calendar(reg, route, calendars).add(due, Duration(math.ceil(seconds / 60), Unit.MINUTE))
    return moved, f"{why}; moved to {to_local(moved):%Y-%m-%d %H:%M} by {_working_time(seconds)} of suspension"


def _working_time(seconds: int) -> str:
    hours, rest = divmod(seconds // 60, 60)
    return f"{hours} h {rest:02d} min of working time" if hours else f"{rest} min of working time"


def _suspend(reg: Regulation, route: Route, state: CaseState, event: Suspend,
             now: dt.datetime) -> tuple[CaseState, list[Effect]]:
    rule = reg.suspension
    if rule is None or not rule.grounds:
        said = f": “{rule.note.get('en') or rule.note.get('ru')}” ({rule.cite})" if rule and rule.note else \
            " (it has no provision on suspension)"
        raise EngineError(f"{reg.id} gives no ground to suspend the term{said}")
    ground = next((g for g in rule.grounds if g.code == event.ground), None)
    if ground is None:
        known = ", ".join(g.code for g in rule.grounds)
        raise EngineError(f"{event.ground!r} is not a suspension ground of {reg.id} (grounds: {known})")
    if state.status is not Status.IN_PROGRESS or state.term_due is None:
        raise EngineError("only an accepted case whose term is running can be suspended")
    new = replace(state, suspended_since=now, suspension_ground=ground.code)
    return new, [Effect("suspended", {"ground": ground.code, "text": ground.text.model_dump(), "cite": ground.cite,
                                      "since": now, "by": event.by, "note": event.note,
                                      "term_due": state.term_due, "n": state.step})]


def _resume(reg: Regulation, route: Route, state: CaseState, event: Resume, now: dt.datetime,
            calendars: CalendarLookup) -> tuple[CaseState, list[Effect]]:
    if state.suspended_since is None:
        raise EngineError("the term is not suspended")
    since = state.suspended_since
    ground = next((g for g in reg.suspension.grounds if g.code == state.suspension_ground), None) \
        if reg.suspension else None
    cal = _term_calendar(reg, route, calendars)
    seconds = cal.working_seconds_between(since, now)
    record = SuspensionRecord(state.suspension_ground or "", ground.cite if ground else None, since, now, seconds)
    minutes = Duration(math.ceil(seconds / 60), Unit.MINUTE)
    term_due = cal.add(state.term_due, minutes) if state.term_due and seconds else state.term_due
    step_due = state.step_due
    step = route.step(state.step) if state.step else None
    if step_due is not None and step is not None:
        step_cal = calendars(reg.schedule_for_role(step.role, route))
        step_seconds = step_cal.working_seconds_between(since, now)
        if step_seconds:
            step_due = step_cal.add(step_due, Duration(math.ceil(step_seconds / 60), Unit.MINUTE))
    cite = ground.cite if ground else None
    why = (f"due {to_local(term_due):%Y-%m-%d %H:%M} — moved by {_working_time(seconds)}: suspended "
           f"{to_local(since):%Y-%m-%d %H:%M} – {to_local(now):%Y-%m-%d %H:%M} on the ground "
           f"{record.ground} ({cite})") if term_due else "no countable term"
    new = replace(state, suspended_since=None, suspension_ground=None, suspensions=(*state.suspensions, record),
                  term_due=term_due, step_due=step_due)
    effects = [Effect("resumed", {"ground": record.ground, "cite": cite, "since": since, "until": now,
                                  "seconds": seconds, "term_due_before": state.term_due, "term_due": term_due,
                                  "by": event.by, "note": event.note}),
               Effect("term-set", {"due": term_due, "why": why, "cite": cite})]
    if step is not None:
        effects.append(Effect("task-due-moved", {"n": step.n, "due": step_due,
                                                 "why": f"moved by the suspension ({cite})"}))
    return new, effects


def _complete_step(reg: Regulation, route: Route, state: CaseState, event: CompleteStep, now: dt.datetime,
                   calendars: CalendarLookup) -> tuple[CaseState, list[Effect]]:
    if event.n != state.step:
        raise EngineError(f"step {event.n} is not the current step (step {state.step} is)")
    step = route.step(event.n)
    if state.custody is not None:
        raise EngineError("the result is kept by the provider; the PSC must ask for it back first")
    effects: list[Effect] = []
    if step.accepts:
        state, accept_effects = _accept(reg, route, state, step, now, calendars)
        effects += accept_effects
    elif state.status is Status.SUBMITTED:
        pass  # steps before the accepting one (a PSC consultant's check) keep the case "submitted"
    if step.decides and state.outcome is None:
        raise EngineError(f"step {step.n} fixes the outcome: decide (positive or reasoned refusal) first")
    record = StepRecord(step.n, step.role, state.step_started or now, state.step_due, now, event.by)
    state = replace(state, history=(*state.history, record))
    effects.append(Effect("task-closed", {"n": step.n, "role": step.role, "by": event.by,
                                          "late": record.late, "note": event.note}))
    if step.issues:
        result = _result_for(reg, state)
        state = replace(state, status=Status.ISSUED, closed_at=now, step=None, step_due=None,
                        step_started=now)
        effects.append(Effect("result-issued", {
            "result": result, "outcome": state.outcome, "grounds": list(state.grounds),
            "in_term": state.in_term(), "term_due": state.term_due, "at": now,
        }))
        return state, effects
    following = next_step(route, state, event.n)
    if following is None:
        raise EngineError(f"step {event.n} is the last the act gives this case, but it does not issue the result")
    state, open_effects = _open_step(reg, route, state, following, now, calendars)
    return state, effects + open_effects


def _skip_step(reg: Regulation, route: Route, state: CaseState, event: SkipStep, now: dt.datetime,
               calendars: CalendarLookup) -> tuple[CaseState, list[Effect]]:
    if event.n != state.step:
        raise EngineError(f"step {event.n} is not the current step (step {state.step} is)")
    step = route.step(event.n)
    if step.when is None or step.when.asked is None:
        raise EngineError(f"step {step.n} is not conditional in the act; it must be done")
    if not event.note.strip():
        raise EngineError("say why the condition does not hold when skipping a step")
    if step.accepts or step.decides or step.issues:
        raise EngineError(f"step {step.n} accepts, decides or issues; it cannot be skipped")
    record = StepRecord(step.n, step.role, state.step_started or now, state.step_due, now, event.by, skipped=True)
    state = replace(state, history=(*state.history, record))
    effects = [Effect("task-closed", {"n": step.n, "role": step.role, "by": event.by, "late": False,
                                      "note": event.note, "skipped": True})]
    following = next_step(route, state, event.n)
    if following is None:
        raise EngineError(f"step {event.n} is the last step; it cannot be skipped")
    state, open_effects = _open_step(reg, route, state, following, now, calendars)
    return state, effects + open_effects


def _accept(reg: Regulation, route: Route, state: CaseState, step: Step, now: dt.datetime,
            calendars: CalendarLookup) -> tuple[CaseState, list[Effect]]:
    items = _checklist_of(reg, state)
    missing = [i for i in items if i.missing]
    blocking = next((g for g in reg.acceptance_refusal_grounds if g.on_missing_documents), None)
    if missing and blocking is not None:
        raise MissingDocuments(tuple(i.code for i in missing), blocking)
    start = term_start(reg, route.channel, state.submitted_at, now)
    term = term_deadline(reg, route.channel, start, calendars)
    state = replace(state, status=Status.IN_PROGRESS, accepted_at=now, term_due=term.due if term else None)
    kind = "receipt" if route.channel == "psc" else "talon"
    documents = [{"code": i.code, "name": i.name, "present": i.present, "instead_of": i.instead_of,
                  "shown": i.shown, "optional": i.optional} for i in items]
    effects = [
        Effect("receipt", {
            "kind": kind, "produces": list(step.produces), "service": reg.name.model_dump(),
            "accepted_at": now, "documents": documents, "issue_by": term.due if term else None,
            "cite": step.cite,
        }),
        Effect("term-set", {"due": term.due if term else None, "why": term.why if term else "no countable term",
                            "cite": term.cite if term else None}),
    ]
    return state, effects


def receives_registry(route: Route, n: int) -> bool:
    """Step ``n`` takes over a package that arrived with a registry (the previous step produced one)."""
    previous = route.previous(n)
    return previous is not None and "registry" in previous.produces


def _return_step(reg: Regulation, route: Route, state: CaseState, event: ReturnStep, now: dt.datetime,
                 calendars: CalendarLookup) -> tuple[CaseState, list[Effect]]:
    if event.n != state.step:
        raise EngineError(f"step {event.n} is not the current step (step {state.step} is)")
    if not receives_registry(route, event.n):
        raise EngineError(f"step {event.n} does not receive a registry; only a receiving step can return a case")
    if not event.errors.strip():
        raise EngineError("say which errors were found when returning a case")
    record = StepRecord(event.n, route.step(event.n).role, state.step_started or now, state.step_due, now,
                        event.by)
    back = route.previous(event.n)
    assert back is not None  # receives_registry checked there is one
    effects = [
        Effect("task-closed", {"n": event.n, "role": record.role, "by": event.by, "late": record.late,
                               "note": event.errors}),
        Effect("returned", {"from": event.n, "to": back.n, "errors": event.errors, "by": event.by, "at": now}),
    ]
    state = replace(state, history=(*state.history, record))
    state, open_effects = _open_step(reg, route, state, back, now, calendars)
    return state, effects + open_effects


def add_months(instant: dt.datetime, months: int) -> dt.datetime:
    """The same day ``months`` later (the last day of a shorter month), as a term in months runs."""
    month = instant.month - 1 + months
    year, month = instant.year + month // 12, month % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30,
            31, 30, 31][month - 1]
    return instant.replace(year=year, month=month, day=min(instant.day, days))


def storage_ends(reg: Regulation, state: CaseState) -> dt.datetime | None:
    """When the PSC may hand an uncollected result to the provider (None: the act keeps no such rule)."""
    if reg.storage is None or state.status is not Status.IN_PROGRESS or state.step is None:
        return None
    route = reg.route(state.route)
    step = route.step(state.step)
    role = reg.role(step.role) if step.role else None
    if not step.issues or role is None or role.organisation != "psc" or state.step_started is None:
        return None
    return add_months(state.step_started, reg.storage.keep_months)


def _custody(reg: Regulation, route: Route, state: CaseState, event: StoreResult | RequestResult | ReturnResult,
             now: dt.datetime, calendars: CalendarLookup) -> tuple[CaseState, list[Effect]]:
    storage = reg.storage
    if storage is None:
        raise EngineError(f"{reg.id} keeps no storage rule for uncollected results")
    step = route.step(state.step or route.steps[0].n)
    if isinstance(event, StoreResult):
        ends = storage_ends(reg, state)
        if ends is None or state.custody is not None:
            raise EngineError("only a result waiting at the PSC for the applicant can be handed over for storage")
        if now < ends:
            raise EngineError(f"the PSC keeps the result until {ends:%Y-%m-%d %H:%M} ({storage.cite})")
        return replace(state, custody="provider"), [
            Effect("task-closed", {"n": step.n, "role": step.role, "by": event.by, "late": False,
                                   "note": "handed to the provider for storage"}),
            Effect("task-opened", {"n": step.n, "role": storage.then, "due": None, "cite": storage.cite,
                                   "why": "kept until the applicant asks for it", "purpose": "storage"}),
        ]
    if isinstance(event, RequestResult):
        if state.custody != "provider":
            raise EngineError("the result is not kept by the provider")
        route_schedule = reg.schedule_for_role(storage.then, route)
        due = calendars(route_schedule).add(now, storage.retrieval)
        return replace(state, custody="returning", step_due=due), [
            Effect("task-closed", {"n": step.n, "role": storage.then, "by": event.by, "late": False,
                                   "note": "requested by the PSC"}),
            Effect("task-opened", {"n": step.n, "role": storage.then, "due": due, "cite": storage.cite,
                                   "why": f"{storage.retrieval} from the PSC's request on the {route_schedule} "
                                          f"schedule ({storage.cite})", "purpose": "retrieval"}),
        ]
    if state.custody != "returning":
        raise EngineError("the PSC has not asked for the kept result")
    late = bool(state.step_due and now > state.step_due)
    # The result is back at the PSC: its month of keeping starts again from today.
    return replace(state, custody=None, step_due=None, step_started=now), [
        Effect("task-closed", {"n": step.n, "role": storage.then, "by": event.by, "late": late,
                               "note": "sent back to the PSC"}),
        Effect("task-opened", {"n": step.n, "role": step.role, "due": None, "cite": step.cite,
                               "why": "the result is back at the PSC for the applicant", "purpose": "step"}),
    ]


def _result_for(reg: Regulation, state: CaseState) -> str | None:
    if state.result:
        return state.result
    kind = "refusal" if state.outcome == "refusal" else "positive"
    result = next((r for r in reg.results if r.kind == kind and (not r.channels or state.channel in r.channels)),
                  None)
    return result.code if result else None


# --- calendar changes and version migrations (recorded by qyzmet.recompute) ---------------------------

def exception_from(change: CalendarChanged, which: Literal["before", "after"]) -> CalendarException | None:
    """The directory's exception on the changed day, before or after the change (None: the law's day)."""
    data = change.before if which == "before" else change.after
    if not data:
        return None
    hours = tuple(parse_interval(p.strip()) for p in (data.get("hours") or "").split(",") if p.strip())
    return CalendarException(dt.date.fromisoformat(change.day), data["kind"],  # type: ignore[arg-type]
                             data.get("source") or change.source, hours, data.get("name") or "", change.schedule)


def calendars_with(calendars: CalendarLookup, change: CalendarChanged,
                   which: Literal["before", "after"]) -> CalendarLookup:
    """``calendars`` with the changed day as it was before (or is after) ``change``."""
    day = dt.date.fromisoformat(change.day)
    replacement = exception_from(change, which)

    def lookup(name: str):
        cal = calendars(name)
        kept = tuple(e for e in cal.exceptions if not (e.day == day and e.schedule == change.schedule))
        wanted = (*kept, replacement) if replacement is not None else kept
        return cal if wanted == cal.exceptions else calendar_for(cal.schedule, wanted)

    return lookup


def _instant(value: str | None) -> dt.datetime | None:
    return to_local(dt.datetime.fromisoformat(value)) if value else None


def _check_dates(state: CaseState, term_before: str | None, step_before: str | None) -> None:
    if _instant(term_before) != state.term_due or _instant(step_before) != state.step_due:
        raise EngineError("the case's due dates changed since they were counted again; count them again")


def _calendar_changed(state: CaseState, event: CalendarChanged) -> tuple[CaseState, list[Effect]]:
    _check_dates(state, event.term_due_before, event.step_due_before)
    term_due, step_due = _instant(event.term_due), _instant(event.step_due)
    new = replace(state, term_due=term_due, step_due=step_due)
    what = f"the calendar change of {event.day} ({event.source})"
    effects = []
    if term_due != state.term_due:
        old = f"{to_local(state.term_due):%Y-%m-%d %H:%M}" if state.term_due else "none"
        effects.append(Effect("term-set", {
            "due": term_due, "cite": None,
            "why": f"due {to_local(term_due):%Y-%m-%d %H:%M} — counted again on {what}; it was {old}"
            if term_due else f"no countable term after {what}"}))
    if step_due != state.step_due and state.suspended_since is None and state.step is not None:
        effects.append(Effect("task-due-moved", {"n": state.step, "due": step_due, "why": f"counted again on {what}"}))
    return new, effects


def _migrate(reg: Regulation, state: CaseState, event: MigrateRegulation) -> tuple[CaseState, list[Effect]]:
    if (state.regulation_id, state.version, state.content_hash) != (reg.id, event.from_version, event.from_hash):
        raise EngineError(f"the case is pinned to {state.regulation_id} v{state.version}, not to v{event.from_version}")
    if (reg.version, reg.content_hash) != (event.to_version, event.to_hash):
        raise EngineError(f"the migration goes to v{event.to_version}; apply it with that version's text")
    if state.route not in reg.routes:
        raise EngineError(f"v{reg.version} has no route {state.route!r}")
    if event.step != state.step:
        raise EngineError(f"the case is at step {state.step}, not {event.step}")
    _check_dates(state, event.term_due_before, event.step_due_before)
    new = replace(state, version=reg.version, content_hash=reg.content_hash, term_due=_instant(event.term_due),
                  step_due=_instant(event.step_due), seq=state.seq + 1)
    why = f"moved to {reg.id} v{reg.version} by a migration plan"
    effects = [Effect("term-set", {"due": new.term_due, "why": why, "cite": None})]
    if state.step is not None and state.suspended_since is None:
        effects.append(Effect("task-due-moved", {"n": state.step, "due": new.step_due, "why": why}))
    return new, effects


# --- serialisation (for the shell's JSON columns) -------------------------------------------------

def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _from_iso(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def to_jsonable(value: Any) -> Any:
    """Effects and events carry datetimes and tuples; JSON columns want strings and lists."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value


def state_to_dict(state: CaseState) -> dict[str, Any]:
    data = {k: v for k, v in state.__dict__.items() if k != "history"}
    data["history"] = [
        {"n": r.n, "role": r.role, "started": _iso(r.started), "due": _iso(r.due),
         "completed": _iso(r.completed), "by": r.by, **({"skipped": True} if r.skipped else {})}
        for r in state.history
    ]
    data["suspensions"] = [{"ground": r.ground, "cite": r.cite, "since": _iso(r.since), "until": _iso(r.until),
                            "seconds": r.seconds} for r in state.suspensions]
    return to_jsonable(data)


def state_from_dict(data: dict[str, Any]) -> CaseState:
    data = dict(data)
    history = tuple(
        StepRecord(h["n"], h["role"], _from_iso(h["started"]), _from_iso(h["due"]),  # type: ignore[arg-type]
                   _from_iso(h["completed"]), h["by"], h.get("skipped", False))  # type: ignore[arg-type]
        for h in data.pop("history", [])
    )
    data["suspensions"] = tuple(
        SuspensionRecord(r["ground"], r["cite"], _from_iso(r["since"]), _from_iso(r["until"]),  # type: ignore[arg-type]
                         r["seconds"])
        for r in data.pop("suspensions", [])
    )
    for key in ("submitted_at", "step_started", "step_due", "accepted_at", "term_due", "closed_at",
                "suspended_since"):
        data[key] = _from_iso(data.get(key))
    data["status"] = Status(data["status"])
    data["documents"] = tuple(data.get("documents", ()))
    data["grounds"] = tuple(data.get("grounds", ()))
    return CaseState(**data, history=history)
