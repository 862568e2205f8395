"""What an office's hall offers and what each service's act owes the visitor in the queue.

The acts fix, per channel, a maximum waiting time and a maximum service time (``channels[].queue``:
mlsp-2021 annex 3 items 3.2-3.3, 15 and 15 minutes at the State Corporation; aktogay-2013 cl. 9.2-9.3,
30 and 30 minutes at the PSC), whether the electronic queue may be booked (``booking``, mlsp-2021 item 7.1:
"through the portal") and whether anybody is served out of turn (``priority``: the acts say "without
expedited service", жеделдетіп қызмет көрсетусіз, which is ``priority: false``).  An office's service
points decide which services its hall takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from qyzmet.core.calendar import CalendarError, WorkCalendar
from qyzmet.core.durations import Duration
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.regulation import Regulation, Text

# Channels a visitor queues for in person; the portal and the proactive channel have no hall.
IN_PERSON = ("psc", "provider")


@dataclass(frozen=True)
class Norm:
    """One channel's queue norm as the act writes it (minutes; None where the act gives no number)."""

    max_wait: int | None
    max_service: int | None
    cite: str
    booking: bool | None  # None: the act is silent
    priority: bool | None  # False: "without expedited service"; None: the act is silent
    wait_text: Text | None = None  # a waiting norm the act words without a number


@dataclass(frozen=True)
class Offer:
    """A service the hall takes: the regulation, the office's route for it and that route's channel."""

    reg: Regulation
    route: str
    channel: str
    norm: Norm

    @property
    def reg_id(self) -> str:
        return self.reg.id


def _minutes(duration: Duration | None) -> int | None:
    if duration is None or not duration.unit.is_time:
        return None
    return duration.minutes


def norm_of(reg: Regulation, channel: str) -> Norm:
    ch = reg.channel(channel)
    q = ch.queue if ch else None
    if q is None:
        return Norm(None, None, ch.cite or "" if ch else "", None, None)
    service = _minutes(q.max_service)
    ru = _minutes(q.max_service_ru)
    if service is not None and ru is not None:
        # The two texts disagree (the linter reports it): the visitor is owed the shorter one.
        service = min(service, ru)
    return Norm(_minutes(q.max_wait), service if service is not None else ru, q.cite or ch.cite or "",
                q.booking, q.priority, q.max_wait_text)


def offers(office_id: int) -> tuple[Offer, ...]:
    """The services this office's hall takes, one per regulation (its in-person route).

    Read on every call (one query): service points change in the admin, and a cache keyed by office id
    would outlive a test database's rows.
    """
    from qyzmet.directory.models import ServicePoint

    known = {reg.id: reg for reg in shipped_catalog().regulations}
    found: dict[str, Offer] = {}
    for point in ServicePoint.objects.filter(office_id=office_id).order_by("reg_id", "route"):
        reg = known.get(point.reg_id)
        if reg is None or point.route not in reg.routes:
            continue
        channel = reg.route(point.route).channel
        if channel in IN_PERSON and reg.id not in found:
            found[reg.id] = Offer(reg, point.route, channel, norm_of(reg, channel))
    return tuple(found.values())


def offer_for(office_id: int, reg_id: str) -> Offer | None:
    return next((o for o in offers(office_id) if o.reg_id == reg_id), None)


def strictest(found: tuple[Offer, ...] | list[Offer]) -> Offer | None:
    """The offer with the shortest waiting norm: the hall must meet the strictest norm it serves."""
    timed = [o for o in found if o.norm.max_wait is not None]
    return min(timed, key=lambda o: (o.norm.max_wait, o.reg_id)) if timed else None


def office_calendar(office) -> WorkCalendar | None:
    """The office's working calendar: its schedule is a built-in one or one an offered act defines."""
    from qyzmet.cases.services import calendars_of

    for offer in offers(office.pk) or ():
        try:
            return calendars_of(offer.reg)(office.schedule)
        except CalendarError:
            continue
    try:
        from qyzmet.core.calendar import calendar_for

        return calendar_for(office.schedule)
    except CalendarError:
        return None
