"""The SMS gateway's callbacks (delivery reports, inbound SMS) and the office's SMS journal."""

from __future__ import annotations

import csv
import hmac
import json
import os

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from qyzmet.notify import inbound as inbound_sms
from qyzmet.notify.models import InboundSms, Sms
from qyzmet.notify.outbox import normalise_phone

SECRET_HEADER = "X-Qyzmet-Webhook-Secret"
PAGE_SIZE = 50


# --- webhooks ---------------------------------------------------------------------------------------

def _authorised(request: HttpRequest) -> bool:
    """The shared secret of QYZMET_SMS_WEBHOOK_SECRET; with none configured, every call is refused."""
    expected = os.environ.get("QYZMET_SMS_WEBHOOK_SECRET", "")
    given = request.headers.get(SECRET_HEADER, "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _bad(field: str, message: str) -> JsonResponse:
    return JsonResponse({"error": message, "field": field}, status=400)


def _body(request: HttpRequest) -> dict | JsonResponse:
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return _bad("body", "the body is not JSON")
    if not isinstance(data, dict):
        return _bad("body", "the body must be a JSON object")
    return data


def _webhook_body(request: HttpRequest) -> dict | JsonResponse:
    """The JSON object a provider posted, or the 403/400 answer when it has no secret or no object."""
    if not _authorised(request):
        return JsonResponse({"error": "forbidden"}, status=403)
    return _body(request)


def _text_field(data: dict, name: str) -> str | JsonResponse:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        return _bad(name, f"'{name}' is required (a non-empty string)")
    return value.strip()


@csrf_exempt
@require_POST
def delivery(request: HttpRequest) -> JsonResponse:
    """A delivery report: ``{"id": provider message id, "status": "delivered"|"failed", "error"?: text}``."""
    data = _webhook_body(request)
    if isinstance(data, JsonResponse):
        return data
    provider_id = _text_field(data, "id")
    if isinstance(provider_id, JsonResponse):
        return provider_id
    status = data.get("status")
    if status not in ("delivered", "failed"):
        return _bad("status", "'status' must be 'delivered' or 'failed'")
    now = timezone.now()
    query = Sms.objects.filter(provider_id=provider_id).exclude(provider_id="")
    if status == "delivered":
        updated = query.update(status=Sms.Status.DELIVERED, delivered_at=now)
    else:
        error = data.get("error") if isinstance(data.get("error"), str) else "the operator reports it undelivered"
        updated = query.update(status=Sms.Status.FAILED, last_error=error[:2000])
    if not updated:
        return JsonResponse({"error": "no SMS with this id", "field": "id"}, status=404)
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> JsonResponse:
    """An SMS a citizen sent: ``{"phone": "+7…", "text": "…", "id"?: provider id}``, kept for the proactive flow."""
    data = _webhook_body(request)
    if isinstance(data, JsonResponse):
        return data
    phone = _text_field(data, "phone")
    if isinstance(phone, JsonResponse):
        return phone
    normalised = normalise_phone(phone)
    if normalised is None:
        return _bad("phone", "'phone' is not a valid Kazakh mobile number")
    text = data.get("text")
    if not isinstance(text, str):
        return _bad("text", "'text' is required (a string)")
    provider_id = data.get("id") if isinstance(data.get("id"), str) else ""
    row = InboundSms.objects.create(phone=normalised, text=text[:1600], provider_id=provider_id[:120],
                                    received_at=timezone.now())
    inbound_sms.dispatch(row)  # e.g. a consent code; a failing handler leaves the row for its sweep
    return JsonResponse({"ok": True, "id": row.pk}, status=201)


# --- the SMS journal (annex "SMS journal"): the office's SMS ----------------------------------------------

def status_label(status: str) -> str:
    return {
        Sms.Status.QUEUED: _("queued"), Sms.Status.SENDING: _("sending"), Sms.Status.SENT: _("sent"),
        Sms.Status.DELIVERED: _("delivered"), Sms.Status.FAILED: _("not delivered"),
        Sms.Status.INVALID_NUMBER: _("not sent: invalid number"),
    }.get(status, status)


def journal_rows(office_id: int, q: str = ""):
    query = Sms.objects.filter(office_id=office_id).select_related("case").order_by("-created_at", "-id")
    q = q.strip()
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        condition = Q(case__number__iexact=q)
        phone = normalise_phone(q)
        if phone:
            condition |= Q(phone=phone)
        elif len(digits) >= 4:
            condition |= Q(phone__contains=digits)
        query = query.filter(condition)
    return query


def journal(request: HttpRequest, actor) -> HttpResponse:
    """Called from :func:`qyzmet.web.staff.sms_journal`, which resolves the signed-in person's office."""
    q = request.GET.get("q", "").strip()
    rows = journal_rows(actor.office_id, q)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="sms-journal-{actor.office_code}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 (Kazakh letters) only with a BOM
        out = csv.writer(response)
        out.writerow([_("No."), _("Date and time"), _("Phone"), _("Application"), _("Text"), _("Status"),
                      _("Clause")])
        for sms in rows.iterator():
            out.writerow([sms.number or sms.pk, timezone.localtime(sms.created_at).strftime("%Y-%m-%d %H:%M"),
                          sms.phone, sms.case.number, sms.text, status_label(sms.status), sms.cite])
        return response
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{"sms": s, "status": status_label(s.status)} for s in page.object_list]
    return render(request, "web/staff/sms_journal.html", {"page": page, "items": items, "q": q})


def case_sms(case) -> list[dict]:
    """The case's SMS with their status in words, for the staff and citizen pages."""
    return [{"sms": s, "status": status_label(s.status)} for s in case.sms_messages.order_by("created_at", "id")]
