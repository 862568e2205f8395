"""What a citizen may learn about their own application, and nothing more.

The page answers "where is my application and when is it due?" from the case row and the regulation
it is pinned to.  It deliberately carries no name, phone, address, office or full IIN of the
applicant: the number and IIN typed in are the only proof of who is asking, and both can leak (a
receipt left on a counter), so the answer must be harmless in a stranger's hands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from qyzmet.cases.models import Case
from qyzmet.cases.services import regulation_of
from qyzmet.core.regulation import Regulation, Step
from qyzmet.web.deadline_reasons import TermReasons, term_reasons
from qyzmet.web.deadlines import DeadlineState, deadline_state
from qyzmet.web.text import in_language


class PublicStatus(StrEnum):
    """The case's status in the words a citizen uses (the engine's statuses split "in progress" in two)."""

    SUBMITTED = "submitted"
    IN_PROGRESS = "in-progress"
    READY = "ready"  # in progress, and the step now open hands the result over
    ISSUED = "issued"
    NOT_ACCEPTED = "not-accepted"
    REQUEST_CLOSED = "request-closed"  # a proactive request refused or left unanswered


def status_label(status: PublicStatus) -> str:
    return {
        PublicStatus.SUBMITTED: _("Submitted"),
        PublicStatus.IN_PROGRESS: _("In progress"),
        PublicStatus.READY: _("Result ready for collection"),
        PublicStatus.ISSUED: _("Issued"),
        PublicStatus.NOT_ACCEPTED: _("Documents not accepted"),
        PublicStatus.REQUEST_CLOSED: _("Request closed without an application"),
    }[status]


def status_explanation(status: PublicStatus) -> str:
    return {
        PublicStatus.SUBMITTED: _("Your documents have been handed in and are being checked before they are accepted."),
        PublicStatus.IN_PROGRESS: _("Your documents were accepted and your application is being worked on."),
        PublicStatus.READY: _("The result has been prepared and is being handed over to you."),
        PublicStatus.ISSUED: _("The work on your application is finished and the answer has been given."),
        PublicStatus.NOT_ACCEPTED: _("Your documents were not accepted, so the application was not taken into work."),
        PublicStatus.REQUEST_CLOSED: _("You refused the offer, or did not answer it in time, so no application was "
                                       "made. You can still apply to the employment department or a Public "
                                       "Service Centre."),
    }[status]


@dataclass(frozen=True)
class CurrentStep:
    action: str
    role: str  # "" when the act names no one for the step
    due: dt.datetime | None
    deadline: DeadlineState | None


@dataclass(frozen=True)
class Outcome:
    kind: str  # "positive", "refusal" or "not-accepted"
    title: str
    result: str  # the result document's name, "" when the act names none
    grounds: tuple[str, ...]  # the grounds' texts, only for a refusal


@dataclass(frozen=True)
class CitizenView:
    number: str
    service: str
    submitted_at: dt.datetime
    iin_last4: str
    status: PublicStatus
    status_label: str
    status_explanation: str
    step: CurrentStep | None
    term_due: dt.datetime | None
    term_deadline: DeadlineState | None
    term_reasons: TermReasons | None  # why the term ends when it does, in the page's language
    term_why: str  # the engine's own calculation note (English, technical)
    closed_at: dt.datetime | None
    outcome: Outcome | None


def public_status(case: Case, step: Step | None) -> PublicStatus:
    if case.status == Case.Status.ACCEPTANCE_REFUSED:
        return PublicStatus.NOT_ACCEPTED
    if case.status == Case.Status.REQUEST_CLOSED:
        return PublicStatus.REQUEST_CLOSED
    if case.status == Case.Status.ISSUED:
        return PublicStatus.ISSUED
    if case.status == Case.Status.IN_PROGRESS:
        return PublicStatus.READY if step is not None and step.issues else PublicStatus.IN_PROGRESS
    return PublicStatus.SUBMITTED


def service_name(case: Case, lang: str) -> str:
    return in_language(case.regulation, lang)


def mask_iin(iin: str) -> str:
    """Only the last four digits: enough to tell two family members' applications apart."""
    return iin[-4:] if len(iin) >= 4 else ""


def _outcome(case: Case, reg: Regulation, lang: str) -> Outcome | None:
    if case.status == Case.Status.ACCEPTANCE_REFUSED:
        grounds = tuple(g.text.get(lang) for code in case.grounds if (g := reg.acceptance_refusal_ground(code)))
        return Outcome("not-accepted", _("Documents not accepted"), "", grounds)
    if case.status != Case.Status.ISSUED:
        return None
    if case.outcome == "refusal":
        grounds = tuple(g.text.get(lang) for code in case.grounds if (g := reg.refusal_ground(code)))
        result = next((r for r in reg.results if r.kind == "refusal"), None)
        return Outcome("refusal", _("Reasoned refusal"), result.name.get(lang) if result else "", grounds)
    result = next((r for r in reg.results if r.kind == "positive"), None)
    return Outcome("positive", _("Positive result"), result.name.get(lang) if result else "", ())


def citizen_view(case: Case, lang: str, now: dt.datetime) -> CitizenView:
    reg = regulation_of(case.regulation)
    step: Step | None = None
    if case.current_step and case.status in (Case.Status.SUBMITTED, Case.Status.IN_PROGRESS):
        try:
            step = reg.route(case.route).step(case.current_step)
        except KeyError:
            step = None
    status = public_status(case, step)
    current = None
    if step is not None:
        role = reg.role(step.role) if step.role else None
        current = CurrentStep(
            action=step.action.get(lang),
            role=role.name.get(lang) if role else "",
            due=case.step_due,
            deadline=deadline_state(case.step_due, now, opened=_step_started(case)),
        )
    is_open = status not in (PublicStatus.ISSUED, PublicStatus.NOT_ACCEPTED)
    return CitizenView(
        number=case.number,
        service=service_name(case, lang),
        submitted_at=case.submitted_at,
        iin_last4=mask_iin(case.applicant_iin),
        status=status,
        status_label=status_label(status),
        status_explanation=status_explanation(status),
        step=current,
        term_due=case.term_due,
        term_deadline=deadline_state(case.term_due, now, opened=case.submitted_at) if is_open else None,
        term_reasons=term_reasons(case, reg, lang),
        term_why=case.term_why,
        closed_at=case.closed_at,
        outcome=_outcome(case, reg, lang),
    )


def _step_started(case: Case) -> dt.datetime | None:
    started = (case.state or {}).get("step_started")
    return dt.datetime.fromisoformat(started) if started else None
