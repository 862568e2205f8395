"""Who may see and do what: the one place the workspace and the API ask.

A staff member belongs to one office and holds roles (the SFUs a regulation names).  They see the
cases their office received or works, and act only on open tasks of their office in one of their
roles.  Everything is enforced here, on the server; pages only hide what this module would refuse.

A case of another office is *not found* (404) rather than forbidden, so its existence does not leak;
a visible case's step in somebody else's role is *forbidden* (403).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from qyzmet.cases import name_search
from qyzmet.cases.models import Case, Task
from qyzmet.core.regulation import Regulation

# Roles that are not staff of any office: the applicant on the portal, the recipient answering an
# SMS, and the state information systems.  Their steps have no office; the system records them.
OUTSIDE_ROLES = frozenset({"applicant", "recipient", "information-system", "e-sobes"})


class AccessDenied(Exception):
    """The user may see this, but may not do it (HTTP 403)."""


class NotFound(Exception):
    """Nothing this user may see has this identifier (HTTP 404)."""


class Conflict(ValueError):
    """The case is not in a state that allows this (someone else moved it, or the act forbids it now): 409."""


@dataclass(frozen=True)
class Actor:
    """The signed-in staff member, read once per request."""

    user_id: int
    username: str
    full_name: str
    office_id: int
    office_code: str
    office_kind: str  # "psc" or "provider" (the organisation's kind)
    roles: frozenset[str]

    def holds(self, role: str | None) -> bool:
        return role is not None and role in self.roles


def actor_for(user) -> Actor | None:
    """The staff member behind a Django user, or None (anonymous, or a user with no office)."""
    if user is None or not user.is_authenticated:
        return None
    from qyzmet.directory.models import Staff

    staff = (Staff.objects.select_related("office__organisation").prefetch_related("roles")
             .filter(user_id=user.pk).first())
    if staff is None:
        return None
    return Actor(user.pk, user.get_username(), staff.full_name, staff.office_id, staff.office.code,
                 staff.office.organisation.kind, frozenset(r.role for r in staff.roles.all()))


def require_actor(user) -> Actor:
    actor = actor_for(user)
    if actor is None:
        raise AccessDenied(_("This account is not a staff member of any office."))
    return actor


def task_office_id(reg: Regulation, role_code: str | None, case: Case) -> int | None:
    """The office whose staff do a step: the PSC for PSC roles, the provider for the rest."""
    if role_code is None or role_code in OUTSIDE_ROLES:
        return None
    role = reg.role(role_code)
    if role is not None and role.organisation == "psc":
        return case.office_id
    return case.provider_office_id or case.office_id


REGULATOR = "regulator"  # the regional regulator's role (qyzmet.monitoring): reads the region's cases, does none


def supervised_office_ids(actor: Actor) -> tuple[int, ...]:
    """The offices whose cases this person reads besides their own: a regional regulator's region (the
    monitoring's drill-down leads to those cases); nobody else has any."""
    if not actor.holds(REGULATOR):
        return ()
    from qyzmet.monitoring.models import RegionOffice  # the region lives in the monitoring app

    return tuple(RegionOffice.objects.filter(region__authority_id=actor.office_id).values_list("office_id", flat=True))


def of_offices(actor: Actor, first: str, second: str, supervised: tuple[int, ...] | None = None) -> Q:
    """Rows whose ``first`` or ``second`` office is the actor's, or one they supervise (``supervised``: when the
    caller has already asked :func:`supervised_office_ids`)."""
    if supervised is None:
        supervised = supervised_office_ids(actor)
    if not supervised:  # the everyday case: plain equalities, which the (office, …) indexes serve
        return Q(**{first: actor.office_id}) | Q(**{second: actor.office_id})
    ids = (actor.office_id, *supervised)
    return Q(**{f"{first}__in": ids}) | Q(**{f"{second}__in": ids})


def visible_cases(actor: Actor, supervised: tuple[int, ...] | None = None) -> QuerySet[Case]:
    return Case.objects.filter(of_offices(actor, "office_id", "provider_office_id", supervised))


_CASE_NUMBER = re.compile(r"^[Qq]\d{4}-\d+$")
SEARCH_LIMIT = 1000  # cases one IIN may carry, across all offices: far above any real person's


def search_condition(q: str) -> Q:
    """What a clerk typed into the case search, read as what it looks like.

    Digits are an IIN (the applicant's or a representative's) and "Q2026-…" is an application number:
    the few cases carrying it are found from their index first and the condition names them by primary
    key (asked in one query, SQLite walks the office's cases instead, having no statistics to know that
    an IIN is rarer than an office).  Anything else is part of a name, found from the names' index
    (``name_search``: trigrams on PostgreSQL, FTS5 on SQLite).
    """
    digits = q.replace(" ", "")
    if digits.isdigit():
        exact = Q(applicant_iin=digits) | Q(representative_iin=digits)
    elif _CASE_NUMBER.match(q):
        exact = Q(number=q.upper())
    else:
        return name_search.condition(q)
    return Q(pk__in=list(Case.objects.filter(exact).values_list("pk", flat=True)[:SEARCH_LIMIT]))


def _indexed_name(q: str) -> bool:
    """A name search answered from SQLite's full-text table, which must carry the office filter itself."""
    return not q.replace(" ", "").isdigit() and not _CASE_NUMBER.match(q) and name_search.uses_index(q)


def case_search(actor: Actor, q: str) -> QuerySet[Case]:
    """The office's cases matching the search ``q``."""
    supervised = supervised_office_ids(actor)
    if _indexed_name(q) and not supervised:
        return Case.objects.filter(name_search.condition(q, office_id=actor.office_id))
    return visible_cases(actor, supervised).filter(search_condition(q))


def newest_first(first: QuerySet, second: QuerySet, at: str) -> QuerySet:
    """Ids and ``at`` of the rows of either query, newest first, each row once: for paging a list that is
    "this OR that" (an office's cases received or worked, registries sent or received).

    A UNION that SQLite merges from two index walks on (…, ``at``); the same condition as one query with
    OR made it sort every matching row for each page.  Counting it stays within the two indexes too.
    """
    # order_by() clears the model's default ordering, which a part of a UNION may not carry.
    columns = ("id", at)
    return first.order_by().values(*columns).union(second.order_by().values(*columns)).order_by(f"-{at}", "-id")


def office_cases(actor: Actor, *, q: str = "", status: str = "") -> QuerySet:
    """Ids and submission instants of the cases this office received or works, newest first, filtered by
    the search ``q`` and ``status``."""
    supervised = supervised_office_ids(actor)
    if q and _indexed_name(q) and not supervised:  # the name's matches, sorted: no walk of the office's cases
        return (Case.objects.filter(name_search.condition(q, office_id=actor.office_id, status=status))
                .order_by().values("id", "submitted_at").order_by("-submitted_at", "-id"))
    condition = search_condition(q) if q else Q()
    if status:
        condition &= Q(status=status)
    if supervised:  # a regulator: the region's cases (no office of theirs receives any)
        return (visible_cases(actor, supervised).filter(condition).order_by()
                .values("id", "submitted_at").order_by("-submitted_at", "-id"))
    return newest_first(Case.objects.filter(condition, office_id=actor.office_id),
                        Case.objects.filter(condition, provider_office_id=actor.office_id), "submitted_at")


def case_for(actor: Actor, *, pk: int | None = None, number: str | None = None) -> Case:
    query = visible_cases(actor).select_related("regulation", "office", "provider_office")
    case = query.filter(pk=pk).first() if pk is not None else query.filter(number=number).first()
    if case is None:
        raise NotFound(_("No such case in your office."))
    return case


def my_tasks(actor: Actor) -> QuerySet[Task]:
    """Open tasks this person can do, the most urgent first (tasks without a due instant last)."""
    # The regulation's stored YAML (tens of KB) and the case's engine state are not shown in lists.
    return (Task.objects.filter(office_id=actor.office_id, role__in=actor.roles, closed_at__isnull=True)
            .select_related("case__regulation", "claimed_by")
            .defer("case__regulation__source", "case__state")
            .order_by(F("due").asc(nulls_last=True), "id"))


def task_for(actor: Actor, pk: int, *, to_act: bool = True) -> Task:
    """An open task of this office; with ``to_act`` it must also be in one of the actor's roles."""
    task = (Task.objects.select_related("case__regulation", "case__office", "case__provider_office", "claimed_by")
            .filter(pk=pk).first())
    # A task of another office's case is reported like a missing one; a task of a visible case that
    # another office does (the PSC's step of a case the provider works) may be seen, not done.
    if task is None or (task.office_id != actor.office_id
                        and not visible_cases(actor).filter(pk=task.case_id).exists()):
        raise NotFound(_("No such task in your office."))
    if to_act:
        if task.closed_at is not None:
            raise Conflict(_("Step %(n)s of case %(number)s is already done.")
                           % {"n": task.step, "number": task.case.number})
        if task.office_id != actor.office_id or not actor.holds(task.role):
            raise AccessDenied(_("Step %(n)s of case %(number)s is for the role “%(role)s”, which you do not hold.")
                               % {"n": task.step, "number": task.case.number, "role": task.role})
    return task


class Urgency(StrEnum):
    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    OVERDUE = "overdue"
    NO_TERM = "no-term"


def urgency(opened: dt.datetime, due: dt.datetime | None, now: dt.datetime) -> Urgency:
    """Overdue past the due instant; at risk when less than a quarter of the allowed time is left.

    A quarter of the wall-clock span is a deliberate simplification: it flags a 3-working-day step on
    its last day and a 30-minute step in its last 7 minutes, which is when a head would want to know.
    """
    if due is None:
        return Urgency.NO_TERM
    if now > due:
        return Urgency.OVERDUE
    if (due - now) * 4 < (due - opened):
        return Urgency.AT_RISK
    return Urgency.ON_TRACK
