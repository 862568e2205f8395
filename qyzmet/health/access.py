"""Who may work the polyclinic's registry: the medical registrar of the office (the only SFU of both acts,
annex 1 and annex 2, cl. 7.1).  As everywhere (``cases.access``), another office's doctor, slot or journal
entry is *not found* (404); a person of the same office without the registrar's role is *forbidden* (403).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from qyzmet.cases.access import AccessDenied, Actor

REGISTRAR = "registrar"


def require_registrar(actor: Actor) -> Actor:
    if not actor.holds(REGISTRAR):
        raise AccessDenied(_("Appointments and home calls are registered by the medical registrar (annex 1 and "
                             "annex 2, cl. 7.1)."))
    return actor


def is_registrar(actor: Actor | None) -> bool:
    return actor is not None and actor.holds(REGISTRAR)
