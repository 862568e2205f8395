"""The documents issued to a case: the annex's fields as printed, signed, and the PDF itself."""

from __future__ import annotations

from django.db import models

from qyzmet.cases.models import Case, Event


class Document(models.Model):
    """One paper of one case in one language, issued once by the transition the act ties it to.

    ``fields`` is what the paper says (title, heading, rows), ``signature`` an HMAC of it together with
    the PDF's hash: a stored field changed afterwards, or a PDF that is not the one issued, no longer
    verifies.  Rows are never updated after issue; a twin in the other language is a row of its own.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, null=True, blank=True, related_name="documents",
                              help_text="the transition that issued it (none: a twin issued on request)")
    code = models.CharField(max_length=24, unique=True, help_text="the verification code printed with its QR")
    form = models.CharField(max_length=80, help_text="the form's code in the regulation (talon, receipt, …)")
    lang = models.CharField(max_length=2)
    title = models.TextField()
    cite = models.TextField(blank=True, help_text="the clause or annex the form comes from")
    fields = models.JSONField(help_text="what the paper says, as signed")
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64, db_index=True)
    signature = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_why = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "issued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "form", "lang"], name="one_document_per_form_lang")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.form} ({self.lang}) {self.code}"


def case_documents(case: Case) -> list[Document]:
    """A case's documents for a list (without their PDF bytes), in the order they were issued."""
    return list(Document.objects.filter(case=case).defer("content", "fields").order_by("issued_at", "id"))
