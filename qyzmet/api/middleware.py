"""No HTML error page under /api/v1: whatever answers an error there (Django's 404 for an unknown URL,
405 for a wrong method, a 500) is turned into the API's JSON error shape."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from qyzmet.api.api import MOUNT
from qyzmet.api.errors import STATUS_CODES, error_response

PREFIX = "/" + MOUNT

_MESSAGES = {404: "no such endpoint: {method} {path}", 405: "{path} does not take {method}",
             500: "the server failed to answer this request; it has been logged"}


def json_errors(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (request.path.startswith(PREFIX) and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            status = response.status_code
            template = _MESSAGES.get(status, "the request failed (HTTP {status})")
            replaced = error_response(status, STATUS_CODES.get(status, "error"),
                                      template.format(method=request.method, path=request.path, status=status))
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response

    return middleware


def english(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """The API speaks English, whatever language cookie or header a client sends.

    The workflow's messages are translated for the staff and citizen pages; the API's clients are
    programs and their developers, and the API documents its messages in English.  Placed after
    LocaleMiddleware, so it has the last word.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PREFIX):
            with translation.override("en"):
                return get_response(request)
        return get_response(request)

    return middleware
