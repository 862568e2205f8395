"""Verification codes and the signature over what a document says."""

from __future__ import annotations

import hashlib
import json
import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

# No 0/O, 1/I/L, U: a code read aloud or typed from paper is not mistaken.
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 16


def new_code() -> str:
    """An unguessable code, grouped for reading: ``K7QM-2XHD-9TVB-RA4P`` (16 of 30 symbols ≈ 78 bits)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """What a person typed (lower case, no dashes, spaces) as the stored form of the code."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _payload(code: str, number: str, form: str, lang: str, fields: dict, content_sha256: str) -> bytes:
    return json.dumps({"code": code, "case": number, "form": form, "lang": lang, "fields": fields,
                       "sha256": content_sha256}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
                      ).encode("utf-8")


def sign(code: str, number: str, form: str, lang: str, fields: dict, content_sha256: str) -> str:
    """HMAC-SHA256 with a key derived from the installation's secret key."""
    return salted_hmac("qyzmet.documents", _payload(code, number, form, lang, fields, content_sha256),
                       algorithm="sha256").hexdigest()


def signature_holds(signature: str, code: str, number: str, form: str, lang: str, fields: dict,
                    content_sha256: str) -> bool:
    return constant_time_compare(signature, sign(code, number, form, lang, fields, content_sha256))
