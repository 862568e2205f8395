"""Who reads a citizen's SMS: the apps that wait for an answer register a handler here.

The webhook stores every inbound SMS first and then calls the handlers, so a handler that fails loses
nothing: the row stays unprocessed and the handler's own sweep reads it later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from qyzmet.notify.models import InboundSms

Handler = Callable[[InboundSms], bool]  # True: the handler took the SMS (and marked it processed)
handlers: list[Handler] = []
log = logging.getLogger(__name__)


def dispatch(row: InboundSms) -> bool:
    for handler in handlers:
        try:
            if handler(row):
                return True
        except Exception:  # the SMS is kept; the sweep tries again
            log.exception("inbound SMS %s: handler %s failed", row.pk, getattr(handler, "__name__", handler))
            return False
    return False
