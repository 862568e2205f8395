"""Cases and everything that happens to them.

The event log (:class:`Event`) is the record: append-only, one row per transition, in order.  The
case row, its tasks and checklist are projections kept in the same transaction so lists and
deadline queries are plain SQL; ``Case.state`` holds the engine's state so a transition never has to
replay the whole log (tests check that replaying the log gives the same state).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qyzmet.directory.models import Office


class RegulationVersion(models.Model):
    """The exact regulation text a case is pinned to, kept even after the file changes."""

    reg_id = models.CharField(max_length=120)
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    service = models.CharField(max_length=80)
    name_kk = models.TextField()
    name_ru = models.TextField()
    name_en = models.TextField(blank=True)
    source = models.TextField(help_text="the YAML text as loaded")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reg_id", "version", "content_hash"],
                                               name="unique_regulation_text")]
        ordering = ["reg_id", "-version"]

    def __str__(self) -> str:
        return f"{self.reg_id} v{self.version} ({self.content_hash[:8]})"


class Case(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "submitted"
        IN_PROGRESS = "in-progress", "in progress"
        ISSUED = "issued", "issued"
        ACCEPTANCE_REFUSED = "acceptance-refused", "acceptance refused"
        REQUEST_CLOSED = "request-closed", "proactive request closed"

    number = models.CharField(max_length=32, unique=True)
    regulation = models.ForeignKey(RegulationVersion, on_delete=models.PROTECT, related_name="cases")
    route = models.CharField(max_length=16)
    channel = models.CharField(max_length=16)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="cases", null=True, blank=True,
                               help_text="where the application was received (a PSC hall, or the provider itself)")
    provider_office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="provided_cases", null=True, blank=True,
        help_text="the provider office that works the case (the same as office on a provider route)")
    applicant_iin = models.CharField("applicant IIN", max_length=12, blank=True,
                                     help_text="empty only for an applicant registered under a personal code")
    personal_code = models.CharField(
        max_length=16, unique=True, null=True, blank=True,
        help_text="the code an anonymous examination registers the applicant under instead of the IIN")
    applicant_name = models.CharField(max_length=200, blank=True)
    applicant_phone = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=2, default="kk", choices=[("kk", "қазақ тілі"), ("ru", "русский язык")],
                                help_text="the citizen's language of service: their documents and SMS are in it")
    representative_name = models.CharField(max_length=200, blank=True)
    representative_iin = models.CharField("representative IIN", max_length=12, blank=True)
    power_of_attorney = models.CharField(max_length=200, blank=True,
                                         help_text="number and date of the power of attorney")
    category = models.CharField(max_length=80)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    current_step = models.PositiveSmallIntegerField(null=True, blank=True)
    step_due = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    term_due = models.DateTimeField(null=True, blank=True)
    term_why = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    grounds = models.JSONField(default=list, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    in_term = models.BooleanField(null=True)
    state = models.JSONField(help_text="the engine's state after the last event")
    seq = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "term_due"]),
            models.Index(fields=["office", "status"]),
            models.Index(fields=["provider_office", "status"]),
            # The office's case list: the cases received here and those worked here, each walked newest
            # first and merged (access.office_cases).
            models.Index(fields=["office", "submitted_at"]),
            models.Index(fields=["provider_office", "submitted_at"]),
            models.Index(fields=["applicant_iin"]),
            models.Index(fields=["representative_iin"]),  # staff find a case by the representative's IIN too
            # The overdue cases (open, term passed) in due order: a walk that stops after a page, and a count
            # that reads only the open cases' entries (bench/scale.py).
            models.Index(fields=["term_due"], condition=models.Q(closed_at__isnull=True), name="case_open_term_due"),
        ]

    def __str__(self) -> str:
        return self.number


class Task(models.Model):
    """One step of one case, for the role that must do it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    step = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=80)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="tasks", null=True, blank=True,
                               help_text="the office whose staff in this role do the step (none: done outside, "
                                         "e.g. by the applicant on the portal)")
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="claimed_tasks")
    claimed_at = models.DateTimeField(null=True, blank=True)
    purpose = models.CharField(max_length=16, default="step",
                               help_text="step: the route's step; storage/retrieval: keeping an uncollected result")
    opened_at = models.DateTimeField()
    due = models.DateTimeField(null=True, blank=True)
    why = models.TextField(blank=True)
    cite = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    late = models.BooleanField(null=True)

    class Meta:
        ordering = ["case", "step", "opened_at"]
        indexes = [models.Index(fields=["role", "closed_at", "due"]),
                   models.Index(fields=["office", "closed_at", "role", "due"]),
                   # The inbox of someone holding several roles (role IN (...)) cannot take its due order
                   # from the index above, so SQLite sorted all their open tasks for one page; walking the
                   # office's open tasks in due order stops after a page.
                   models.Index(fields=["office", "due"], condition=models.Q(closed_at__isnull=True),
                                name="task_open_office_due"),
                   # The country's overdue steps (open, due passed) without a walk of every open task.
                   models.Index(fields=["due"], condition=models.Q(closed_at__isnull=True), name="task_open_due")]

    def __str__(self) -> str:
        return f"{self.case.number} step {self.step} ({self.role})"


class ChecklistItem(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checklist")
    document = models.CharField(max_length=80)
    name = models.TextField()
    provided_as = models.CharField(max_length=32)
    present = models.BooleanField()
    cite = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.document} {'✓' if self.present else '✗'}"


class AppendOnlyError(Exception):
    pass


class Event(models.Model):
    """The audit log: what happened to a case, when, and who did it.  Rows are never changed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32)
    payload = models.JSONField()
    at = models.DateTimeField(help_text="when it happened (the engine's 'now')")
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    # The hash chain (cases/audit.py): written once by audit.append_event, checked by `qyzmet audit verify`.
    actor_ref = models.BigIntegerField(null=True, blank=True,
                                       help_text="the actor's user id as hashed; kept when the account is deleted")
    prev_hash = models.CharField(max_length=64, blank=True, default="",
                                 help_text="SHA-256 of the case's previous event (64 zeros for the first)")
    hash = models.CharField(max_length=64, blank=True, default="",
                            help_text="SHA-256 of prev_hash + canonical JSON of (case number, seq, kind, payload, "
                                      "at, actor id)")

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="unique_event_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("events are append-only")
        if not self.hash:
            raise AppendOnlyError("events are written through qyzmet.cases.audit.append_event (the hash chain)")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("events are append-only")


class Effect(models.Model):
    """What a transition asks the outside world to do (receipts, SMS, documents): an outbox."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="effects")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="effects")
    kind = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["processed_at", "kind"])]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class Registry(models.Model):
    """A registry (тізілім / реестр): the list of cases one office hands to another in one dispatch.

    The acts make the PSC's accumulation sector bundle accepted applications for the provider, and the
    provider send results back the same way.  Each line is acknowledged by the receiving office, or
    returned with the errors found.
    """

    class Direction(models.TextChoices):
        TO_PROVIDER = "to-provider", "PSC → provider"
        TO_PSC = "to-psc", "provider → PSC"

    number = models.CharField(max_length=32, unique=True)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    from_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="registries_sent")
    to_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="registries_received")
    step = models.PositiveSmallIntegerField(help_text="the route step whose output this registry is")
    dispatched_at = models.DateTimeField()
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")

    class Meta:
        ordering = ["-dispatched_at"]
        verbose_name_plural = "registries"
        # One per direction: an office's history is read as the merge of what it sent and what it received,
        # each walked in dispatch order (see workflow.registry_history).
        indexes = [models.Index(fields=["to_office", "dispatched_at"]),
                   models.Index(fields=["from_office", "dispatched_at"])]

    def __str__(self) -> str:
        return self.number


class RegistryItem(models.Model):
    class State(models.TextChoices):
        SENT = "sent", "sent"
        ACKNOWLEDGED = "acknowledged", "acknowledged"
        RETURNED = "returned", "returned with errors"

    registry = models.ForeignKey(Registry, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="registry_items")
    state = models.CharField(max_length=16, choices=State.choices, default=State.SENT)
    errors = models.TextField(blank=True, help_text="why the receiving office returned the case")
    acted_at = models.DateTimeField(null=True, blank=True)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")

    class Meta:
        ordering = ["registry", "id"]
        constraints = [models.UniqueConstraint(fields=["registry", "case"], name="unique_registry_case")]
        indexes = [models.Index(fields=["case", "state"])]

    def __str__(self) -> str:
        return f"{self.registry.number}: {self.case.number} ({self.state})"
