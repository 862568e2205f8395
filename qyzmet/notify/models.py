"""The SMS outbox and journal, and the SMS citizens send back.

One :class:`Sms` row is both the outbox entry the worker sends and the line of the act's SMS journal
(number, date and time, phone, text, status).  It is written in the transaction of the transition
that calls for it, so a transition rolled back leaves no SMS, and a committed one always has its SMS.
"""

from __future__ import annotations

from django.db import models

from qyzmet.cases.models import Case
from qyzmet.directory.models import Office


class Sms(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENDING = "sending", "sending"  # claimed by a worker until lease_until
        SENT = "sent", "sent"
        DELIVERED = "delivered", "delivered"
        FAILED = "failed", "failed"
        INVALID_NUMBER = "invalid-number", "not sent: invalid number"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sms_messages")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="sms_messages", null=True, blank=True,
                               help_text="the office that sends it, whose SMS journal lists it")
    number = models.PositiveBigIntegerField(null=True, blank=True, unique=True,
                                            help_text="the journal number (one global sequence)")
    code = models.CharField(max_length=80, help_text="the regulation's sms code")
    cite = models.TextField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164; as given when the number is invalid")
    language = models.CharField(max_length=2)
    text = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True,
                                       help_text="a 'sending' row whose lease expired is retried (its worker died)")
    last_error = models.TextField(blank=True)
    provider_id = models.CharField(max_length=120, blank=True, help_text="the gateway's message id")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "SMS"
        verbose_name_plural = "SMS"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),  # the worker's claim
            models.Index(fields=["office", "created_at"]),  # the office's journal, newest first
            models.Index(fields=["provider_id"]),  # delivery reports
        ]

    def __str__(self) -> str:
        return f"SMS {self.number or self.pk} {self.code} → {self.phone or '—'} ({self.status})"


class InboundSms(models.Model):
    """An SMS a citizen sent (a consent or refusal code): stored for the proactive flow to read (issue #10)."""

    phone = models.CharField(max_length=20)
    text = models.TextField()
    provider_id = models.CharField(max_length=120, blank=True)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["processed_at", "received_at"])]

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:30]}"
