"""Decisions: the outcome of each decided case, and deciding (completing the deciding step)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from ninja import Query, Router

from qyzmet.api import present
from qyzmet.api import schemas as s
from qyzmet.api.auth import actor
from qyzmet.api.common import PageParams, now, page_of, paginate
from qyzmet.api.idempotency import KEY, run_once
from qyzmet.cases import workflow
from qyzmet.cases.access import task_for, visible_cases
from qyzmet.cases.models import Event
from qyzmet.cases.services import regulation_of

router = Router(tags=["decisions"])


@router.get("", response={200: page_of(s.DecisionOut), **s.ERRORS},
            summary="Decided cases of my office, the latest decision first")
def list_decisions(request, page: Query[PageParams]):
    decided_at = Event.objects.filter(case=OuterRef("pk"), kind="decide").order_by("-seq").values("at")[:1]
    cases = (visible_cases(actor(request)).exclude(outcome="").select_related(*present.CASE_RELATED)
             .annotate(decided_at=Subquery(decided_at)).order_by("-decided_at", "-id"))
    return paginate(cases, page, present.decisions_out)


@router.post("", response={201: s.DecisionOut, **s.ERRORS},
             summary="Decide a case: complete the deciding step's task with the decision")
def decide(request, body: s.DecisionIn, idempotency_key: str | None = KEY):
    who = actor(request)

    def act() -> s.DecisionOut:
        # Only a question of which endpoint was meant; whether this person may decide is workflow's.
        task = task_for(who, body.task, to_act=False)
        step = regulation_of(task.case.regulation).route(task.case.route).step(task.step)
        if not step.decides:
            raise workflow.Invalid("task", f"step {task.step} of {task.case.number} does not decide the case; "
                                           f"complete it with POST /tasks/{task.pk}/complete")
        case = workflow.complete(who, task.pk, workflow.Completion(
            note=body.note, decision=body.decision, grounds=tuple(body.grounds), reason=body.reason,
            result=body.result), now())
        decided = visible_cases(who).select_related(*present.CASE_RELATED).get(pk=case.pk)
        return present.decisions_out([decided])[0]

    return run_once(request, idempotency_key, 201, act)
