"""Pieces every route module uses: the clock, local times, pagination."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, create_model

from qyzmet.core.calendar import to_local

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def now() -> dt.datetime:
    """The API's "now", in Almaty time.

    The same instant as ``timezone.now()`` (UTC), but its ``.date()`` is the applicant's calendar day:
    between 00:00 and 05:00 in Almaty the UTC date is still yesterday, and the workflow's IIN and age
    checks take ``now.date()`` as today.
    """
    return to_local(timezone.now())


# Every instant leaves the API in Almaty time with its offset (+05:00), as the legal terms are counted.
Instant = Annotated[dt.datetime, AfterValidator(to_local)]


class In(Schema):
    """Request bodies: a misspelt field is an error that names it, not a silently ignored value."""

    model_config = ConfigDict(extra="forbid")


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"items per page, at most {MAX_LIMIT}")
    offset: int = Field(0, ge=0, description="how many items to skip")


_pages: dict[type, type[Schema]] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """The ``{"items": [...], "count": N}`` schema for a list of ``item`` (one class per item type)."""
    if item not in _pages:
        _pages[item] = create_model(f"{item.__name__}Page", __base__=Schema,
                                    items=(list[item], ...), count=(int, Field(..., description="all matches")))
    return _pages[item]


T = TypeVar("T")


def paginate(rows: QuerySet | Sequence[T], page: PageParams, present: Callable[[list[Any]], list[Any]]) -> dict:
    """One page of ``rows`` (a query is sliced in SQL) and the total count.

    ``present`` turns the page's rows into output items all at once, so it can fetch what they share in
    one query instead of one per row.
    """
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    chunk = list(rows[page.offset: page.offset + page.limit]) if page.offset < count else []
    return {"items": present(chunk), "count": count}
