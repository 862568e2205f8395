"""The one place this app writes case events: the ``calendar-changed`` and ``regulation-migrated`` audit entries.

They are real ``cases.Event`` rows on the case's hash chain (``qyzmet.cases.audit``: the same ``chain_hash``,
``normalised`` payload and ``GENESIS``), so they replay (``engine.replay``) and pass ``qyzmet audit verify``
like any other.  ``cases.audit.append_events`` builds a model instance and one OR-condition per event, which
costs about a millisecond an event; a calendar change writes up to a million of them, so this writer reads
the chain heads of a batch in one query per 5,000 cases and inserts the rows raw (COPY on PostgreSQL) —
hashing exactly as ``append_events`` does.  The caller holds the case rows locked in its transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Payload:
    """An event payload as the JSON column gives it back, with its canonical JSON text: many cases moved from the
    same dates to the same dates share one, so it is serialised once, not per case."""

    data: Any
    kind: str
    canonical: str


def payload_of(data: dict[str, Any]) -> Payload:
    from qyzmet.cases.audit import normalised

    value = normalised(data)
    return Payload(value, data["kind"],
                   json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def _digest(prev: str, number: str, seq: int, payload: Payload, at: dt.datetime, actor_id: int | None) -> str:
    """``cases.audit.chain_hash`` with the payload's JSON made once (its canonical JSON has sorted keys: actor, at,
    case, kind, payload, seq); :func:`record` checks it against ``chain_hash`` before trusting it."""
    from qyzmet.cases.audit import canonical_at

    text = (f'{{"actor":{json.dumps(actor_id)},"at":{json.dumps(canonical_at(at))},'
            f'"case":{json.dumps(number, ensure_ascii=False)},"kind":{json.dumps(payload.kind, ensure_ascii=False)},'
            f'"payload":{payload.canonical},"seq":{seq}}}')
    return hashlib.sha256(prev.encode("ascii") + text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    case_id: int
    number: str
    seq: int  # the case's new seq: the caller advances Case.seq and the state's seq to it in the same transaction
    payload: Payload | dict[str, Any]  # engine.event_to_dict of the event, made JSON-able
    at: dt.datetime


def record(entries: Sequence[Entry], actor: Any = None) -> None:
    """Append one event per entry (kind from its payload), chained to the case's previous event."""
    from django.db import connection
    from django.utils import timezone

    from qyzmet.cases.audit import GENESIS, NewEvent, append_events, chain_hash, normalised
    from qyzmet.cases.models import Case, Event

    if not entries:
        return
    heads: dict[tuple[int, int], str] = {}
    for start in range(0, len(entries), 5000):
        chunk = entries[start:start + 5000]
        for case_id, seq, digest in (Event.objects.filter(case_id__in=[e.case_id for e in chunk],
                                                          seq__in={e.seq - 1 for e in chunk})
                                     .values_list("case_id", "seq", "hash")):
            heads[(case_id, seq)] = digest
    actor_id = actor.pk if actor is not None and not isinstance(actor, int) else actor
    recorded = timezone.now()
    rows, odd = [], []
    checked = False
    for e in entries:
        payload = e.payload if isinstance(e.payload, Payload) else payload_of(e.payload)
        prev = GENESIS if e.seq == 1 else heads.get((e.case_id, e.seq - 1))
        if prev is None:  # a broken or gapped log: cases.audit knows how to chain past it
            odd.append(NewEvent(Case(pk=e.case_id, number=e.number, seq=e.seq - 1), payload.kind, payload.data,
                                e.at, actor, e.seq))
            continue
        digest = _digest(prev, e.number, e.seq, payload, e.at, actor_id)
        if not checked:
            # The shortcut must give the chain's own hash; if cases.audit ever hashes differently, follow it.
            expected = chain_hash(prev, e.number, e.seq, payload.kind, normalised(payload.data), e.at, actor_id)
            if digest != expected:
                odd.extend(NewEvent(Case(pk=x.case_id, number=x.number, seq=x.seq - 1), x.payload.kind if isinstance(
                    x.payload, Payload) else x.payload["kind"], x.payload.data if isinstance(x.payload, Payload)
                    else x.payload, x.at, actor, x.seq) for x in entries)
                rows = []
                break
            checked = True
        rows.append((e.case_id, e.seq, payload.kind, payload.data, e.at, recorded, actor_id, actor_id, prev, digest))
    columns = "case_id, seq, kind, payload, at, recorded_at, actor_id, actor_ref, prev_hash, hash"
    table = Event._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row[:3], Jsonb(row[3]), *row[4:]))
        else:
            adapt = connection.ops.adapt_datetimefield_value
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [(*r[:3], json.dumps(r[3], ensure_ascii=False), adapt(r[4]), adapt(r[5]), *r[6:]) for r in rows])
    if odd:
        append_events(odd)
