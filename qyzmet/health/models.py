"""Doctors of a polyclinic's office, their weekly templates, the slots generated from them, and the journal
entries that take a slot: an appointment (the pre-registration journal, Mangystau 2015 annex 2 cl. 8) or a
home call (the call registration journal, annex 1 cl. 8).

One table holds both kinds of entry so that one partial unique index says, for both, that a slot has at most
one active entry: the database, not only the code, refuses a double booking.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from qyzmet.cases.models import Case


class Doctor(models.Model):
    """A doctor who receives patients (and visits them at home) for an office of a PHC organisation."""

    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="doctors")
    full_name = models.CharField(max_length=200)
    speciality_kk = models.CharField(max_length=200)
    speciality_ru = models.CharField(max_length=200)
    room = models.CharField(max_length=40, blank=True, help_text="the consulting room, e.g. 214")
    staff = models.OneToOneField("directory.Staff", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="doctor", help_text="the doctor's own account, if any")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["office", "full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.speciality_ru})"


class WeeklyTemplate(models.Model):
    """The doctor's working week: reception hours and home-visit hours per weekday, and the slot lengths.

    Hours are kept as the text people type ("08:00-12:00, 14:00-16:00") per weekday code (mon … sun) and
    parsed with :mod:`qyzmet.core.calendar`; the slots are cut from them on the office's legal calendar.
    """

    doctor = models.OneToOneField(Doctor, on_delete=models.CASCADE, related_name="template")
    reception = models.JSONField(default=dict, help_text='{"mon": ["08:00-12:00"], …}')
    home_visits = models.JSONField(default=dict, help_text='{"mon": ["14:00-17:00"], …}')
    slot_minutes = models.PositiveSmallIntegerField(default=20)
    home_visit_minutes = models.PositiveSmallIntegerField(default=60)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"template of {self.doctor}"


class Slot(models.Model):
    class Kind(models.TextChoices):
        RECEPTION = "reception", "reception at the polyclinic"
        HOME_VISIT = "home-visit", "home visit"

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="slots")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RECEPTION)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "doctor"]
        constraints = [models.UniqueConstraint(fields=["doctor", "starts_at"], name="health_unique_doctor_slot")]
        indexes = [models.Index(fields=["doctor", "kind", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.doctor.full_name} {self.starts_at:%Y-%m-%d %H:%M} ({self.kind})"


# The statuses that hold a slot: a cancelled entry frees it, an attended or missed one keeps it (the time is
# gone).  The partial unique index below is defined on exactly these.
ACTIVE = ("booked", "attended", "no-show")


class Booking(models.Model):
    """One entry of the registrar's journal, which is also one case of its regulation."""

    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", "appointment with a doctor (pre-registration journal)"
        HOME_CALL = "home-call", "doctor called home (call registration journal)"

    class Channel(models.TextChoices):
        REGISTRY = "registry", "in person at the registry"
        PHONE = "phone", "by telephone"
        PORTAL = "portal", "on the e-gov portal"

    class Status(models.TextChoices):
        REQUESTED = "requested", "requested online, no time yet"  # a home call from the portal
        BOOKED = "booked", "booked"
        CANCELLED = "cancelled", "cancelled"
        ATTENDED = "attended", "attended"
        NO_SHOW = "no-show", "did not come"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings")
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="health_booking")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    # The journal's fields (annex 1 and annex 2, cl. 8): surname, name, patronymic; age and sex; the condition
    # and brief information on the accident or illness; the actual address and the contact telephone.
    iin = models.CharField("patient IIN", max_length=12)
    surname = models.CharField(max_length=100)
    first_name = models.CharField(max_length=100)
    patronymic = models.CharField(max_length=100, blank=True)
    age = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=6, choices=[("male", "male"), ("female", "female")])
    condition = models.TextField(blank=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True, help_text="the registrar's answer (portal route)")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=20, blank=True, help_text="registrar or patient")
    marked_at = models.DateTimeField(null=True, blank=True, help_text="when attended / no-show was recorded")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["slot"], condition=Q(status__in=ACTIVE), name="health_one_active_per_slot"),
            models.CheckConstraint(condition=Q(slot__isnull=False) | Q(status__in=("requested", "cancelled")),
                                   name="health_booked_has_slot"),
        ]
        indexes = [models.Index(fields=["office", "kind", "status"]), models.Index(fields=["iin"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id} {self.status}"

    @property
    def patient_name(self) -> str:
        return " ".join(p for p in (self.surname, self.first_name, self.patronymic) if p)


class Attachment(models.Model):
    """One line of the Register of Attached Population (БХТ, "бекітілген халық тіркелімі"): who (IIN) is
    attached to which PHC organisation's office, since when, by which case of
    ``mangystau-2015/phc-attachment`` (annex 3; the result is the notification of attachment, cl. 3).

    A person has at most one current line (``until`` empty) — the partial unique index says so in the
    database.  A new attachment ends the current one at the instant it begins; the ended line stays as history
    (the line that ended it is the person's next one by ``since``).
    """

    iin = models.CharField("attached person's IIN", max_length=12)
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="attached_population")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="health_attachment",
                                help_text="the phc-attachment case whose notification (talon) was issued")
    since = models.DateTimeField(help_text="when the notification of attachment was issued")
    until = models.DateTimeField(null=True, blank=True, help_text="when a later attachment ended this one")

    class Meta:
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["iin"], condition=Q(until__isnull=True),
                                    name="health_one_current_attachment"),
            models.CheckConstraint(condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                                   name="health_attachment_ends_after_start"),
        ]
        indexes = [models.Index(fields=["office", "until", "since"]), models.Index(fields=["iin", "since"])]

    def __str__(self) -> str:
        return f"{self.iin} → {self.office_id} since {self.since:%Y-%m-%d}"

    @property
    def current(self) -> bool:
        return self.until is None
