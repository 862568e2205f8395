"""Who may read the monitoring, and which offices they see.

- A department head (role ``head`` at a provider office) sees their office.
- A PSC head (role ``psc-head`` at a PSC office) sees their PSC office.
- A regional regulator (role ``regulator`` at the office that is the ``authority`` of a :class:`Region`) sees
  every office of the region.
- Everyone else is refused (403): monitoring names staff members and their late steps, which is the
  supervisor's business, not a colleague's.

Within the scope the reader may narrow to one office (``office=CODE``): an unknown code is a wrong field
(422), an office outside the scope is forbidden (403) — offices are public, so saying it exists leaks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from qyzmet.cases.access import REGULATOR, AccessDenied, Actor
from qyzmet.cases.workflow import Invalid
from qyzmet.directory.models import Office

HEAD = "head"
PSC_HEAD = "psc-head"
READER_ROLES = frozenset({HEAD, PSC_HEAD, REGULATOR})


@dataclass(frozen=True)
class Scope:
    kind: str  # "office" (a head), "region" (a regulator), "all" (the operator's command line)
    offices: tuple[Office, ...]
    region: object | None = None  # the Region of a regulator

    @property
    def office_ids(self) -> tuple[int, ...]:
        return tuple(o.pk for o in self.offices)

    def narrow(self, code: str | None) -> Scope:
        """The scope limited to one office of it; ``code`` empty: the whole scope."""
        code = (code or "").strip()
        if not code:
            return self
        office = next((o for o in self.offices if o.code == code), None)
        if office is None:
            if not Office.objects.filter(code=code).exists():
                raise Invalid("office", _("No office “%(office)s” in the directory.") % {"office": code})
            raise AccessDenied(_("The office “%(office)s” is outside what you supervise.") % {"office": code})
        return Scope(self.kind, (office,), self.region)


def may_read(actor: object) -> bool:
    """For the navigation link: would :func:`scope_for` give this person a scope?"""
    if not isinstance(actor, Actor):  # a page outside the staff views has no actor
        return False
    if actor.holds(REGULATOR):
        from qyzmet.monitoring.models import Region

        return Region.objects.filter(authority_id=actor.office_id).exists()
    return _heads_office(actor)


def _heads_office(actor: Actor) -> bool:
    return (actor.holds(HEAD) and actor.office_kind == "provider") or \
        (actor.holds(PSC_HEAD) and actor.office_kind == "psc")


def scope_for(actor: Actor) -> Scope:
    """The offices this person supervises, or AccessDenied."""
    if actor.holds(REGULATOR):
        from qyzmet.monitoring.models import Region

        region = Region.objects.filter(authority_id=actor.office_id).first()
        if region is None:
            raise AccessDenied(_("Your office supervises no region: ask the administrator to set the region's "
                                 "offices."))
        offices = tuple(Office.objects.filter(region_membership__region=region).order_by("code"))
        return Scope("region", offices, region)
    if _heads_office(actor):
        return Scope("office", (Office.objects.get(pk=actor.office_id),))
    raise AccessDenied(_("Monitoring is for the head of a department, the head of a PSC and the regional regulator."))


def everything() -> Scope:
    """Every office: the operator's view on the command line (``qyzmet report compliance``)."""
    return Scope("all", tuple(Office.objects.order_by("code")))
