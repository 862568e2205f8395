"""Send the queued SMS: claim a batch, call the gateway, record the answer.

Delivery guarantee, honestly: **at-least-once to the gateway, exactly-once as far as our database
knows**.  A claim marks rows ``sending`` with a lease (committed before any SMS goes out); each SMS is
marked ``sent`` in its own commit right after the gateway accepts it.  If the worker is killed, rows it
claimed but had not sent stay ``sending`` until their lease expires and are then claimed again, so every
queued SMS is sent, and none already marked ``sent`` is sent again.  The one window left is a crash (or a
lease running out during a very slow gateway call) *between* the gateway accepting an SMS and our commit
of ``sent``: that SMS is sent a second time.  The row id goes to the gateway as the idempotency ref, so a
provider that dedupes on it closes the window; one that does not may deliver a duplicate.  We never risk
the opposite (an SMS the act prescribes silently lost).

On PostgreSQL several workers can run: the claim uses ``SELECT … FOR UPDATE SKIP LOCKED``.  SQLite has
one writer at a time; run one worker there.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from qyzmet.notify import gateways
from qyzmet.notify.models import Sms

LEASE = dt.timedelta(minutes=5)  # far above the http gateway's timeout
BACKOFF = dt.timedelta(seconds=30)  # first retry; doubles each attempt
MAX_BACKOFF = dt.timedelta(hours=6)
MAX_ATTEMPTS = 6

# Jobs the legal calendar makes due without anybody acting: a consent request that lapses after three
# working days, a Portal reminder after a month, a block after two.  Apps register a sweep in their
# AppConfig.ready(); each takes "now", does what has come due in its own transactions and returns a
# count per kind of thing done (e.g. {"consent requests expired": 2}).  The worker runs them before each
# batch, so the SMS a sweep queues goes out in the same pass.
Sweep = Callable[[dt.datetime], dict[str, int]]
sweeps: list[Sweep] = []


@dataclass
class Stats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    swept: dict[str, int] = field(default_factory=dict)

    def add(self, other: Stats) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.errors += other.errors
        for kind, count in other.swept.items():
            self.swept[kind] = self.swept.get(kind, 0) + count


def run_sweeps(now: dt.datetime | None = None) -> dict[str, int]:
    """Run every registered sweep once; returns what they did, kinds with a zero count left out."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for sweep in sweeps:
        for kind, count in sweep(now).items():
            if count:
                done[kind] = done.get(kind, 0) + count
    return done


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min, … capped at 6 h."""
    return min(BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def due(now: dt.datetime) -> Q:
    return (Q(status=Sms.Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Sms.Status.SENDING, lease_until__lte=now))


def claim(batch: int, now: dt.datetime | None = None, lease: dt.timedelta = LEASE) -> list[Sms]:
    """Mark up to ``batch`` due SMS ``sending`` with a lease, in one committed transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        query = Sms.objects.filter(due(now)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        rows = list(query[:batch])
        if not rows:
            return []
        until = now + lease
        for row in rows:
            row.status, row.lease_until, row.attempts = Sms.Status.SENDING, until, row.attempts + 1
        Sms.objects.bulk_update(rows, ["status", "lease_until", "attempts"])
    return rows


def send_claimed(rows: list[Sms], gateway: gateways.Gateway, *, max_attempts: int = MAX_ATTEMPTS) -> Stats:
    stats = Stats()
    for row in rows:
        mine = Sms.objects.filter(pk=row.pk, status=Sms.Status.SENDING, lease_until=row.lease_until)
        try:
            provider_id = gateway.send(row.phone, row.text, str(row.pk))
        except gateways.GatewayError as exc:
            now = timezone.now()
            if row.attempts >= max_attempts:
                mine.update(status=Sms.Status.FAILED, last_error=str(exc)[:2000], lease_until=None,
                            next_attempt_at=None)
                stats.failed += 1
            else:
                mine.update(status=Sms.Status.QUEUED, last_error=str(exc)[:2000], lease_until=None,
                            next_attempt_at=now + backoff(row.attempts))
                stats.retried += 1
            stats.errors.append(f"SMS {row.pk}: {exc}")
            continue
        # Its own commit, at once: the only unsafe window is between the gateway's answer and this line.
        mine.update(status=Sms.Status.SENT, sent_at=timezone.now(), provider_id=provider_id or "",
                    lease_until=None, last_error="")
        stats.sent += 1
    return stats


def run_batch(gateway: gateways.Gateway, batch: int = 100, *, max_attempts: int = MAX_ATTEMPTS) -> tuple[int, Stats]:
    rows = claim(batch)
    return len(rows), send_claimed(rows, gateway, max_attempts=max_attempts)


def drain(gateway: gateways.Gateway | None = None, batch: int = 100, *, max_attempts: int = MAX_ATTEMPTS) -> Stats:
    """Send every SMS due now, then return (retries scheduled for later stay queued)."""
    gateway = gateway or gateways.from_env()
    total = Stats()
    while True:
        # Retries are scheduled in the future, so they are not claimed again in this drain: it ends.
        claimed, stats = run_batch(gateway, batch, max_attempts=max_attempts)
        total.add(stats)
        if not claimed:
            return total


class Loop:
    """``qyzmet worker``: batches until stopped; SIGTERM/SIGINT finish the current SMS first."""

    def __init__(self, gateway: gateways.Gateway, batch: int, interval: float, once: bool) -> None:
        self.gateway, self.batch, self.interval, self.once = gateway, batch, interval, once
        self.stopping = False

    def stop(self, *_args) -> None:
        self.stopping = True

    def run(self) -> Stats:
        signal.signal(signal.SIGTERM, self.stop)
        total = Stats()
        if self.once:
            swept = run_sweeps()
            total = drain(self.gateway, self.batch)
            total.swept = swept
            return total
        while not self.stopping:
            total.add(Stats(swept=run_sweeps()))
            claimed, stats = run_batch(self.gateway, self.batch)
            total.add(stats)
            if not claimed:
                slept = 0.0
                while slept < self.interval and not self.stopping:
                    time.sleep(min(0.2, self.interval))
                    slept += 0.2
        return total
