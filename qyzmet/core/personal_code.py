"""The personal code an anonymous examination registers the applicant under instead of the IIN.

The code is the applicant's only key to their case (mangystau-2015 annex 4 cl. 5.1: the counselling doctor
"assigns a personal code"), so it must not be guessable: 10 characters from 31 unambiguous ones (no 0/O,
1/I/L) carry about 50 bits.  It is read aloud and typed from a talon, hence the grouping and the
forgiving normalisation.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10


class InvalidCode(ValueError):
    pass


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(text: str) -> str:
    """``"abcde fghjk"`` → ``"ABCDE-FGHJK"``; raises :class:`InvalidCode` for anything that is not a code."""
    raw = "".join(ch for ch in text.upper() if ch not in " -")
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        raise InvalidCode(f"a personal code has {LENGTH} letters and digits, e.g. ABCDE-FGH23")
    return f"{raw[:5]}-{raw[5:]}"
