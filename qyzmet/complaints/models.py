"""Complaints about a case: the registration (incoming number, date, the receiver), the body and office that
consider it, the term, the answer, the escalation to the next level, and an append-only history."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qyzmet.cases.models import AppendOnlyError, Case


class QualityOffice(models.Model):
    """An office of the authorised body for assessment and control of the quality of state services (a regional
    inspectorate): the complaints to the "quality-authority" level about the cases of the offices it covers go
    to it.  No offices covered: it covers every office without one of its own."""

    office = models.OneToOneField("directory.Office", on_delete=models.PROTECT, related_name="quality_office")
    covers = models.ManyToManyField("directory.Office", blank=True, related_name="quality_offices",
                                    help_text="the provider and PSC offices whose cases it considers complaints on")

    def __str__(self) -> str:
        return str(self.office)


class NumberSeries(models.Model):
    """The incoming numbers of one office in one year: "Ш-2026-000017" is the 17th complaint it registered in
    2026.  The row is locked while a number is taken, so two clerks never get the same one."""

    office = models.ForeignKey("directory.Office", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="unique_complaint_series")]


class Complaint(models.Model):
    class Body(models.TextChoices):
        PROVIDER = "provider", "the head of the provider"
        PSC = "psc", "the head of the PSC branch"
        QUALITY = "quality-authority", "the authorised body for the quality of state services"

    class Channel(models.TextChoices):
        COUNTER = "counter", "at the counter"
        ONLINE = "online", "online, by the applicant"
        API = "api", "through the API"

    class Status(models.TextChoices):
        REGISTERED = "registered", "registered, being considered"
        ANSWERED = "answered", "answered"
        ESCALATED = "escalated", "escalated to the next level"
        CLOSED = "closed", "closed: the applicant accepts the answer"

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "upheld"
        PARTLY = "partly", "partly upheld"
        REJECTED = "rejected", "rejected"

    OPEN = (Status.REGISTERED,)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="complaints")
    number = models.CharField("incoming number", max_length=32)
    registered_at = models.DateTimeField()
    receiving_office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+",
                                         help_text="the office whose register holds the incoming number")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    receiver_name = models.CharField(max_length=200, blank=True,
                                     help_text="surname and initials of the person who accepted it, as printed; "
                                               "empty when it was filed online")
    body = models.CharField(max_length=20, choices=Body.choices)
    entry = models.PositiveSmallIntegerField(null=True, blank=True,
                                             help_text="index into the regulation's complaints (none: the act sets "
                                                       "no complaint procedure)")
    cite = models.CharField(max_length=200, blank=True)
    considering_office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    role = models.SlugField(max_length=80, help_text="the role at the considering office that answers it")
    complainant = models.CharField(max_length=200)
    text = models.TextField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    due = models.DateTimeField(null=True, blank=True, help_text="none: the act sets no term")
    due_why = models.TextField(blank=True, help_text="the counting, in English, for developers and the API")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REGISTERED)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    answered_name = models.CharField(max_length=200, blank=True)
    # One escalation per complaint: the unique one-to-one refuses a second, even from two clerks at once.
    parent = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="escalation")
    escalation_reason = models.CharField(
        max_length=16, blank=True, help_text="term-passed or disagreement (a complaint escalated from its parent)")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["receiving_office", "number"], name="unique_complaint_number")]
        indexes = [models.Index(fields=["considering_office", "status", "due"]), models.Index(fields=["case"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.case_id})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class History(models.Model):
    """What happened to a complaint, when and by whom.  Rows are never changed."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="history")
    kind = models.CharField(max_length=16)  # registered, answered, escalated, closed
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    channel = models.CharField(max_length=8, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["complaint", "at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("complaint history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("complaint history is append-only")
