"""Template helpers for the staff pages: texts in the page's language, urgency tags, durations."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from qyzmet.core.durations import format_duration
from qyzmet.core.regulation import Text
from qyzmet.web.text import current_language

register = template.Library()


def _lang() -> str:
    lang = current_language()
    return lang if lang in ("kk", "ru", "en") else "kk"


@register.filter
def tr(value: Text | dict | None) -> str:
    """A regulation text (kk/ru/en) in the page's language, falling back to Kazakh."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = Text(**{k: v for k, v in value.items() if k in ("kk", "ru", "en")})
    return value.get(_lang())


@register.filter
def duration(value) -> str:
    return format_duration(value, _lang()) if value is not None else "—"


@register.filter
def urgency_label(value: str) -> str:
    return {
        "on-track": gettext("on track"), "at-risk": gettext("at risk"), "overdue": gettext("overdue"),
        "no-term": gettext("no term"),
    }.get(str(value), str(value))


@register.filter
def status_label(value: str) -> str:
    return {
        "submitted": gettext("submitted"), "in-progress": gettext("in progress"), "issued": gettext("issued"),
        "acceptance-refused": gettext("documents not accepted"),
    }.get(str(value), str(value))


@register.filter
def provision_label(value: str) -> str:
    return {
        "original": gettext("original"), "copy": gettext("copy"),
        "copy-with-original": gettext("copy (original shown and returned)"),
        "declaration": gettext("applicant's statement"),
        "fetched-by-iin": gettext("obtained by IIN from state systems"),
    }.get(str(value), str(value))


@register.filter
def duration_of(item) -> str:
    """A step's or term's duration as the act gives it (its own words when not countable)."""
    from qyzmet.core.summary import duration_label

    return duration_label(item, _lang()) if item is not None else "—"


@register.filter
def ground_text(code: str, reg) -> str:
    """A refusal (or acceptance-refusal) ground's text in the page's language, with its clause."""
    ground = reg.refusal_ground(code) or reg.acceptance_refusal_ground(code)
    if ground is None:
        return code
    return f"{ground.text.get(_lang())} ({ground.cite})" if ground.cite else ground.text.get(_lang())


@register.filter
def document_name(code: str, reg) -> str:
    """A document's name in the page's language (the checklist row stores the Kazakh name it had)."""
    doc = reg.document(code)
    return doc.name.get(_lang()) if doc is not None else code


@register.filter
def event_label(kind: str) -> str:
    """What an event of the log means, in words (the kinds are the engine's codes)."""
    return {
        "submit": gettext("application registered"), "complete-step": gettext("step done"),
        "decide": gettext("decision"), "refuse-acceptance": gettext("acceptance refused"),
        "return-step": gettext("returned with errors"),
        "store-result": gettext("result handed to the provider for storage"),
        "request-result": gettext("result requested back from the provider"),
        "return-result": gettext("result back at the PSC"),
    }.get(str(kind), str(kind))


@register.filter
def registry_state(state: str) -> str:
    return {"sent": gettext("sent"), "acknowledged": gettext("taken over"),
            "returned": gettext("returned with errors")}.get(str(state), str(state))
