"""Template helpers of the monitoring pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def worktime(seconds) -> str:
    """Working time as "2 h 05 min" or "8 min" ("—" when nothing was measured)."""
    if seconds is None:
        return "—"
    total = round(float(seconds) / 60)
    hours, mins = divmod(total, 60)
    if not hours:
        return _("%(m)s min") % {"m": mins}
    return _("%(h)s h %(m)02d min") % {"h": hours, "m": mins}


@register.simple_tag
def may_monitor(actor) -> bool:
    """Does the staff bar offer this person the monitoring (heads, PSC heads, regional regulators)?"""
    from qyzmet.monitoring.scope import may_read

    return may_read(actor)
