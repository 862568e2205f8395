"""The Social Services Portal (aleumet.egov.kz) after registration, for the mlsp-2021 services.

Order No. 61 of 3 March 2021: annex 1 ch. 4 (personal assistant, sign language, cl. 33-45), annex 2 ch. 3
(sanatorium, cl. 22-33), annex 3 ch. 3 and ch. 5 (prosthetic aid cl. 21-30, technical aids cl. 77-83),
annex 4 ch. 4 (mobility means, cl. 21-28).

- :class:`QueueEntry` — the E-Sobes electronic queue journal line of one registered case; the IPR data pass
  to the Portal, the recipient has two months to choose a supplier (reminder after one, block after two).
- :class:`Supplier`, :class:`SupplierOffer` — the register of suppliers, what each sells, at what unit price.
- :class:`SupplierUser` — a Django user acting for one supplier in its cabinet.
- :class:`Signature` — an EDS signature over a document's bytes (who, what, SHA-256, when).
- :class:`ContractAcceptance` — the public contract the recipient signs before choosing (annex 1 cl. 38 …).
- :class:`Order` — the EDS-signed order sent to a supplier, its review within 5 working days, cancellation.
- :class:`GuaranteedSum` — the guaranteed sum of Order No. 14 the department reimburses (sanatorium), dated.
- :class:`BedNotice` — the sanatorium's notification confirming the bed (annex 2, annex 7), signed.
- :class:`ActivityPlan` — the yearly "Planning of activities" record, due by 25 December of the year before.

Field names here are used by qyzmet.payments: keep them stable.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from qyzmet.cases.models import Case
from qyzmet.directory.models import Office


class QueueEntry(models.Model):
    """One line of the E-Sobes queue journal: one service (regulation), one recipient, in order of first
    registration (annex 1 cl. 33; annex 2 cl. 22; annex 3 cl. 22, 26; annex 4 cl. 25)."""

    class State(models.TextChoices):
        AWAITING_CHOICE = "awaiting-choice", "awaiting the choice of a supplier"
        REMINDED = "reminded", "reminded to choose"
        BLOCKED = "blocked", "supplier choice blocked"
        ORDERED = "ordered", "order with a supplier"
        SERVED = "served", "served"

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="queue_entry")
    reg_id = models.CharField("regulation", max_length=120, help_text="e.g. mlsp-2021/sanatorium")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="queue_entries", null=True, blank=True,
                               help_text="the employment department whose queue journal holds the entry")
    recipient_iin = models.CharField("recipient IIN", max_length=12)
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_phone = models.CharField(max_length=20, blank=True)
    registered_at = models.DateTimeField(help_text="first registration in E-Sobes; never changes (keeps the place)")
    portal_from = models.DateTimeField(help_text="when the IPR data passed (or were passed again) to the Portal")
    state = models.CharField(max_length=20, choices=State.choices, default=State.AWAITING_CHOICE)
    remind_due = models.DateTimeField(null=True, blank=True)
    remind_why = models.TextField(blank=True)
    remind_cite = models.CharField(max_length=120, blank=True)
    block_due = models.DateTimeField(null=True, blank=True)
    block_why = models.TextField(blank=True)
    block_cite = models.CharField(max_length=120, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    blocked_at = models.DateTimeField(null=True, blank=True)
    reactivated_at = models.DateTimeField(null=True, blank=True)
    served_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="e.g. why no SMS could be queued")
    # Annex 1 cl. 35, 36, 45: a recipient who got the PA / SL service outside the Portal before the rules.
    legacy_supplier = models.ForeignKey("Supplier", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="legacy_entries",
                                        help_text="the supplier that served the recipient outside the Portal")
    legacy_since = models.DateField(null=True, blank=True, help_text="served outside the Portal since")
    legacy_notice_due = models.DateTimeField(null=True, blank=True,
                                             help_text="the messages of cl. 35 within one working day")
    legacy_notified_at = models.DateTimeField(null=True, blank=True)
    legacy_confirmed_at = models.DateTimeField(null=True, blank=True,
                                               help_text="the recipient confirmed the services received (cl. 36)")

    class Meta:
        ordering = ["reg_id", "registered_at", "id"]
        verbose_name_plural = "queue entries"
        indexes = [
            models.Index(fields=["reg_id", "office", "state", "registered_at"]),
            models.Index(fields=["recipient_iin"]),
            models.Index(fields=["state", "remind_due"]),
            models.Index(fields=["state", "block_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.reg_id}: {self.recipient_iin} ({self.state})"

    def position(self) -> int | None:
        """The place among the not-yet-served entries of the same service and department (None once served)."""
        if self.state == self.State.SERVED:
            return None
        ahead = QueueEntry.objects.filter(reg_id=self.reg_id, office_id=self.office_id).exclude(
            state=self.State.SERVED).filter(
            Q(registered_at__lt=self.registered_at) | Q(registered_at=self.registered_at, id__lt=self.id))
        return ahead.count() + 1


class Supplier(models.Model):
    """A supplier (өнім беруші / поставщик) in the Portal's register."""

    name_kk = models.CharField(max_length=300)
    name_ru = models.CharField(max_length=300)
    bin = models.CharField("BIN", max_length=12, unique=True)
    region = models.CharField(max_length=200, blank=True, help_text="the region it declared on the Portal")
    offices = models.ManyToManyField(Office, related_name="portal_suppliers", blank=True,
                                     help_text="the departments whose area it serves (annex 3 cl. 31)")
    phone = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    in_register = models.BooleanField(default=True)
    excluded_at = models.DateTimeField(null=True, blank=True)
    exclusion_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["name_ru"]

    def __str__(self) -> str:
        return self.name_ru or self.name_kk

    def clean(self) -> None:
        from qyzmet.core.iin import InvalidIdentifier, parse_bin

        try:
            parse_bin(self.bin or "")
        except InvalidIdentifier as exc:
            raise ValidationError({"bin": str(exc)}) from None


class SupplierOffer(models.Model):
    """What a supplier sells for one service, and at what unit price (tenge)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="offers")
    reg_id = models.CharField("regulation", max_length=120)
    unit = models.CharField(max_length=40, default="unit", help_text="hour, bed-day, item…")
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, help_text="tenge per unit")
    capacity = models.PositiveIntegerField(null=True, blank=True,
                                           help_text="orders it can hold at once (sanatorium: beds); blank: no limit")
    profile = models.CharField(max_length=200, blank=True, help_text="sanatorium: the treatment profile")

    class Meta:
        ordering = ["supplier", "reg_id"]
        constraints = [models.UniqueConstraint(fields=["supplier", "reg_id"], name="unique_supplier_offer")]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.reg_id} @ {self.unit_price}"


class SupplierUser(models.Model):
    """A login of a supplier's representative: it sees only its supplier's orders."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_supplier")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="users")
    full_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.user} → {self.supplier}"


class Signature(models.Model):
    """An EDS signature: who signed what document (kind + object id), the SHA-256 of its bytes, and when."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", "public contract"
        ORDER = "order", "order"
        REIMBURSEMENT = "reimbursement-application", "application to reimburse the guaranteed sum"
        ACCEPTANCE = "acceptance", "acceptance of the order"
        REFUSAL = "refusal", "refusal of the order"
        CANCELLATION = "cancellation", "cancellation of the order"
        ACT = "act", "act of rendered services"
        BED_NOTICE = "bed-notice", "notification confirming the bed"
        OTHER = "other", "other"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    object_type = models.CharField(max_length=40, help_text="e.g. portal.order")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    signer_iin = models.CharField("signer IIN/BIN", max_length=12, blank=True)
    signer_name = models.CharField(max_length=300, blank=True)
    signer_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    sha256 = models.CharField(max_length=64, help_text="of the signed document bytes")
    backend = models.CharField(max_length=40, help_text="which signer produced it (test, nca…)")
    value = models.TextField(help_text="the signature as the backend returns it")
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}#{self.object_id} by {self.signer_iin or self.signer_user_id}"


class ContractAcceptance(models.Model):
    """The public contract (жария шарт) the recipient signs with EDS before choosing a supplier."""

    entry = models.OneToOneField(QueueEntry, on_delete=models.CASCADE, related_name="contract")
    accepted_at = models.DateTimeField()
    signature = models.ForeignKey(Signature, on_delete=models.PROTECT, related_name="+")
    cite = models.CharField(max_length=120)

    def __str__(self) -> str:
        return f"contract of {self.entry}"


class Order(models.Model):
    """The recipient's EDS-signed order to a supplier, and what became of it."""

    class State(models.TextChoices):
        SENT = "sent", "sent to the supplier"
        ACCEPTED = "accepted", "accepted by the supplier"
        REFUSED = "refused", "refused by the supplier"
        CANCELLED_BY_RECIPIENT = "cancelled-by-recipient", "cancelled by the recipient"
        CANCELLED_BY_SUPPLIER = "cancelled-by-supplier", "cancelled by the supplier"
        ARRIVED = "arrived", "arrived"
        NO_SHOW = "no-show", "did not arrive"
        REFUSED_AFTER_ARRIVAL = "refused-after-arrival", "service refused after arrival"
        COMPLETED = "completed", "completed"

    class SlFormat(models.TextChoices):
        OFFLINE = "offline", "face to face"
        ONLINE = "online", "remote, online"

    class ReceiptMethod(models.TextChoices):
        DELIVERY = "delivery", "delivery"
        PICKUP = "self-pickup", "self-pickup"

    class CancelReason(models.TextChoices):
        EXCLUDED = "excluded-from-register", "the supplier applied to leave the register"
        FORCE_MAJEURE = "force-majeure", "force majeure"
        RECIPIENT = "recipient", "the recipient's own cancellation"

    ACTIVE = (State.SENT, State.ACCEPTED, State.ARRIVED)

    number = models.CharField(max_length=32, unique=True)
    entry = models.ForeignKey(QueueEntry, on_delete=models.PROTECT, related_name="orders")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    reg_id = models.CharField("regulation", max_length=120)
    state = models.CharField(max_length=24, choices=State.choices, default=State.SENT)
    unit = models.CharField(max_length=40, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, help_text="the offer's price when ordered")
    sent_at = models.DateTimeField()
    review_due = models.DateTimeField()
    review_why = models.TextField(blank=True)
    review_cite = models.CharField(max_length=120, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    refusal_reasons = models.TextField(blank=True)
    sl_format = models.CharField("sign-language format", max_length=8, choices=SlFormat.choices, blank=True)
    receipt_method = models.CharField(max_length=16, choices=ReceiptMethod.choices, blank=True)
    arrival_date = models.DateField(null=True, blank=True)
    departure_date = models.DateField(null=True, blank=True)
    cancel_limit = models.DateTimeField(null=True, blank=True,
                                        help_text="sanatorium: the last moment either side may cancel")
    cancel_limit_why = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=24, choices=CancelReason.choices, blank=True)
    cancel_note = models.TextField(blank=True)
    cancel_cite = models.CharField(max_length=120, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The item of the norm tables the application asked for, and how many (hygiene means: the quantity bought
    # from this supplier, within the year's norm, annex 3 cl. 102); checked when the order is formed.
    item = models.CharField(max_length=80, blank=True)
    quantity = models.PositiveIntegerField(null=True, blank=True)
    # Prosthetic-orthopaedic means (annex 3 cl. 36-38): the term runs from passing to production; the time the
    # item waits for the recipient to come for fitting is not counted.
    make_kind = models.CharField(max_length=8, blank=True, choices=[("complex", "complex"), ("small", "small")])
    production_at = models.DateTimeField(null=True, blank=True)
    make_due = models.DateTimeField(null=True, blank=True)
    make_why = models.TextField(blank=True)
    make_cite = models.CharField(max_length=120, blank=True)
    fitting_since = models.DateTimeField(null=True, blank=True, help_text="waiting for the recipient's fitting")
    fitting_days = models.PositiveSmallIntegerField(default=0, help_text="working days waited, added to the term")
    # Sanatorium (annex 2 cl. 29, annex 7): the order's sum, the part the department reimburses (Order No. 14)
    # and the recipient's surcharge, paid on arrival.
    bed_days = models.PositiveSmallIntegerField(null=True, blank=True)
    order_sum = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    guaranteed_sum = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    surcharge = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    sums_why = models.TextField(blank=True)
    # Annex 1 cl. 45: paid "in full for the reporting period" for a recipient served outside the Portal who
    # confirmed the services, or who chose the supplier before 5 February 2021.
    transitional = models.BooleanField(default=False)
    transitional_why = models.TextField(blank=True)
    order_signature = models.ForeignKey(Signature, on_delete=models.PROTECT, related_name="+")
    reimbursement_signature = models.ForeignKey(Signature, on_delete=models.PROTECT, related_name="+", null=True,
                                                blank=True)
    review_signature = models.ForeignKey(Signature, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    cancel_signature = models.ForeignKey(Signature, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["supplier", "state", "review_due"]),
            models.Index(fields=["state", "review_due"]),
            models.Index(fields=["reg_id", "supplier", "state"]),
        ]

    def __str__(self) -> str:
        return self.number

    def overdue(self, now) -> bool:
        """Still unanswered after the 5 working days the supplier has."""
        return self.state == self.State.SENT and now > self.review_due


class ServiceStop(models.Model):
    """A period in which the PA / SL service is stopped (annex 1 cl. 41): PA during inpatient treatment and
    during a stay under full state support, SL during a stay under full state support.  The journal takes
    no day inside it."""

    class Reason(models.TextChoices):
        INPATIENT = "inpatient", "inpatient treatment"
        FULL_STATE_SUPPORT = "full-state-support", "stay under full state support"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="stops")
    reason = models.CharField(max_length=24, choices=Reason.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="blank while it lasts")
    note = models.TextField(blank=True)
    cite = models.CharField(max_length=60, default="annex 1, cl. 41")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["order", "start", "id"]

    def __str__(self) -> str:
        return f"{self.order} stopped {self.start}–{self.end or '…'} ({self.reason})"

    def covers(self, day) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class GuaranteedSum(models.Model):
    """The guaranteed sum (кепілдік берілген сома) the department reimburses to the supplier for a service
    bought on the Portal, from ``valid_from`` on (Order No. 14 of 20 January 2020, named in annex 2 cl. 28).

    Order No. 61 gives no figure: the department enters it, with its source, per bed-day or per stay.  The
    recipient pays what an order costs above it (annex 2 cl. 29)."""

    class Per(models.TextChoices):
        BED_DAY = "bed-day", "per bed-day"
        STAY = "stay", "per stay"

    reg_id = models.CharField("regulation", max_length=120, default="mlsp-2021/sanatorium")
    valid_from = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="tenge")
    per = models.CharField(max_length=8, choices=Per.choices, default=Per.BED_DAY)
    source = models.CharField(max_length=300, help_text="e.g. the order or letter that fixes the figure")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reg_id", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["reg_id", "valid_from"], name="one_guaranteed_sum_per_day")]

    def __str__(self) -> str:
        return f"{self.reg_id} from {self.valid_from}: {self.amount} ₸ {self.per}"


class BedNotice(models.Model):
    """The notification confirming bed availability (annex 2, annex 7) the sanatorium sends on acceptance:
    the order's sum, guaranteed sum and surcharge, the dates and bed-days, the check-in papers.  A PDF signed
    by the supplier with EDS; the recipient shows it on arrival (cl. 29)."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="bed_notice")
    number = models.CharField(max_length=48, unique=True)
    details = models.JSONField(default=dict, help_text="check-in and check-out time, accommodation, phone")
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    signature = models.ForeignKey(Signature, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.number


class ActivityPlan(models.Model):
    """The department's record in the E-Sobes module "Planning of activities" (Іс-шараларды жоспарлау) for one
    service and year, filled in by 25 December of the year before (annex 1 cl. 33, annex 2 cl. 22, annex 3
    cl. 22 and 78, annex 4 cl. 21)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="activity_plans")
    reg_id = models.CharField("regulation", max_length=120)
    year = models.PositiveSmallIntegerField(help_text="the planned year")
    recipients = models.PositiveIntegerField(help_text="persons planned to be served")
    budget = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True, help_text="tenge")
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["-year", "reg_id"]
        constraints = [models.UniqueConstraint(fields=["office", "reg_id", "year"], name="one_plan_per_year")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.reg_id} {self.year}: {self.recipients}"
