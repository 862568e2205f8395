"""One visit to an office's hall (talon issued → called to a window → served), with the act's norm it is
measured against, stored when the talon is issued so that a later edit of the regulation file does not
change what yesterday's visitors were owed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HallPolicy(models.Model):
    """What an office decides for its own hall where the act is silent.

    Only priority today: the 2021 and 2013 acts say the queue runs "without expedited service"
    (``queue.priority: false``), so no office may give priority for them; where an act says nothing
    (``priority`` unset) the office may, and ``priority_basis`` names its rule (an order, a law's article).
    """

    office = models.OneToOneField("directory.Office", on_delete=models.CASCADE, related_name="hall_policy")
    priority_basis = models.CharField(
        max_length=300, blank=True,
        help_text="the office's basis for serving some visitors out of turn where the act is silent; "
                  "empty: no priority")

    def __str__(self) -> str:
        return f"{self.office.code}: {self.priority_basis or 'no priority'}"


class TalonCounter(models.Model):
    """The last talon number given in one office's series on one day; its row is locked while a number is
    taken, so two kiosks never print the same talon."""

    office = models.ForeignKey("directory.Office", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    series = models.CharField(max_length=1)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "day", "series"], name="hall_counter_unique")]


class Visit(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", "waiting"
        CALLED = "called", "called to a window"
        SERVING = "serving", "in service"
        DONE = "done", "done"

    class Outcome(models.TextChoices):
        SERVED = "served", "served"
        NO_SHOW = "no-show", "did not come to the window"
        REDIRECTED = "redirected", "redirected"

    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(help_text="the Almaty date the talon was issued: talon numbers restart every day")
    series = models.CharField(max_length=1, help_text="A: electronic queue; B: booked through the portal")
    seq = models.PositiveIntegerField()
    number = models.CharField(max_length=8, help_text="the talon as printed, e.g. A-017")

    reg_id = models.CharField("service", max_length=120)
    reg_hash = models.CharField(max_length=64, help_text="content hash of the regulation the norm was read from")
    route = models.CharField(max_length=16)
    channel = models.CharField(max_length=16)

    booked = models.BooleanField(default=False)
    booked_for = models.DateTimeField(null=True, blank=True, help_text="the booked time slot")
    priority = models.BooleanField(default=False)
    priority_reason = models.CharField(max_length=300, blank=True)

    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    queued_at = models.DateTimeField(
        help_text="when the waiting norm starts: the talon's issue, or a booked slot the visitor came early for")
    state = models.CharField(max_length=8, choices=State.choices, default=State.WAITING)
    called_at = models.DateTimeField(null=True, blank=True, help_text="the first call: the wait ends here")
    last_called_at = models.DateTimeField(null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(default=0)
    window = models.PositiveSmallIntegerField(null=True, blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    service_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    # The act's norm for this service's channel, copied at issue.
    norm_wait_minutes = models.PositiveIntegerField(null=True, blank=True)
    norm_service_minutes = models.PositiveIntegerField(null=True, blank=True)
    norm_cite = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["day", "series", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["office", "day", "series", "seq"], name="hall_talon_unique"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="hall_seq_positive"),
        ]
        indexes = [
            # "call next": the office's waiting visitors of the day, priority first, then the earliest in the
            # queue; it also serves the day's summary (office, day).
            models.Index(fields=["office", "day", "state", "-priority", "queued_at", "id"], name="hall_next_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.reg_id}, {self.day})"
