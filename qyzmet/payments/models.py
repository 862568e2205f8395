"""The journal of rendered services, the monthly act of rendered services and its payment.

Order No. 61 of 3 March 2021, annex 1 (personal assistant — PA, sign-language specialist — SL):

- cl. 40 (2nd paragraph): the supplier keeps the journal of rendered services (көрсетілген қызметтерді есепке
  алу журналы) in its Portal cabinet, recording the time of the PA's / SL specialist's services;
- cl. 42: from the journal it forms the act of rendered services (annex 8) with the PA escort sheet
  (annex 9) or the SL service sheet (annex 10);
- cl. 43: PA — actual time, at most 8 hours a day, at the wage of a social-work specialist (Decree No. 1193);
- cl. 44: SL — per hour 15 % of the minimum wage of the Republican Budget Law of the financial year, at most
  60 hours a year per person; the time above 60 hours the person pays from own funds;
- cl. 45: paid monthly on the act signed by the parties, submitted not later than the 10th of the next month.

The figures (minimum wage, PA hourly rate) are reference data entered by the department, dated; the
calculation never holds a figure of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qyzmet.portal.models import Order, Signature


class MinimumWage(models.Model):
    """The monthly minimum wage (ең төменгі жалақы) a Republican Budget Law sets for one financial year.

    The SL hourly rate is 15 % of it (annex 1 cl. 44), taken for the year of the day the service was rendered;
    changing one year's figure changes the acts of that year only (and only those not yet signed)."""

    year = models.PositiveSmallIntegerField(unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="tenge per month")
    source = models.CharField(max_length=300, help_text='e.g. "Republican Budget Law for 2026-2028, art. 9"')
    cite = models.CharField(max_length=200, blank=True, help_text="article and date of the law, or its URL")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount} ₸"


class HourlyRate(models.Model):
    """The PA hourly rate from ``valid_from`` on, entered by the department.

    Annex 1 cl. 43 gives no figure: payment is "based on the wage of a social-work specialist" under the wage
    system of Government Decree No. 1193 of 31 Dec 2015, block "Other sectors", tier B3, step 4, with up to a
    year of experience — the guaranteed sum reimbursed under Order No. 14 (cl. 39, 42).  That wage depends on the
    base official salary of each year's budget law, so the department enters the hourly figure it derives, with
    the date it applies from and a note on how it was derived."""

    reg_id = models.CharField("regulation", max_length=120, default="mlsp-2021/personal-assistant")
    valid_from = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="tenge per hour")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    entered_at = models.DateTimeField(auto_now=True)
    note = models.TextField(blank=True, help_text="how the figure was derived (Decree No. 1193, B3, step 4 …)")

    class Meta:
        ordering = ["reg_id", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["reg_id", "valid_from"], name="one_rate_per_day")]

    def __str__(self) -> str:
        return f"{self.reg_id} from {self.valid_from}: {self.amount} ₸/h"


class JournalEntry(models.Model):
    """One line of the supplier's journal of rendered services (annex 1 cl. 40): a day's time on one order."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="journal")
    day = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    recipient_paid_hours = models.DecimalField(
        max_digits=5, decimal_places=2, default=0,
        help_text="SL: the part of the hours above 60 a year, paid by the recipient (annex 1 cl. 44)")
    started = models.TimeField(null=True, blank=True)
    ended = models.TimeField(null=True, blank=True)
    sl_format = models.CharField("sign-language format", max_length=8, choices=Order.SlFormat.choices, blank=True,
                                 help_text="annex 10: online / offline")
    places = models.TextField(blank=True, help_text="PA: the facilities visited with the assistant (annex 9)")
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["order", "day", "started", "id"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["order", "day"])]

    def __str__(self) -> str:
        return f"{self.order}: {self.day} {self.hours} h"


class ServiceAct(models.Model):
    """The act of rendered services (annex 8) of one order for one calendar month, with its sheet (annex 9/10).

    Formed by the supplier from the journal (cl. 42), signed by the supplier and by the recipient, paid by
    the employment department (cl. 45).  The PDF is the signed document: once the supplier signs, it is frozen."""

    class State(models.TextChoices):
        DRAFT = "draft", "draft"
        SUPPLIER_SIGNED = "supplier-signed", "signed by the supplier"
        SIGNED = "signed", "signed by both parties"
        PAID = "paid", "paid"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="acts")
    number = models.CharField(max_length=48, unique=True)
    unit = models.CharField(max_length=16, default="hour",
                            help_text="hour (PA, SL); bed-day (sanatorium: the hours fields then count bed-days)")
    period_start = models.DateField()
    period_end = models.DateField()
    hours = models.DecimalField(max_digits=7, decimal_places=2, help_text="all hours of the month's journal")
    paid_hours = models.DecimalField(max_digits=7, decimal_places=2, help_text="hours the department pays")
    recipient_paid_hours = models.DecimalField(max_digits=7, decimal_places=2, default=0,
                                               help_text="SL: above 60 a year, the recipient's (cl. 44)")
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="tenge the department pays")
    rate = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                               help_text="tenge per hour; none when the month had more than one PA rate")
    rate_cite = models.TextField(help_text="where the rate comes from")
    lines = models.JSONField(default=list, help_text="annex 8 table rows: hours, unit price, cost, cite")
    days = models.JSONField(default=list, help_text="annex 9/10 sheet rows")
    recipient_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0,
                                           help_text="sanatorium: the surcharge the recipient paid on arrival")
    due_date = models.DateField(null=True, blank=True,
                                help_text="not later than the 10th of the following month (cl. 45); none for a "
                                          "sanatorium stay, whose act annex 2 gives no term")
    due_cite = models.CharField(max_length=120)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    formed_at = models.DateTimeField()
    formed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    supplier_signature = models.ForeignKey(Signature, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+")
    recipient_signature = models.ForeignKey(Signature, on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="+")

    class Meta:
        ordering = ["-period_start", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "period_start"], name="one_act_per_order_month")]
        indexes = [models.Index(fields=["state", "due_date"])]

    def __str__(self) -> str:
        return self.number

    def overdue(self, today) -> bool:
        """Not signed by both parties (so not submitted, cl. 45) after its 10th."""
        return self.due_date is not None and self.state in (self.State.DRAFT, self.State.SUPPLIER_SIGNED) \
            and today > self.due_date


class Payment(models.Model):
    """The department's payment of one act signed by both parties (cl. 45)."""

    act = models.OneToOneField(ServiceAct, on_delete=models.PROTECT, related_name="payment")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    paid_at = models.DateTimeField()
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=120, blank=True, help_text="the payment order's number")

    def __str__(self) -> str:
        return f"{self.act}: {self.amount} ₸"
