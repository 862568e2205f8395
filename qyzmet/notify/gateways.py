"""Where an SMS goes: ``send(phone, text, ref) -> provider_id``.

``ref`` is our row's id, the idempotency key: a provider that dedupes on it turns the one unsafe window
(the gateway accepted the SMS but our commit of "sent" did not happen) into exactly-once delivery.

Chosen by ``QYZMET_SMS_GATEWAY``: ``file`` (default; appends JSON lines to ``QYZMET_SMS_FILE``, else
``$QYZMET_HOME/sms-sent.jsonl``), ``console`` (prints) or ``http`` (POSTs JSON to ``QYZMET_SMS_URL`` with
``Authorization: Bearer $QYZMET_SMS_TOKEN``; a non-2xx answer or a timeout is an error, retried).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Protocol


class GatewayError(Exception):
    """The gateway did not accept the SMS; the worker retries it later."""


class Gateway(Protocol):
    name: str

    def send(self, phone: str, text: str, ref: str) -> str: ...


class ConsoleGateway:
    name = "console"

    def send(self, phone: str, text: str, ref: str) -> str:
        print(f"SMS {ref} → {phone}: {text}", file=sys.stdout, flush=True)
        return f"console-{ref}"


class FileGateway:
    """Appends one JSON line per SMS (the demo's and the tests' provider)."""

    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_file()

    def send(self, phone: str, text: str, ref: str) -> str:
        provider_id = f"file-{uuid.uuid4().hex[:16]}"
        line = json.dumps({"ref": ref, "phone": phone, "text": text, "id": provider_id}, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        return provider_id


class HttpGateway:
    name = "http"

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10.0) -> None:
        self.url = url or os.environ.get("QYZMET_SMS_URL", "")
        self.token = token if token is not None else os.environ.get("QYZMET_SMS_TOKEN", "")
        self.timeout = timeout
        if not self.url:
            raise GatewayError("QYZMET_SMS_URL is not set")

    def send(self, phone: str, text: str, ref: str) -> str:
        body = json.dumps({"to": phone, "text": text, "ref": ref}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": ref,
            **({"Authorization": f"Bearer {self.token}"} if self.token else {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            raise GatewayError(f"HTTP {exc.code} from the SMS gateway") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(f"SMS gateway unreachable: {exc}") from None
        if not 200 <= status < 300:
            raise GatewayError(f"HTTP {status} from the SMS gateway")
        try:
            data = json.loads(payload or b"{}")
        except ValueError:
            data = {}
        return str(data.get("id") or data.get("message_id") or "") if isinstance(data, dict) else ""


def default_file() -> Path:
    from django.conf import settings

    return Path(os.environ.get("QYZMET_SMS_FILE") or Path(settings.HOME) / "sms-sent.jsonl")


def from_env() -> Gateway:
    name = os.environ.get("QYZMET_SMS_GATEWAY", "file")
    if name == "file":
        return FileGateway()
    if name == "console":
        return ConsoleGateway()
    if name == "http":
        return HttpGateway()
    raise GatewayError(f"unknown QYZMET_SMS_GATEWAY {name!r} (file, console or http)")
