"""The catalog of services, as their acts define them.  Public: citizens and other systems read it."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from qyzmet.api import present
from qyzmet.api import schemas as s
from qyzmet.api.common import PageParams, page_of, paginate
from qyzmet.api.errors import ApiError
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.regulation import ChannelCode, Regulation

router = Router(tags=["catalog"])


class CatalogFilters(Schema):
    q: str | None = Field(None, max_length=200, description="part of the name (kk/ru/en) or of the id, any case")
    channel: ChannelCode | None = Field(None, description="services with a route through this channel")


def newest() -> list[Regulation]:
    """The newest version of every regulation, by id (what intake opens cases on)."""
    catalog = shipped_catalog()
    return [catalog.get(reg_id) for reg_id in catalog.ids()]


def _matches(reg: Regulation, needle: str) -> bool:
    # casefold, not lower: it also folds the Kazakh and Russian capitals (Ә→ә, І→і, Ё→ё).
    haystack = (reg.id, reg.name.kk or "", reg.name.ru or "", reg.name.en or "")
    return any(needle in text.casefold() for text in haystack)


@router.get("", response={200: page_of(s.RegulationBrief), **s.PUBLIC_ERRORS}, auth=None,
            summary="The services and the acts that define them")
def list_catalog(request, filters: Query[CatalogFilters], page: Query[PageParams]):
    regs = newest()
    if filters.q and filters.q.strip():
        needle = filters.q.strip().casefold()
        regs = [r for r in regs if _matches(r, needle)]
    if filters.channel:
        regs = [r for r in regs if any(route.channel == filters.channel for route in r.routes.values())]
    return paginate(regs, page, lambda chunk: [present.regulation_brief(r) for r in chunk])


@router.get("/{path:reg_id}", response={200: s.RegulationDetail, **s.PUBLIC_ERRORS}, auth=None,
            summary="One service in full: checklists, grounds, routes with their steps, results")
def get_regulation(request, reg_id: str):
    try:
        reg = shipped_catalog().get(reg_id)
    except KeyError:
        raise ApiError(404, "not-found", f"no service {reg_id!r} in the catalog") from None
    return present.regulation_detail(reg)
