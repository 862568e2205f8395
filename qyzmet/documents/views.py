"""Downloading a case's documents (staff of the case's offices; the citizen after looking the case up) and the
public ``/verify/<code>`` page the QR code leads to."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.cases.access import Actor, case_for
from qyzmet.documents import issue
from qyzmet.documents.models import Document
from qyzmet.documents.signing import normalise_code
from qyzmet.web.staff import staff_view

# The case ids a citizen looked up (number + IIN) in this browser session: their documents only.
CITIZEN_CASES = "qyzmet_citizen_cases"


def pdf_bytes_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """A stored PDF as it was signed: pages and API routes answer every PDF through this."""
    response = HttpResponse(bytes(content), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_response(document: Document, *, inline: bool = True) -> HttpResponse:
    return pdf_bytes_response(document.content, f"{document.case.number}-{document.form}-{document.lang}.pdf",
                              inline=inline)


def _in_language(request: HttpRequest, document: Document) -> Document:
    """``?lang=ru`` (or kk): the same paper in the other language, issued on the first request."""
    lang = request.GET.get("lang", document.lang)
    if lang not in issue.LANGUAGES:
        raise Http404(_("Documents are issued in Kazakh (kk) and Russian (ru)."))
    return issue.twin(document, lang, timezone.now())


@staff_view
def staff_document(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    document = Document.objects.select_related("case").filter(pk=pk).first()
    if document is None:
        raise Http404(_("No such document"))
    case_for(actor, pk=document.case_id)  # the case must be visible to this person, else 404
    return pdf_response(_in_language(request, document), inline=request.GET.get("download") != "1")


def remember_citizen_case(request: HttpRequest, case_id: int) -> None:
    seen = [pk for pk in request.session.get(CITIZEN_CASES, []) if pk != case_id][-9:]
    request.session[CITIZEN_CASES] = [*seen, case_id]


def citizen_document(request: HttpRequest, pk: int) -> HttpResponse:
    document = Document.objects.select_related("case").filter(pk=pk).first()
    if document is None or document.case_id not in request.session.get(CITIZEN_CASES, []):
        # The same answer for someone else's document and for none: nothing is confirmed.
        raise Http404(_("Look your application up by its number and your IIN first."))
    return pdf_response(_in_language(request, document))


def _masked_name(name: str) -> str:
    """Surname and initials: enough to match the paper in one's hands, not a public register of names."""
    parts = name.split()
    if not parts:
        return ""
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:])])


def verify(request: HttpRequest, code: str) -> HttpResponse:
    document = (Document.objects.select_related("case__regulation", "case__provider_office")
                .filter(code=normalise_code(code)).first())
    if document is None:
        return render(request, "documents/verify.html", {"document": None, "code": code}, status=404)
    case = document.case
    context = {
        "document": document, "code": document.code, "genuine": issue.genuine(document),
        "current": document.revoked_at is None, "number": case.number,
        "applicant": _masked_name(case.applicant_name), "iin": f"{'•' * 8}{case.applicant_iin[-4:]}",
        "rows": [row for row in document.fields.get("rows", []) if row[0] and row[1]][:6],
    }
    return render(request, "documents/verify.html", context)
