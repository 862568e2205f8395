"""The sanatorium's bed notice (annex 2, annex 7) as the PDF the supplier signed: for the supplier in its
cabinet and for the recipient in theirs (they show it on arrival, cl. 29)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from qyzmet.documents.views import pdf_bytes_response
from qyzmet.portal import views, workflow
from qyzmet.portal.models import BedNotice, Order


def notice_pdf_response(notice: BedNotice) -> HttpResponse:
    return pdf_bytes_response(notice.pdf, f"bed-notice-{notice.number}.pdf")


def _pdf(order: Order) -> HttpResponse:
    notice = BedNotice.objects.filter(order=order).first()
    if notice is None:
        raise Http404("No bed notice for this order.")
    return notice_pdf_response(notice)


@views.supplier_view
def supplier_notice(request: HttpRequest, su, pk: int) -> HttpResponse:
    return _pdf(workflow.supplier_order(su, pk))


@views.recipient_view
def cabinet_notice(request: HttpRequest, iin: str, pk: int) -> HttpResponse:
    return _pdf(workflow.recipient_order(iin, pk))
