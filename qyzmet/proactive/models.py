"""The proactive channel's records: the IPR data that start it, the consent request, every answer tried."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qyzmet.cases.models import Case
from qyzmet.directory.models import Office


class IprRecord(models.Model):
    """The individual rehabilitation programme data as they reach E-Sobes from the centralised data bank of
    persons with disabilities (annex 1 cl. 12, annex 2 cl. 12, annex 3 cl. 14 and 70, annex 4 cl. 14)."""

    reg_id = models.CharField("regulation", max_length=120, help_text="the service its measures call for")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="ipr_records",
                               help_text="the employment department of the recipient's residence")
    recipient_iin = models.CharField("recipient IIN", max_length=12)
    recipient_name = models.CharField(max_length=200)
    recipient_phone = models.CharField(max_length=20, help_text="the mobile number the request goes to (E.164)")
    language = models.CharField(max_length=2, default="kk", choices=[("kk", "қазақ тілі"), ("ru", "русский язык")])
    disability_group = models.CharField(max_length=8, blank=True, help_text="I, II or III")
    disability_until = models.DateField(null=True, blank=True, help_text="end of the disability period; none: "
                                                                          "indefinite")
    measures = models.TextField(help_text="the IPR's measures for this service, as the data bank gives them")
    source = models.CharField(max_length=200, help_text="the source record, e.g. the IPR number and date")
    received_at = models.DateTimeField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", help_text="empty: received from the data bank")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["office", "received_at"]), models.Index(fields=["recipient_iin"])]

    def __str__(self) -> str:
        return f"IPR {self.source} — {self.recipient_name} ({self.reg_id})"


class ConsentRequest(models.Model):
    """The SMS request for the proactive service and its answer.  Its case is the case on the proactive
    route: the request is step 1, the answer step 2 (consent accepts the case: the consent date is the
    application date), and a refusal or silence closes the case as ``request-closed``."""

    class State(models.TextChoices):
        SENT = "sent", "sent, waiting for the answer"
        CONSENTED = "consented", "consented"
        DECLINED = "declined", "declined"
        EXPIRED = "expired", "expired (no answer in time; deleted)"

    ipr = models.OneToOneField(IprRecord, on_delete=models.PROTECT, related_name="request")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="consent_request")
    phone = models.CharField(max_length=20)
    # The codes are never stored: only keyed digests, so a database reader cannot answer for the citizen.
    consent_digest = models.CharField(max_length=64)
    refusal_digest = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    answer_due = models.DateTimeField()
    answer_why = models.TextField(blank=True)
    answer_cite = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.SENT)
    answered_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=8, blank=True, choices=[("sms", "SMS"), ("web", "web page")])
    wrong_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True, help_text="too many wrong codes: no more answers")

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["state", "answer_due"]), models.Index(fields=["phone", "state"])]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.state}"


class AnswerAttempt(models.Model):
    """Every answer tried, right or wrong, by SMS or on the page: the log the acts' SMS journal implies and
    what a wrong-code limit needs."""

    class Outcome(models.TextChoices):
        CONSENT = "consent", "consent recorded"
        REFUSAL = "refusal", "refusal recorded"
        WRONG = "wrong-code", "wrong code"
        USED = "used-code", "code already used"
        LOCKED = "locked", "request locked after too many wrong codes"
        LATE = "late", "the answer term had ended"
        NO_REQUEST = "no-request", "no open request for this number or IIN"

    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="attempts", null=True,
                                blank=True)
    channel = models.CharField(max_length=8)
    phone = models.CharField(max_length=20, blank=True)
    iin = models.CharField(max_length=12, blank=True)
    text = models.CharField(max_length=40, blank=True, help_text="what was sent, cut short; never a code that "
                                                                "worked")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
