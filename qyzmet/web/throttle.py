"""Limits on failed guesses: citizen lookups and staff sign-ins.

The lookup needs a number and the applicant's IIN.  An IIN is a birth date, a sex digit and a short
serial, so someone who holds a receipt number could guess the IIN that goes with it; and one client
could walk through numbers.  Fixed-window counters in Django's cache stop both: failures per client
address, and failures per application number whoever sends them.  Staff sign-in is guarded the same
way, per username and per client.  A success is never counted.

The cache is Django's default (in-memory, per process: right for ``qyzmet serve``, which is one
process).  Several server processes need a shared cache (``CACHES`` in the settings).  Behind a reverse
proxy every request comes from the proxy's address: set ``QYZMET_CLIENT_IP_HEADER`` (for example
``HTTP_X_REAL_IP``) to the header the proxy fills in, or the per-client limit counts everyone together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    name: str
    failures: int  # this many failures inside the window block further tries until the window ends
    window_seconds: int


LOOKUP_PER_CLIENT = Limit("lookup-client", failures=20, window_seconds=15 * 60)
LOOKUP_PER_NUMBER = Limit("lookup-number", failures=5, window_seconds=60 * 60)
SIGN_IN_PER_CLIENT = Limit("sign-in-client", failures=30, window_seconds=15 * 60)
SIGN_IN_PER_USERNAME = Limit("sign-in-username", failures=10, window_seconds=15 * 60)

Subjects = tuple[tuple[Limit, str], ...]
T = TypeVar("T")


def client_address(request: HttpRequest) -> str:
    header = getattr(settings, "QYZMET_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    # A proxy may append: "client, proxy1, proxy2" — the first is the client the proxy saw.
    return value.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def lookup(request: HttpRequest, number: str) -> Subjects:
    return (LOOKUP_PER_CLIENT, client_address(request)), (LOOKUP_PER_NUMBER, number.upper())


def sign_in(request: HttpRequest, username: str) -> Subjects:
    return (SIGN_IN_PER_CLIENT, client_address(request)), (SIGN_IN_PER_USERNAME, username.casefold())


def _key(limit: Limit, subject: str) -> str:
    # Hashed: the cache never holds an application number, a username or an address in the clear.
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"qyzmet:failures:{limit.name}:{digest}"


def blocked(subjects: Subjects) -> Limit | None:
    """The limit these tries have run into, if any."""
    for limit, subject in subjects:
        if (cache.get(_key(limit, subject)) or 0) >= limit.failures:
            return limit
    return None


def record_failure(subjects: Subjects) -> None:
    for limit, subject in subjects:
        key = _key(limit, subject)
        # add() starts the window only if none is running; incr() never extends it.
        cache.add(key, 0, timeout=limit.window_seconds)
        try:
            cache.incr(key)
        except ValueError:  # the window ended between add() and incr()
            cache.add(key, 1, timeout=limit.window_seconds)


@dataclass(frozen=True)
class Guarded(Generic[T]):
    """What a throttled look-up found: the thing, or that nothing matched, or that the limit blocked it."""

    found: T | None
    not_found: bool = False
    blocked_minutes: int | None = None  # the window the client must wait out (answer 429)


def guarded_lookup(request: HttpRequest, key: str, find: Callable[[], T | None]) -> Guarded[T]:
    """Run ``find`` unless the tries for ``key`` are blocked; a miss counts as a failure, a match never does."""
    tries = lookup(request, key)
    limit = blocked(tries)
    if limit is not None:
        return Guarded(None, blocked_minutes=limit.window_seconds // 60)
    found = find()
    if found is None:
        record_failure(tries)
        return Guarded(None, not_found=True)
    return Guarded(found)
