"""The yearly "Planning of activities" (Іс-шараларды жоспарлау) record of E-Sobes, per service and department.

Order No. 61 of 3 March 2021: the regional departments and the employment departments fill in the E-Sobes
module "Planning of activities" every year, by 25 December of the year preceding the planned year, for each
mlsp-2021 service (annex 1 cl. 33, annex 2 cl. 22, annex 3 cl. 22 and 78, annex 4 cl. 21).  The acts say
nothing of what the plan holds beyond its being the year's plan of measures for the service, so the record
is the number of persons planned to be served, the planned budget (optional) and a note.

Pure rules here (who may plan, when it is due, what counts as late); the pages and the API call these and
decide nothing themselves.  Errors are the project's workflow errors, so both map them the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from qyzmet.cases.access import AccessDenied, Actor
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import ALMATY, to_local
from qyzmet.directory.models import Office, ServicePoint, Staff
from qyzmet.portal import rules as R
from qyzmet.portal.models import ActivityPlan, QueueEntry
from qyzmet.portal.workflow import STAFF_ROLES, require_staff

# The clause of each act that puts the plan on the department, per service (regulation id).
CITES: dict[str, str] = {r.reg_id: r.cite(r.plan) for r in R.RULES.values()}
ALL_CITES = "annex 1 cl. 33, annex 2 cl. 22, annex 3 cl. 22 and 78, annex 4 cl. 21"

# Order No. 61 dates from 2021: no plan of an earlier year belongs to it.
FIRST_YEAR = 2021
DUE_MONTH, DUE_DAY = 12, 25
MAX_RECIPIENTS = 2_147_483_647  # the column's limit (PositiveIntegerField)
MAX_BUDGET = Decimal("99999999999999.99")  # 16 digits, 2 of them decimals (the column)
MAX_NOTE = 2000
DEMO_NOTE = "demo figures: enter the department's own plan"

ON_TIME, LATE, MISSING, OVERDUE = "on-time", "late", "missing", "overdue"
STATES = (ON_TIME, LATE, MISSING, OVERDUE)


# --- when it is due -------------------------------------------------------------------------------------


def cite_of(reg_id: str) -> str | None:
    """The planning clause of a service; None for a service the acts give no plan."""
    return CITES.get(reg_id)


def due_date(year: int) -> dt.date:
    """25 December of the year before the planned ``year``.

    The acts fix a calendar date ("by 25 December"), not a term of N days: the rule that moves a term's last
    day off a weekend or holiday is for counted terms, so this date stays where it is even on a Saturday."""
    return dt.date(year - 1, DUE_MONTH, DUE_DAY)


def due_why(year: int, reg_id: str) -> str:
    """How the due date was found, in the reader's language, with the clause."""
    return _("By 25 December of the year before the planned year (%(cite)s): a calendar date fixed by the act, "
             "not a term counted in days, so it is not moved when it falls on a weekend or a holiday. A plan "
             "first entered after the end of %(date)s, local time, is late.") % {
        "cite": cite_of(reg_id) or ALL_CITES, "date": due_date(year).isoformat()}


def is_late(entered_at: dt.datetime, year: int) -> bool:
    """Entered after the end of the due day in local (Almaty) time: 23:59 on 25 December is still on time."""
    return to_local(entered_at).date() > due_date(year)


def state_of(plan: ActivityPlan | None, year: int, today: dt.date) -> str:
    """on-time / late for an entered plan (judged on its first entry); missing / overdue for one not entered,
    by whether the due day has passed."""
    if plan is not None:
        return LATE if is_late(plan.entered_at, year) else ON_TIME
    return OVERDUE if today > due_date(year) else MISSING


# --- who plans what -------------------------------------------------------------------------------------


def _office_id(office: Office | int) -> int:
    return office if isinstance(office, int) else office.pk


def services_of(office: Office | int) -> list[str]:
    """The mlsp-2021 Portal services the office provides, in the order of :data:`rules.RULES`.

    "Provides" as everywhere else in the project: the office is the provider of a service point of the
    service (a PSC hall that only receives applications plans nothing).  The same test tells the staff
    menu whether to show the E-Sobes pages (``qyzmet_staff.works_mlsp_portal``)."""
    found = set(ServicePoint.objects.filter(provider_id=_office_id(office), reg_id__in=list(R.RULES))
                .values_list("reg_id", flat=True).distinct())
    return [reg_id for reg_id in R.RULES if reg_id in found]


def require_planner(actor: Actor | None) -> tuple[Actor, list[str]]:
    """A department specialist or head of an office providing at least one mlsp-2021 service, and those
    services; anyone else is refused (403): the acts put the plan on those departments only."""
    actor = require_staff(actor)
    services = services_of(actor.office_id)
    if not services:
        raise AccessDenied(_("The activity plans are kept by the departments that provide the mlsp-2021 "
                             "services (%(cites)s); your office provides none of them.") % {"cites": ALL_CITES})
    return actor, services


# --- the status of a year --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """One service's plan for one year, and where it stands against its due date."""

    reg_id: str
    year: int
    cite: str
    due: dt.date
    due_why: str
    plan: ActivityPlan | None
    state: str  # one of STATES
    days_left: int | None  # missing only: calendar days to the due date (0: today is the last day)
    waiting: int  # the office's queue entries of the service not yet served, beside the planned number

    @property
    def planned(self) -> int | None:
        return self.plan.recipients if self.plan is not None else None


def _waiting(office_id: int, services: Iterable[str]) -> dict[str, int]:
    rows = (QueueEntry.objects.filter(office_id=office_id, reg_id__in=list(services))
            .exclude(state=QueueEntry.State.SERVED).values("reg_id").annotate(n=Count("id")))
    return {r["reg_id"]: r["n"] for r in rows}


def status(office: Office | int, year: int, today: dt.date) -> list[PlanRow]:
    """Per service the office provides: its plan for ``year`` (or None), due date and why, clause, state,
    days left when still missing, and how many are waiting in its queue (planned vs waiting)."""
    office_id = _office_id(office)
    services = services_of(office_id)
    plans = {p.reg_id: p for p in ActivityPlan.objects.filter(office_id=office_id, year=year, reg_id__in=services)
             .select_related("entered_by")}
    waiting = _waiting(office_id, services)
    due = due_date(year)
    rows = []
    for reg_id in services:
        plan = plans.get(reg_id)
        state = state_of(plan, year, today)
        rows.append(PlanRow(reg_id=reg_id, year=year, cite=CITES[reg_id], due=due, due_why=due_why(year, reg_id),
                            plan=plan, state=state, days_left=(due - today).days if state == MISSING else None,
                            waiting=waiting.get(reg_id, 0)))
    return rows


# --- entering a plan ------------------------------------------------------------------------------------


def last_year(now: dt.datetime) -> int:
    """The latest year one may plan: the next one (the plan is made in the year before)."""
    return to_local(now).year + 1


def check_year(year: object, now: dt.datetime) -> int:
    """A planned year from 2021 (the act's first) to next year; a later one cannot be planned yet."""
    last = last_year(now)
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= last:
        raise Invalid("year", _("The planned year must be from %(first)s to %(last)s: the plan is filled in by "
                                "25 December of the year before it (%(cites)s).")
                      % {"first": FIRST_YEAR, "last": last, "cites": ALL_CITES})
    return year


def _check_service(office_id: int, reg_id: str) -> str:
    cite = cite_of(reg_id)
    if cite is None:
        raise Invalid("reg_id", _("%(reg)s is not a service planned in the E-Sobes module \"Planning of "
                                  "activities\" (%(cites)s).") % {"reg": reg_id, "cites": ALL_CITES})
    if reg_id not in services_of(office_id):
        raise Invalid("reg_id", _("Your office does not provide %(reg)s, so it does not plan it (%(cite)s).")
                      % {"reg": reg_id, "cite": cite})
    return cite


def check_recipients(value: object, cite: str) -> int:
    """A whole number of persons, 0 (nobody planned) or more."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RECIPIENTS:
        raise Invalid("recipients", _("Enter the number of persons planned to be served as a whole number, 0 or "
                                      "more (%(cite)s).") % {"cite": cite})
    return value


def check_budget(value: object, cite: str) -> Decimal | None:
    """Tenge and tiyn: not negative, at most 2 decimals (the column's); empty means not given."""
    if value is None or value == "":
        return None
    message = _("Enter the planned budget in tenge, 0 or more, with at most 2 decimal places, or leave it "
                "empty (%(cite)s).") % {"cite": cite}
    if isinstance(value, bool):
        raise Invalid("budget", message)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid("budget", message) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_BUDGET or amount != amount.quantize(Decimal("0.01")):
        raise Invalid("budget", message)
    return amount


def check_note(value: object) -> str:
    """Free text, trimmed, short enough to read in the table."""
    note = str(value or "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid("note", _("The note may be at most %(n)s characters.") % {"n": MAX_NOTE})
    return note


def _write(office_id: int, reg_id: str, year: int, recipients: int, budget: Decimal | None, note: str,
           user_id: int | None, now: dt.datetime) -> ActivityPlan:
    """Create the plan, or change the figures of the one entered before.

    ``entered_at`` stays the first entry's: lateness is judged on when the plan was first in E-Sobes, and a
    correction in January must not turn an on-time plan late (nor a late one on time).  ``entered_by`` is
    whoever changed it last.  Two people saving at once: the row lock serialises them, and the one that
    loses the race to create the row updates it instead."""
    key = {"office_id": office_id, "reg_id": reg_id, "year": year}
    figures = {"recipients": recipients, "budget": budget, "note": note, "entered_by_id": user_id}
    with transaction.atomic():
        plan = ActivityPlan.objects.select_for_update().filter(**key).first()
        if plan is None:
            try:
                with transaction.atomic():
                    return ActivityPlan.objects.create(**key, **figures, entered_at=now)
            except IntegrityError:
                plan = ActivityPlan.objects.select_for_update().get(**key)
        for name, value in figures.items():
            setattr(plan, name, value)
        plan.save(update_fields=["recipients", "budget", "note", "entered_by"])
    return plan


def save_plan(actor: Actor | None, reg_id: str, year: object, recipients: object, budget: object, note: str,
              now: dt.datetime) -> ActivityPlan:
    """Enter or change the actor's office's plan of one service for one year (staff only).

    Raises AccessDenied for someone not on the department's staff, Invalid naming the field (reg_id, year,
    recipients, budget, note) for what the act does not allow."""
    actor = require_staff(actor)
    cite = _check_service(actor.office_id, reg_id)
    year = check_year(year, now)
    return _write(actor.office_id, reg_id, year, check_recipients(recipients, cite), check_budget(budget, cite),
                  check_note(note), actor.user_id, now)


# --- the demo --------------------------------------------------------------------------------------------


def _demo_user_id(office_id: int) -> int | None:
    staff = Staff.objects.filter(office_id=office_id, roles__role__in=STAFF_ROLES).order_by("pk").first()
    return staff.user_id if staff is not None else None


def demo_plans(office: Office | int, now: dt.datetime) -> list[ActivityPlan]:
    """Next year's plans of the office's services, so the demo page shows both states: every service but the
    last is entered on time, the last is left missing (an office with one service gets it entered).

    The figures are demo figures and the note says so.  They are entered now, or, when the due day has
    already passed this year, at 10:00 on it (a time before now), so that they are on time."""
    office_id = _office_id(office)
    services = services_of(office_id)
    year = last_year(now)
    due = due_date(year)
    at = now if to_local(now).date() <= due else dt.datetime.combine(due, dt.time(10), tzinfo=ALMATY)
    user_id = _demo_user_id(office_id)
    chosen = services[:-1] if len(services) > 1 else services
    return [_write(office_id, reg_id, year, 50, Decimal("1000000.00"), DEMO_NOTE, user_id, at) for reg_id in chosen]
