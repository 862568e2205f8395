"""One shape for every error the API answers: ``{"error": {"code", "message", "field"}}``.

Clients branch on ``code`` (stable, documented in docs/api.md), show ``message`` to people, and put it
next to the input named by ``field`` (a dotted path into the request body or the query/header name).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from qyzmet.cases.access import AccessDenied, NotFound
from qyzmet.cases.workflow import Conflict, Invalid

logger = logging.getLogger(__name__)

# The code a bare HTTP status gets when nothing more specific is known (Django's own 404/405/413…).
STATUS_CODES = {400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found",
                405: "method-not-allowed", 409: "conflict", 413: "too-large", 422: "invalid", 429: "throttled",
                500: "internal"}


class ApiError(Exception):
    """An error the API itself decides (not the workflow's): status, code, message, field."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def json_response(body: Any, status: int) -> HttpResponse:
    """JSON as the rest of the API writes it: UTF-8, Kazakh letters as they are (not \\u escapes)."""
    return JsonResponse(body, status=status, safe=False, content_type="application/json; charset=utf-8",
                        json_dumps_params={"ensure_ascii": False})


def error_response(status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    response = json_response(error_body(code, message, field), status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="qyzmet"'
    return response


# Where ninja puts a parameter; the client never sees this level, only the names inside it.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def _field_and_message(errors: list[dict[str, Any]]) -> tuple[str | None, str]:
    """The first error as a dotted field path and a sentence a person can act on."""
    first = errors[0]
    loc = [str(part) for part in first.get("loc", ())]
    if loc and loc[0] == "body":
        # A body is one schema parameter: ninja nests the fields under the parameter's name.
        loc = loc[2:]
        if not loc:
            return None, "the request needs a JSON object body"
    elif loc and loc[0] in _SOURCES:
        loc = loc[1:]
    field = ".".join(loc) or None
    kind = first.get("type", "")
    if kind == "extra_forbidden":
        text = "is not a field of this request"
    elif kind == "missing":
        text = "is required"
    else:
        text = str(first.get("msg", "is not valid")).rstrip(".")
        text = text[0].lower() + text[1:] if text else text
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return field, f"{field or 'request'}: {text}{more}"


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    field, message = _field_and_message(list(exc.errors))
    return error_response(422, "invalid", message, field)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if isinstance(exc, AuthenticationError):
        # ninja raises the bare class when no credentials were given at all.
        message = exc.message if exc.message != "Unauthorized" else \
            "sign in, or send an API token as 'Authorization: Bearer <token>'"
        return error_response(401, "unauthenticated", message)
    if status == 400 and "parse request body" in exc.message:
        return error_response(400, "bad-json", "the request body is not valid JSON")
    if status == 403 and "CSRF" in exc.message:
        return error_response(403, "csrf-failed", "a signed-in browser session must send the CSRF token "
                                                  "(X-CSRFToken header) with this request")
    return error_response(status, STATUS_CODES.get(status, "error"), exc.message)


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its traceback for the operators; the client gets no internals.
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return error_response(500, "internal", "the server failed to answer this request; it has been logged")


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(ValidationError, _validation)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(
        ApiError, lambda request, exc: error_response(exc.status, exc.code, exc.message, exc.field))
    api.add_exception_handler(
        Invalid, lambda request, exc: error_response(422, "invalid", exc.message, exc.field))
    api.add_exception_handler(Conflict, lambda request, exc: error_response(409, "conflict", str(exc)))
    api.add_exception_handler(AccessDenied, lambda request, exc: error_response(403, "forbidden", str(exc)))
    api.add_exception_handler(NotFound, lambda request, exc: error_response(404, "not-found", str(exc)))
    api.add_exception_handler(
        Http404, lambda request, exc: error_response(404, "not-found", str(exc) or "not found"))
    api.add_exception_handler(Exception, _unexpected)
