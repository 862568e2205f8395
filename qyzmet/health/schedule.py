"""Doctors' working weeks and the slots cut from them on the office's legal calendar.

A slot exists only where the doctor's template *and* the office's calendar both say "working": the calendar
the cases of the office use (:func:`qyzmet.cases.services.calendars_of` on the office's schedule, with the
holidays, transfer decrees and the ``directory.CalendarException`` rows), so a public holiday, a day made off
by decree or the office's lunch break never gets a slot, and a weekend day made working by decree gets the
hours the doctor works on the weekday it replaces.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from qyzmet.cases import services
from qyzmet.cases.access import Actor, NotFound
from qyzmet.cases.workflow import Invalid
from qyzmet.core.calendar import (
    WEEKDAYS,
    CalendarError,
    DayHours,
    WorkCalendar,
    local_instant,
    parse_interval,
    to_local,
)
from qyzmet.core.loader import shipped_catalog
from qyzmet.directory.models import Office
from qyzmet.health.access import require_registrar
from qyzmet.health.models import Doctor, Slot, WeeklyTemplate

APPOINTMENT = "mangystau-2015/doctor-appointment"
HOME_CALL = "mangystau-2015/home-doctor-call"
MAX_DAYS = 62  # slots are generated for at most two months at a time: the template may change
MIN_SLOT, MAX_SLOT = 5, 240


def office_calendar(office: Office) -> WorkCalendar:
    """The legal calendar the office's cases are counted on (its schedule, the law, the recorded exceptions)."""
    reg = shipped_catalog().get(APPOINTMENT)
    return services.calendars_of(reg)(office.schedule)


def parse_hours(text: str, field_name: str) -> list[str]:
    """ "08:00-12:00, 14:00-16:00" → the intervals in order; a bad or overlapping one names the field."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        intervals = sorted(parse_interval(p) for p in parts)
    except CalendarError:
        raise Invalid(field_name, _("Write the hours as HH:MM-HH:MM, several separated by commas, "
                                    "e.g. 08:00-12:00, 14:00-16:00.")) from None
    for (_s1, e1), (s2, _e2) in itertools.pairwise(intervals):
        if s2 < e1:
            raise Invalid(field_name, _("The intervals overlap: each must end before the next begins."))
    return [f"{a // 3600:02d}:{a % 3600 // 60:02d}-{b // 3600:02d}:{b % 3600 // 60:02d}" for a, b in intervals]


def _intervals(week: Mapping[str, Sequence[str]], weekday: str) -> DayHours:
    return tuple(parse_interval(t) for t in week.get(weekday, ()))


def _overlap(a: DayHours, b: DayHours) -> list[tuple[int, int]]:
    """The parts of the doctor's intervals ``a`` that fall within the office's opening intervals ``b``."""
    out = []
    for s1, e1 in a:
        for s2, e2 in b:
            start, end = max(s1, s2), min(e1, e2)
            if start < end:
                out.append((start, end))
    return out


def day_hours(week: Mapping[str, Sequence[str]], cal: WorkCalendar, day: dt.date) -> list[tuple[int, int]]:
    """The doctor's hours on ``day`` within the office's: none on a closed day, lunch breaks cut out."""
    office = cal.hours(day)
    if not office:
        return []
    weekday = WEEKDAYS[day.weekday()]
    mine = _intervals(week, weekday)
    if not mine and day.weekday() >= 5:
        # A Saturday or Sunday made working by decree replaces a weekday: the doctor works a weekday's hours,
        # the first weekday the template has (as the calendar gives the office its first open weekday's).
        mine = next((_intervals(week, wd) for wd in WEEKDAYS[:5] if week.get(wd)), ())
    return _overlap(mine, office)


@dataclass(frozen=True)
class Planned:
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime


def plan(template: WeeklyTemplate, cal: WorkCalendar, first: dt.date, last: dt.date) -> list[Planned]:
    """Every slot the template gives from ``first`` to ``last`` (both included) on the calendar ``cal``."""
    out: list[Planned] = []
    day = first
    while day <= last:
        for kind, week, minutes in ((Slot.Kind.RECEPTION, template.reception, template.slot_minutes),
                                    (Slot.Kind.HOME_VISIT, template.home_visits, template.home_visit_minutes)):
            step = minutes * 60
            for start, end in day_hours(week, cal, day):
                at = start
                while at + step <= end:  # a slot that would run past the interval is not cut
                    out.append(Planned(kind, local_instant(day, at), local_instant(day, at + step)))
                    at += step
        day += dt.timedelta(days=1)
    out.sort(key=lambda p: p.starts_at)
    # A reception interval and a home-visit interval of one day must not overlap: the doctor is in one place.
    for a, b in itertools.pairwise(out):
        if b.starts_at < a.ends_at:
            raise Invalid("home_visits", _("On %(day)s the home-visit hours overlap the reception hours.")
                          % {"day": f"{a.starts_at:%d.%m.%Y}"})
    return out


# --- what the registrar does ---------------------------------------------------------------------------

def doctor_for(actor: Actor, pk: int) -> Doctor:
    """A doctor of the registrar's office; another office's doctor is not found (existence does not leak)."""
    doctor = Doctor.objects.select_related("office").filter(pk=pk, office_id=actor.office_id).first()
    if doctor is None:
        raise NotFound(_("No such doctor in your office."))
    return doctor


def add_doctor(actor: Actor, *, full_name: str, speciality_kk: str, speciality_ru: str, room: str = "") -> Doctor:
    require_registrar(actor)
    for name, value in (("full_name", full_name), ("speciality_kk", speciality_kk), ("speciality_ru", speciality_ru)):
        if not value.strip():
            raise Invalid(name, {"full_name": _("Enter the doctor's full name."),
                                 "speciality_kk": _("Enter the speciality in Kazakh."),
                                 "speciality_ru": _("Enter the speciality in Russian.")}[name])
    return Doctor.objects.create(office_id=actor.office_id, full_name=full_name.strip(),
                                 speciality_kk=speciality_kk.strip(), speciality_ru=speciality_ru.strip(),
                                 room=room.strip())


def _minutes(value: object, field_name: str) -> int:
    try:
        minutes = int(str(value).strip())
    except ValueError:
        minutes = 0
    if not MIN_SLOT <= minutes <= MAX_SLOT:
        raise Invalid(field_name, _("The slot length is a whole number of minutes from %(min)s to %(max)s.")
                      % {"min": MIN_SLOT, "max": MAX_SLOT})
    return minutes


def save_template(actor: Actor, doctor: Doctor, *, reception: Mapping[str, str], home_visits: Mapping[str, str],
                  slot_minutes: object, home_visit_minutes: object) -> WeeklyTemplate:
    """Store the doctor's week from the typed hours (weekday code → "HH:MM-HH:MM, …")."""
    require_registrar(actor)
    rec = {wd: hours for wd in WEEKDAYS if (hours := parse_hours(reception.get(wd, ""), f"reception.{wd}"))}
    home = {wd: hours for wd in WEEKDAYS if (hours := parse_hours(home_visits.get(wd, ""), f"home_visits.{wd}"))}
    if not rec and not home:
        raise Invalid("reception.mon", _("Give the reception or home-visit hours of at least one weekday."))
    minutes = _minutes(slot_minutes, "slot_minutes")
    visit = _minutes(home_visit_minutes, "home_visit_minutes")
    template, _created = WeeklyTemplate.objects.update_or_create(
        doctor=doctor, defaults={"reception": rec, "home_visits": home, "slot_minutes": minutes,
                                 "home_visit_minutes": visit})
    return template


@dataclass(frozen=True)
class Generated:
    created: int
    removed: int
    kept: int  # slots no longer in the template but holding a booking: kept, the patient was told this time
    closed_days: list[tuple[dt.date, str]]  # weekdays in the range with no slots, and why


def generate(actor: Actor | None, doctor: Doctor, first: dt.date, last: dt.date, now: dt.datetime) -> Generated:
    """Cut the doctor's slots for ``first`` … ``last`` from the template, on the office's calendar.

    Idempotent: existing slots stay; a slot the template no longer gives is removed if nobody ever booked it.
    ``actor`` None is the demo.
    """
    if actor is not None:
        require_registrar(actor)
    if last < first:
        raise Invalid("last", _("The last day must not be before the first."))
    if (last - first).days >= MAX_DAYS:
        raise Invalid("last", _("Generate at most %(n)s days at a time.") % {"n": MAX_DAYS})
    template = WeeklyTemplate.objects.filter(doctor=doctor).first()
    if template is None:
        raise Invalid("template", _("Save the doctor's weekly template first."))
    cal = office_calendar(doctor.office)
    try:
        planned = plan(template, cal, first, last)
    except CalendarError as exc:
        raise Invalid("first", str(exc)) from None
    start, end = local_instant(first, 0), local_instant(last + dt.timedelta(days=1), 0)
    with transaction.atomic():
        existing = {s.starts_at: s for s in Slot.objects.select_for_update().filter(
            doctor=doctor, starts_at__gte=max(start, now), starts_at__lt=end)}
        wanted = {p.starts_at: p for p in planned if p.starts_at > now}
        stale = [s for at, s in existing.items()
                 if at not in wanted or (wanted[at].kind, wanted[at].ends_at) != (s.kind, s.ends_at)]
        used = set(Slot.objects.filter(pk__in=[s.pk for s in stale], bookings__isnull=False)
                   .values_list("pk", flat=True))
        removed, _kinds = Slot.objects.filter(pk__in=[s.pk for s in stale if s.pk not in used]).delete()
        kept = [s for s in existing.values() if s.pk not in {x.pk for x in stale} or s.pk in used]
        # A new slot may not overlap one that stays (a booked time the template no longer gives).
        by_day: dict[dt.date, list[Slot]] = {}
        for k in kept:
            by_day.setdefault(to_local(k.starts_at).date(), []).append(k)
        new = [Slot(doctor=doctor, kind=p.kind, starts_at=p.starts_at, ends_at=p.ends_at)
               for p in wanted.values()
               if not any(k.starts_at < p.ends_at and p.starts_at < k.ends_at
                          for k in by_day.get(p.starts_at.date(), ()))]
        Slot.objects.bulk_create(new)
    closed = [(c.day, c.reason) for c in cal.closed_weekdays(first - dt.timedelta(days=1), last)]
    return Generated(len(new), removed, len(used), closed)
