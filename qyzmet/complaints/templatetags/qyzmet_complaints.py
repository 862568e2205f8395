"""Template helpers of the complaint pages: ``{% load qyzmet_complaints %}``."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from qyzmet.web.text import in_language

register = template.Library()


@register.filter
def office_name(office) -> str:
    """The office's name in the page's language."""
    return in_language(office) if office is not None else ""


@register.filter
def complaint_event(kind: str) -> str:
    return {"registered": _("registered"), "answered": _("answered"), "escalated": _("escalated to the next level"),
            "closed": _("closed: the applicant accepts the answer")}.get(kind, kind)
