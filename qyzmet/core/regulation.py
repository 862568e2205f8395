"""The regulation model: everything a Kazakh service regulation fixes, as typed, immutable data.

One YAML file per regulation version is validated into :class:`Regulation`.  The model is
deliberately permissive about *legal* completeness (a missing cite, a missing Russian text, a
step without a duration): those are findings of the linter, reported with the clause, because
the acts themselves have such gaps and we must be able to encode them faithfully.  It is strict
about *shape*: an unknown field, a wrong type or an unreadable duration is a load error.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, PlainSerializer

from qyzmet.core.basemodel import Cited, Code, Text, _Strict
from qyzmet.core.durations import Duration, parse_duration
from qyzmet.core.norms import Entitlements


def _to_duration(value: object) -> object:
    if isinstance(value, Duration) or value is None:
        return value
    if isinstance(value, str):
        return parse_duration(value)
    raise ValueError(f"duration must be text such as '3 working days', got {value!r}")


DurationField = Annotated[
    Duration, BeforeValidator(_to_duration), PlainSerializer(str, return_type=str)
]

ChannelCode = Literal["provider", "psc", "portal", "proactive"]
RouteCode = Literal["main", "psc", "proactive", "portal"]
Exclusion = Literal["acceptance-day", "issuance-day"]
Medium = Literal["paper", "electronic", "paper-or-electronic"]
Provision = Literal[
    "original",  # the applicant hands over the original
    "copy",  # a copy is kept
    "copy-with-original",  # a copy is kept, the original shown for checking and returned
    "declaration",  # the applicant's own statement (e.g. income "of a declarative nature")
    "fetched-by-iin",  # the provider obtains it from a state information system
]
class Registration(Cited):
    number: str
    date: dt.date
    by: Text | None = None


class Amendment(Cited):
    act: str
    date: dt.date
    summary: Text | None = None


class Source(_Strict):
    seed: str
    lines: str | None = None
    part: str | None = None


class Act(Cited):
    kind: Text
    title: Text
    number: str
    issuer: Text
    adopted: dt.date
    registration: Registration | None = None
    in_force_from: dt.date | None = None
    in_force_to: dt.date | None = None
    repealed_by: str | None = None
    amendments: tuple[Amendment, ...] = ()
    legal_basis: tuple[Text, ...] = ()
    source: Source


class Provider(Cited):
    name: Text
    address: str | None = None
    contacts: str | None = None


class Schedule(Cited):
    """A weekly schedule written in the act, e.g. ``mon: ["09:00-13:00", "14:00-18:00"]``.

    Routes and roles name a schedule; names not defined here are the built-in ones of
    :mod:`qyzmet.core.calendar` (``department``, ``psc``, ``psc-5day``).
    """

    code: Code
    name: Text
    weekly: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], tuple[str, ...]]


class Queue(Cited):
    max_wait: DurationField | None = None
    max_wait_text: Text | None = None
    max_service: DurationField | None = None
    max_service_ru: DurationField | None = None
    booking: bool | None = None
    priority: bool | None = None


class Channel(Cited):
    code: ChannelCode
    name: Text
    schedule: str = "department"
    queue: Queue | None = None
    note: Text | None = None


class ResultTerm(Cited):
    """A term that depends on the result: "with a positive result 3 working days, with a negative one 20"."""

    result: str = Field(description="the result code (results:) whose term this is; the linter checks it exists")
    duration: DurationField
    duration_text: Text | None = None


class Term(Cited):
    """The total term of the service through one channel."""

    channel: ChannelCode
    duration: DurationField | None = None
    duration_ru: DurationField | None = None
    duration_text: Text | None = None
    counted_from: Text | None = None
    refers_to: str | None = Field(
        default=None, description="clause the 'counted from' text points at (checked by the linter)"
    )
    excludes: tuple[Exclusion, ...] = ()
    starts: Literal["submission", "acceptance"] = Field(
        default="submission",
        description="what the term counts from: the submission of documents (the usual wording) or the "
                    "accepting step (a proactive service's term runs from the day consent arrives)",
    )
    by_result: tuple[ResultTerm, ...] = Field(
        default=(),
        description="terms that depend on the result; ``duration`` then bounds the case until the deciding "
                    "step names its result, and the engine moves the due date to the result's own term",
    )

    def for_result(self, code: str | None) -> ResultTerm | None:
        return next((t for t in self.by_result if t.result == code), None)


class Result(Cited):
    code: Code
    kind: Literal["positive", "refusal"]
    name: Text
    medium: Medium = "paper"
    form: str | None = None
    valid_months: int | None = Field(default=None, ge=1, description="months the paper is valid from its issuance")
    short: Text | None = Field(default=None, description="the result in a few words, as a form's outcome line says it")
    channels: tuple[ChannelCode, ...] = Field(
        default=(), description="the channels whose cases end with this result (empty: every channel), e.g. an oral "
                                "answer at the registry and a notification in the portal's cabinet")


class Document(Cited):
    code: Code
    name: Text
    provided_as: Provision = "copy-with-original"
    form: str | None = None


class Category(Cited):
    code: Code
    name: Text
    documents: tuple[str, ...] = ()
    identity: Literal["iin", "personal-code"] = Field(
        default="iin",
        description="personal-code: the applicant is registered under a code assigned at the first step instead "
                    "of the IIN (an anonymous examination); no IIN is taken or stored",
    )


class Ground(Cited):
    code: Code
    text: Text
    on_missing_documents: bool = Field(
        default=False, description="this ground applies when the checklist is incomplete"
    )


class Suspension(Cited):
    grounds: tuple[Ground, ...] = ()
    note: Text | None = None


class Fee(Cited):
    free: bool | None = None
    amount: str | None = None
    note: Text | None = None


class Role(Cited):
    code: Code
    name: Text
    organisation: Literal["provider", "psc", "other"] = "provider"
    schedule: str | None = None
    declared: bool = Field(
        default=True,
        description="False when a step table names this actor but the act's list of SFUs does not",
    )


class Step(Cited):
    n: int
    role: str | None = None
    action: Text
    output: Text | None = None
    produces: tuple[str, ...] = ()
    duration: DurationField | None = None
    duration_ru: DurationField | None = None
    duration_text: Text | None = None
    # "Not less than 2 times a day": a batch step (a registry sent) with a daily rhythm instead of a
    # per-case duration; the registries page counts today's batches against it.
    at_least_times_a_day: int | None = Field(default=None, ge=1)
    accepts: bool = False
    decides: bool = False
    issues: bool = False


class Route(Cited):
    name: Text
    channel: ChannelCode
    steps: tuple[Step, ...]


class FormField(_Strict):
    code: Code
    label: Text


class Form(Cited):
    code: Code
    name: Text
    fields: tuple[FormField, ...] = ()


class Storage(Cited):
    """How long the PSC keeps a result nobody collected, who keeps it then, and how fast it comes back."""

    keep_months: int = Field(ge=1, description="months the PSC keeps an uncollected result")
    then: str = Field(description="the provider role that keeps it afterwards")
    retrieval: DurationField = Field(description="how fast the keeper sends it back when the PSC asks")
    note: Text | None = None


ComplaintBody = Literal["provider", "psc", "quality-authority", "court"]


class Complaint(Cited):
    """One level of appeal the act gives: to whom it goes, who there considers it, and in what term.

    ``body`` is the addressee as a kind the shell can route: ``provider`` (the head of the office that provides
    the service), ``psc`` (the head of the PSC branch that received the application), ``quality-authority``
    (the authorised body for assessment and control of the quality of state services) and ``court`` (named
    by the act as the last route, with no term: nobody in Qyzmet considers it).  The entries are in the
    act's order, which is the order of escalation.
    """

    body: ComplaintBody = Field(description="provider, psc, quality-authority or court")
    role: Code | None = Field(
        default=None,
        description="the role that considers it at that body, e.g. head (the head of the employment department); "
                    "psc-head and quality-inspector are directory roles no step table names",
    )
    to: Text
    term: DurationField | None = Field(
        default=None, description="the consideration term, counted from the day after registration")
    note: Text | None = None


class SmsTrigger(_Strict):
    """The transition that sends an SMS: a step of a route, completed (the default) or opened."""

    route: str = Field(description="the route code (main, psc, proactive, portal); the linter checks it exists")
    step: int = Field(ge=1, description="the step number on that route; the linter checks it exists")
    at: Literal["completed", "opened"] = Field(
        default="completed",
        description="completed: sent when the step is recorded done, because sending the SMS is what doing the "
                    "step means (the PSC inspector informs the applicant, the specialist initiates the request or "
                    "reports the decision); opened: sent as the step's task opens, i.e. when the step before it "
                    "is completed (an automatic E-Sobes step that happens 'on receipt of consent'). A return of "
                    "a case to an earlier step never counts as opening it.",
    )


class Sms(Cited):
    code: Code
    when: str
    text: Text
    # Not ``on:``: YAML 1.1 (PyYAML's SafeLoader) reads a bare ``on`` key as the boolean True.
    trigger: SmsTrigger | None = Field(
        default=None,
        description="which transition sends it; None: no transition of ours sends it yet (portal reminders, "
                    "the proactive no-answer expiry, a consent refusal: issue #10)",
    )


class Note(Cited):
    """A gap in the act, or a defect of its text that no mechanical check can see."""

    code: Code
    about: str | None = None
    note: str


class Regulation(_Strict):
    id: str
    version: int = 1
    service: Code
    name: Text
    ru_source: Literal["act", "translation"] = "translation"
    act: Act
    provider: Provider
    form: Literal["automated", "partly-automated", "non-automated"]
    form_cite: str | None = None
    channels: tuple[Channel, ...]
    schedules: tuple[Schedule, ...] = ()
    terms: tuple[Term, ...]
    results: tuple[Result, ...]
    documents: tuple[Document, ...] = ()
    categories: tuple[Category, ...] = ()
    acceptance_refusal_grounds: tuple[Ground, ...] = ()
    refusal_grounds: tuple[Ground, ...] = ()
    suspension: Suspension | None = None
    fee: Fee | None = None
    roles: tuple[Role, ...]
    routes: dict[RouteCode, Route]
    forms: tuple[Form, ...] = ()
    storage: Storage | None = None
    complaints: tuple[Complaint, ...] = ()
    sms: tuple[Sms, ...] = ()
    entitlements: Entitlements | None = None
    gaps: tuple[Note, ...] = ()
    defects: tuple[Note, ...] = ()

    # Filled by the loader, not by the YAML author.
    source_path: str = Field(default="", exclude=True)
    content_hash: str = Field(default="", exclude=True)

    # --- look-ups used by the engine, the linter and the commands ---------------------------

    def role(self, code: str) -> Role | None:
        return next((r for r in self.roles if r.code == code), None)

    def channel(self, code: str) -> Channel | None:
        return next((c for c in self.channels if c.code == code), None)

    def term_for(self, channel: str) -> Term | None:
        return next((t for t in self.terms if t.channel == channel), None)

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def result(self, code: str) -> Result | None:
        return next((r for r in self.results if r.code == code), None)

    def document(self, code: str) -> Document | None:
        return next((d for d in self.documents if d.code == code), None)

    def sms_rule(self, code: str) -> Sms | None:
        return next((s for s in (self.sms or []) if s.code == code), None)

    def route(self, code: str) -> Route:
        try:
            return self.routes[code]  # type: ignore[index]
        except KeyError:
            known = ", ".join(self.routes)
            raise KeyError(f"{self.id} has no route {code!r} (routes: {known})") from None

    def refusal_ground(self, code: str) -> Ground | None:
        return next((g for g in self.refusal_grounds if g.code == code), None)

    def acceptance_refusal_ground(self, code: str) -> Ground | None:
        return next((g for g in self.acceptance_refusal_grounds if g.code == code), None)

    def schedule_for_role(self, role_code: str | None, route: Route) -> str:
        """A role works on its own schedule, else its organisation's channel schedule."""
        role = self.role(role_code) if role_code else None
        if role and role.schedule:
            return role.schedule
        if role and role.organisation == "psc" and self.channel("psc"):
            return self.channel("psc").schedule  # type: ignore[union-attr]
        if role and role.organisation == "provider" and self.channel("provider"):
            return self.channel("provider").schedule  # type: ignore[union-attr]
        channel = self.channel(route.channel)
        return channel.schedule if channel else "department"
