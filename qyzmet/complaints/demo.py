"""Demo data of the complaints: the people who answer them and a few complaints about late cases.

``accounts`` adds what the demo directory lacks because no step table names it: a ``psc-head`` (the head of the
PSC branch, who answers complaints about the branch's staff) in every PSC office, and the authorised body for
the quality of state services — an organisation of kind "other" with one inspectorate office and a
``quality-inspector`` account (``quality-inspectorate.quality-inspector``).  The PSC heads are among the printed
logins (the head also keeps the hall); the inspector is not, since the inspectorate sees no case, only the
complaints sent to it (``serve --demo`` names the account on its own line).
``run`` files complaints on cases that ran late, answers some, escalates one, and leaves the rest open.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model

from qyzmet.cases.access import actor_for
from qyzmet.cases.models import Case
from qyzmet.complaints import workflow
from qyzmet.complaints.models import QualityOffice
from qyzmet.directory.models import Office, Organisation, RoleAssignment, Staff

QUALITY_OFFICE = "quality-inspectorate"
QUALITY_NAMES = ("Мемлекеттік қызметтер көрсету сапасын бағалау және бақылау жөніндегі уәкілетті органның "
                 "инспекциясы (демо)",
                 "Инспекция уполномоченного органа по оценке и контролю за качеством оказания государственных "
                 "услуг (демо)",
                 "Inspectorate of the authorised body for the quality of state services (demo)")
_NAMES = ("Әбдірахманова Гүлжан Серікқызы", "Құдайбергенов Ерболат Өмірұлы", "Тілеубаева Сәуле Нұрланқызы",
          "Жақсылықов Ғалым Үсенұлы")


def _account(office: Office, role: str, name: str, password: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=f"{office.code}.{role}")
    if created:
        user.set_password(password)
        user.save()
    staff, _ = Staff.objects.get_or_create(user=user, defaults={"office": office, "full_name": name, "position": role})
    RoleAssignment.objects.get_or_create(staff=staff, role=role)
    return user


def accounts(directory, password: str) -> Office:
    """A psc-head in every PSC office of the directory, and the quality authority's inspectorate."""
    for n, office in enumerate(o for o in directory.offices.values() if o.organisation.kind == "psc"):
        directory.users[(office.pk, "psc-head")] = _account(office, "psc-head", _NAMES[n % len(_NAMES)], password)
        directory.logins.append((f"{office.code}.psc-head", office.code, "psc-head"))
    org, _ = Organisation.objects.get_or_create(
        code="quality-authority", defaults={"kind": Organisation.Kind.OTHER, "name_kk": QUALITY_NAMES[0],
                                            "name_ru": QUALITY_NAMES[1], "name_en": QUALITY_NAMES[2]})
    office, _ = Office.objects.get_or_create(
        code=QUALITY_OFFICE, defaults={"organisation": org, "name_kk": QUALITY_NAMES[0], "name_ru": QUALITY_NAMES[1],
                                       "name_en": QUALITY_NAMES[2], "schedule": "department"})
    QualityOffice.objects.get_or_create(office=office)  # covers nothing in particular: every office
    directory.users[(office.pk, "quality-inspector")] = _account(office, "quality-inspector",
                                                                  "Серікбаев Нұржан Қайратұлы", password)
    return office


_TEXTS = ("Құжаттарым қабылданғаннан кейін мерзімінде жауап берілмеді.",
          "Жауап мерзімі өтіп кетті, хабарлама келмеді. / Срок истёк, уведомления нет.",
          "Қызметкер өтінішімді қабылдаған кезде дөрекі сөйледі.")


def run(directory, rng: random.Random, *, until: dt.datetime | None = None, password: str) -> dict[str, int]:
    """Complaints on late cases of the acts with a complaint procedure, and one on an act without one."""
    if not directory.logins:  # a directory built without accounts: nobody to register or answer
        return {}
    accounts(directory, password)
    made: dict[str, int] = {}
    late = (Case.objects.filter(term_due__isnull=False, regulation__reg_id__startswith="mlsp-2021/")
            .select_related("regulation", "office__organisation", "provider_office").order_by("id"))
    picked = [c for c in late if (c.closed_at or until or c.term_due) > c.term_due][:6]
    others = list(Case.objects.filter(term_due__isnull=False).exclude(regulation__reg_id__startswith="mlsp-2021/")
                  .select_related("regulation", "office__organisation", "provider_office").order_by("id")[:1])
    psc_done = False
    for i, case in enumerate(picked + others):
        at = case.term_due + dt.timedelta(hours=2)
        if until is not None and at >= until:
            continue
        office = case.provider_office or case.office
        user = directory.users.get((office.pk, "specialist")) or directory.users.get((office.pk, "head"))
        actor = actor_for(user) if user is not None else None
        if actor is None:
            continue
        # One complaint about the PSC branch's staff (the second case received at a PSC), the rest to the head.
        to = "psc" if (i > 0 and not psc_done and case.office and case.office.organisation.kind == "psc"
                       and reg_has_psc_level(case)) else "provider"
        psc_done = psc_done or to == "psc"
        if to == "psc":
            psc_user = directory.users.get((case.office.pk, "psc-hall-inspector"))
            actor = actor_for(psc_user) if psc_user is not None else actor
        complaint = workflow.register(actor, case, to=to, text=rng.choice(_TEXTS), now=at)
        made["registered"] = made.get("registered", 0) + 1
        if i % 3 != 0 or complaint.due is None:
            continue  # left open: overdue or at risk on the head's inbox
        answered_at = complaint.due - dt.timedelta(hours=3)
        if until is not None and answered_at >= until:
            continue
        head = directory.users.get((complaint.considering_office_id, complaint.role))
        head_actor = actor_for(head) if head is not None else None
        if head_actor is None:
            continue
        workflow.answer(head_actor, complaint.pk, outcome=rng.choice(["rejected", "partly"]),
                        text="Өтініш қаралды, мерзімнің бұзылуы расталмады. / Заявление рассмотрено.", now=answered_at)
        made["answered"] = made.get("answered", 0) + 1
        escalate_at = answered_at + dt.timedelta(days=1)
        if until is None or escalate_at < until:
            # Left with the inspectorate, its 15 working days running from this registration.
            workflow.escalate(actor, complaint.pk, text="Жауаппен келіспеймін. / Не согласен с ответом.",
                              now=escalate_at)
            made["escalated"] = made.get("escalated", 0) + 1
    return made


def reg_has_psc_level(case: Case) -> bool:
    from qyzmet.cases.services import regulation_of

    return any(o.body == "psc" for o in workflow.options(regulation_of(case.regulation)))
