"""Keep personal data out of the logs: the filter every logging handler of Qyzmet carries (settings.LOGGING).

What reached the logs before this filter (tests/test_log_privacy.py finds it):

- ``django.request`` logs every 4xx/5xx with its path, and the ledger's API paths hold the recipient's IIN
  (``/api/v1/recipients/<IIN>/entitlements``): the IIN is replaced by ``[IIN]``.  A Kazakh mobile number
  in a message (an exception's text, a gateway's error) becomes ``[phone]``.
- ``django.template`` logs at DEBUG each variable a template could not resolve, with the exception whose
  text is the *whole* template context — the case, its applicant, an HIV result.  The message (which
  variable, which template) is kept; the exception is dropped.

Redaction is by pattern, so it catches identifiers, not names or diagnoses: those must simply never be
put in a log message (nothing in Qyzmet does; the test checks every applicant name and HIV result).
"""

from __future__ import annotations

import logging
import re

from qyzmet.core.iin import InvalidIdentifier, parse_iin

_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
# +7 701 234 56 78, 8 (701) 234-56-78, +77012345678: a Kazakh mobile number as people and gateways write it.
_PHONE = re.compile(r"(?<![\d+])(?:\+7|8)[\s\-(]*7\d{2}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)")


def _iin(match: re.Match) -> str:
    try:
        parse_iin(match.group(0))
    except InvalidIdentifier:
        return match.group(0)  # a number of 12 digits that is no IIN (an amount, a BIN) stays
    return "[IIN]"


def redact(text: str) -> str:
    """``text`` with every valid IIN and every Kazakh mobile number replaced."""
    return _PHONE.sub("[phone]", _TWELVE_DIGITS.sub(_iin, text))


class PersonalDataFilter(logging.Filter):
    """Rewrites a record in place (message, exception text, stack) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.template") and record.exc_info:
            # VariableDoesNotExist's text is the template context: people's data, and of no use in a log.
            record.exc_info, record.exc_text = None, None
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
