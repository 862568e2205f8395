"""How the catalog, cases, tasks and registries look in the API: model objects in, schemas out.

Builders that take a whole page of rows fetch what the rows share in one query, so a list costs the
same number of queries for 5 rows as for 200.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count

from qyzmet.api import schemas as s
from qyzmet.cases.access import urgency
from qyzmet.cases.models import Case, Event, Registry, Task
from qyzmet.cases.services import regulation_of
from qyzmet.cases.workflow import is_dispatch_step
from qyzmet.core.checklist import alternatives_of, describe
from qyzmet.core.regulation import Category, Ground, Regulation, Step, Term, Text

# --- the catalog ---------------------------------------------------------------------------------


def texts(text: Text | None) -> s.Texts | None:
    return s.Texts(kk=text.kk, ru=text.ru, en=text.en) if text is not None else None


def _duration(item: Step | Term) -> str | None:
    return str(item.duration) if item.duration is not None else None


def regulation_brief(reg: Regulation) -> s.RegulationBrief:
    return s.RegulationBrief(**_brief_fields(reg))


def _brief_fields(reg: Regulation) -> dict:
    act = reg.act
    return {
        "id": reg.id, "service": reg.service, "version": reg.version, "name": texts(reg.name),
        "routes": [s.RouteBrief(code=code, channel=r.channel, name=texts(r.name)) for code, r in reg.routes.items()],
        "terms": [s.TermOut(channel=t.channel, duration=_duration(t), text=texts(t.duration_text),
                            excludes=list(t.excludes), cite=t.cite) for t in reg.terms],
        "act": s.ActOut(number=act.number, date=act.adopted, issuer=texts(act.issuer), kind=texts(act.kind),
                        title=texts(act.title), cite=act.cite),
    }


def _document(reg: Regulation, code: str, category: Category | None = None) -> s.DocumentOut:
    doc = reg.document(code)
    if doc is None:  # a category naming an undefined document is a lint finding; still show the code
        return s.DocumentOut(code=code, name=s.Texts(), provided_as="copy", form=None, cite=None)
    conditional = category.condition(code) if category else None
    when = None
    if conditional is not None:
        w = conditional.when
        when = s.ConditionOut(age_under=w.age_under, age_from=w.age_from, age_from_female=w.age_from_female,
                              if_any=w.if_any, no_iin=w.no_iin, note=texts(w.note), cite=conditional.cite)
    return s.DocumentOut(code=doc.code, name=texts(doc.name), provided_as=doc.provided_as, form=doc.form,
                         cite=doc.cite, instead_of=list(doc.instead_of),
                         alternatives=[a.code for a in alternatives_of(reg, doc.code)], when=when)


def _checklist(reg: Regulation, case: Case) -> list[s.ChecklistOut]:
    out = []
    for i in case.checklist.all():
        info = describe(reg, case.category, i.document)
        out.append(s.ChecklistOut(document=i.document, name=i.name, provided_as=i.provided_as, present=i.present,
                                  cite=i.cite, instead_of=info.instead_of, alternatives=list(info.alternatives),
                                  optional=info.optional))
    return out


def _step(reg: Regulation, step: Step) -> s.StepOut:
    role = reg.role(step.role) if step.role else None
    return s.StepOut(
        n=step.n, role=s.RoleRef(code=step.role, name=texts(role.name) if role else None) if step.role else None,
        action=texts(step.action), output=texts(step.output), duration=_duration(step),
        duration_text=texts(step.duration_text), cite=step.cite, produces=list(step.produces),
        accepts=step.accepts, decides=step.decides, issues=step.issues)


def _ground(g: Ground) -> s.GroundOut:
    return s.GroundOut(code=g.code, text=texts(g.text), cite=g.cite)


def regulation_detail(reg: Regulation) -> s.RegulationDetail:
    fields = _brief_fields(reg)
    fields["routes"] = [
        s.RouteOut(code=code, channel=r.channel, name=texts(r.name), cite=r.cite,
                   steps=[_step(reg, step) for step in r.steps])
        for code, r in reg.routes.items()]
    return s.RegulationDetail(
        **fields, provider=texts(reg.provider.name),
        channels=[s.ChannelOut(code=c.code, name=texts(c.name), schedule=c.schedule, cite=c.cite)
                  for c in reg.channels],
        categories=[s.CategoryOut(code=c.code, name=texts(c.name), cite=c.cite,
                                  documents=[_document(reg, d, c) for d in c.documents]) for c in reg.categories],
        documents=[_document(reg, d.code) for d in reg.documents],
        acceptance_refusal_grounds=[
            s.AcceptanceGroundOut(code=g.code, text=texts(g.text), cite=g.cite,
                                  on_missing_documents=g.on_missing_documents)
            for g in reg.acceptance_refusal_grounds],
        refusal_grounds=[_ground(g) for g in reg.refusal_grounds],
        results=[s.ResultOut(code=r.code, kind=r.kind, name=texts(r.name), medium=r.medium, cite=r.cite)
                 for r in reg.results],
    )


# --- tasks and cases -----------------------------------------------------------------------------


def task_out(task: Task, now: dt.datetime) -> s.TaskOut:
    """Needs ``case__regulation``, ``office`` and ``claimed_by`` selected with the task."""
    case = task.case
    reg = regulation_of(case.regulation)
    route = reg.route(case.route)
    step = route.step(task.step)
    role = reg.role(task.role) if task.role else None
    return s.TaskOut(
        id=task.pk, case=case.pk, case_number=case.number, regulation=reg.id, step=task.step, role=task.role,
        role_name=texts(role.name) if role else None, action=texts(step.action),
        office=task.office.code if task.office_id else None, opened_at=task.opened_at, due=task.due,
        why=task.why, cite=task.cite, urgency=urgency(task.opened_at, task.due, now).value,
        claimed_by=task.claimed_by.get_username() if task.claimed_by_id else None,
        accepts=step.accepts, decides=step.decides, issues=step.issues,
        via_registry=is_dispatch_step(route, task.step))


TASK_RELATED = ("case__regulation", "office", "claimed_by")
CASE_RELATED = ("regulation", "office", "provider_office")
OPEN = (Case.Status.SUBMITTED, Case.Status.IN_PROGRESS)


def grounds_of(case: Case) -> list[s.GroundRef]:
    reg = regulation_of(case.regulation)
    refused_acceptance = case.status == Case.Status.ACCEPTANCE_REFUSED
    refs = []
    for code in case.grounds or ():
        ground = reg.acceptance_refusal_ground(code) if refused_acceptance else reg.refusal_ground(code)
        refs.append(s.GroundRef(code=code, text=texts(ground.text) if ground else None,
                                cite=ground.cite if ground else None))
    return refs


def _case_fields(case: Case, now: dt.datetime) -> dict:
    return {
        "id": case.pk, "number": case.number, "regulation": case.regulation.reg_id, "route": case.route,
        "channel": case.channel, "status": case.status, "category": case.category,
        "applicant": s.ApplicantOut(iin=case.applicant_iin, name=case.applicant_name, phone=case.applicant_phone),
        "submitted_at": case.submitted_at, "accepted_at": case.accepted_at, "term_due": case.term_due,
        "overdue": case.status in OPEN and case.term_due is not None and case.term_due < now,
        "current_step": case.current_step, "outcome": case.outcome or None,
        "office": case.office.code if case.office_id else None,
        "provider_office": case.provider_office.code if case.provider_office_id else None,
    }


def case_briefs(cases: Iterable[Case], now: dt.datetime) -> list[s.CaseBrief]:
    return [s.CaseBrief(**_case_fields(case, now)) for case in cases]


def case_detail(case: Case, now: dt.datetime) -> s.CaseDetail:
    """Needs ``CASE_RELATED`` selected; reads the checklist and the open tasks (two queries)."""
    tasks = case.tasks.filter(closed_at__isnull=True).select_related(*TASK_RELATED).order_by("step", "id")
    representative = None
    if case.representative_name or case.representative_iin:
        representative = s.RepresentativeOut(name=case.representative_name, iin=case.representative_iin,
                                             power_of_attorney=case.power_of_attorney)
    return s.CaseDetail(
        **_case_fields(case, now), term_why=case.term_why, grounds=grounds_of(case), closed_at=case.closed_at,
        in_term=case.in_term, representative=representative,
        checklist=_checklist(regulation_of(case.regulation), case),
        tasks=[task_out(t, now) for t in tasks], entitlement=entitlement_out(case),
        personal_code=case.personal_code, suspended_since=case.state.get("suspended_since"),
        result=case.state.get("result"))


def entitlement_out(case: Case) -> s.EntitlementOut | None:
    from qyzmet.entitlements.workflow import request_of, services_with_norms

    if case.regulation.reg_id not in services_with_norms():  # no query for the services without norm tables
        return None
    req = request_of(case.pk)
    if req is None:
        return None
    return s.EntitlementOut(item=req.item, quantity=req.quantity, categories=req.categories, checked_on=req.checked_on,
                            allowed=req.allowed, reason=req.reason, earliest=req.earliest, cite=req.cite)


def events_out(events: Iterable[Event]) -> list[s.EventOut]:
    return [s.EventOut(seq=e.seq, kind=e.kind, payload=e.payload, at=e.at,
                       actor=e.actor.get_username() if e.actor_id else None) for e in events]


# --- registries and decisions --------------------------------------------------------------------


def _registry_fields(registry: Registry) -> dict:
    return {
        "id": registry.pk, "number": registry.number, "direction": registry.direction,
        "from_office": registry.from_office.code, "to_office": registry.to_office.code, "step": registry.step,
        "dispatched_at": registry.dispatched_at,
        "dispatched_by": registry.dispatched_by.get_username() if registry.dispatched_by_id else None,
    }


REGISTRY_RELATED = ("from_office", "to_office", "dispatched_by")


def with_item_counts(registries):
    return registries.select_related(*REGISTRY_RELATED).annotate(item_count=Count("items"))


def registry_briefs(registries: Iterable[Registry]) -> list[s.RegistryBrief]:
    """Needs ``with_item_counts``."""
    return [s.RegistryBrief(**_registry_fields(r), item_count=r.item_count) for r in registries]


def registry_item_out(item) -> s.RegistryItemOut:
    return s.RegistryItemOut(id=item.pk, case=item.case_id, case_number=item.case.number, state=item.state,
                             errors=item.errors, acted_at=item.acted_at,
                             acted_by=item.acted_by.get_username() if item.acted_by_id else None)


def registry_detail(registry: Registry) -> s.RegistryDetail:
    items = list(registry.items.select_related("case", "acted_by").order_by("id"))
    return s.RegistryDetail(**_registry_fields(registry), item_count=len(items),
                            items=[registry_item_out(i) for i in items])


def decisions_out(cases: list[Case]) -> list[s.DecisionOut]:
    """The decision of each case, from its latest ``decide`` event (one query for the whole page)."""
    latest: dict[int, Event] = {}
    for event in (Event.objects.filter(case__in=cases, kind="decide").select_related("actor")
                  .order_by("case_id", "seq")):
        latest[event.case_id] = event
    result = []
    for case in cases:
        event = latest.get(case.pk)
        result.append(s.DecisionOut(
            case=case.pk, case_number=case.number, regulation=case.regulation.reg_id, outcome=case.outcome,
            grounds=grounds_of(case), reason=(event.payload.get("note") or "") if event else "",
            decided_by=event.actor.get_username() if event and event.actor_id else None,
            decided_at=event.at if event else None))
    return result
