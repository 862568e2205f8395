"""What staff and citizens do to cases, with the checks the acts and the access rules demand.

The staff pages and the JSON API both call these functions; neither checks permissions on its own.
Each function raises :class:`Invalid` (a named field is wrong: HTTP 400/422), :class:`Conflict` (the
case is not in a state that allows it: HTTP 409), or the access module's ``AccessDenied`` (403) /
``NotFound`` (404).  Nothing is stored when any of them is raised.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import cache

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from qyzmet.cases import services
from qyzmet.cases.access import (
    OUTSIDE_ROLES,
    AccessDenied,
    Actor,
    Conflict,
    NotFound,
    case_for,
    my_tasks,
    newest_first,
    of_offices,
    task_for,
    task_office_id,
    visible_cases,
)
from qyzmet.cases.models import Case, Registry, RegistryItem, RegulationVersion, Task
from qyzmet.core import engine, personal_code
from qyzmet.core.calendar import local_instant, to_local
from qyzmet.core.iin import InvalidIdentifier, parse_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.core.regulation import Regulation, Route, Step
from qyzmet.core.timeline import result_choices
from qyzmet.directory.models import Office, ServicePoint


class Invalid(ValueError):
    """A field of the request is wrong; ``field`` names it as the form or the API call spells it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def invalid_iin(exc: InvalidIdentifier) -> str:
    """What to say of a bad IIN: the core's reason (check digit, impossible date) is English and technical,
    so other languages get the plain advice and English readers (the API) get the reason too."""
    message = _("This IIN is not valid: check the digits against the identity document.")
    return f"{message} ({exc})" if translation.get_language() == "en" else message


def _reg_row(reg_id: str, on: dt.date | None = None) -> tuple[RegulationVersion, Regulation]:
    """The version of a shipped regulation a case submitted on ``on`` follows: the one in force that day
    (qyzmet.recompute.in_force); without a day, the newest."""
    from qyzmet.recompute.in_force import in_force

    try:
        reg = shipped_catalog().get(reg_id)
    except KeyError:
        raise Invalid("regulation", _("Unknown service “%(service)s”.") % {"service": reg_id}) from None
    if on is not None:
        reg = in_force([r for r in shipped_catalog().regulations if r.id == reg_id], on)
    return services.register_regulation(reg), reg


def step_of(reg: Regulation, case: Case, n: int) -> Step:
    return reg.route(case.route).step(n)


def accepting_step(route: Route) -> Step:
    return next((s for s in route.steps if s.accepts), route.steps[0])


def intake_roles(reg: Regulation, route: Route) -> frozenset[str]:
    """Who may open a case at the counter: the roles of the steps up to the one that accepts it."""
    roles = set()
    for step in route.steps:
        if step.role and step.role not in OUTSIDE_ROLES:
            roles.add(step.role)
        if step.accepts:
            break
    return frozenset(roles)


@cache
def _intake_roles_of(catalog_key: int) -> frozenset[str]:
    return frozenset(role for reg in shipped_catalog().regulations for route in reg.routes.values()
                     for role in intake_roles(reg, route))


def takes_applications(actor: Actor) -> bool:
    """Does this person hold a role that opens cases at the counter in some service?  (No query: the
    menu asks on every page.)"""
    return bool(_intake_roles_of(id(shipped_catalog())) & actor.roles)


def is_dispatch_step(route: Route, n: int) -> bool:
    """Step ``n`` hands the case to another office with a registry (the next step works elsewhere)."""
    return route.following(n) is not None and "registry" in route.step(n).produces


# --- what an office offers ------------------------------------------------------------------------

@dataclass(frozen=True)
class Offer:
    point: ServicePoint
    regulation: Regulation
    route: Route


def offers(actor: Actor) -> list[Offer]:
    """The services this office takes applications for, that this person may open."""
    catalog = {r.id: r for r in shipped_catalog().regulations}
    result = []
    for point in ServicePoint.objects.filter(office_id=actor.office_id).select_related("provider"):
        reg = catalog.get(point.reg_id)
        if reg is None or point.route not in reg.routes:
            continue
        route = reg.route(point.route)
        if intake_roles(reg, route) & actor.roles:
            result.append(Offer(point, reg, route))
    return sorted(result, key=lambda o: o.regulation.id)


def role_names(actor: Actor, lang: str) -> list[str]:
    """The person's roles as the acts of their office's services name them ("Орталықтың операциялық залының
    инспекторы"), the code where none of those acts names it.  One query: the office's service points."""
    catalog = {r.id: r for r in shipped_catalog().regulations}
    reg_ids = (ServicePoint.objects.filter(Q(office_id=actor.office_id) | Q(provider_id=actor.office_id))
               .order_by("reg_id").values_list("reg_id", flat=True).distinct())
    names: dict[str, str] = {}
    for reg_id in reg_ids:
        reg = catalog.get(reg_id)
        for code in actor.roles - names.keys():
            role = reg.role(code) if reg else None
            if role is not None:
                names[code] = role.name.get(lang)
    return [names.get(code, code) for code in sorted(actor.roles)]


def minor_categories(reg: Regulation) -> list[str]:
    """Categories whose checklist asks for a child's birth certificate: the ones for minors."""
    return [c.code for c in reg.categories if any("birth-certificate" in d for d in c.documents)]


def check_applicant(reg: Regulation, iin: str, category: str, today: dt.date) -> None:
    """The IIN must be valid, and a minor's application uses a category for children, as the acts say."""
    try:
        info = parse_iin(iin, today=today)
    except InvalidIdentifier as exc:
        raise Invalid("applicant.iin", invalid_iin(exc)) from None
    if reg.categories and reg.category(category) is None:
        known = ", ".join(c.code for c in reg.categories)
        raise Invalid("category", _("Unknown applicant category “%(category)s” (categories: %(known)s).")
                      % {"category": category, "known": known})
    birth = info.birth_date
    children = minor_categories(reg)
    if children and age(birth, today) < 18 and category not in children:
        raise Invalid("category", _("The applicant was born on %(born)s and is a minor: the application needs the "
                                    "birth certificate and a parent's identity document (categories: %(children)s).")
                      % {"born": f"{birth:%d.%m.%Y}", "children": ", ".join(children)})


def age(birth: dt.date, today: dt.date) -> int:
    """Full years on ``today``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Application:
    regulation: str
    iin: str
    category: str
    documents: tuple[str, ...] = ()
    name: str = ""
    phone: str = ""
    representative_name: str = ""
    representative_iin: str = ""
    power_of_attorney: str = ""
    route: str | None = None  # the office's route for the service; None: its only (or first) one
    language: str = ""  # kk or ru, the citizen's language of service; empty: the page's language (else kk)


def registers_by_code(reg: Regulation, category: str) -> bool:
    """Is this applicant registered under a personal code instead of the IIN (an anonymous examination)?"""
    cat = reg.category(category)
    return cat is not None and cat.identity == "personal-code"


def _check_application(reg: Regulation, app: Application, today: dt.date) -> None:
    if registers_by_code(reg, app.category):
        # Nothing that names the person enters an anonymous case: not the IIN, not a name, not a phone.
        for name, value in (("applicant.iin", app.iin), ("applicant.name", app.name), ("applicant.phone", app.phone),
                            ("representative.iin", app.representative_iin),
                            ("representative.name", app.representative_name),
                            ("representative.power_of_attorney", app.power_of_attorney)):
            if value.strip():
                raise Invalid(name, _("An anonymous examination is registered under a personal code: leave the "
                                      "IIN, the name and the phone empty."))
        return
    check_applicant(reg, app.iin, app.category, today)
    unknown = [d for d in app.documents if reg.document(d) is None]
    if unknown:
        raise Invalid("documents", _("The regulation defines no document(s) %(codes)s.")
                      % {"codes": ", ".join(unknown)})
    if app.representative_name or app.representative_iin:
        if not app.power_of_attorney.strip():
            raise Invalid("representative.power_of_attorney",
                          _("A representative acts on a power of attorney: give its number and date."))
        if app.representative_iin:
            try:
                parse_iin(app.representative_iin, today=today)
            except InvalidIdentifier as exc:
                raise Invalid("representative.iin", invalid_iin(exc)) from None
    if app.phone:
        digits = "".join(ch for ch in app.phone if ch.isdigit())
        if len(digits) != 11 or digits[0] not in "78":
            raise Invalid("applicant.phone", _("A Kazakhstan phone number has 11 digits, e.g. +7 701 234 56 78."))


def _details(app: Application) -> dict[str, str]:
    digits = "".join(ch for ch in app.phone if ch.isdigit())
    phone = f"+7{digits[1:]}" if digits else ""
    language = app.language or translation.get_language() or ""
    return {"applicant_phone": phone, "language": language if language in ("kk", "ru") else "kk",
            "representative_name": app.representative_name.strip(),
            "representative_iin": app.representative_iin.strip(), "power_of_attorney": app.power_of_attorney.strip()}


def intake(actor: Actor, app: Application, now: dt.datetime) -> Case:
    """A counter clerk opens a case for an applicant standing at the window."""
    now = to_local(now)  # the IIN and age checks need Almaty's date, also just after midnight
    points = ServicePoint.objects.filter(office_id=actor.office_id, reg_id=app.regulation).select_related(
        "office", "provider").order_by("route")
    if app.route is not None:
        points = points.filter(route=app.route)
    point = points.first()
    if point is None:
        if app.route:
            raise Invalid("route", _("Your office does not take applications for “%(service)s” through route "
                                     "“%(route)s”.") % {"service": app.regulation, "route": app.route})
        raise Invalid("regulation", _("Your office does not take applications for “%(service)s”.")
                      % {"service": app.regulation})
    row, reg = _reg_row(app.regulation, to_local(now).date())
    route = reg.route(point.route)
    if not intake_roles(reg, route) & actor.roles:
        raise AccessDenied(_("Applications for this service are received by: %(roles)s.")
                           % {"roles": ", ".join(sorted(intake_roles(reg, route)))})
    _check_application(reg, app, now.date())
    code = personal_code.new_code() if registers_by_code(reg, app.category) else ""
    event = engine.Submit(point.route, app.iin, app.category or "any", tuple(app.documents), by=actor.username,
                          personal_code=code)
    try:
        outcome = services.submit(row, event, now, office=point.office, provider_office=point.provider,
                                  applicant_name=app.name.strip(), actor=_user(actor), **_details(app))
    except engine.EngineError as exc:
        raise Invalid("documents", str(exc)) from None
    return outcome.case


def portal_route(reg: Regulation) -> str | None:
    """The route code of the act's e-gov portal channel, if it has one (some acts call it "main")."""
    return next((code for code, route in reg.routes.items() if route.channel == "portal"), None)


def online_services() -> list[Regulation]:
    """Services a citizen can apply for on the portal (the act gives them a portal channel)."""
    return sorted((r for r in shipped_catalog().regulations if portal_route(r)), key=lambda r: r.id)


# The applicant's own steps on the portal and the information systems' checks are not anybody's work
# at an office: the system records them the moment they become current.  The proactive "recipient"
# step is different: it waits for the citizen's SMS answer.
SYSTEM_ROLES = OUTSIDE_ROLES - {"recipient"}


def advance_system_steps(case: Case, now: dt.datetime) -> Case:
    """Record the steps the portal and the state systems do themselves, up to the next person's step."""
    reg = services.regulation_of(case.regulation)
    route = reg.route(case.route)
    while case.status in (Case.Status.SUBMITTED, Case.Status.IN_PROGRESS) and case.current_step:
        step = route.step(case.current_step)
        if step.role not in SYSTEM_ROLES or step.decides:
            break
        case = services.apply_event(case, engine.CompleteStep(step.n, by=step.role), now).case
    return case


def apply_online(app: Application, now: dt.datetime) -> Case:
    """A citizen applies on the portal: their own and the information system's steps are done at once.

    The portal routes of the acts begin with the applicant authorising, filling in and signing the
    request and the information system checking it; submitting the form here is all of that.
    """
    now = to_local(now)
    row, reg = _reg_row(app.regulation, now.date())
    route_code = portal_route(reg)
    if route_code is None:
        raise Invalid("regulation", _("“%(service)s” cannot be applied for online.") % {"service": reg.id})
    _check_application(reg, app, now.date())
    point = ServicePoint.objects.filter(reg_id=reg.id, route=route_code).select_related("provider").first()
    event = engine.Submit(route_code, app.iin, app.category or "any", tuple(app.documents), by="applicant")
    with transaction.atomic():
        try:
            case = services.submit(row, event, now, provider_office=point.provider if point else None,
                                   applicant_name=app.name.strip(), **_details(app)).case
            case = advance_system_steps(case, now)
        except engine.EngineError as exc:
            raise Invalid("documents", str(exc)) from None
    return case


def _user(actor: Actor):
    from django.contrib.auth import get_user_model

    return get_user_model()(pk=actor.user_id, username=actor.username)


def apply_as(case: Case, event: engine.Event, now: dt.datetime, actor: Actor) -> Case:
    try:
        case = services.apply_event(case, event, now, actor=_user(actor)).case
        return advance_system_steps(case, now)
    except engine.MissingDocuments as exc:
        raise Conflict(_missing_documents(services.regulation_of(case.regulation), exc)) from None
    except engine.EngineError as exc:
        raise Conflict(str(exc)) from None


def _missing_documents(reg: Regulation, exc: engine.MissingDocuments) -> str:
    """The engine's refusal to accept an incomplete package, in the reader's words: the documents by name
    and the act's ground for refusing acceptance."""
    lang = (translation.get_language() or "kk").split("-")[0]
    names = "; ".join(doc.name.get(lang) if (doc := reg.document(code)) else code for code in exc.missing)
    return (_("Missing: %(names)s. The documents cannot be accepted: refuse acceptance on the ground "
              "“%(ground)s” (%(cite)s).")
            % {"names": names, "ground": exc.ground.text.get(lang), "cite": exc.ground.cite})


# --- tasks ---------------------------------------------------------------------------------------

def claim(actor: Actor, task_id: int, now: dt.datetime) -> Task:
    with transaction.atomic():
        task = task_for(actor, task_id)
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.claimed_by_id not in (None, actor.user_id):
            raise Conflict(_("Step %(n)s of %(number)s is already taken by %(person)s.")
                           % {"n": task.step, "number": task.case.number, "person": locked.claimed_by})
        locked.claimed_by_id, locked.claimed_at = actor.user_id, now
        locked.save(update_fields=["claimed_by", "claimed_at"])
    task.claimed_by_id, task.claimed_at = actor.user_id, now
    return task


@dataclass(frozen=True)
class Completion:
    note: str = ""
    decision: str | None = None  # "positive" | "refusal", for the step that fixes the outcome
    grounds: tuple[str, ...] = ()
    reason: str = ""  # the written reason of a refusal
    result: str = ""  # which result, where the act gives results of one kind their own terms (HIV testing)


def complete(actor: Actor, task_id: int, done: Completion, now: dt.datetime) -> Case:
    """Do one step: the role's own work, or, at the deciding step, the decision and its signature."""
    task = task_for(actor, task_id)
    case = task.case
    reg = services.regulation_of(case.regulation)
    route = reg.route(case.route)
    step = route.step(task.step)
    if task.purpose == "storage":
        raise Conflict(_("Case %(number)s: the result is kept here until the PSC asks for it.")
                       % {"number": case.number})
    if task.purpose == "retrieval":
        return apply_as(case, engine.ReturnResult(by=actor.username), now, actor)
    if is_dispatch_step(route, step.n):
        raise Conflict(_("Step %(n)s hands the case over with a registry: include it in a registry and send it.")
                       % {"n": step.n})
    pending = RegistryItem.objects.filter(case=case, state=RegistryItem.State.SENT).select_related("registry").first()
    if pending is not None:
        raise Conflict(_("Case %(number)s arrived with registry %(registry)s: take it over (or return it) on the "
                         "registries page first.") % {"number": case.number, "registry": pending.registry.number})
    with transaction.atomic():
        # Read the claim under the row lock, so a claim made a moment ago is not overtaken.
        claimed_by = Task.objects.select_for_update().values_list("claimed_by_id", flat=True).get(pk=task.pk)
        if claimed_by not in (None, actor.user_id):
            raise Conflict(_("Step %(n)s of %(number)s is taken by another person.")
                           % {"n": task.step, "number": case.number})
        if step.decides:
            case = _decide(actor, reg, case, step, done, now)
        elif done.decision is not None or done.grounds:
            raise Invalid("decision", _("Step %(n)s does not decide the case; the decision is taken at step "
                                        "%(decides)s.") % {"n": step.n,
                                                           "decides": next(s.n for s in route.steps if s.decides)})
        case = apply_as(case, engine.CompleteStep(step.n, by=actor.username, note=done.note.strip()), now, actor)
    return case


def _decide(actor: Actor, reg: Regulation, case: Case, step: Step, done: Completion, now: dt.datetime) -> Case:
    if done.decision not in ("positive", "refusal"):
        raise Invalid("decision", _("This step decides the case: choose a positive result or a reasoned refusal."))
    if done.decision == "positive":
        if done.grounds:
            raise Invalid("grounds", _("A positive result has no refusal grounds."))
        choices = [r.code for r, _term in result_choices(reg, case.channel)]
        if choices and done.result not in choices:
            raise Invalid("result", _("Choose the result the decision ends with (%(codes)s).")
                          % {"codes": ", ".join(choices)})
        return apply_as(case, engine.Decide("positive", by=actor.username, note=done.reason.strip(),
                                          result=done.result or None), now, actor)
    if not done.grounds:
        raise Invalid("grounds", _("A reasoned refusal names at least one ground from the regulation."))
    unknown = [g for g in done.grounds if reg.refusal_ground(g) is None]
    if unknown:
        known = ", ".join(g.code for g in reg.refusal_grounds) or "—"
        raise Invalid("grounds", _("Not a refusal ground of this regulation: %(codes)s (grounds: %(known)s).")
                      % {"codes": ", ".join(unknown), "known": known})
    if not done.reason.strip():
        raise Invalid("reason", _("A reasoned refusal needs the written reason."))
    return apply_as(case, engine.Decide("refusal", tuple(done.grounds), by=actor.username,
                                      note=done.reason.strip()), now, actor)


def refuse_acceptance(actor: Actor, task_id: int, ground: str, note: str, now: dt.datetime) -> Case:
    """The clerk who would accept the documents refuses to, on a ground of the act's closed list."""
    task = task_for(actor, task_id)
    case = task.case
    reg = services.regulation_of(case.regulation)
    route = reg.route(case.route)
    if task.step != accepting_step(route).n:
        raise Conflict(_("Acceptance is refused at step %(accepting)s, not at step %(n)s.")
                       % {"accepting": accepting_step(route).n, "n": task.step})
    if reg.acceptance_refusal_ground(ground) is None:
        known = ", ".join(g.code for g in reg.acceptance_refusal_grounds) or "—"
        raise Invalid("ground", _("“%(ground)s” is not a ground for refusing acceptance (grounds: %(known)s).")
                      % {"ground": ground, "known": known})
    return apply_as(case, engine.RefuseAcceptance(ground, by=actor.username, note=note.strip()), now, actor)


# --- registries between the PSC and the provider -------------------------------------------------

def dispatchable(actor: Actor) -> QuerySet[Task]:
    """My open tasks whose step hands the case over with a registry, the most urgent first.

    Which steps those are is a matter of each stored regulation text; the condition is built from the
    few texts stored, so the database filters the (possibly thousands of) open tasks, not Python.
    """
    which = Q(pk__in=[])
    for row in RegulationVersion.objects.only("pk", "reg_id", "version", "content_hash"):
        reg = services.regulation_of(row)
        for code, route in reg.routes.items():
            steps = [s.n for s in route.steps if is_dispatch_step(route, s.n)]
            if steps:
                which |= Q(case__regulation_id=row.pk, case__route=code, step__in=steps)
    return my_tasks(actor).filter(which)


def registry_direction(case: Case, receiver: int | None) -> str:
    """Back to the PSC when the receiving office is the one that took the application (and not the provider)."""
    if receiver == case.office_id and case.office_id != case.provider_office_id:
        return Registry.Direction.TO_PSC
    return Registry.Direction.TO_PROVIDER


def new_registry(direction: str, from_office: int, to_office: int, step: int, at: dt.datetime,
                 by_user: int | None) -> Registry:
    """A numbered registry row; the primary key is the race-free counter behind "R<year>-<n>"."""
    registry = Registry.objects.create(number=f"pending-{uuid.uuid4().hex[:20]}", direction=direction,
                                       from_office_id=from_office, to_office_id=to_office, step=step,
                                       dispatched_at=at, dispatched_by_id=by_user)
    registry.number = f"R{at:%Y}-{registry.pk:06d}"
    registry.save(update_fields=["number"])
    return registry


def dispatch(actor: Actor, task_ids: list[int], now: dt.datetime) -> Registry:
    """Bundle cases waiting at a registry step into one registry for one receiving office, and send it."""
    if not task_ids:
        raise Invalid("tasks", _("Choose at least one case for the registry."))
    tasks = [task_for(actor, pk) for pk in dict.fromkeys(task_ids)]
    targets: set[tuple[int | None, str, int]] = set()
    for task in tasks:
        reg = services.regulation_of(task.case.regulation)
        route = reg.route(task.case.route)
        if not is_dispatch_step(route, task.step):
            raise Invalid("tasks", _("Case %(number)s is at step %(n)s, which is not sent with a registry.")
                          % {"number": task.case.number, "n": task.step})
        following = engine.next_step(route, engine.state_from_dict(task.case.state), task.step)
        receiver = task_office_id(reg, following.role if following else None, task.case)
        targets.add((receiver, registry_direction(task.case, receiver), task.step))
    if len({(t[0], t[1]) for t in targets}) != 1:
        raise Invalid("tasks", _("One registry goes to one office: these cases go to different offices."))
    receiver, direction, step = next(iter(targets))
    if receiver is None:
        raise Invalid("tasks", _("These cases have no receiving office."))
    with transaction.atomic():
        # Lock every case of the registry at once, in primary-key order: two people sending overlapping
        # lists in another order would otherwise each hold one case and wait for the other's (a deadlock,
        # a 500 on PostgreSQL).  Under the locks, a case somebody sent meanwhile is a conflict, not a crash.
        list(Case.objects.select_for_update().filter(pk__in={t.case_id for t in tasks}).order_by("pk")
             .values_list("pk", flat=True))
        done = Task.objects.filter(pk__in=[t.pk for t in tasks], closed_at__isnull=False).first()
        if done is not None:
            sent = next(t for t in tasks if t.pk == done.pk)
            raise Conflict(_("Step %(n)s of case %(number)s is already done.")
                           % {"n": sent.step, "number": sent.case.number})
        registry = new_registry(direction, actor.office_id, receiver, step, now, actor.user_id)
        for task in tasks:
            apply_as(task.case, engine.CompleteStep(task.step, by=actor.username, note=registry.number), now, actor)
            RegistryItem.objects.create(registry=registry, case=task.case)
    return registry


@dataclass(frozen=True)
class DispatchRhythm:
    """How many registries went to one provider office today, against the act's "at least N a day"."""

    provider: Office
    required: int
    sent_today: int
    cite: str

    @property
    def behind(self) -> bool:
        return self.sent_today < self.required


def dispatch_rhythm(actor: Actor, now: dt.datetime) -> list[DispatchRhythm]:
    """For each provider this office sends registries to under a daily rhythm the act sets, today's count.

    Only for people who send them (the role of the rhythm step).  The count is of registries, whatever
    services they carry: the acts ask that the documents go to the department N times a day.
    """
    catalog = {r.id: r for r in shipped_catalog().regulations}
    rules: dict[int, tuple[Office, int, str]] = {}
    for point in ServicePoint.objects.filter(office_id=actor.office_id).select_related("provider"):
        reg = catalog.get(point.reg_id)
        route = reg.routes.get(point.route) if reg else None
        if route is None or point.provider_id == actor.office_id:
            continue
        for step in route.steps:
            if step.at_least_times_a_day and actor.holds(step.role) and is_dispatch_step(route, step.n):
                known = rules.get(point.provider_id)
                if known is None or step.at_least_times_a_day > known[1]:
                    rules[point.provider_id] = (point.provider, step.at_least_times_a_day, step.cite)
    if not rules:
        return []
    day_start = local_instant(to_local(now).date(), 0)
    sent = dict(Registry.objects.filter(
        from_office_id=actor.office_id, to_office_id__in=rules, direction=Registry.Direction.TO_PROVIDER,
        dispatched_at__gte=day_start, dispatched_at__lte=now,
    ).values("to_office_id").annotate(n=Count("id")).values_list("to_office_id", "n"))
    return [DispatchRhythm(provider, required, sent.get(pk, 0), cite)
            for pk, (provider, required, cite) in sorted(rules.items())]


def registries(actor: Actor, *, supervised: bool = False) -> QuerySet[Registry]:
    """Registries this office sent or received; with ``supervised``, also those of the offices a regional
    regulator reads (``supervised_office_ids``)."""
    return Registry.objects.filter(of_offices(actor, "from_office_id", "to_office_id", None if supervised else ()))


def registry_history(actor: Actor) -> QuerySet:
    """Ids and instants of the registries this office sent or received, newest first, for paging."""
    return newest_first(Registry.objects.filter(from_office_id=actor.office_id),
                        Registry.objects.filter(to_office_id=actor.office_id), "dispatched_at")


def registry_for(actor: Actor, pk: int) -> Registry:
    # A regulator reads the region's registries too (the case pages of the region link to them).
    registry = registries(actor, supervised=True).select_related("from_office", "to_office").filter(pk=pk).first()
    if registry is None:
        raise NotFound(_("No such registry for your office."))
    return registry


def _item_for(actor: Actor, item_id: int) -> tuple[RegistryItem, Task]:
    item = RegistryItem.objects.select_related("registry", "case__regulation").filter(pk=item_id).first()
    if item is None or item.registry.to_office_id != actor.office_id:
        raise NotFound(_("No such line in a registry your office received."))
    if item.state != RegistryItem.State.SENT:
        raise Conflict(_("Case %(number)s in registry %(registry)s was already dealt with.")
                       % {"number": item.case.number, "registry": item.registry.number})
    task = Task.objects.filter(case=item.case, step=item.registry.step + 1, closed_at__isnull=True).first()
    if task is None:
        raise Conflict(_("Case %(number)s is no longer waiting for this registry.") % {"number": item.case.number})
    if not actor.holds(task.role):
        raise AccessDenied(_("Registry lines are taken over by the role “%(role)s”, which you do not hold.")
                           % {"role": task.role})
    return item, task


def acknowledge(actor: Actor, item_id: int, now: dt.datetime) -> RegistryItem:
    """The receiving office confirms the case arrived as listed.

    When the receiving step is only the taking-over (e.g. "accepts the applications from the PSC against
    the registry and registers them"), the acknowledgement is that step and completes it; a step that
    also decides or hands the result to the applicant stays open for its own work.
    """
    item, task = _item_for(actor, item_id)
    reg = services.regulation_of(item.case.regulation)
    step = step_of(reg, item.case, task.step)
    with transaction.atomic():
        if not (step.decides or step.issues or step.accepts or is_dispatch_step(reg.route(item.case.route), step.n)):
            apply_as(item.case, engine.CompleteStep(step.n, by=actor.username, note=item.registry.number), now, actor)
        item.state, item.acted_at, item.acted_by_id = RegistryItem.State.ACKNOWLEDGED, now, actor.user_id
        item.save(update_fields=["state", "acted_at", "acted_by"])
    return item


def return_item(actor: Actor, item_id: int, errors: str, now: dt.datetime) -> RegistryItem:
    """The receiving office sends the case back with the errors it found; the sender fixes and resends."""
    if not errors.strip():
        raise Invalid("errors", _("Say which errors were found."))
    item, task = _item_for(actor, item_id)
    with transaction.atomic():
        apply_as(item.case, engine.ReturnStep(task.step, errors.strip(), by=actor.username), now, actor)
        item.state, item.errors = RegistryItem.State.RETURNED, errors.strip()
        item.acted_at, item.acted_by_id = now, actor.user_id
        item.save(update_fields=["state", "errors", "acted_at", "acted_by"])
    return item


# --- uncollected results -------------------------------------------------------------------------

def _issuing_task(actor: Actor, case_id: int, purpose: str) -> Task:
    case = case_for(actor, pk=case_id)
    task = Task.objects.filter(case=case, closed_at__isnull=True).select_related("case__regulation").first()
    if task is None or task.purpose != purpose:
        raise Conflict(_("Case %(number)s has no result waiting for this.") % {"number": case.number})
    reg = services.regulation_of(case.regulation)
    issuing_role = reg.route(case.route).step(task.step).role
    if case.office_id != actor.office_id or not actor.holds(issuing_role):
        raise AccessDenied(_("Uncollected results are handled by the PSC's “%(role)s”.") % {"role": issuing_role})
    return task


def store_uncollected(actor: Actor, case_id: int, now: dt.datetime) -> Case:
    """The PSC hands a result nobody collected within the act's period to the provider for keeping."""
    task = _issuing_task(actor, case_id, "step")
    return apply_as(task.case, engine.StoreResult(by=actor.username), now, actor)


def request_result(actor: Actor, case_id: int, now: dt.datetime) -> Case:
    """The applicant came after all: ask the provider to send the kept result back within the act's term."""
    task = _issuing_task(actor, case_id, "storage")
    return apply_as(task.case, engine.RequestResult(by=actor.username), now, actor)


def sweep_uncollected(now: dt.datetime) -> list[str]:
    """Hand every result kept past its storage period to its provider (the nightly job); case numbers."""
    moved = []
    keeping = [r.id for r in shipped_catalog().regulations if r.storage is not None]  # only these acts say so
    waiting = Task.objects.filter(closed_at__isnull=True, purpose="step", case__status=Case.Status.IN_PROGRESS,
                                  office__organisation__kind="psc", case__regulation__reg_id__in=keeping,
                                  ).select_related("case__regulation")
    for task in waiting:
        reg = services.regulation_of(task.case.regulation)
        ends = engine.storage_ends(reg, engine.state_from_dict(task.case.state))
        if ends is not None and now >= ends:
            services.apply_event(task.case, engine.StoreResult(by="storage-sweep"), now)
            moved.append(task.case.number)
    return moved


__all__ = [
    "Application",
    "Completion",
    "Conflict",
    "Invalid",
    "Offer",
    "acknowledge",
    "apply_online",
    "claim",
    "complete",
    "dispatch",
    "dispatchable",
    "intake",
    "offers",
    "refuse_acceptance",
    "registries",
    "registry_for",
    "request_result",
    "return_item",
    "store_uncollected",
    "sweep_uncollected",
    "visible_cases",
]
