"""What the case page shows: every step of the route with who did it, when, its due instant and clause.

Built from the case's tasks and events (two queries for any number of steps) and the regulation it
is pinned to (in memory).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qyzmet.cases import services
from qyzmet.cases.access import Urgency, urgency
from qyzmet.cases.models import Case, Event, Task
from qyzmet.core.regulation import Regulation, Role, Step
from qyzmet.directory.models import person_name
from qyzmet.web.deadline_reasons import step_reason
from qyzmet.web.text import current_language


@dataclass(frozen=True)
class StepRow:
    step: Step
    role: Role | None
    opened: dt.datetime | None
    done: dt.datetime | None
    due: dt.datetime | None
    why: str  # the step's length and the working hours it is counted in, in the page's language
    person: str
    late: bool | None
    current: bool
    urgency: Urgency | None
    note: str
    task_id: int | None
    rounds: int  # how many times the step was opened (a returned registry line opens it again)
    # The open task's own role and office: usually the step's, but a result kept for storage waits
    # under the issuing step with the provider's keeper.
    task_role: str | None = None
    task_office_id: int | None = None
    task_purpose: str = "step"
    claimed_by_id: int | None = None  # who has taken the open task (the "Take this step" button), if anyone
    claimed_by: str = ""
    claimed_at: dt.datetime | None = None


def timeline(case: Case, reg: Regulation, now: dt.datetime) -> list[StepRow]:
    route = reg.route(case.route)
    lang = current_language()
    tasks: dict[int, list[Task]] = {}
    for task in case.tasks.select_related("closed_by__staff", "claimed_by__staff").order_by("opened_at", "id"):
        tasks.setdefault(task.step, []).append(task)
    notes: dict[int, str] = {}
    # Plain values, not model instances: instances from the related manager would each load their
    # deferred case_id in a query of its own (one per event) to attach the case.
    for payload in case.events.filter(kind__in=("complete-step", "return-step")).values_list("payload", flat=True):
        text = payload.get("note") or payload.get("errors") or ""
        if text:
            notes[payload["n"]] = text
    rows = []
    for step in route.steps:
        history = tasks.get(step.n, [])
        last = history[-1] if history else None
        open_now = last is not None and last.closed_at is None
        person = ""
        if last is not None and last.closed_by is not None:
            person = person_name(last.closed_by)
        rows.append(StepRow(
            step=step, role=reg.role(step.role) if step.role else None,
            opened=last.opened_at if last else None, done=last.closed_at if last else None,
            due=last.due if last else None, why=step_reason(reg, route, step, lang) if last else "", person=person,
            late=last.late if last else None, current=open_now,
            urgency=urgency(last.opened_at, last.due, now) if open_now and last else None,
            note=notes.get(step.n, ""), task_id=last.pk if open_now and last else None, rounds=len(history),
            task_role=last.role if open_now and last else None,
            task_office_id=last.office_id if open_now and last else None,
            task_purpose=last.purpose if open_now and last else "step",
            claimed_by_id=last.claimed_by_id if open_now and last else None,
            claimed_by=person_name(last.claimed_by) if open_now and last and last.claimed_by else "",
            claimed_at=last.claimed_at if open_now and last else None,
        ))
    return rows


def events(case: Case) -> list[Event]:
    return list(case.events.select_related("actor__staff").order_by("seq"))


def regulation(case: Case) -> Regulation:
    return services.regulation_of(case.regulation)
