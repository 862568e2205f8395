"""Texts stored per language in model columns (``name_kk``, ``name_ru``, ``name_en``).

Kazakh is the state language and the one column every row must fill, so it is the fallback; Russian
comes next because the acts require it too.  (Regulation texts have their own ``Text.get``.)
"""

from __future__ import annotations

from django.utils import translation

FALLBACK = ("kk", "ru", "en")


def current_language() -> str:
    """The active language as one of our codes ("kk", "ru", "en"), never a regional variant."""
    return (translation.get_language() or "kk").split("-")[0]


def in_language(obj: object, lang: str | None = None, field: str = "name") -> str:
    """``obj.<field>_<lang>``, falling back to kk, ru, en; "" when every column is empty."""
    lang = lang or current_language()
    for candidate in (lang, *FALLBACK):
        value = getattr(obj, f"{field}_{candidate}", "")
        if value:
            return str(value)
    return ""
