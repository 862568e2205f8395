"""The tamper-evident audit log: every case's events form a hash chain, and this module is the one way to write one.

Each :class:`~qyzmet.cases.models.Event` stores ``prev_hash`` (the hash of the case's previous event, or
:data:`GENESIS` for the first) and ``hash`` = SHA-256 of ``prev_hash`` followed by the canonical JSON of
(case number, seq, kind, payload, at, actor id).  Editing an event's content, deleting one, or moving one
to another place (another seq or another case) breaks the chain at that event, and :func:`verify` names it.

What it does not do: somebody who can rewrite the database *and* recompute every later hash of a case can
forge a consistent chain; the chain proves that the log was not changed by an ordinary UPDATE/DELETE (or a
restored old backup of a few rows), not that nobody with full access rewrote history.  Anchoring the chain
heads outside the database (printing ``qyzmet audit verify`` counts into a signed report) is the next step.

The actor is hashed by id, and the id is kept a second time in ``actor_ref`` (a plain integer): the ``actor``
foreign key is set to NULL when a user account is deleted, which must not look like tampering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64  # the prev_hash of a case's first event


# --- the hash (pure: the migration that back-fills old rows uses the same functions) -------------------


def canonical_at(at: dt.datetime) -> str:
    """The instant in UTC with microseconds: the same text whether the database gives back UTC or +05:00."""
    if at.tzinfo is None:
        raise ValueError("an event's time must be timezone-aware")
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(number: str, seq: int, kind: str, payload: Any, at: dt.datetime, actor_id: int | None) -> bytes:
    """The event's content as canonical JSON (sorted keys, no spaces, UTF-8): a JSON column returns it unchanged."""
    data = {"case": number, "seq": seq, "kind": kind, "payload": payload, "at": canonical_at(at), "actor": actor_id}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(prev_hash: str, number: str, seq: int, kind: str, payload: Any, at: dt.datetime,
               actor_id: int | None) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(number, seq, kind, payload, at, actor_id)).hexdigest()


def normalised(payload: Any) -> Any:
    """The payload as the JSON column will give it back (datetimes as ISO text, tuples as lists, keys as text),
    so the hash computed now is the hash recomputed from the stored row."""
    from qyzmet.core.engine import to_jsonable

    return json.loads(json.dumps(to_jsonable(payload), ensure_ascii=False))


def _actor_id(actor: Any) -> int | None:
    if actor is None or isinstance(actor, int):
        return actor
    return actor.pk


# --- writing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEvent:
    """One event to append (for :func:`append_events`); ``seq`` defaults to the case's next number."""

    case: Any  # a cases.Case
    kind: str
    payload: Any
    at: dt.datetime
    actor: Any = None
    seq: int | None = None


def append_event(case, kind: str, payload: Any, at: dt.datetime, actor: Any = None, *, seq: int | None = None):
    """Append one event to ``case``'s log, chained to the event before it; the only way to write an Event.

    The caller holds the case row locked (``select_for_update``, or has just created it) inside its
    transaction, so nobody else appends to the same chain meanwhile.  ``seq`` defaults to ``case.seq + 1``;
    the caller keeps ``Case.seq`` (and the engine state's ``seq``) in step with the log — an event that
    does not advance them would collide with the next transition on the unique (case, seq).
    """
    return append_events([NewEvent(case, kind, payload, at, actor, seq)])[0]


def append_events(entries: Sequence[NewEvent]):
    """Append many events at once (a bulk recomputation writing one audit entry per case): one query for the
    chain heads and one bulk insert, instead of two queries per event.  Several entries of one case are
    chained in the order given."""
    from django.db.models import Q

    from qyzmet.cases.models import Event

    if not entries:
        return []
    seqs: list[int] = []
    next_seq: dict[int, int] = {}
    for entry in entries:
        seq = entry.seq if entry.seq is not None else next_seq.get(entry.case.pk, entry.case.seq + 1)
        next_seq[entry.case.pk] = seq + 1
        seqs.append(seq)
    # The head each chain continues from: the event just before the first new one of its case.
    firsts: dict[int, int] = {}
    for entry, seq in zip(entries, seqs, strict=True):
        firsts.setdefault(entry.case.pk, seq)
    heads: dict[int, str] = {}
    wanted = [(case_id, seq - 1) for case_id, seq in firsts.items() if seq > 1]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        condition = Q()
        for case_id, seq in chunk:
            condition |= Q(case_id=case_id, seq=seq)
        heads.update(Event.objects.filter(condition).values_list("case_id", "hash"))
    rows = []
    for entry, seq in zip(entries, seqs, strict=True):
        case_id = entry.case.pk
        prev = GENESIS if seq == 1 else heads.get(case_id)
        if prev is None:
            # The event before is not there: the log is already broken, or seq skips a number.  Chain to the
            # latest event we have so that the new event still verifies and the gap is what gets reported.
            prev = (Event.objects.filter(case_id=case_id, seq__lt=seq).order_by("-seq")
                    .values_list("hash", flat=True).first()) or GENESIS
        payload = normalised(entry.payload)
        actor_id = _actor_id(entry.actor)
        digest = chain_hash(prev, entry.case.number, seq, entry.kind, payload, entry.at, actor_id)
        rows.append(Event(case=entry.case, seq=seq, kind=entry.kind, payload=payload, at=entry.at,
                          actor_id=actor_id, actor_ref=actor_id, prev_hash=prev, hash=digest))
        heads[case_id] = digest
    if len(rows) == 1:
        rows[0].save()
        return rows
    return Event.objects.bulk_create(rows, batch_size=500)


# --- verifying ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a case's log: which case, which seq, what."""

    case: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"{self.case} seq {self.seq}: {self.problem}"


@dataclass
class Report:
    cases: int = 0
    events: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def broken_cases(self) -> int:
        return len({f.case for f in self.findings})


@dataclass(frozen=True)
class _Row:
    seq: int
    kind: str
    payload: Any
    at: dt.datetime
    actor_id: int | None
    actor_ref: int | None
    prev_hash: str
    hash: str


def check_chain(number: str, recorded_seq: int, rows: Sequence[_Row]) -> list[Finding]:
    """The findings of one case: ``rows`` are its stored events in seq order, ``recorded_seq`` the case row's seq."""
    found: list[Finding] = []
    expected = 1
    prev_hash = GENESIS
    prev_broken = False
    top = max([recorded_seq, *(r.seq for r in rows)], default=0)
    for row in rows:
        gap = row.seq > expected
        for missing in range(expected, row.seq):
            found.append(Finding(number, missing, "missing: the event was deleted"))
        broken = False
        if not row.hash:
            found.append(Finding(number, row.seq, "not chained: written without its hash, around cases.audit"))
            broken = True
        elif chain_hash(row.prev_hash, number, row.seq, row.kind, row.payload, row.at, row.actor_ref) != row.hash:
            written_as = next((s for s in range(1, top + 2) if s != row.seq and chain_hash(
                row.prev_hash, number, s, row.kind, row.payload, row.at, row.actor_ref) == row.hash), None)
            if written_as is not None:
                found.append(Finding(number, row.seq, f"re-ordered: this {row.kind!r} event was written as seq "
                                                      f"{written_as}"))
            else:
                found.append(Finding(number, row.seq, f"edited: the {row.kind!r} event's kind, payload, time or "
                                                      "actor is not what was written"))
            broken = True
        elif row.prev_hash != prev_hash and not gap and not prev_broken:
            found.append(Finding(number, row.seq, f"the chain breaks before it: seq {row.seq - 1} is not the event "
                                                  "it was written after (rewritten, or events removed or inserted)"))
            broken = True
        if row.actor_id is not None and row.actor_id != row.actor_ref:
            was = f"user {row.actor_ref}" if row.actor_ref is not None else "the system (no user)"
            found.append(Finding(number, row.seq, f"edited: actor changed from {was} to user {row.actor_id}"))
        prev_hash, prev_broken, expected = row.hash, broken, row.seq + 1
    for missing in range(expected, recorded_seq + 1):
        found.append(Finding(number, missing, f"missing: the event was deleted (the case records {recorded_seq} "
                                              "events)"))
    return found


def _events(case_number: str | None) -> Iterator[tuple[int, _Row]]:
    from qyzmet.cases.models import Event

    events = Event.objects.order_by("case_id", "seq")
    if case_number is not None:
        events = events.filter(case__number=case_number)
    for case_id, *values in events.values_list("case_id", "seq", "kind", "payload", "at", "actor_id", "actor_ref",
                                               "prev_hash", "hash").iterator(chunk_size=2000):
        yield case_id, _Row(*values)


def verify(case_number: str | None = None) -> Report:
    """Walk every case's chain (or one case's) and report what is edited, deleted or re-ordered.

    Cases and events are streamed side by side in case order (constant memory for millions of rows).  The
    case query starts first: the events query then sees every event the case rows count, and a transition
    committed meanwhile can only add events, never make one look deleted.
    """
    from qyzmet.cases.models import Case

    cases = Case.objects.order_by("id")
    if case_number is not None:
        cases = cases.filter(number=case_number)
    case_rows = cases.values_list("id", "number", "seq").iterator(chunk_size=2000)
    report = Report()
    first = next(case_rows, None)
    if first is None:
        return report
    events = _events(case_number)
    pending = next(events, None)
    for case_id, number, recorded in _chain(first, case_rows):
        rows: list[_Row] = []
        # Events of cases that no longer exist cannot be: Event.case is PROTECT.  Skip them if the
        # database lost its constraints anyway, rather than pinning them on the wrong case.
        while pending is not None and pending[0] < case_id:
            pending = next(events, None)
        while pending is not None and pending[0] == case_id:
            rows.append(pending[1])
            pending = next(events, None)
        report.cases += 1
        report.events += len(rows)
        report.findings.extend(check_chain(number, recorded, rows))
    return report


def _chain(first: tuple, rest: Iterable[tuple]) -> Iterator[tuple]:
    yield first
    yield from rest


__all__ = ["GENESIS", "Finding", "NewEvent", "Report", "append_event", "append_events", "chain_hash", "check_chain",
           "verify"]
