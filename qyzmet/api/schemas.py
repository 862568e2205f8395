"""The shapes of requests and answers; the OpenAPI document is generated from these."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from qyzmet.api.common import In, Instant
from qyzmet.core.regulation import ChannelCode

# --- errors --------------------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: str = Field(..., description="stable, for programs: invalid, conflict, forbidden, not-found, "
                                       "unauthenticated, bad-json, idempotency-key-reused, …")
    message: str = Field(..., description="for people")
    field: str | None = Field(None, description="the dotted request field at fault, e.g. applicant.iin")


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
PUBLIC_ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (404, 422)}

# --- the catalog ---------------------------------------------------------------------------------


class Texts(Schema):
    """A text in the act's languages; kk and ru are the legal ones, en is for developers."""

    kk: str | None = None
    ru: str | None = None
    en: str | None = None


class ActOut(Schema):
    number: str
    date: dt.date = Field(..., description="the day the act was adopted")
    issuer: Texts
    kind: Texts
    title: Texts
    cite: str | None


class RouteBrief(Schema):
    code: str
    channel: str
    name: Texts


class TermOut(Schema):
    channel: str
    duration: str | None = Field(..., description="the countable term, e.g. '10 working days'")
    text: Texts | None = Field(..., description="the act's own words")
    excludes: list[str]
    cite: str | None


class RegulationBrief(Schema):
    id: str
    service: str
    version: int
    name: Texts
    routes: list[RouteBrief]
    terms: list[TermOut]
    act: ActOut


class ConditionOut(Schema):
    age_under: int | None = Field(None, description="needed only by applicants younger than this")
    age_from: int | None = Field(None, description="needed only by applicants of this age or older")
    age_from_female: int | None = Field(None, description="the same for women, where it differs (pension age)")
    if_any: bool = Field(False, description="'if any': optional, never blocks acceptance")
    no_iin: bool = Field(False, description="needed only where the applicant has no IIN")
    note: Texts | None = Field(None, description="the act's own words for the condition")
    cite: str | None = None


class DocumentOut(Schema):
    code: str
    name: Texts
    provided_as: str = Field(..., description="original, copy, copy-with-original, declaration, fetched-by-iin, "
                                              "or shown (presented and handed back, no copy kept)")
    form: str | None
    cite: str | None
    instead_of: list[str] = Field(default=[], description="documents this one may replace")
    alternatives: list[str] = Field(default=[], description="documents that may replace this one")
    when: ConditionOut | None = Field(None, description="in a category's checklist: when it is needed")


class CategoryOut(Schema):
    code: str
    name: Texts
    cite: str | None
    documents: list[DocumentOut] = Field(..., description="the checklist for applicants of this category")


class GroundOut(Schema):
    code: str
    text: Texts
    cite: str | None


class AcceptanceGroundOut(GroundOut):
    on_missing_documents: bool


class RoleRef(Schema):
    code: str
    name: Texts | None


class StepOut(Schema):
    n: int
    role: RoleRef | None
    action: Texts
    output: Texts | None
    duration: str | None
    duration_text: Texts | None
    cite: str | None
    produces: list[str]
    accepts: bool
    decides: bool
    issues: bool


class RouteOut(RouteBrief):
    cite: str | None
    steps: list[StepOut]


class ResultOut(Schema):
    code: str
    kind: str
    name: Texts
    medium: str
    cite: str | None


class ChannelOut(Schema):
    code: str
    name: Texts
    schedule: str
    cite: str | None


class RegulationDetail(RegulationBrief):
    provider: Texts
    channels: list[ChannelOut]
    categories: list[CategoryOut]
    documents: list[DocumentOut]
    acceptance_refusal_grounds: list[AcceptanceGroundOut]
    refusal_grounds: list[GroundOut]
    routes: list[RouteOut]  # type: ignore[assignment]
    results: list[ResultOut]


# --- cases and tasks -----------------------------------------------------------------------------


class ApplicantIn(In):
    iin: str = Field(..., max_length=32, description="12-digit IIN")
    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=32, description="e.g. +7 701 234 56 78")
    language: Literal["kk", "ru"] | None = Field(
        None, description="the language of service: documents and SMS are in it (default: kk)")


class RepresentativeIn(In):
    name: str = Field(..., max_length=200)
    iin: str = Field("", max_length=32)
    power_of_attorney: str = Field("", max_length=200, description="its number and date")


class EntitlementIn(In):
    item: str = Field(..., max_length=80, description="the item of the norm tables the IPR measure calls for")
    quantity: int = Field(1, ge=1, le=100_000)
    categories: list[str] = Field(default_factory=list, max_length=20,
                                  description="the recipient's categories of the norm tables (group-1, gpw…); a "
                                              "child's follows from the IIN, GPW from the applicant category")


class IntakeIn(In):
    regulation: str = Field(..., max_length=120, description="a catalog id, e.g. aktogay-2013/prosthetic-docs")
    channel: ChannelCode | None = Field(None, description="if given, must be the channel your office receives on")
    applicant: ApplicantIn
    category: str = Field(..., max_length=80, description="the applicant category (decides the checklist)")
    documents: list[str] = Field(default_factory=list, max_length=100, description="document codes handed in")
    representative: RepresentativeIn | None = None
    entitlement: EntitlementIn | None = Field(
        None, description="services with norm tables (mlsp-2021 prosthetic aid, technical aids, wheelchairs): the "
                          "item asked for; a replacement asked for too early is refused acceptance at once")


class ApplicantOut(Schema):
    iin: str
    name: str
    phone: str


class RepresentativeOut(Schema):
    name: str
    iin: str
    power_of_attorney: str


class ChecklistOut(Schema):
    document: str = Field(..., description="the document given (an alternative, where one replaced the act's)")
    name: str
    provided_as: str
    present: bool
    cite: str
    instead_of: str | None = Field(None, description="the category's document this alternative replaced")
    alternatives: list[str] = Field(default=[], description="documents that may stand in for this requirement")
    optional: bool = Field(False, description="'if any': not given is not missing")


class GroundRef(Schema):
    code: str
    text: Texts | None = Field(..., description="null only if the act no longer lists this ground")
    cite: str | None


class TaskOut(Schema):
    id: int
    case: int
    case_number: str
    regulation: str
    step: int
    role: str
    role_name: Texts | None
    action: Texts | None
    office: str | None
    opened_at: Instant
    due: Instant | None
    why: str
    cite: str
    urgency: Literal["on-track", "at-risk", "overdue", "no-term"]
    claimed_by: str | None
    accepts: bool = Field(..., description="accepts the documents (acceptance may be refused here)")
    decides: bool = Field(..., description="completing it needs the decision")
    issues: bool
    via_registry: bool = Field(..., description="done by sending the case in a registry, not by completing")


CaseStatus = Literal["submitted", "in-progress", "issued", "acceptance-refused", "request-closed"]


class CaseBrief(Schema):
    id: int
    number: str
    regulation: str
    route: str
    channel: str
    status: CaseStatus
    category: str
    applicant: ApplicantOut
    submitted_at: Instant
    accepted_at: Instant | None
    term_due: Instant | None
    overdue: bool = Field(..., description="open, and past its legal term")
    current_step: int | None
    outcome: Literal["positive", "refusal"] | None
    office: str | None = Field(..., description="where the application was received")
    provider_office: str | None = Field(..., description="the provider office that works the case")


class EntitlementOut(Schema):
    item: str = Field(..., description="the item of the norm tables the application asks for")
    quantity: int
    categories: list[str] = Field(..., description="the recipient's categories the check used")
    checked_on: dt.date = Field(..., description="the day of the check at intake")
    allowed: bool
    reason: str = Field(..., description="the check's reason code (see GET /recipients/{iin}/entitlements)")
    earliest: dt.date | None = Field(None, description="when not allowed: the first day it is")
    cite: str


class CaseDetail(CaseBrief):
    term_why: str
    grounds: list[GroundRef] = Field(..., description="refusal grounds, or the acceptance-refusal ground")
    closed_at: Instant | None
    in_term: bool | None
    representative: RepresentativeOut | None
    checklist: list[ChecklistOut]
    tasks: list[TaskOut] = Field(..., description="the open tasks")
    entitlement: EntitlementOut | None = Field(None, description="services with norm tables: the item asked for "
                                                                 "and the replacement check made at intake")
    personal_code: str | None = Field(None, description="an anonymous examination's code (the IIN is then empty)")
    suspended_since: Instant | None = Field(None, description="the term is suspended since then (nothing is due)")
    result: str | None = Field(None, description="the result the deciding step named, where the act has several")


class EventOut(Schema):
    seq: int
    kind: str
    payload: dict[str, Any]
    at: Instant
    actor: str | None


class CompleteIn(In):
    note: str = Field("", max_length=2000)
    decision: Literal["positive", "refusal"] | None = Field(None, description="only at the step that decides")
    grounds: list[str] = Field(default_factory=list, max_length=50, description="refusal ground codes")
    reason: str = Field("", max_length=4000, description="the written reason of a refusal")


class RefuseAcceptanceIn(In):
    ground: str = Field(..., max_length=80, description="an acceptance-refusal ground code of the act")
    note: str = Field("", max_length=2000, description="what the clerk wrote on the refusal; kept in the event")


# --- registries and decisions --------------------------------------------------------------------


class DispatchIn(In):
    tasks: list[int] = Field(..., max_length=1000, description="ids of tasks waiting at a registry step")


class ReturnIn(In):
    errors: str = Field(..., max_length=2000, description="the errors found in the package")


class RegistryItemOut(Schema):
    id: int
    case: int
    case_number: str
    state: Literal["sent", "acknowledged", "returned"]
    errors: str
    acted_at: Instant | None
    acted_by: str | None


class RegistryBrief(Schema):
    id: int
    number: str
    direction: Literal["to-provider", "to-psc"]
    from_office: str
    to_office: str
    step: int = Field(..., description="the route step whose output the registry is")
    dispatched_at: Instant
    dispatched_by: str | None
    item_count: int


class RegistryDetail(RegistryBrief):
    items: list[RegistryItemOut]


class DecisionIn(In):
    task: int = Field(..., description="the open task of the deciding step")
    decision: Literal["positive", "refusal"]
    grounds: list[str] = Field(default_factory=list, max_length=50)
    reason: str = Field("", max_length=4000)
    note: str = Field("", max_length=2000)
    result: str = Field("", max_length=80, description="the result code, where the act gives results of one kind "
                                                       "their own terms (e.g. an examination's finding)")


class DecisionOut(Schema):
    case: int
    case_number: str
    regulation: str
    outcome: Literal["positive", "refusal"]
    grounds: list[GroundRef]
    reason: str
    decided_by: str | None
    decided_at: Instant | None
