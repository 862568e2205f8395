"""My tasks, and doing them: claim, complete (with the decision at the deciding step), refuse acceptance."""

from __future__ import annotations

from ninja import Query, Router

from qyzmet.api import present
from qyzmet.api import schemas as s
from qyzmet.api.auth import actor
from qyzmet.api.common import PageParams, now, page_of, paginate
from qyzmet.api.idempotency import KEY, run_once
from qyzmet.cases import workflow
from qyzmet.cases.access import my_tasks
from qyzmet.cases.models import Case, Task

router = Router(tags=["tasks"])


def fresh_task(pk: int) -> Task:
    return Task.objects.select_related(*present.TASK_RELATED).get(pk=pk)


def fresh_case(pk: int) -> Case:
    return Case.objects.select_related(*present.CASE_RELATED).get(pk=pk)


@router.get("", response={200: page_of(s.TaskOut), **s.ERRORS},
            summary="My open tasks (my office, my roles), the most urgent first")
def list_tasks(request, page: Query[PageParams]):
    tasks = my_tasks(actor(request)).select_related(*present.TASK_RELATED)
    at = now()
    return paginate(tasks, page, lambda chunk: [present.task_out(t, at) for t in chunk])


@router.post("/{int:task_id}/claim", response={200: s.TaskOut, **s.ERRORS},
             summary="Take a task, so nobody else in the role does it")
def claim(request, task_id: int, idempotency_key: str | None = KEY):
    who = actor(request)

    def act() -> s.TaskOut:
        task = workflow.claim(who, task_id, now())
        return present.task_out(fresh_task(task.pk), now())

    return run_once(request, idempotency_key, 200, act)


@router.post("/{int:task_id}/complete", response={200: s.CaseDetail, **s.ERRORS},
             summary="Do the step; at the deciding step, with the decision")
def complete(request, task_id: int, body: s.CompleteIn, idempotency_key: str | None = KEY):
    who = actor(request)
    done = workflow.Completion(note=body.note, decision=body.decision, grounds=tuple(body.grounds),
                               reason=body.reason)

    def act() -> s.CaseDetail:
        case = workflow.complete(who, task_id, done, now())
        return present.case_detail(fresh_case(case.pk), now())

    return run_once(request, idempotency_key, 200, act)


@router.post("/{int:task_id}/refuse-acceptance", response={200: s.CaseDetail, **s.ERRORS},
             summary="Refuse to accept the documents, on a ground of the act's closed list")
def refuse_acceptance(request, task_id: int, body: s.RefuseAcceptanceIn, idempotency_key: str | None = KEY):
    who = actor(request)

    def act() -> s.CaseDetail:
        case = workflow.refuse_acceptance(who, task_id, body.ground, body.note, now())
        return present.case_detail(fresh_case(case.pk), now())

    return run_once(request, idempotency_key, 200, act)
