"""Template filters of the health pages: a doctor's speciality, a booking's status and channel, in the page's
language."""

from __future__ import annotations

from django import template
from django.utils import translation

from qyzmet.health import booking as B

register = template.Library()


@register.filter
def speciality(doctor) -> str:
    if doctor is None:
        return ""
    return doctor.speciality_ru if (translation.get_language() or "kk").startswith("ru") else doctor.speciality_kk


@register.filter
def booking_status(status: str) -> str:
    return B.status_label(status)


@register.filter
def channel(code: str) -> str:
    return B.channel_label(code)


@register.filter
def answer(booking) -> str:
    """The date-and-time answer of a booking in the page's language."""
    return B.answer_text(booking, (translation.get_language() or "kk").split("-")[0])


@register.filter
def attaches_population(actor) -> bool:
    """Does the signed-in person's office attach the population (a service point for annex 3)?  The staff
    bar links its register of attached population and step-norm check then."""
    from qyzmet.health.attachment import organisations

    return actor is not None and organisations().filter(pk=actor.office_id).exists()
