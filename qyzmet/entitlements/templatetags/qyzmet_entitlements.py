"""Template helpers of the entitlements pages."""

from __future__ import annotations

from django import template
from django.utils import translation

register = template.Library()


@register.simple_tag
def item_name(reg_id: str, code: str) -> str:
    """An item's name in the page's language, as the regulation's norm tables give it."""
    from qyzmet.cases.workflow import Invalid
    from qyzmet.entitlements.workflow import item_name as name
    from qyzmet.entitlements.workflow import norms_of

    try:
        return name(norms_of(reg_id)[1], code)
    except Invalid:  # a ledger row of a service no longer in the catalog
        return code


@register.simple_tag
def flag_text(reg_id: str, flag) -> str:
    from qyzmet.entitlements.workflow import flag_text as text
    from qyzmet.entitlements.workflow import norms_of

    return text(norms_of(reg_id)[1], flag)


@register.simple_tag
def name_of(element) -> str:
    """The kk/ru/en name of a category or a finding, in the page's language."""
    return element.name.get(translation.get_language() or "kk")
