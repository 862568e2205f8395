"""Who delivers the services: organisations, their offices and schedules, staff and the roles they hold."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qyzmet.core import calendar as core_calendar


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PROVIDER = "provider", "service provider (department, health organisation)"
        PSC = "psc", "Public Service Centre (State Corporation)"
        OTHER = "other", "other body"

    code = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PROVIDER)
    name_kk = models.TextField()
    name_ru = models.TextField()
    name_en = models.TextField(blank=True)
    bin = models.CharField("BIN", max_length=12, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_ru or self.name_kk

    def clean(self) -> None:
        if self.bin:
            from qyzmet.core.iin import InvalidIdentifier, parse_bin

            try:
                parse_bin(self.bin)
            except InvalidIdentifier as exc:
                raise ValidationError({"bin": str(exc)}) from None


class Office(models.Model):
    """A place where cases are received or worked: a district department, a PSC hall."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="offices")
    code = models.SlugField(max_length=80, unique=True)
    name_kk = models.TextField()
    name_ru = models.TextField()
    name_en = models.TextField(blank=True)
    address = models.TextField(blank=True)
    schedule = models.CharField(
        max_length=64, default="department",
        help_text="a built-in schedule (department, psc, psc-5day) or a schedule defined by a regulation",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_ru or self.name_kk


class ServicePoint(models.Model):
    """An office takes applications for a regulation's route, and sends them to a provider office.

    A PSC hall names the district department that works its cases; a department that receives
    applications itself is its own provider.
    """

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="service_points")
    reg_id = models.CharField("regulation", max_length=120, help_text="e.g. aktogay-2013/prosthetic-docs")
    route = models.CharField(max_length=16, help_text="main, psc, portal or proactive")
    provider = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="served_points",
                                 help_text="the office that works the cases (the office itself on a provider route)")

    class Meta:
        ordering = ["office", "reg_id", "route"]
        constraints = [models.UniqueConstraint(fields=["office", "reg_id", "route"], name="unique_service_point")]

    def __str__(self) -> str:
        return f"{self.office.code}: {self.reg_id} ({self.route}) → {self.provider.code}"


class Staff(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="staff")
    full_name = models.CharField(max_length=200)
    position = models.CharField(max_length=300, blank=True, help_text="as the staff list names it")

    class Meta:
        ordering = ["office", "full_name"]
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return f"{self.full_name} ({self.office.code})"


def person_name(user) -> str:
    """The staff member's name as the staff list gives it, else the login."""
    staff = getattr(user, "staff", None)
    return staff.full_name if staff is not None else user.get_username()

    def role_codes(self) -> set[str]:
        return set(self.roles.values_list("role", flat=True))


class RoleAssignment(models.Model):
    """A staff member may act as a role (SFU) that regulations name, e.g. ``head`` or ``psc-hall-inspector``."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.SlugField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "role"], name="unique_staff_role")]
        indexes = [models.Index(fields=["role"])]

    def __str__(self) -> str:
        return f"{self.staff} as {self.role}"


class CalendarException(models.Model):
    """A day that differs from the law's calendar: a new transfer decree, a shortened day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "day off"
        WORKING_DAY = "working-day", "working day"
        SPECIAL_HOURS = "special-hours", "special hours"

    day = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    hours = models.CharField(max_length=100, blank=True, help_text='e.g. "09:00-13:00, 14:00-17:00"')
    schedule = models.CharField(max_length=64, blank=True, help_text="blank: applies to every schedule")
    name = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=300, help_text="the decree or order that made this day different")

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["day", "schedule"], name="unique_exception_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} ({self.source})"

    def parsed_hours(self) -> tuple[tuple[int, int], ...]:
        parts = [p.strip() for p in self.hours.split(",") if p.strip()]
        return tuple(core_calendar.parse_interval(p) for p in parts)

    def clean(self) -> None:
        try:
            hours = self.parsed_hours()
        except core_calendar.CalendarError as exc:
            raise ValidationError({"hours": str(exc)}) from None
        if self.kind == self.Kind.SPECIAL_HOURS and not hours:
            raise ValidationError({"hours": "special hours need at least one interval"})

    def as_core(self) -> core_calendar.CalendarException:
        return core_calendar.CalendarException(self.day, self.kind, self.source, self.parsed_hours(), self.name,
                                               self.schedule)


_cache: dict[str, tuple[float, tuple[core_calendar.CalendarException, ...]]] = {}
_CACHE_SECONDS = 30.0


def calendar_exceptions() -> tuple[core_calendar.CalendarException, ...]:
    """Every exception, each naming its schedule; the core calendar keeps those that apply to it.

    Read on every transition, changed a few times a year: kept in memory, dropped when a row changes in
    this process and re-read at most every 30 s so other processes' edits arrive too.
    """
    now = time.monotonic()
    hit = _cache.get("all")
    if hit is not None and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    value = tuple(r.as_core() for r in CalendarException.objects.all())
    _cache["all"] = (now, value)
    return value


@receiver([post_save, post_delete], sender=CalendarException)
def _forget_exceptions(**_kwargs) -> None:
    _cache.clear()
