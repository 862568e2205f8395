"""Template helpers of the entitlements pages."""

from __future__ import annotations

from django import template
from django.utils import translation

from qyzmet.core.loader import shipped_catalog

register = template.Library()


@register.simple_tag
def item_name(reg_id: str, code: str) -> str:
    """An item's name in the page's language, as the regulation's norm tables give it."""
    try:
        ent = shipped_catalog().get(reg_id).entitlements
    except KeyError:
        return code
    item = ent.item(code) if ent else None
    return item.name.get(translation.get_language() or "kk") if item else code


@register.simple_tag
def flag_text(reg_id: str, flag) -> str:
    from qyzmet.entitlements.workflow import flag_text as text

    return text(shipped_catalog().get(reg_id).entitlements, flag)


@register.simple_tag
def name_of(element) -> str:
    """The kk/ru/en name of a category or a finding, in the page's language."""
    return element.name.get(translation.get_language() or "kk")
