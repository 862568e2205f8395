"""Safe retries of POSTs: the same ``Idempotency-Key`` and body get the first answer again.

Only successful answers are kept.  A refused request (422, 409, …) changed nothing, so repeating it
simply asks again, and may succeed once the reason is gone.  Answers are kept for ``RETENTION``: a
client retries within minutes or hours, and the table must not grow with every request ever made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Schema

from qyzmet.api.errors import ApiError, json_response
from qyzmet.api.models import IdempotencyRecord
from qyzmet.cases.access import AccessDenied, NotFound
from qyzmet.cases.workflow import Conflict, Invalid

HEADER = "Idempotency-Key"
RETENTION = dt.timedelta(days=7)
# Declared once and shared by every POST, so the OpenAPI document describes it the same way everywhere.
KEY = Header(None, alias=HEADER, min_length=1, max_length=200,
             description="any unique string (e.g. a UUID): retrying the request with the same key and body "
                         "returns the first answer instead of doing it twice")


def request_hash(request: HttpRequest) -> str:
    """SHA-256 of the body as canonical JSON: key order and spacing do not make two requests differ."""
    data = json.loads(request.body) if request.body else None  # ninja has parsed it already: it is JSON
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _replay(record: IdempotencyRecord, request: HttpRequest, digest: str) -> HttpResponse:
    if (record.method, record.path, record.request_hash) != (request.method, request.path, digest):
        raise ApiError(422, "idempotency-key-reused",
                       f"this {HEADER} was already used for {record.method} {record.path} with another body; "
                       f"use a new key for a new request", HEADER)
    response = json_response(record.response_body, record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _stored(user, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user=user, key=key, created_at__gte=timezone.now() - RETENTION).first()


def purge_expired() -> int:
    """Drop the answers older than ``RETENTION`` (an index range on created_at); how many went."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    return deleted


def run_once(request: HttpRequest, key: str | None, status: int, action: Callable[[], Schema]) -> HttpResponse:
    """Do ``action`` (a workflow call returning the answer) at most once per key, answer ``status``.

    The record is written in the transaction of the change itself.  Two requests racing with one key
    both run; the second fails on the unique (user, key) constraint, its change rolls back, and it
    answers with the first one's response.
    """
    user = request.auth  # type: ignore[attr-defined]
    if key is None:
        with transaction.atomic():
            return json_response(action().model_dump(mode="json"), status)
    digest = request_hash(request)
    earlier = _stored(user, key)
    if earlier is not None:
        return _replay(earlier, request, digest)
    # Each new key sweeps the expired ones, this user's old use of the same key among them (the unique
    # constraint would otherwise refuse the new record).
    purge_expired()
    try:
        with transaction.atomic():
            body = action().model_dump(mode="json")
            IdempotencyRecord.objects.create(user=user, key=key, method=request.method, path=request.path,
                                             request_hash=digest, status_code=status, response_body=body)
    except (IntegrityError, Invalid, Conflict, AccessDenied, NotFound):
        # The twin request may have finished first, and this one then failed because of it (the task it
        # completed is closed now): its answer is the answer.
        earlier = _stored(user, key)
        if earlier is None:
            raise
        return _replay(earlier, request, digest)
    return json_response(body, status)
