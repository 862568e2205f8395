"""Durations as the acts write them: "15 minutes", "3 working days", "он жұмыс күні", "20 календарных дней".

A duration has an amount and one of four units.  Minutes and hours are *working* time inside an
office's schedule; working days and calendar days follow the day-counting rules in ``calendar``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    WORKING_DAY = "working day"
    CALENDAR_DAY = "calendar day"

    @property
    def is_time(self) -> bool:
        """Minutes and hours are counted inside the schedule's opening intervals."""
        return self in (Unit.MINUTE, Unit.HOUR)


class DurationError(ValueError):
    """A duration text that cannot be read; the message quotes it."""


@dataclass(frozen=True, order=True)
class Duration:
    amount: int
    unit: Unit

    def __str__(self) -> str:
        word = self.unit.value
        return f"{self.amount} {word}{'' if self.amount == 1 else 's'}"

    @property
    def minutes(self) -> int:
        """Working minutes of a minute/hour duration (days have no fixed minute length)."""
        if self.unit is Unit.MINUTE:
            return self.amount
        if self.unit is Unit.HOUR:
            return self.amount * 60
        raise ValueError(f"{self} is counted in days, not minutes")


# Kazakh and Russian word stems of the acts, lower-case.  Matching on stems keeps every case
# form ("жұмыс күні", "жұмыс күнінде", "рабочих дней", "рабочего дня") without listing them all.
_WORKING = ("work", "жұмыс", "рабоч")
_CALENDAR = ("calendar", "күнтізбе", "календар")
_DAY = ("day", "күн", "дн", "ден")
_MINUTE = ("min", "минут")
_HOUR = ("hour", "сағат", "час")

_NUMBER_WORDS = {
    # Kazakh
    "бір": 1, "екі": 2, "үш": 3, "төрт": 4, "бес": 5, "алты": 6, "жеті": 7, "сегіз": 8, "тоғыз": 9,
    "он": 10, "он бес": 15, "жиырма": 20, "отыз": 30,
    # Russian
    "один": 1, "одного": 1, "два": 2, "двух": 2, "три": 3, "трех": 3, "трёх": 3, "пять": 5, "десять": 10,
    "пятнадцать": 15, "двадцать": 20, "тридцать": 30,
    # English
    "one": 1, "two": 2, "three": 3, "five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30,
}

_PATTERN = re.compile(r"^\s*(?P<num>\d+)\s*(?:\([^)]*\))?\s*(?P<rest>.+?)\s*$")


def _starts(word: str, stems: tuple[str, ...]) -> bool:
    return word.startswith(stems)


def parse_duration(text: str) -> Duration:
    """Read "10 working days", "15 минут", "2 жұмыс күні", "он (10) жұмыс күні".

    A number must be present (digits or a number word); the unit words may be English, Russian
    or Kazakh.  Raises :class:`DurationError` naming the text otherwise.
    """
    if not isinstance(text, str) or not text.strip():
        raise DurationError(f"empty duration: {text!r}")
    raw = text.strip().lower().replace("ё", "е")
    match = _PATTERN.match(raw)
    if match:
        amount = int(match.group("num"))
        rest = match.group("rest")
    else:
        amount, rest = _leading_number_word(raw, text)
    words = re.findall(r"[\wәғқңөұүһі]+", rest)
    if not words:
        raise DurationError(f"no unit in duration {text!r}")
    unit = _unit(words, text)
    return Duration(amount, unit)


def _leading_number_word(raw: str, text: str) -> tuple[int, str]:
    for phrase in sorted(_NUMBER_WORDS, key=len, reverse=True):
        if raw.startswith(phrase + " "):
            rest = raw[len(phrase):].strip()
            rest = re.sub(r"^\(\s*\d+\s*\)\s*", "", rest)
            return _NUMBER_WORDS[phrase], rest
    raise DurationError(f"no number in duration {text!r} (expected e.g. '10 working days', '15 minutes')")


def _unit(words: list[str], text: str) -> Unit:
    first = words[0]
    if _starts(first, _MINUTE):
        return Unit.MINUTE
    if first == "h" or _starts(first, _HOUR):
        return Unit.HOUR
    has_day = any(_starts(w, _DAY) for w in words)
    if _starts(first, _WORKING) and has_day:
        return Unit.WORKING_DAY
    if _starts(first, _CALENDAR) and has_day:
        return Unit.CALENDAR_DAY
    raise DurationError(
        f"unknown unit in duration {text!r}: use minutes, hours, working days or calendar days"
    )


def _ru_plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


_KK = {Unit.MINUTE: "минут", Unit.HOUR: "сағат", Unit.WORKING_DAY: "жұмыс күні", Unit.CALENDAR_DAY: "күнтізбелік күн"}
_RU = {
    Unit.MINUTE: ("минута", "минуты", "минут"),
    Unit.HOUR: ("час", "часа", "часов"),
    Unit.WORKING_DAY: ("рабочий день", "рабочих дня", "рабочих дней"),
    Unit.CALENDAR_DAY: ("календарный день", "календарных дня", "календарных дней"),
}


def format_duration(duration: Duration, lang: str = "en") -> str:
    """"10 жұмыс күні", "10 рабочих дней", "10 working days" — Kazakh takes no plural after a number."""
    if lang == "kk":
        return f"{duration.amount} {_KK[duration.unit]}"
    if lang == "ru":
        return f"{duration.amount} {_ru_plural(duration.amount, *_RU[duration.unit])}"
    return str(duration)
