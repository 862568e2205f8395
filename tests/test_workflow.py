"""Staff actions through the workflow layer: intake, steps, registries both ways, decision, issuance, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from qyzmet.cases import workflow
from qyzmet.cases.access import AccessDenied, NotFound, actor_for, my_tasks, task_for, urgency, visible_cases
from qyzmet.cases.models import Case, Registry, RegistryItem, Task
from qyzmet.cases.services import replay_case, sync_catalog
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import build_directory

pytestmark = pytest.mark.django_db

REG = "aktogay-2013/prosthetic-docs"
START = dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)
ADULT = make_iin(dt.date(1970, 5, 4), "female", 120)
CHILD = make_iin(dt.date(2015, 5, 4), "male", 121)


@pytest.fixture
def offices():
    sync_catalog()
    acts = ("aktogay-2013/", "ulytau-2012/", "mlsp-2021/")
    regs = [r for r in shipped_catalog().regulations if r.id.startswith(acts)]
    return build_directory(regs).offices


def actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


PSC = "aktogay-2013-psc"
DEPT = "aktogay-2013-provider"


def at(minutes: int) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def application(**kw) -> workflow.Application:
    base = dict(regulation=REG, iin=ADULT, category="general-disease", name="Әлия Серікқызы",
                phone="+7 701 234 56 78", documents=("application", "id-copy", "irp-extract"))
    base.update(kw)
    return workflow.Application(**base)


def task_of(case: Case) -> Task:
    return Task.objects.get(case=case, closed_at__isnull=True)


def test_a_case_goes_through_the_psc_route_with_registries_both_ways(offices):
    consultant = actor(f"{PSC}.psc-consultant")
    case = workflow.intake(consultant, application(), at(0))
    assert case.office.code == PSC and case.provider_office.code == DEPT
    assert case.applicant_phone == "+77012345678"
    t1 = task_of(case)
    assert (t1.step, t1.role, t1.office.code) == (1, "psc-consultant", PSC)
    workflow.complete(consultant, t1.pk, workflow.Completion(note="documents checked"), at(5))

    inspector = actor(f"{PSC}.psc-hall-inspector")
    t2 = task_of(case)
    with pytest.raises(workflow.Invalid) as bad:
        workflow.complete(inspector, t2.pk, workflow.Completion(decision="positive"), at(6))
    assert bad.value.field == "decision"
    case = workflow.complete(inspector, t2.pk, workflow.Completion(), at(10))
    assert case.status == "in-progress" and case.term_due is not None

    accumulation = actor(f"{PSC}.psc-accumulation-specialist")
    t3 = task_of(case)
    with pytest.raises(workflow.Conflict, match="registry"):
        workflow.complete(accumulation, t3.pk, workflow.Completion(), at(30))
    assert [t.pk for t in workflow.dispatchable(accumulation)] == [t3.pk]
    registry = workflow.dispatch(accumulation, [t3.pk], at(60))
    assert registry.direction == Registry.Direction.TO_PROVIDER and registry.to_office.code == DEPT
    assert registry.number.startswith("R2025-")

    clerk = actor(f"{DEPT}.records-specialist")
    item = registry.items.get()
    workflow.acknowledge(clerk, item.pk, at(24 * 60))
    t5 = task_of(case)
    assert (t5.step, t5.role, t5.office.code) == (5, "head", DEPT)  # acknowledging was step 4 itself

    head = actor(f"{DEPT}.head")
    sector = actor(f"{DEPT}.sector-head")
    specialist = actor(f"{DEPT}.specialist")
    workflow.complete(head, t5.pk, workflow.Completion(note="executor: specialist"), at(24 * 60 + 30))
    workflow.complete(sector, task_of(case).pk, workflow.Completion(), at(24 * 60 + 60))
    workflow.complete(specialist, task_of(case).pk, workflow.Completion(), at(24 * 60 + 90))
    workflow.complete(sector, task_of(case).pk, workflow.Completion(), at(24 * 60 + 100))
    t9 = task_of(case)
    with pytest.raises(AccessDenied):  # the signature is the head's, never the sector head's
        workflow.complete(sector, t9.pk, workflow.Completion(decision="positive"), at(24 * 60 + 110))
    with pytest.raises(workflow.Invalid) as bad:
        workflow.complete(head, t9.pk, workflow.Completion(), at(24 * 60 + 110))
    assert bad.value.field == "decision"
    case = workflow.complete(head, t9.pk, workflow.Completion(decision="positive"), at(24 * 60 + 120))
    assert case.outcome == "positive"

    back = workflow.dispatch(clerk, [task_of(case).pk], at(24 * 60 + 180))
    assert back.direction == Registry.Direction.TO_PSC and back.to_office.code == PSC
    issuer = actor(f"{PSC}.psc-issuance-inspector")
    workflow.acknowledge(issuer, back.items.get().pk, at(2 * 24 * 60))
    t11 = task_of(case)
    assert t11.step == 11  # handing the result over is its own act, not the acknowledgement
    case = workflow.complete(issuer, t11.pk, workflow.Completion(), at(2 * 24 * 60 + 10))
    assert case.status == "issued" and case.in_term is True
    assert replay_case(case).status.value == "issued"
    assert [e.actor.username for e in case.events.order_by("seq")][:2] == [consultant.username, consultant.username]


def test_a_returned_registry_line_goes_back_to_the_sender_with_the_errors(offices):
    consultant = actor(f"{PSC}.psc-consultant")
    inspector = actor(f"{PSC}.psc-hall-inspector")
    accumulation = actor(f"{PSC}.psc-accumulation-specialist")
    clerk = actor(f"{DEPT}.records-specialist")
    case = workflow.intake(consultant, application(), at(0))
    workflow.complete(consultant, task_of(case).pk, workflow.Completion(), at(5))
    workflow.complete(inspector, task_of(case).pk, workflow.Completion(), at(10))
    registry = workflow.dispatch(accumulation, [task_of(case).pk], at(60))
    item = registry.items.get()
    with pytest.raises(workflow.Invalid):
        workflow.return_item(clerk, item.pk, "  ", at(90))
    workflow.return_item(clerk, item.pk, "the IRP extract copy is not certified", at(90))
    item.refresh_from_db()
    assert item.state == RegistryItem.State.RETURNED
    again = task_of(case)
    assert (again.step, again.office.code) == (3, PSC)
    with pytest.raises(workflow.Conflict):
        workflow.acknowledge(clerk, item.pk, at(100))
    second = workflow.dispatch(accumulation, [again.pk], at(120))
    workflow.acknowledge(clerk, second.items.get().pk, at(130))
    assert task_of(case).step == 5


def test_intake_checks_the_applicant(offices):
    consultant = actor(f"{PSC}.psc-consultant")
    with pytest.raises(workflow.Invalid) as bad:
        workflow.intake(consultant, application(iin="123456789012"), at(0))
    assert bad.value.field == "applicant.iin"
    with pytest.raises(workflow.Invalid) as bad:
        workflow.intake(consultant, application(iin=CHILD), at(0))
    assert bad.value.field == "category" and "birth certificate" in bad.value.message
    child = workflow.intake(consultant, application(
        iin=CHILD, category="disabled-child",
        documents=("application", "birth-certificate-copy", "parent-id-copy", "irp-extract")), at(0))
    assert child.category == "disabled-child"
    with pytest.raises(workflow.Invalid) as bad:
        workflow.intake(consultant, application(representative_name="Ерлан Төлеуов"), at(0))
    assert bad.value.field == "representative.power_of_attorney"
    with pytest.raises(workflow.Invalid) as bad:
        workflow.intake(consultant, application(phone="12345"), at(0))
    assert bad.value.field == "applicant.phone"
    with pytest.raises(workflow.Invalid) as bad:
        workflow.intake(consultant, application(regulation="nowhere/none"), at(0))
    assert bad.value.field == "regulation"
    with pytest.raises(AccessDenied):  # the issuance inspector does not receive applications
        workflow.intake(actor(f"{PSC}.psc-issuance-inspector"), application(), at(0))
    assert Case.objects.count() == 1


def test_acceptance_refusal_is_the_accepting_clerks_and_only_on_the_acts_grounds(offices):
    # The 2021 rules let the PSC refuse an incomplete package (the 2013 Aktogay act gives no such ground).
    inspector = actor("mlsp-2021-psc.psc-hall-inspector")
    app = application(regulation="mlsp-2021/technical-aids", category="disabled-person",
                      documents=("application",))
    case = workflow.intake(inspector, app, at(0))
    with pytest.raises(workflow.Conflict, match=r"^Missing: .*refuse acceptance on the ground"):
        workflow.complete(inspector, task_of(case).pk, workflow.Completion(), at(6))
    with pytest.raises(workflow.Invalid) as bad:
        workflow.refuse_acceptance(inspector, task_of(case).pk, "no-such-ground", "", at(7))
    assert bad.value.field == "ground"
    with pytest.raises(AccessDenied):
        workflow.refuse_acceptance(actor("mlsp-2021-psc.psc-issuance-inspector"), task_of(case).pk,
                                   "incomplete-package", "", at(7))
    case = workflow.refuse_acceptance(inspector, task_of(case).pk, "incomplete-package", "", at(8))
    assert case.status == "acceptance-refused"
    assert not Task.objects.filter(case=case, closed_at__isnull=True).exists()


def test_a_refusal_needs_grounds_from_the_list_and_a_written_reason(offices):
    specialist = actor(f"{DEPT}.specialist")
    case = workflow.intake(specialist, application(), at(0))
    workflow.complete(specialist, task_of(case).pk, workflow.Completion(), at(10))
    workflow.complete(specialist, task_of(case).pk, workflow.Completion(), at(60))
    workflow.complete(actor(f"{DEPT}.sector-head"), task_of(case).pk, workflow.Completion(), at(120))
    head = actor(f"{DEPT}.head")
    sign = task_of(case).pk
    for done, field in [
        (workflow.Completion(decision="refusal"), "grounds"),
        (workflow.Completion(decision="refusal", grounds=("not-a-ground",), reason="x"), "grounds"),
        (workflow.Completion(decision="refusal", grounds=("false-information",)), "reason"),
        (workflow.Completion(decision="maybe"), "decision"),
    ]:
        with pytest.raises(workflow.Invalid) as bad:
            workflow.complete(head, sign, done, at(130))
        assert bad.value.field == field
    case = workflow.complete(head, sign, workflow.Completion(
        decision="refusal", grounds=("false-information",), reason="the IRP extract belongs to another person"),
        at(140))
    assert case.outcome == "refusal" and case.grounds == ["false-information"]


def test_nobody_sees_or_touches_another_offices_cases(offices):
    case = workflow.intake(actor(f"{PSC}.psc-consultant"), application(), at(0))
    stranger = actor("ulytau-2012-psc.psc-consultant")
    task = task_of(case)
    with pytest.raises(NotFound):
        task_for(stranger, task.pk)
    with pytest.raises(NotFound):
        workflow.complete(stranger, task.pk, workflow.Completion(), at(1))
    assert not visible_cases(stranger).filter(pk=case.pk).exists()
    assert not my_tasks(stranger).filter(pk=task.pk).exists()
    # The provider sees the case the PSC received for it, but cannot do the PSC's step.
    dept_head = actor(f"{DEPT}.head")
    assert visible_cases(dept_head).filter(pk=case.pk).exists()
    with pytest.raises(AccessDenied):
        workflow.complete(dept_head, task.pk, workflow.Completion(), at(1))


def test_claimed_tasks_are_done_by_whoever_claimed_them(offices):
    specialist = actor(f"{DEPT}.specialist")
    case = workflow.intake(specialist, application(), at(0))
    task = workflow.claim(specialist, task_of(case).pk, at(1))
    assert task.claimed_by_id == specialist.user_id
    User = get_user_model()
    other = User.objects.create_user("second-specialist", password="x")
    from qyzmet.directory.models import RoleAssignment, Staff

    staff = Staff.objects.create(user=other, office_id=specialist.office_id, full_name="Second")
    RoleAssignment.objects.create(staff=staff, role="specialist")
    with pytest.raises(workflow.Conflict):
        workflow.claim(actor_for(other), task.pk, at(2))
    with pytest.raises(workflow.Conflict):
        workflow.complete(actor_for(other), task.pk, workflow.Completion(), at(3))


def test_urgency_marks():
    opened = START
    due = START + dt.timedelta(hours=8)
    assert urgency(opened, due, START + dt.timedelta(hours=1)).value == "on-track"
    assert urgency(opened, due, START + dt.timedelta(hours=7)).value == "at-risk"
    assert urgency(opened, due, START + dt.timedelta(hours=9)).value == "overdue"
    assert urgency(opened, None, START).value == "no-term"


def test_an_uncollected_result_goes_to_the_provider_and_comes_back_within_a_working_day(offices):
    psc, dept = "mlsp-2021-psc", "mlsp-2021-provider"
    inspector = actor(f"{psc}.psc-hall-inspector")
    issuer = actor(f"{psc}.psc-issuance-inspector")
    specialist = actor(f"{dept}.specialist")
    reg = next(r for r in shipped_catalog().regulations if r.id == "mlsp-2021/technical-aids")
    docs = reg.category("disabled-person").documents
    case = workflow.intake(inspector, application(regulation=reg.id, category="disabled-person", documents=docs),
                           at(0))
    workflow.complete(inspector, task_of(case).pk, workflow.Completion(), at(10))
    workflow.complete(actor(f"{dept}.head"), task_of(case).pk, workflow.Completion(decision="positive"), at(60))
    workflow.complete(specialist, task_of(case).pk, workflow.Completion(), at(120))
    workflow.complete(issuer, task_of(case).pk, workflow.Completion(note="SMS sent"), at(130))
    ready = task_of(case)
    assert (ready.step, ready.office.code) == (5, psc)
    with pytest.raises(workflow.Conflict, match="keeps the result until 2025-04-19"):
        workflow.store_uncollected(issuer, case.pk, dt.datetime(2025, 4, 18, 12, 0, tzinfo=ALMATY))
    with pytest.raises(AccessDenied):
        workflow.store_uncollected(inspector, case.pk, dt.datetime(2025, 4, 21, 12, 0, tzinfo=ALMATY))
    assert workflow.sweep_uncollected(dt.datetime(2025, 4, 21, 12, 0, tzinfo=ALMATY)) == [case.number]
    kept = task_of(case)
    assert (kept.purpose, kept.office.code, kept.role, kept.due) == ("storage", dept, "specialist", None)
    with pytest.raises(workflow.Conflict, match="kept here"):
        workflow.complete(specialist, kept.pk, workflow.Completion(), dt.datetime(2025, 5, 5, 9, 0, tzinfo=ALMATY))
    # The applicant comes on Friday 2 May 2025 at 17:00; the department has one working day: Monday 5 May, to
    # the close of its reception hours, 17:30 (annex 12 item 7.2); 3-4 May is the weekend.
    workflow.request_result(issuer, case.pk, dt.datetime(2025, 5, 2, 17, 0, tzinfo=ALMATY))
    back = task_of(case)
    assert back.purpose == "retrieval" and back.due == dt.datetime(2025, 5, 5, 17, 30, tzinfo=ALMATY)
    assert "1 working day" in back.why
    workflow.complete(specialist, back.pk, workflow.Completion(), dt.datetime(2025, 5, 5, 11, 0, tzinfo=ALMATY))
    again = task_of(case)
    assert (again.step, again.office.code, again.purpose) == (5, psc, "step")
    case = workflow.complete(issuer, again.pk, workflow.Completion(), dt.datetime(2025, 5, 6, 10, 0, tzinfo=ALMATY))
    assert case.status == "issued"
    assert replay_case(case).status.value == "issued"
