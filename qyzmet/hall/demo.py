"""A morning in the demo PSC halls: talons, calls to two windows, services, a few who did not come.

The hall is run as a queue (the earliest talon to the first free window), with more visitors than two
windows serve comfortably, so some wait longer than the act allows and the hall page has violations to
show.  With ``until`` (``serve --demo``) the morning ends at that instant: visitors called after it are
still waiting, so the live lists are not empty.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from qyzmet.core.calendar import local_instant, to_local
from qyzmet.hall import norms
from qyzmet.hall.models import Visit
from qyzmet.hall.workflow import new_visit

WINDOWS = 2
ARRIVALS_PER_HOUR = 9  # 2 windows × ~11 min: over 80 % busy, so the queue builds up in waves
MORNING = dt.timedelta(hours=3)
DEFAULT_END = local_instant(dt.date(2025, 3, 19), 12 * 3600)  # without ``until``: a Wednesday, noon


def run(directory, rng: random.Random, until: dt.datetime | None = None) -> dict[str, int]:
    """Visits for every demo PSC office in the three hours before ``until``; counts by state."""
    end = to_local(until) if until is not None else DEFAULT_END
    counts: dict[str, int] = {}
    for (_prefix, kind), office in sorted(directory.offices.items()):
        if kind != "psc":
            continue
        offers = norms.offers(office.pk)
        if not offers:
            continue
        users = [u for (office_id, role), u in directory.users.items() if office_id == office.pk]
        with transaction.atomic():
            for state in _morning(office, offers, end, rng, users):
                counts[state] = counts.get(state, 0) + 1
    return counts


def _morning(office, offers, end: dt.datetime, rng: random.Random, users: list) -> list[str]:
    start = end - MORNING
    if start.date() != end.date():  # the morning stays within one day: talon numbers are per day
        start = local_instant(end.date(), 0)
    at, arrivals = start, []
    while True:
        at += dt.timedelta(minutes=rng.expovariate(ARRIVALS_PER_HOUR / 60))
        if at >= end:
            break
        arrivals.append(at)
    free = [start] * WINDOWS
    states = []
    for arrived in arrivals:
        offer = rng.choice(offers)
        user = rng.choice(users) if users else None
        visit = new_visit(office.pk, offer, arrived, user=user)
        window = min(range(WINDOWS), key=lambda w: free[w])
        called = max(arrived, free[window]) + dt.timedelta(seconds=rng.randint(10, 60))
        no_show = rng.random() < 0.06
        began = called + dt.timedelta(seconds=rng.randint(20, 90))
        # Services mostly well inside the norm, now and then a long one (a complicated application).
        minutes = rng.expovariate(1 / 9) if rng.random() < 0.9 else rng.uniform(16, 35)
        finished = (called + dt.timedelta(minutes=2)) if no_show else began + dt.timedelta(minutes=max(minutes, 2))
        free[window] = finished
        fields: dict = {}
        if called <= end:
            fields.update(state=Visit.State.CALLED, called_at=called, last_called_at=called, window=window + 1,
                          called_by=user)
            if not no_show and began <= end:
                fields.update(state=Visit.State.SERVING, service_started_at=began)
            if finished <= end:
                fields.update(state=Visit.State.DONE, finished_at=finished, finished_by=user,
                              outcome=Visit.Outcome.NO_SHOW if no_show else Visit.Outcome.SERVED)
        if fields:
            Visit.objects.filter(pk=visit.pk).update(**fields)
        states.append(fields.get("state", Visit.State.WAITING))
    return states
