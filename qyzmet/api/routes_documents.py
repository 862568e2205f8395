"""Documents: the papers issued to a case, listed with their verification codes, and each as a PDF."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Router, Schema

from qyzmet.api import schemas as s
from qyzmet.api.auth import actor
from qyzmet.api.common import now
from qyzmet.api.routes_cases import router as cases_router
from qyzmet.cases.access import NotFound, case_for
from qyzmet.documents import issue
from qyzmet.documents.models import Document, case_documents
from qyzmet.documents.views import pdf_response

router = Router(tags=["documents"])


class IssuedDocumentOut(Schema):
    id: int
    form: str
    title: str
    lang: str
    cite: str
    code: str
    sha256: str
    issued_at: dt.datetime
    current: bool
    url: str
    verify_url: str


def _out(document: Document) -> IssuedDocumentOut:
    return IssuedDocumentOut(id=document.pk, form=document.form, title=document.title, lang=document.lang,
                             cite=document.cite, code=document.code, sha256=document.sha256,
                             issued_at=document.issued_at, current=document.revoked_at is None,
                             url=f"/api/v1/documents/{document.pk}", verify_url=issue.verify_url(document.code))


@cases_router.get("/{int:case_id}/documents", response={200: list[IssuedDocumentOut], **s.ERRORS},
                  summary="The documents issued to a case, oldest first")
def list_documents(request, case_id: int):
    return [_out(d) for d in case_documents(case_for(actor(request), pk=case_id))]


@router.get("/{int:document_id}", response={200: None, **s.ERRORS}, summary="One document as application/pdf",
            openapi_extra={"responses": {200: {"description": "the PDF as issued",
                                               "content": {"application/pdf": {"schema": {"type": "string",
                                                                                          "format": "binary"}}}}}})
def get_document(request, document_id: int, lang: Literal["kk", "ru"] | None = None) -> HttpResponse:
    document = Document.objects.select_related("case").filter(pk=document_id).first()
    if document is None:
        raise NotFound("no such document")
    case_for(actor(request), pk=document.case_id)  # 404 unless the case is visible to the caller
    return pdf_response(issue.twin(document, lang or document.lang, now()))
