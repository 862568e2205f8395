"""The entitlement ledger: what each recipient received, the item each application asks for, and the
decisions (a commission's, a regional department's) that move a replacement date."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qyzmet.cases.models import Case


class Receipt(models.Model):
    """One item received by a recipient: the entry the replacement check counts from."""

    class Source(models.TextChoices):
        ORDER = "order", "handed over on a Portal order"
        RECORD = "record", "recorded by the department (received before, or outside Qyzmet)"

    recipient_iin = models.CharField("recipient IIN", max_length=12)
    reg_id = models.CharField("regulation", max_length=120, help_text="whose norm tables name the item")
    item = models.CharField(max_length=80)
    quantity = models.PositiveIntegerField(default=1)
    received_on = models.DateField()
    source = models.CharField(max_length=8, choices=Source.choices)
    order = models.ForeignKey("portal.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True, help_text="e.g. the document the earlier receipt is known from")
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               help_text="the department that recorded it (none: a Portal order's handover)")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["recipient_iin", "reg_id", "item"])]

    def __str__(self) -> str:
        return f"{self.recipient_iin} {self.item} {self.received_on}"


class BodyDecision(models.Model):
    """A decision that moves the replacement date of one item: early replacement (the commission, annex 3
    cl. 50; the regional department for a hearing aid, cl. 90) or an extended period (cl. 50)."""

    class Kind(models.TextChoices):
        EARLY = "early-replacement", "early replacement allowed"
        EXTENSION = "extension", "period extended"

    recipient_iin = models.CharField("recipient IIN", max_length=12)
    reg_id = models.CharField("regulation", max_length=120)
    item = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    decided_on = models.DateField()
    until = models.DateField(null=True, blank=True, help_text="extension: no replacement before this date")
    reason = models.TextField()
    cite = models.CharField(max_length=120)
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["recipient_iin", "reg_id", "item"])]


class Request(models.Model):
    """The item an application asks for (the IPR measure), with the check made when it was received."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="entitlement_request")
    item = models.CharField(max_length=80)
    quantity = models.PositiveIntegerField(default=1)
    categories = models.JSONField(default=list, help_text="the recipient's categories the norm tables name")
    checked_on = models.DateField()
    allowed = models.BooleanField()
    reason = models.CharField(max_length=20)
    earliest = models.DateField(null=True, blank=True)
    cite = models.CharField(max_length=120, blank=True)
    answer = models.JSONField(default=dict, help_text="the whole answer of the check, as the API gives it")
    findings = models.JSONField(default=dict, blank=True, help_text="the MSE findings the specialist recorded")

    def __str__(self) -> str:
        return f"{self.case.number}: {self.item}"
