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

from pydantic import BeforeValidator, Field, PlainSerializer, ValidationError, model_validator

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
    "shown",  # presented for identification or checking and handed back at once: no copy is kept
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
    counts_on: str | None = Field(
        default=None,
        description="the schedule whose working days the term counts: a channel code (provider, psc) or a schedule "
                    "name; None: the act is silent and the term counts on the provider's schedule, who renders the "
                    "service",
    )
    counts_on_cite: str | None = Field(default=None, description="the clause that names the schedule, if the act does")
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
    on_calendar_change: Literal["recompute", "fixed"] = Field(
        default="recompute",
        description="when a decree changes the calendar while the term runs: ``recompute`` counts the term again "
                    "on the new calendar (the acts define the term as N days counted from submission, so the "
                    "date follows the days that count); ``fixed`` keeps the date set at acceptance, for an act "
                    "that fixes it then (none of the shipped acts does: docs/ARCHITECTURE.md)",
    )
    on_calendar_change_cite: str | None = Field(default=None, description="the clause that fixes the date, if any")

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
    instead_of: tuple[str, ...] = Field(
        default=(),
        description="documents this one may replace ('the IIN instead of the RNN and SIK certificates', 'a court "
                    "decision where the archives were not preserved'): a category's requirement of any of them is "
                    "met when this one is given. An alternative is not itself listed in the category",
    )


class DocumentCondition(_Strict):
    """When a category's document is needed: the applicant's age, or a status only the applicant knows.

    The IIN gives the birth date and sex, so age conditions are decided by the checklist itself; ``if_any``
    documents ("court decision, if any") are listed as optional and never block acceptance.
    """

    age_under: int | None = Field(default=None, ge=1, le=130, description="only for applicants younger than this")
    age_from: int | None = Field(default=None, ge=1, le=130, description="only for applicants of this age or older")
    age_from_female: int | None = Field(
        default=None, ge=1, le=130,
        description="for women, where the age the act refers to differs by sex (the pension age: men 63, women 58)")
    if_any: bool = Field(default=False, description="'if any', 'if available': given when the applicant has one")
    no_iin: bool = Field(default=False, description="'where there is no IIN': not needed from an applicant with one")
    note: Text | None = Field(default=None, description="the act's own words for the condition")

    @model_validator(mode="after")
    def _says_something(self) -> DocumentCondition:
        if self.age_under is None and self.age_from is None and not self.if_any and not self.no_iin:
            raise ValueError("a condition needs age_under, age_from, if_any or no_iin")
        if self.age_from_female is not None and self.age_from is None:
            raise ValueError("age_from_female needs age_from (the men's age)")
        return self


class ConditionalDocument(_Strict):
    """A category's document with its condition; written inline in ``categories[].documents`` as
    ``{code: birth-certificate, when: {age_under: 18}, cite: "cl. 13.2"}``.  Not a :class:`Cited` node: the
    linter's own check (``condition-without-cite``) names the YAML position of a missing cite."""

    code: Code
    when: DocumentCondition
    cite: str | None = None


class Category(Cited):
    code: Code
    name: Text
    documents: tuple[str, ...] = Field(
        default=(), description="every document code of the category in the act's order, conditional ones too")
    conditions: tuple[ConditionalDocument, ...] = Field(
        default=(), description="the documents of ``documents`` needed only under a condition (filled from the "
                                "inline ``{code, when, cite}`` items)")
    identity: Literal["iin", "personal-code"] = Field(
        default="iin",
        description="personal-code: the applicant is registered under a code assigned at the first step instead "
                    "of the IIN (an anonymous examination); no IIN is taken or stored",
    )

    @model_validator(mode="before")
    @classmethod
    def _split_conditional(cls, data: object) -> object:
        # Inline items keep the act's order in one list; the rest of the system reads plain codes.
        if not isinstance(data, dict) or not isinstance(data.get("documents"), (list, tuple)):
            return data
        codes: list[object] = []
        conditions = list(data.get("conditions") or ())
        for i, item in enumerate(data["documents"]):
            if isinstance(item, dict):
                try:
                    conditions.append(ConditionalDocument.model_validate(item))
                except ValidationError as exc:
                    first = exc.errors(include_url=False)[0]
                    where = ".".join(str(p) for p in first["loc"])
                    msg = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
                    raise ValueError(f"documents[{i}]{'.' + where if where else ''}: "
                                     f"{msg.removeprefix('Value error, ')}") from None
                codes.append(item.get("code"))
            else:
                codes.append(item)
        return {**data, "documents": codes, "conditions": conditions}

    def condition(self, code: str) -> ConditionalDocument | None:
        return next((c for c in self.conditions if c.code == code), None)


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


class StepCondition(Cited):
    """When a step is done at all: only for some applicant categories, or only when a person finds that the act's
    condition holds (a threshold the act leaves to another act, e.g. "depending on the duration of incapacity")."""

    categories: tuple[str, ...] = Field(
        default=(), description="the step is done only for cases of these applicant categories; skipped otherwise")
    asked: Text | None = Field(
        default=None, description="the condition in the act's words; the step opens and the person who holds it may "
                                  "record that the condition does not hold and skip it (with a note)")


Within = Literal["working-day", "application-day"]


class Step(Cited):
    n: int
    role: str | None = None
    action: Text
    output: Text | None = None
    produces: tuple[str, ...] = ()
    duration: DurationField | None = None
    duration_ru: DurationField | None = None
    duration_text: Text | None = None
    within: Within | None = Field(
        default=None,
        description="a due rule in place of a duration: working-day = 'within the working day' (by the closing time "
                    "of the working day the step starts on; a step starting at or after closing time belongs to the "
                    "next working day); application-day = 'on the day of application' (by the closing time of the "
                    "day the documents were submitted)",
    )
    times_a_day: int | None = Field(
        default=None, ge=1,
        description="a rhythm step done N times a day ('3 times a day'): a case waits for the next round, at most "
                    "1/N of the working day",
    )
    # "Not less than 2 times a day": a batch step (a registry sent) with a daily rhythm instead of a
    # per-case duration; the registries page counts today's batches against it, and a case waits at most
    # 1/N of the working day for the next batch.
    at_least_times_a_day: int | None = Field(default=None, ge=1)
    before_term_end: DurationField | None = Field(
        default=None,
        description="'not later than one day (24 hours) before the term ends': due that long before the case's "
                    "term (hours or calendar days, counted back in plain time)",
    )
    counted_from_step: int | None = Field(
        default=None, ge=1,
        description="the duration counts from the start of that step, not from this step's own start ('within "
                    "3 working days after receiving the package', 'on the 13th working day after receiving it')",
    )
    when: StepCondition | None = None
    accepts: bool = False
    decides: bool = False
    issues: bool = False

    @property
    def rhythm(self) -> int | None:
        """Rounds a day of a rhythm step (exact or 'at least'), else None."""
        return self.times_a_day or self.at_least_times_a_day

    @property
    def has_due_rule(self) -> bool:
        """Does the act bound this step at all (a duration or one of the due rules)?"""
        return bool(self.duration is not None or self.within or self.rhythm or self.before_term_end)


class Branch(Cited):
    """A way out of the main line the act gives, e.g. a refusal through the PSC: "the district department returns
    the documents to the PSC on the 13th working day after receiving the package, with the reason in writing".

    A reasoned refusal decided at ``from_step`` (or at the route's deciding step, if that is ``from_step``) leaves
    the main line after that step and continues with ``steps``; the branch's last step issues the refusal.
    """

    code: Code
    name: Text
    outcome: Literal["refusal"] = Field(default="refusal", description="the decision that takes the branch")
    from_step: int = Field(ge=1, description="the main-line step at which the refusal is decided and the branch leaves")
    steps: tuple[Step, ...]


class Route(Cited):
    name: Text
    channel: ChannelCode
    steps: tuple[Step, ...]
    branches: tuple[Branch, ...] = ()

    # --- navigation: steps are addressed by their number, which is unique across the main line and branches

    def step(self, n: int) -> Step:
        for s in self.steps:
            if s.n == n:
                return s
        for b in self.branches:
            for s in b.steps:
                if s.n == n:
                    return s
        raise KeyError(f"route {self.name.get('en') or ''!r} has no step {n}")

    def branch_of(self, n: int) -> Branch | None:
        """The branch step ``n`` belongs to; None on the main line."""
        return next((b for b in self.branches if any(s.n == n for s in b.steps)), None)

    def branch_from(self, n: int) -> Branch | None:
        """The refusal branch that leaves the main line at step ``n``."""
        return next((b for b in self.branches if b.from_step == n), None)

    def line_of(self, n: int) -> tuple[Step, ...]:
        """The steps of the line (main or branch) that step ``n`` is on."""
        branch = self.branch_of(n)
        return branch.steps if branch else self.steps

    def following(self, n: int) -> Step | None:
        """The step after ``n`` on its own line, ignoring conditions and branches (None after the last)."""
        line = self.line_of(n)
        i = next(i for i, s in enumerate(line) if s.n == n)
        return line[i + 1] if i + 1 < len(line) else None

    def previous(self, n: int) -> Step | None:
        """The step before ``n`` on its line; a branch's first step follows the step it leaves from."""
        line = self.line_of(n)
        i = next(i for i, s in enumerate(line) if s.n == n)
        if i > 0:
            return line[i - 1]
        branch = self.branch_of(n)
        return self.step(branch.from_step) if branch else None

    def all_steps(self) -> tuple[Step, ...]:
        return self.steps + tuple(s for b in self.branches for s in b.steps)


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
