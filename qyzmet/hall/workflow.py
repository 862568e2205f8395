"""What the hall's staff do: issue a talon, call the next visitor to a window, start, finish, recall.

The pages, the kiosk and the API call these functions; none of them checks rights itself.  The hall is
the PSC's: its staff (any role the acts give the PSC — hall inspector, consultant, issuance inspector…)
work it, and a talon of another office is *not found*, as a case is (``cases.access``).

Times are wall-clock: a visitor waits in the hall in real minutes, during opening hours, so the waiting
norm is measured from the talon (or the booked slot the visitor came early for) to the first call.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from qyzmet.cases.access import AccessDenied, Actor, NotFound, visible_cases
from qyzmet.cases.models import Case
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core.calendar import to_local
from qyzmet.core.loader import shipped_catalog
from qyzmet.hall import norms
from qyzmet.hall.models import HallPolicy, TalonCounter, Visit

LIVE, BOOKED = "A", "B"  # talon series: the electronic queue, and talons booked through the portal
MAX_WINDOW = 99
OPEN = (Visit.State.CALLED, Visit.State.SERVING)


@cache
def _psc_roles(catalog_id: int) -> frozenset[str]:
    return frozenset(r.code for reg in shipped_catalog().regulations for r in reg.roles if r.organisation == "psc")


# The branch head answers for the hall (and its complaints, mlsp-2021 annex 1 cl. 11): no act's step table
# names the head, so the role is not among the acts' PSC roles.
BRANCH_HEAD = "psc-head"


def hall_roles() -> frozenset[str]:
    """The roles the acts give the PSC, and its head: whoever holds one works in its hall."""
    return _psc_roles(id(shipped_catalog())) | {BRANCH_HEAD}


def works_hall(actor: Actor | None) -> bool:
    return actor is not None and actor.office_kind == "psc" and bool(actor.roles & hall_roles())


def require_hall(actor: Actor | None) -> Actor:
    if actor is None:
        raise AccessDenied(_("This account is not a staff member of any office."))
    if not works_hall(actor):
        raise AccessDenied(_("The hall's queue is kept by the staff of a PSC."))
    return actor


def today(now: dt.datetime) -> dt.date:
    return to_local(now).date()


def waiting(office_id: int, day: dt.date) -> QuerySet[Visit]:
    """The day's waiting visitors in the order they are called: priority first, then the earliest in the
    queue (a booked visitor from the booked slot), then the talon's issue."""
    return (Visit.objects.filter(office_id=office_id, day=day, state=Visit.State.WAITING)
            .order_by("-priority", "queued_at", "id"))


def visit_for(actor: Actor, pk: int, *, lock: bool = False) -> Visit:
    query = Visit.objects.filter(pk=pk, office_id=actor.office_id)
    visit = (query.select_for_update() if lock else query).first()
    if visit is None:
        raise NotFound(_("No such talon in your office."))
    return visit


def _user(actor: Actor | None):
    return get_user_model().objects.filter(pk=actor.user_id).first() if actor else None


def _window(value: object) -> int:
    try:
        window = int(str(value).strip())
    except (TypeError, ValueError):
        window = 0
    if not 1 <= window <= MAX_WINDOW:
        raise Invalid("window", _("Enter the number of your window, from 1 to %(max)s.") % {"max": MAX_WINDOW})
    return window


# --- issue ------------------------------------------------------------------------------------------

def priority_basis(office_id: int) -> str:
    policy = HallPolicy.objects.filter(office_id=office_id).first()
    return policy.priority_basis.strip() if policy else ""


def _check_priority(offer: norms.Offer, office_id: int, reason: str) -> str:
    """A priority talon only where the act gives priority, or is silent and the office gives it."""
    if offer.norm.priority is False:
        raise Invalid("priority", _("The act serves this service in turn, without expedited service (%(cite)s): "
                                    "a priority talon cannot be issued.") % {"cite": offer.norm.cite})
    if offer.norm.priority is None and not priority_basis(office_id):
        raise Invalid("priority", _("The act gives no priority for this service and your office has set no "
                                    "basis for it (the hall policy in the admin)."))
    reason = reason.strip()
    if not reason:
        raise Invalid("priority_reason", _("Say why the visitor is served out of turn."))
    if len(reason) > 300:
        raise Invalid("priority_reason", _("Keep the reason under 300 characters."))
    return reason


def _check_booking(offer: norms.Offer, booked_for: dt.datetime, now: dt.datetime) -> dt.datetime:
    if offer.norm.booking is not True:
        raise Invalid("booked_for", _("The act gives no booking of the queue for this service (%(cite)s).")
                      % {"cite": offer.norm.cite})
    booked_for = to_local(booked_for)
    if booked_for.date() != today(now):
        raise Invalid("booked_for", _("A booked talon is issued on the day of its booking: the booking is for "
                                      "another day."))
    return booked_for


def new_visit(office_id: int, offer: norms.Offer, now: dt.datetime, *, user=None,
              booked_for: dt.datetime | None = None, priority: bool = False, priority_reason: str = "") -> Visit:
    """Number the talon and store the visit with its norm; the caller has checked the request.

    The day's counter row is locked while the number is taken, so two kiosks never print one talon.
    """
    day = today(now)
    series = BOOKED if booked_for is not None else LIVE
    with transaction.atomic():
        counter, _created = TalonCounter.objects.select_for_update().get_or_create(
            office_id=office_id, day=day, series=series)
        TalonCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        seq = counter.last + 1
        # A booked visitor who comes early waits from the slot, one who comes late from the arrival.
        queued = max(now, booked_for) if booked_for is not None else now
        return Visit.objects.create(
            office_id=office_id, day=day, series=series, seq=seq, number=f"{series}-{seq:03d}",
            reg_id=offer.reg_id, reg_hash=offer.reg.content_hash, route=offer.route, channel=offer.channel,
            booked=booked_for is not None, booked_for=booked_for, priority=priority,
            priority_reason=priority_reason, issued_at=now, issued_by=user, queued_at=queued,
            norm_wait_minutes=offer.norm.max_wait, norm_service_minutes=offer.norm.max_service,
            norm_cite=offer.norm.cite[:120])


def issue(actor: Actor | None, *, reg_id: str, now: dt.datetime, booked_for: dt.datetime | None = None,
          priority: bool = False, priority_reason: str = "") -> Visit:
    """A talon for a service the office's hall takes (the kiosk's button, the API)."""
    who = require_hall(actor)
    offer = norms.offer_for(who.office_id, (reg_id or "").strip())
    if offer is None:
        raise Invalid("service", _("Your office's hall does not take “%(service)s”.") % {"service": reg_id})
    reason = _check_priority(offer, who.office_id, priority_reason) if priority else ""
    booked = _check_booking(offer, booked_for, now) if booked_for is not None else None
    return new_visit(who.office_id, offer, now, user=_user(who), booked_for=booked, priority=priority,
                     priority_reason=reason)


# --- the window -------------------------------------------------------------------------------------

def _next_for_update(office_id: int, day: dt.date) -> Visit | None:
    query = waiting(office_id, day)
    if connection.features.has_select_for_update_skip_locked:
        # Two windows pressing "next" at once: the second skips the row the first has locked and takes
        # the next visitor, instead of waiting and then calling the same one.  SQLite has no row locks
        # but takes the write lock at BEGIN (IMMEDIATE), so its writers run one after another.
        query = query.select_for_update(skip_locked=True)
    return query.first()


def call_next(actor: Actor | None, *, window: object, now: dt.datetime) -> Visit | None:
    """Call the next waiting visitor to ``window``; None when nobody waits."""
    who = require_hall(actor)
    number = _window(window)
    with transaction.atomic():
        busy = (Visit.objects.filter(office_id=who.office_id, window=number, state__in=OPEN)
                .order_by("-last_called_at").first())
        if busy is not None:
            raise Conflict(_("Window %(window)s has talon %(number)s open: finish it first.")
                           % {"window": number, "number": busy.number})
        visit = _next_for_update(who.office_id, today(now))
        if visit is None:
            return None
        visit.state, visit.window, visit.called_at, visit.last_called_at = Visit.State.CALLED, number, now, now
        visit.called_by = _user(who)
        visit.save(update_fields=["state", "window", "called_at", "last_called_at", "called_by"])
        return visit


def _open_visit(actor: Actor | None, pk: int, allowed: tuple[str, ...]) -> tuple[Actor, Visit]:
    who = require_hall(actor)
    visit = visit_for(who, pk, lock=True)
    if visit.state not in allowed:
        messages = {
            Visit.State.WAITING: _("Talon %(number)s has not been called yet."),
            Visit.State.CALLED: _("Talon %(number)s has been called but its service has not started."),
            Visit.State.SERVING: _("Talon %(number)s is already in service."),
            Visit.State.DONE: _("Talon %(number)s is already finished."),
        }
        raise Conflict(messages[visit.state] % {"number": visit.number})
    return who, visit


def recall(actor: Actor | None, pk: int, now: dt.datetime) -> Visit:
    """Call a visitor who has not come to the window again (the board shows the talon anew)."""
    with transaction.atomic():
        _who, visit = _open_visit(actor, pk, (Visit.State.CALLED,))
        visit.last_called_at, visit.recalls = now, visit.recalls + 1
        visit.save(update_fields=["last_called_at", "recalls"])
        return visit


def start(actor: Actor | None, pk: int, now: dt.datetime) -> Visit:
    """The visitor is at the window: the service time starts."""
    with transaction.atomic():
        _who, visit = _open_visit(actor, pk, (Visit.State.CALLED,))
        visit.state, visit.service_started_at = Visit.State.SERVING, now
        visit.save(update_fields=["state", "service_started_at"])
        return visit


def _case(actor: Actor, visit: Visit, number: str) -> Case | None:
    number = number.strip().upper()
    if not number:
        return None
    case = visible_cases(actor).filter(number=number, office_id=actor.office_id).select_related("regulation").first()
    if case is None:
        raise Invalid("case", _("No application %(number)s was received in your office.") % {"number": number})
    if case.regulation.reg_id != visit.reg_id:
        raise Invalid("case", _("Application %(number)s is for another service than talon %(talon)s.")
                      % {"number": number, "talon": visit.number})
    return case


def finish(actor: Actor | None, pk: int, *, outcome: str, now: dt.datetime, case_number: str = "",
           note: str = "") -> Visit:
    """End the visit: served (after its service started), did not come (after a call), or redirected.

    The application number links the case the inspector opened during the visit (optional).
    """
    if outcome not in Visit.Outcome.values:
        raise Invalid("outcome", _("Choose how the visit ended: served, did not come, or redirected."))
    allowed = {Visit.Outcome.SERVED: (Visit.State.SERVING,), Visit.Outcome.NO_SHOW: (Visit.State.CALLED,),
               Visit.Outcome.REDIRECTED: OPEN}[Visit.Outcome(outcome)]
    note = note.strip()
    if outcome == Visit.Outcome.REDIRECTED and not note:
        raise Invalid("note", _("Say where the visitor was redirected."))
    if len(note) > 300:
        raise Invalid("note", _("Keep the note under 300 characters."))
    with transaction.atomic():
        who, visit = _open_visit(actor, pk, allowed)
        case = _case(who, visit, case_number) if outcome != Visit.Outcome.NO_SHOW else None
        visit.state, visit.outcome, visit.finished_at, visit.finished_by = Visit.State.DONE, outcome, now, _user(who)
        visit.note = note
        if case is not None:
            visit.case = case
        visit.save(update_fields=["state", "outcome", "finished_at", "finished_by", "note", "case"])
        return visit
