"""Template helpers shared by the citizen and staff pages: ``{% load qyzmet_web %}``."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from qyzmet.web.deadlines import DeadlineState, deadline_state
from qyzmet.web.text import in_language as _in_language

register = template.Library()


@register.filter
def in_language(obj: object, lang: str | None = None) -> str:
    """``{{ office|in_language:LANGUAGE_CODE }}``: the row's ``name_<lang>``, falling back to Kazakh."""
    if obj is None or obj == "":
        return ""
    return _in_language(obj, lang)


@register.simple_tag
def deadline_tag(due: dt.datetime | DeadlineState | None, now: dt.datetime | None = None) -> SafeString | str:
    """``{% deadline_tag task.due %}``: a coloured "On track" / "At risk" / "Overdue" tag, or nothing.

    Accepts a due instant (judged against ``now``, default the current time) or an already computed
    :class:`DeadlineState`.
    """
    state = due if isinstance(due, DeadlineState) else deadline_state(due, now or timezone.now())
    if state is None:
        return ""
    return format_html('<strong class="q-tag q-tag--{}">{}</strong>', state.value, state.label)
