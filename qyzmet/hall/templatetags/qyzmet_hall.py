"""Template helpers of the hall pages: spans of minutes and shares in words."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def span(value: dt.timedelta | float | None) -> str:
    """A wait or a service time: "12 min 05 s" (minutes as a float, or a timedelta)."""
    if value is None:
        return "—"
    seconds = round(value.total_seconds() if isinstance(value, dt.timedelta) else value * 60)
    m, s = divmod(max(seconds, 0), 60)
    return _("%(m)s min %(s)02d s") % {"m": m, "s": s} if s else _("%(m)s min") % {"m": m}


@register.filter
def norm_minutes(value: int | None) -> str:
    return _("%(m)s min") % {"m": value} if value is not None else _("not set by the act")


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


@register.filter
def one_decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
