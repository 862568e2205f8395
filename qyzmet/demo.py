"""Demo data and the simulated run behind ``qyzmet demo`` and ``qyzmet serve --demo``.

Synthetic applications go through the real path — the engine's transitions stored by
:mod:`qyzmet.cases.services` — on a simulated clock: each step is done within its legal duration,
or late on purpose, so the compliance table shows what a regulator would see.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q

from qyzmet.cases import services, workflow
from qyzmet.cases.access import OUTSIDE_ROLES, task_office_id
from qyzmet.cases.models import Case, RegistryItem, RegulationVersion, Task
from qyzmet.core import engine, personal_code
from qyzmet.core.calendar import local_instant
from qyzmet.core.durations import Duration, Unit
from qyzmet.core.iin import make_iin
from qyzmet.core.regulation import Regulation, Route
from qyzmet.core.timeline import calendars_for, result_choices
from qyzmet.directory.models import Office, Organisation, RoleAssignment, ServicePoint, Staff

DEMO_PASSWORD = "qyzmet-demo"  # printed at start; demo databases only


@dataclass
class DemoDirectory:
    offices: dict[tuple[str, str], Office] = field(default_factory=dict)  # (act prefix, kind)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, office, role)
    provider_of: dict[str, Office] = field(default_factory=dict)  # regulation id -> the office working it
    users: dict[tuple[int, str], object] = field(default_factory=dict)  # (office id, role) -> user
    sms: dict[str, int] = field(default_factory=dict)  # queued / sent / invalid-number, when the outbox was drained
    proactive: dict[str, int] = field(default_factory=dict)  # proactive requests by what became of them
    waiting: list = field(default_factory=list)  # proactive requests left open to answer (serve --demo)
    portal: dict[str, int] = field(default_factory=dict)  # E-Sobes queue entries by how far they got
    supplier_logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, supplier, service)

    def office_for(self, reg: Regulation, channel: str) -> Office | None:
        """Where an application through ``channel`` is received: the PSC hall, or the provider itself."""
        if channel == "psc":
            return self.offices.get((_act_prefix(reg), "psc"))
        return self.provider_of.get(reg.id) if channel == "provider" else None


def _act_prefix(reg: Regulation) -> str:
    return reg.id.split("/")[0]


# The 2015 Mangystau health acts name "health organisations" in general; the demo gives each service
# the kind of organisation that really delivers it, so the demo has a polyclinic, a hospital and a
# dispensary rather than one office doing everything.
_HEALTH_KIND = {
    "inpatient-card-extract": "hospital", "emergency-care": "hospital", "hospitalisation-referral": "polyclinic",
    "narcological-certificate": "dispensary", "psychoneurological-certificate": "dispensary",
    "tb-certificate": "dispensary",
}
_HEALTH_NAMES = {
    "polyclinic": ("Ақтау қалалық емханасы", "Городская поликлиника г. Актау", "Aktau city polyclinic"),
    "hospital": ("Маңғыстау облыстық ауруханасы", "Мангистауская областная больница", "Mangystau regional hospital"),
    "dispensary": ("Маңғыстау облыстық диспансері", "Мангистауский областной диспансер",
                   "Mangystau regional dispensary"),
}


def _provider_kind(reg: Regulation) -> str:
    if _act_prefix(reg) == "mangystau-2015":
        return _HEALTH_KIND.get(reg.service, "polyclinic")
    return "provider"


def build_directory(regulations: list[Regulation], *, with_users: bool = True) -> DemoDirectory:
    """Offices per act (a provider, its PSC; three health organisations in Mangystau), service points,
    and one account per role each office needs."""
    directory = DemoDirectory()
    roles_by_office: dict[tuple[str, str], set[str]] = {}
    for reg in regulations:
        prefix = _act_prefix(reg)
        needs_psc = any(r.channel == "psc" for r in reg.routes.values())
        provider_key = (prefix, _provider_kind(reg))
        for key in (provider_key, (prefix, "psc")) if needs_psc else (provider_key,):
            if key not in directory.offices:
                directory.offices[key] = _office(reg, *key)
            roles_by_office.setdefault(key, set())
        provider = directory.offices[provider_key]
        directory.provider_of[reg.id] = provider
        for code in reg.routes:
            office = directory.offices[(prefix, "psc")] if code == "psc" else provider
            ServicePoint.objects.get_or_create(office=office, reg_id=reg.id, route=code,
                                               defaults={"provider": provider})
        for route in reg.routes.values():
            for step in route.steps:
                role = reg.role(step.role) if step.role else None
                if role is None or role.code in OUTSIDE_ROLES:
                    continue
                key = (prefix, "psc") if role.organisation == "psc" and needs_psc else provider_key
                roles_by_office[key].add(role.code)
    if with_users:
        _accounts(directory, roles_by_office)
        from qyzmet.monitoring import demo as monitoring_demo  # the regional regulator (issue 14)
        monitoring_demo.regulator(directory, DEMO_PASSWORD)
    return directory


_FIRST = ("Айгүл", "Нұрлан", "Гүлнар", "Ерлан", "Сәуле", "Бауыржан", "Жанар", "Қанат", "Әсел", "Дәурен", "Мөлдір",
          "Ұлан", "Үміт", "Іңкәр", "Ғалым", "Һадия")
_LAST = ("Серікова", "Қайратұлы", "Өмірзақова", "Төлеуов", "Жұмабаева", "Әбілқасымов", "Ілиясова", "Нұрғалиев",
         "Үсенова", "Бекмұхамбетов", "Сағынтаева", "Оспанов")


def _accounts(directory: DemoDirectory, roles_by_office: dict[tuple[str, str], set[str]]) -> None:
    User = get_user_model()
    n = 0
    for key, roles in sorted(roles_by_office.items()):
        office = directory.offices[key]
        for role in sorted(roles):
            username = f"{office.code}.{role}"
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            name = f"{_LAST[n % len(_LAST)]} {_FIRST[n % len(_FIRST)]}"
            n += 1
            staff, _ = Staff.objects.get_or_create(
                user=user, defaults={"office": office, "full_name": name, "position": role})
            RoleAssignment.objects.get_or_create(staff=staff, role=role)
            directory.logins.append((username, office.code, role))
            directory.users[(office.pk, role)] = user


def _office(reg: Regulation, prefix: str, kind: str) -> Office:
    if kind == "psc":
        channel = reg.channel("psc")
        name = channel.name if channel else reg.provider.name
        schedule = channel.schedule if channel else "psc"
        names = (name.kk or "", name.ru or "", name.en or "")
    else:
        channel = reg.channel("provider")
        schedule = channel.schedule if channel else "department"
        names = _HEALTH_NAMES.get(kind) or (reg.provider.name.kk or "", reg.provider.name.ru or "",
                                            reg.provider.name.en or "")
    org, _ = Organisation.objects.get_or_create(
        code=f"{prefix}-{kind}",
        defaults={"kind": "psc" if kind == "psc" else "provider", "name_kk": names[0], "name_ru": names[1],
                  "name_en": names[2]},
    )
    office, _ = Office.objects.get_or_create(
        code=f"{prefix}-{kind}",
        defaults={"organisation": org, "name_kk": org.name_kk, "name_ru": org.name_ru, "name_en": org.name_en,
                  "address": reg.provider.address or "" if kind != "psc" else "", "schedule": schedule},
    )
    return office


# --- the simulated run ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    refuse_acceptance: bool
    refuse: bool
    late_steps: frozenset[int]
    stop_after: int | None  # leave the case open after this many steps (serve --demo)


def _scenario(reg: Regulation, route_len: int, rng: random.Random, open_ratio: float) -> Scenario:
    refuse_acceptance = bool(reg.acceptance_refusal_grounds) and rng.random() < 0.08
    refuse = bool(reg.refusal_grounds) and rng.random() < 0.15
    late = frozenset(n for n in range(1, route_len + 1) if rng.random() < 0.05)
    stop = rng.randint(0, route_len - 1) if rng.random() < open_ratio else None
    return Scenario(refuse_acceptance, refuse, late, stop)


def _work_minutes(duration: Duration | None) -> int:
    """Roughly how many office minutes a duration allows (8-hour days, 5 of every 7 calendar days)."""
    if duration is None:
        return 30
    if duration.unit is Unit.WORKING_DAY:
        return max(duration.amount, 1) * 480 if duration.amount else 240
    if duration.unit is Unit.CALENDAR_DAY:
        return duration.amount * 480 * 5 // 7
    return duration.minutes


def _done_at(cal, start: dt.datetime, due: dt.datetime | None, duration: Duration | None, late: bool,
             rng: random.Random) -> dt.datetime:
    if late and due is not None:
        # Half of the late steps slip by some hours, half by whole working days.
        slip = Duration(rng.randint(30, 900), Unit.MINUTE) if rng.random() < 0.5 else \
            Duration(rng.randint(1, 3), Unit.WORKING_DAY)
        return cal.add(due, slip)
    budget = _work_minutes(duration)
    done = cal.add(start, Duration(max(1, int(budget * rng.uniform(0.2, 0.95))), Unit.MINUTE))
    return min(done, due) if due is not None and done > due else done


def _result(reg: Regulation, route: Route, rng: random.Random) -> str | None:
    """Where the act has several results of one kind (an examination's finding), one of them."""
    choices = result_choices(reg, route.channel)
    return rng.choice(choices)[0].code if choices else None


def simulate_case(reg_row: RegulationVersion, reg: Regulation, route_code: str, start: dt.datetime,
                  rng: random.Random, directory: DemoDirectory, open_ratio: float = 0.0,
                  until: dt.datetime | None = None) -> Case:
    """One application on a simulated clock; steps that would end after ``until`` are left open."""
    route = reg.route(route_code)
    scenario = _scenario(reg, len(route.steps), rng, open_ratio)
    category = rng.choice(reg.categories) if reg.categories else None
    documents = tuple(category.documents) if category else ()
    blocking = next((g for g in reg.acceptance_refusal_grounds if g.on_missing_documents), None)
    if scenario.refuse_acceptance and blocking and documents:
        documents = documents[:-1]  # the applicant forgot a document
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 60))
    iin = make_iin(birth, rng.choice(("male", "female")), rng.randint(0, 9000))
    anonymous = category is not None and category.identity == "personal-code"
    who = {} if anonymous else {"applicant_name": _name(rng), "applicant_phone": f"+7701{rng.randint(0, 9999999):07d}"}
    outcome = services.submit(
        reg_row, engine.Submit(route_code, "" if anonymous else iin, category.code if category else "any", documents,
                               personal_code=personal_code.new_code() if anonymous else ""), start,
        office=directory.office_for(reg, route.channel), provider_office=directory.provider_of.get(reg.id), **who,
    )
    case = outcome.case
    calendars = calendars_for(reg)
    now = start
    pending: object | None = None  # the registry line waiting for the receiving step
    for step in route.steps:
        if scenario.stop_after is not None and step.n > scenario.stop_after:
            break
        schedule = reg.schedule_for_role(step.role, route)
        cal = calendars(schedule)
        state = engine.state_from_dict(case.state)
        done = _done_at(cal, now, state.step_due, step.duration, step.n in scenario.late_steps, rng)
        if until is not None and done > until:
            break
        user = directory.users.get((task_office_id(reg, step.role, case), step.role or ""))
        if step.accepts and scenario.refuse_acceptance:
            ground = blocking or rng.choice(reg.acceptance_refusal_grounds)
            services.apply_event(case, engine.RefuseAcceptance(ground.code), done, actor=user)
            return case
        if step.decides:
            decision = engine.Decide("refusal", (rng.choice(reg.refusal_grounds).code,),
                                     note="демо: бас тарту негізі тексерілді") if scenario.refuse \
                else engine.Decide("positive", result=_result(reg, route, rng))
            services.apply_event(case, decision, done, actor=user)
        outcome = services.apply_event(case, engine.CompleteStep(step.n), done, actor=user)
        case = outcome.case
        if pending is not None:
            pending.state, pending.acted_at, pending.acted_by = "acknowledged", done, user
            pending.save()
            pending = None
        if workflow.is_dispatch_step(route, step.n):
            pending = _registry(case, reg, route, step.n, done, user)
        now = done
    return case


def _registry(case: Case, reg: Regulation, route, n: int, at: dt.datetime, user) -> RegistryItem | None:
    """The registry a dispatch step sends (one line per demo case keeps the simulation simple)."""
    following = engine.next_step(route, engine.state_from_dict(case.state), n)
    receiver = task_office_id(reg, following.role if following else None, case)
    sender = task_office_id(reg, route.step(n).role, case)
    if receiver is None or sender is None:
        return None
    registry = workflow.new_registry(workflow.registry_direction(case, receiver), sender, receiver, n, at,
                                     user.pk if user else None)
    return RegistryItem.objects.create(registry=registry, case=case)


_NAMES = ("Әлия Серікқызы", "Нұрлан Қайратұлы", "Гүлнұр Өмірзақова", "Ерлан Төлеуов", "Айгүл Жұмабаева",
          "Данияр Әбілқасымов", "Сәуле Ілиясова", "Бауыржан Нұрғалиев", "Жанар Үсенова", "Қанат Һәкімов")


def _name(rng: random.Random) -> str:
    return rng.choice(_NAMES)


def working_start(rng: random.Random, calendars, first: dt.date, days: int) -> dt.datetime:
    cal = calendars("department")
    day = cal.next_working_day_on_or_after(first + dt.timedelta(days=rng.randint(0, days)))
    return local_instant(day, rng.randint(9 * 3600, 16 * 3600))


def run_demo(regulations: list[Regulation], cases: int, seed: int, *, open_ratio: float = 0.0,
             progress: Callable[[int, int], None] | None = None, with_users: bool = True,
             until: dt.datetime | None = None, days: int = 300, sms_file: Path | None = None) -> DemoDirectory:
    """Sync the catalog, build the directory, run ``cases`` applications spread over every route.

    Without ``until`` the applications fall in 2025 on a simulated clock; with it (``serve --demo``) they
    fall in the ``days`` before it and nothing happens after it, so open cases are due around "now".
    With ``sms_file`` the SMS the transitions queued are then sent through the file gateway into it.
    """
    rng = random.Random(seed)
    rows = {reg.id: services.register_regulation(reg) for reg in regulations}
    directory = build_directory(regulations, with_users=with_users)
    # Proactive routes start from IPR data and wait for an SMS answer: qyzmet.proactive.demo runs them.
    plan = [(reg, route) for reg in regulations for route in reg.routes
            if reg.route(route).channel != "proactive"]
    first = (until.date() - dt.timedelta(days=days)) if until else dt.date(2025, 2, 3)
    done = 0
    batch = 50
    while done < cases:
        with transaction.atomic():  # one commit per batch: the demo measures the engine, not fsync
            for _ in range(min(batch, cases - done)):
                reg, route = plan[done % len(plan)]
                start = working_start(rng, calendars_for(reg), first, days)
                if until is not None and start >= until:
                    start = until - dt.timedelta(hours=rng.randint(1, 6))
                simulate_case(rows[reg.id], reg, route, start, rng, directory, open_ratio, until)
                done += 1
                if progress:
                    progress(done, cases)
    if any(reg.id.startswith("mlsp-2021/") for reg in regulations):
        from qyzmet.proactive import demo as proactive_demo

        with transaction.atomic():
            directory.proactive, directory.waiting = proactive_demo.run(directory, rng, first, days, _name,
                                                                        until=until)
        from qyzmet.portal import demo as portal_demo

        with transaction.atomic():
            directory.portal = portal_demo.run(directory, rng, first, DEMO_PASSWORD, until=until)
    from qyzmet.hall import demo as hall_demo  # a morning of talons in the PSC halls, some over the norm
    hall_demo.run(directory, rng, until=until)
    from qyzmet.health import demo as health_demo  # the polyclinic's doctors, slots and a few bookings
    health_demo.run(directory, until=until)
    from qyzmet.complaints import demo as complaints_demo  # the heads who answer complaints, a few complaints

    with transaction.atomic():
        complaints_demo.run(directory, rng, until=until, password=DEMO_PASSWORD)
    if sms_file is not None:
        directory.sms = send_sms(sms_file)
    return directory


def send_sms(path: Path) -> dict[str, int]:
    """Drain the SMS outbox through the file gateway (one JSON line per SMS in ``path``); count them."""
    from qyzmet.notify.gateways import FileGateway
    from qyzmet.notify.models import Sms
    from qyzmet.notify.worker import drain

    stats = drain(FileGateway(path), batch=500)
    return {"queued": Sms.objects.exclude(status=Sms.Status.INVALID_NUMBER).count(), "sent": stats.sent,
            "invalid_number": Sms.objects.filter(status=Sms.Status.INVALID_NUMBER).count(),
            "failed": stats.failed}


def documents_issued() -> dict:
    """How many papers the demo's transitions issued, in all and per form."""
    from django.db.models import Count

    from qyzmet.documents.models import Document

    by_form = dict(Document.objects.values_list("form").annotate(n=Count("id")).values_list("form", "n"))
    return {"total": sum(by_form.values()), "by_form": by_form}


@dataclass(frozen=True)
class ComplianceRow:
    regulation: str
    route: str
    cases: int
    open: int
    issued: int
    in_term: int
    overdue: int
    refused: int
    acceptance_refused: int
    late_steps: int
    no_term: int = 0  # issued, but the act gives no countable term to measure against
    request_closed: int = 0  # proactive requests refused or left unanswered: no application was made


def compliance() -> list[ComplianceRow]:
    """Per regulation and route, from the database: what a regulator would ask first."""
    rows = (
        Case.objects.values("regulation__reg_id", "route")
        .annotate(
            n_cases=Count("id"),
            n_open=Count("id", filter=Q(status__in=["submitted", "in-progress"])),
            n_issued=Count("id", filter=Q(status="issued")),
            n_in_term=Count("id", filter=Q(in_term=True)),
            n_overdue=Count("id", filter=Q(in_term=False)),
            n_no_term=Count("id", filter=Q(status="issued", in_term__isnull=True)),
            n_refused=Count("id", filter=Q(status="issued", outcome="refusal")),
            n_acceptance_refused=Count("id", filter=Q(status="acceptance-refused")),
            n_request_closed=Count("id", filter=Q(status="request-closed")),
        )
        .order_by("regulation__reg_id", "route")
    )
    late = {
        (r["case__regulation__reg_id"], r["case__route"]): r["n"]
        for r in Task.objects.filter(late=True)
        .values("case__regulation__reg_id", "case__route")
        .annotate(n=Count("id"))
    }
    return [
        ComplianceRow(r["regulation__reg_id"], r["route"], r["n_cases"], r["n_open"], r["n_issued"], r["n_in_term"],
                      r["n_overdue"], r["n_refused"], r["n_acceptance_refused"],
                      late.get((r["regulation__reg_id"], r["route"]), 0), r["n_no_term"], r["n_request_closed"])
        for r in rows
    ]
