"""Registries between a PSC and a provider: what is ready to send, sending, acknowledging, returning."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Query, Router, Schema

from qyzmet.api import present
from qyzmet.api import schemas as s
from qyzmet.api.auth import actor
from qyzmet.api.common import PageParams, now, page_of, paginate
from qyzmet.api.idempotency import KEY, run_once
from qyzmet.cases import workflow
from qyzmet.cases.models import RegistryItem, Task

router = Router(tags=["registries"])


class RegistryFilters(Schema):
    direction: Literal["to-provider", "to-psc"] | None = None
    incoming: bool | None = Field(None, description="true: received by my office; false: sent by it")


@router.get("", response={200: page_of(s.RegistryBrief), **s.ERRORS},
            summary="Registries my office sent or received, newest first")
def list_registries(request, filters: Query[RegistryFilters], page: Query[PageParams]):
    who = actor(request)
    registries = present.with_item_counts(workflow.registries(who)).order_by("-dispatched_at", "-id")
    if filters.direction:
        registries = registries.filter(direction=filters.direction)
    if filters.incoming is not None:
        mine = {"to_office_id": who.office_id} if filters.incoming else {"from_office_id": who.office_id}
        registries = registries.filter(**mine)
    return paginate(registries, page, present.registry_briefs)


@router.get("/ready", response={200: page_of(s.TaskOut), **s.ERRORS},
            summary="My tasks waiting to be sent with a registry")
def ready(request, page: Query[PageParams]):
    ids = list(workflow.dispatchable(actor(request)).values_list("pk", flat=True))
    at = now()

    def present_page(chunk: list[int]) -> list[s.TaskOut]:
        tasks = Task.objects.select_related(*present.TASK_RELATED).in_bulk(chunk)
        return [present.task_out(tasks[pk], at) for pk in chunk]

    return paginate(ids, page, present_page)


@router.get("/{int:registry_id}", response={200: s.RegistryDetail, **s.ERRORS},
            summary="One registry with its lines")
def get_registry(request, registry_id: int):
    registry = workflow.registry_for(actor(request), registry_id)
    return present.registry_detail(registry)


@router.post("", response={201: s.RegistryDetail, **s.ERRORS},
             summary="Send the cases of these tasks to the next office in one registry")
def dispatch(request, body: s.DispatchIn, idempotency_key: str | None = KEY):
    who = actor(request)

    def act() -> s.RegistryDetail:
        registry = workflow.dispatch(who, body.tasks, now())
        return present.registry_detail(workflow.registry_for(who, registry.pk))

    return run_once(request, idempotency_key, 201, act)


def _item(pk: int) -> s.RegistryItemOut:
    return present.registry_item_out(RegistryItem.objects.select_related("case", "acted_by").get(pk=pk))


@router.post("/items/{int:item_id}/acknowledge", response={200: s.RegistryItemOut, **s.ERRORS},
             summary="Confirm that a listed case arrived")
def acknowledge(request, item_id: int, idempotency_key: str | None = KEY):
    who = actor(request)
    return run_once(request, idempotency_key, 200,
                    lambda: _item(workflow.acknowledge(who, item_id, now()).pk))


@router.post("/items/{int:item_id}/return", response={200: s.RegistryItemOut, **s.ERRORS},
             summary="Send a listed case back with the errors found")
def return_item(request, item_id: int, body: s.ReturnIn, idempotency_key: str | None = KEY):
    who = actor(request)
    return run_once(request, idempotency_key, 200,
                    lambda: _item(workflow.return_item(who, item_id, body.errors, now()).pk))

