"""How close a deadline is, in the three states every page shows the same way.

The staff pages colour tasks by this and the citizen page shows it beside the service's term, so the
rule lives in one place: the CSS classes ``q-tag--on-track``, ``q-tag--at-risk`` and ``q-tag--overdue``
are named after these values.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from qyzmet.cases.access import Urgency, urgency

# A day's notice: the clerk who sees "at risk" in the morning can still finish the step today.
AT_RISK_WITHIN = dt.timedelta(hours=24)


class DeadlineState(StrEnum):
    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return str(_LABELS[self])


_LABELS = {
    DeadlineState.ON_TRACK: _("On track"),
    DeadlineState.AT_RISK: _("At risk"),
    DeadlineState.OVERDUE: _("Overdue"),
}


def deadline_state(due: dt.datetime | None, now: dt.datetime, opened: dt.datetime | None = None,
                   at_risk_within: dt.timedelta = AT_RISK_WITHIN) -> DeadlineState | None:
    """None when there is no deadline (the act gives the step no duration).

    When the start is known this is the workspace's rule (``cases.access.urgency``: a quarter of the
    allowed time left), so the citizen and the clerk see the same mark; without it, a day's notice.
    """
    if due is None:
        return None
    if opened is not None:
        mark = urgency(opened, due, now)
        return DeadlineState(mark.value) if mark is not Urgency.NO_TERM else None
    if now > due:
        return DeadlineState.OVERDUE
    if due - now <= at_risk_within:
        return DeadlineState.AT_RISK
    return DeadlineState.ON_TRACK
