"""Kazakhstan IIN (individuals) and BIN (legal entities) — decoding and validation.

Both are 12 digits ending in a check digit computed by the same algorithm (Government
Decree No. 565 of 11 June 2003 and the rules that followed it).  The services in this
project accept an applicant's number before anything else, so a typo must be rejected
here with a reason a clerk can read aloud, not a bare ``False``.

Pure Python on purpose: the CLI, the demo data and the web layer all import this, and
none of them should pay for Django or the network to check twelve digits.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Literal

_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_DIGITS = frozenset("0123456789")

# 7th IIN digit -> (century, sex).  Odd = male, even = female.
_CENTURY_SEX: dict[str, tuple[int, Literal["male", "female"]]] = {
    "1": (1800, "male"),
    "2": (1800, "female"),
    "3": (1900, "male"),
    "4": (1900, "female"),
    "5": (2000, "male"),
    "6": (2000, "female"),
}

# 5th BIN digit.
ENTITY_TYPES = {
    "4": "resident legal entity",
    "5": "non-resident legal entity",
    "6": "individual entrepreneur (joint)",
}

# 6th BIN digit.
DIVISIONS = {
    "0": "head organisation",
    "1": "branch",
    "2": "representative office",
    "3": "peasant (farm) enterprise",
}


class InvalidIdentifier(ValueError):
    """The number is not a valid IIN/BIN; ``str()`` is a one-line reason for a human."""


@dataclass(frozen=True)
class IinInfo:
    """What an IIN says about its holder."""

    value: str
    birth_date: datetime.date
    sex: Literal["male", "female"]
    century: int
    serial: str
    check_digit: int


@dataclass(frozen=True)
class BinInfo:
    """What a BIN says about the registered entity."""

    value: str
    registered_year: int
    registered_month: int
    entity_type: str
    division: str
    serial: str
    check_digit: int


def check_digit(first11: str) -> int | None:
    """The check digit for an 11-digit prefix, or ``None`` if no number may start with it.

    Weighted sum mod 11; a result of 10 is not a digit, so a second pass with shifted
    weights is tried; if that also gives 10 the prefix is never issued.
    """
    if len(first11) != 11 or not set(first11) <= _DIGITS:
        raise ValueError(f"need exactly 11 digits, got {first11!r}")
    digits = [int(c) for c in first11]
    result = sum(w * d for w, d in zip(_WEIGHTS_1, digits, strict=True)) % 11
    if result == 10:
        result = sum(w * d for w, d in zip(_WEIGHTS_2, digits, strict=True)) % 11
    return None if result == 10 else result


def _clean(s: str, kind: str) -> str:
    """Strip surrounding whitespace and insist on exactly 12 ASCII digits."""
    s = s.strip()
    for pos, ch in enumerate(s, start=1):
        if ch not in _DIGITS:  # str.isdigit() would let Arabic-Indic and other digits in
            raise InvalidIdentifier(f"{kind} must contain only digits, found {ch!r} at position {pos}")
    if len(s) != 12:
        raise InvalidIdentifier(f"{kind} must be 12 digits, got {len(s)}")
    return s


def _verify_check_digit(s: str) -> int:
    expected = check_digit(s[:11])
    if expected is None:
        raise InvalidIdentifier(f"no check digit exists for {s[:11]} (both weighting passes give 10)")
    actual = int(s[11])
    if actual != expected:
        raise InvalidIdentifier(f"check digit is {actual}, expected {expected}")
    return actual


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise InvalidIdentifier(f"month {month} is not a valid month")


def parse_iin(s: str, today: datetime.date | None = None) -> IinInfo:
    """Decode an IIN (YYMMDD, century/sex digit, 4-digit serial, check digit).

    ``today`` exists so tests and replays of old applications are deterministic; a birth
    date after it is rejected.
    """
    s = _clean(s, "IIN")
    if s[6] not in _CENTURY_SEX:
        raise InvalidIdentifier(f"century/sex digit {s[6]} is not one of 1-6")
    century, sex = _CENTURY_SEX[s[6]]
    year, month, day = century + int(s[0:2]), int(s[2:4]), int(s[4:6])
    _check_month(month)
    last_day = calendar.monthrange(year, month)[1]  # knows 1900 is not a leap year, 2000 is
    if not 1 <= day <= last_day:
        raise InvalidIdentifier(f"day {day} is not a valid day in {calendar.month_name[month]} {year}")
    birth_date = datetime.date(year, month, day)
    today = today or datetime.date.today()
    if birth_date > today:
        raise InvalidIdentifier(f"birth date {birth_date.isoformat()} is in the future")
    digit = _verify_check_digit(s)
    return IinInfo(s, birth_date, sex, century, s[7:11], digit)


def parse_bin(s: str, today: datetime.date | None = None) -> BinInfo:
    """Decode a BIN (YYMM of registration, entity type, division, 5-digit serial, check digit).

    The BIN carries only two year digits; a year later than ``today``'s is read as 19YY
    (entities re-registered with their original 1990s date), otherwise as 20YY.
    """
    s = _clean(s, "BIN")
    if s[4] not in ENTITY_TYPES:
        raise InvalidIdentifier(f"entity type digit {s[4]} is not one of 4-6")
    if s[5] not in DIVISIONS:
        raise InvalidIdentifier(f"division digit {s[5]} is not one of 0-3")
    month = int(s[2:4])
    _check_month(month)
    today = today or datetime.date.today()
    yy = int(s[0:2])
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    digit = _verify_check_digit(s)
    return BinInfo(s, year, month, ENTITY_TYPES[s[4]], DIVISIONS[s[5]], s[6:11], digit)


def parse_identifier(s: str, today: datetime.date | None = None) -> IinInfo | BinInfo:
    """Parse either kind: the 5th digit is 4-6 for a BIN, 0-3 (first digit of the day) for an IIN."""
    s = _clean(s, "IIN/BIN")
    if s[4] in ENTITY_TYPES:
        return parse_bin(s, today)
    return parse_iin(s, today)


def make_iin(birth_date: datetime.date, sex: str, serial: int) -> str:
    """Build a valid IIN, for demo data and tests.

    Some prefixes have no possible check digit; then serial+1, serial+2, … is tried, so
    the serial in the result may be larger than asked.  (One bump always suffices: it
    changes the first or the second weighted sum, so both cannot stay at 10.)
    """
    centuries = {1800: "12", 1900: "34", 2000: "56"}
    century = birth_date.year // 100 * 100
    if century not in centuries:
        raise ValueError(f"IIN cannot encode year {birth_date.year} (1800-2099 only)")
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', got {sex!r}")
    if not 0 <= serial <= 9999:
        raise ValueError(f"serial must be 0-9999, got {serial}")
    digit7 = centuries[century][0 if sex == "male" else 1]
    for candidate in range(serial, 10_000):
        prefix = f"{birth_date:%y%m%d}{digit7}{candidate:04d}"
        digit = check_digit(prefix)
        if digit is not None:
            return f"{prefix}{digit}"
    raise ValueError(f"no valid IIN with serial {serial}-9999 for {birth_date} ({sex})")


def format_info(info: IinInfo | BinInfo) -> list[tuple[str, str]]:
    """Labelled lines for display, in reading order (the CLI prints them one per line)."""
    if isinstance(info, IinInfo):
        return [
            ("kind", "IIN"),
            ("number", info.value),
            ("birth date", info.birth_date.isoformat()),
            ("sex", info.sex),
            ("century", f"{info.century}s"),
            ("serial", info.serial),
            ("check digit", str(info.check_digit)),
        ]
    return [
        ("kind", "BIN"),
        ("number", info.value),
        ("registered", f"{info.registered_year:04d}-{info.registered_month:02d}"),
        ("entity type", info.entity_type),
        ("division", info.division),
        ("serial", info.serial),
        ("check digit", str(info.check_digit)),
    ]
