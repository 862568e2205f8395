"""The EDS (ЭЦҚ) signature as an interface.

The acts want the public contract, the order, the reimbursement application and the supplier's answers
signed with an electronic digital signature.  Real signing goes through NCA RK keys and the Portal's
signing client, which this project does not hold; what the rest of the code needs is only *who* signed
*what* (the document's kind and id, the SHA-256 of its bytes) and *when*.  A :class:`Signer` produces the
signature value; :class:`TestSigner` (HMAC over the bytes, key derived from ``SECRET_KEY``) stands in for
tests and the demo and is never a legal signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from qyzmet.portal.models import Signature


@dataclass(frozen=True)
class Signed:
    backend: str
    value: str


class Signer(Protocol):
    name: str

    def sign(self, document: bytes, *, signer_id: str) -> Signed: ...

    def verify(self, document: bytes, signed: Signed, *, signer_id: str) -> bool: ...


class TestSigner:
    """Not an EDS: an HMAC-SHA256 that proves only that this server saw these bytes for this signer."""

    name = "test"

    def _key(self) -> bytes:
        return hashlib.sha256(f"qyzmet-portal-test-signer:{settings.SECRET_KEY}".encode()).digest()

    def sign(self, document: bytes, *, signer_id: str) -> Signed:
        mac = hmac.new(self._key(), signer_id.encode() + b"\0" + document, hashlib.sha256).hexdigest()
        return Signed(self.name, mac)

    def verify(self, document: bytes, signed: Signed, *, signer_id: str) -> bool:
        return signed.backend == self.name and hmac.compare_digest(
            self.sign(document, signer_id=signer_id).value, signed.value)


def default_signer() -> Signer:
    # One backend today; a real NCA client would be chosen here by a setting.
    return TestSigner()


def canonical(content: dict[str, Any]) -> bytes:
    """The bytes that are signed: the document's content as sorted, compact UTF-8 JSON."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def sign(kind: str, object_type: str, object_id: int | None, content: dict[str, Any], now: dt.datetime, *,
         signer_iin: str = "", signer_name: str = "", user=None, signer: Signer | None = None) -> Signature:
    """Sign ``content`` and record the signature (inside the caller's transaction)."""
    return sign_bytes(kind, object_type, object_id, canonical(content), now, signer_iin=signer_iin,
                      signer_name=signer_name, user=user, signer=signer)


def sign_bytes(kind: str, object_type: str, object_id: int | None, document: bytes, now: dt.datetime, *,
               signer_iin: str = "", signer_name: str = "", user=None, signer: Signer | None = None) -> Signature:
    """Sign a document's bytes as they are (a PDF) and record the signature; its SHA-256 is the document's."""
    signer = signer or default_signer()
    signer_id = signer_iin or (f"user:{user.pk}" if user is not None else "")
    signed = signer.sign(document, signer_id=signer_id)
    return Signature.objects.create(
        kind=kind, object_type=object_type, object_id=object_id, signer_iin=signer_iin, signer_name=signer_name,
        signer_user=user, sha256=hashlib.sha256(document).hexdigest(), backend=signed.backend, value=signed.value,
        signed_at=now)


def verify(signature: Signature, content: dict[str, Any], signer: Signer | None = None) -> bool:
    """Does ``signature`` sign exactly ``content``?"""
    signer = signer or default_signer()
    document = canonical(content)
    if hashlib.sha256(document).hexdigest() != signature.sha256:
        return False
    signer_id = signature.signer_iin or (f"user:{signature.signer_user_id}" if signature.signer_user_id else "")
    return signer.verify(document, Signed(signature.backend, signature.value), signer_id=signer_id)
