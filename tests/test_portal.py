"""The Social Services Portal after registration (mlsp-2021): queue, reminder and block, orders, access."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qyzmet.cases import services
from qyzmet.cases.models import Case
from qyzmet.cases.services import sync_catalog
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core import engine
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import check_digit, make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import build_directory
from qyzmet.notify.models import Sms
from qyzmet.portal import signing, workflow
from qyzmet.portal.models import (
    GuaranteedSum,
    Order,
    QueueEntry,
    Signature,
    Supplier,
    SupplierOffer,
    SupplierUser,
)

pytestmark = pytest.mark.django_db

SANATORIUM = "mlsp-2021/sanatorium"
PA = "mlsp-2021/personal-assistant"
PHONE = "+7 701 234 56 78"


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=ALMATY)


def make_bin(serial: int, yymm: str = "1503") -> str:
    """A valid BIN: registered in ``yymm``, a legal entity (4), head organisation (0)."""
    while True:
        first = f"{yymm}40{serial:05d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
        serial += 1


@pytest.fixture
def directory():
    sync_catalog()
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])


def issue(directory, reg_id: str, start: dt.datetime, *, serial: int = 1, name: str = "Әлия Серікқызы") -> Case:
    """A case submitted at the PSC on ``start`` and driven to its positive result (10 minutes a step)."""
    reg = shipped_catalog().get(reg_id)
    row = services.register_regulation(reg)
    category = reg.category("disabled-person")
    iin = make_iin(dt.date(1970, 5, 4), "female", serial)
    case = services.submit(row, engine.Submit("psc", iin, category.code, category.documents), start,
                           office=directory.office_for(reg, "psc"), provider_office=directory.provider_of[reg_id],
                           applicant_name=name, applicant_phone=PHONE).case
    now = start
    for step in reg.route("psc").steps:
        now += dt.timedelta(minutes=10)
        if step.decides:
            services.apply_event(case, engine.Decide("positive"), now)
        case = services.apply_event(case, engine.CompleteStep(step.n), now).case
    assert case.status == "issued"
    return case


def supplier(directory, reg_id: str, serial: int, *, price: str = "15000", capacity: int | None = None,
             username: str | None = None) -> Supplier:
    s = Supplier.objects.create(name_kk=f"Өнім беруші {serial}", name_ru=f"Поставщик {serial}", bin=make_bin(serial),
                                region="Алматы")
    s.offices.add(directory.provider_of[reg_id])
    SupplierOffer.objects.create(supplier=s, reg_id=reg_id, unit_price=Decimal(price), capacity=capacity,
                                 unit="bed-day" if reg_id == SANATORIUM else "hour")
    if reg_id == SANATORIUM:  # a sanatorium order is priced against the department's guaranteed sum
        GuaranteedSum.objects.get_or_create(reg_id=SANATORIUM, valid_from=dt.date(2020, 1, 1), defaults={
            "amount": Decimal("20000"), "source": "test figure"})
    if username:
        user = get_user_model().objects.create_user(username, password="pw-portal-1")
        SupplierUser.objects.create(user=user, supplier=s, full_name=f"Representative {serial}")
    return s


def sanatorium_order(directory, sup: Supplier, now: dt.datetime, arrival: dt.date, departure: dt.date,
                     serial: int = 1) -> Order:
    case = issue(directory, SANATORIUM, now - dt.timedelta(days=3), serial=serial)
    entry = case.queue_entry
    workflow.accept_contract(entry, now)
    return workflow.form_order(entry, workflow.OrderForm(sup.pk, arrival_date=arrival, departure_date=departure), now)


# --- the queue ------------------------------------------------------------------------------------------


def test_a_positive_result_puts_the_case_in_the_queue_and_queues_the_supplier_choice_sms(directory):
    case = issue(directory, SANATORIUM, at(2025, 3, 3))
    entry = QueueEntry.objects.get(case=case)
    assert (entry.reg_id, entry.state, entry.recipient_iin) == (SANATORIUM, "awaiting-choice", case.applicant_iin)
    assert entry.registered_at == case.accepted_at  # the first registration, not the Portal date
    assert entry.portal_from == at(2025, 3, 3, 11, 0)  # the issuing step, when the IPR data pass (cl. 23)
    [sms] = Sms.objects.filter(case=case, code="supplier-choice")
    assert sms.cite.startswith("cl. 23") and "aleumet.egov.kz" in sms.text


def test_a_refusal_does_not_enter_the_queue(directory):
    reg = shipped_catalog().get(PA)
    row = services.register_regulation(reg)
    category = reg.category("disabled-person")
    start = at(2025, 3, 3)
    case = services.submit(row, engine.Submit("psc", make_iin(dt.date(1970, 5, 4), "female", 9), category.code,
                                              category.documents), start, office=directory.office_for(reg, "psc"),
                           provider_office=directory.provider_of[PA]).case
    for step in reg.route("psc").steps:
        start += dt.timedelta(minutes=10)
        if step.decides:
            services.apply_event(case, engine.Decide("refusal", (reg.refusal_grounds[0].code,)), start)
        case = services.apply_event(case, engine.CompleteStep(step.n), start).case
    assert not QueueEntry.objects.filter(case=case).exists()


def test_queue_runs_by_first_registration_and_reactivation_keeps_the_place(directory):
    # Registered in this order, although their results (the Portal dates) come in the other order.
    first = issue(directory, PA, at(2025, 2, 3), serial=1).queue_entry
    second = issue(directory, PA, at(2025, 2, 4), serial=2).queue_entry
    third = issue(directory, PA, at(2025, 2, 5), serial=3).queue_entry
    assert [first.position(), second.position(), third.position()] == [1, 2, 3]
    # The first is blocked after two months without a choice, then reactivated a month later.
    workflow.sweep(at(2025, 4, 4))
    first.refresh_from_db()
    assert first.state == "blocked"
    registered = first.registered_at
    first = workflow.reactivate(first, at(2025, 5, 6))
    assert (first.state, first.registered_at, first.position()) == ("awaiting-choice", registered, 1)
    assert first.portal_from == at(2025, 5, 6)  # a new two-month window
    assert first.block_due == at(2025, 7, 6)
    # Positions count only entries not yet served.
    QueueEntry.objects.filter(pk=first.pk).update(state="served")
    second.refresh_from_db()
    third.refresh_from_db()
    assert [second.position(), third.position()] == [1, 2]
    assert workflow.positions([second, third]) == {second.pk: 1, third.pk: 2}


@pytest.mark.parametrize(("portal_from", "remind", "block"), [
    (at(2025, 1, 31), at(2025, 2, 28), at(2025, 3, 31)),  # February has no 31st: its last day
    (at(2024, 1, 31), at(2024, 2, 29), at(2024, 3, 31)),  # a leap year
    (at(2025, 3, 31), at(2025, 4, 30), at(2025, 5, 31)),  # counted from the Portal date, not from the reminder
    (at(2025, 11, 15), at(2025, 12, 15), at(2026, 1, 15)),  # across the year
])
def test_reminder_after_one_calendar_month_and_block_after_two(directory, portal_from, remind, block):
    case = issue(directory, SANATORIUM, at(2025, 1, 6))
    entry = case.queue_entry
    entry.portal_from = portal_from
    workflow.set_choice_window(entry, workflow.portal_rules(SANATORIUM))
    entry.save()
    assert (entry.remind_due, entry.block_due) == (remind, block)
    assert entry.remind_cite == "annex 2, cl. 24" and entry.block_cite == "annex 2, cl. 25"
    assert "1 month" in entry.remind_why

    just_before = remind - dt.timedelta(minutes=1)
    assert workflow.sweep(just_before) == {"portal reminders sent": 0, "portal choices blocked": 0}
    assert workflow.sweep(remind) == {"portal reminders sent": 1, "portal choices blocked": 0}
    entry.refresh_from_db()
    assert (entry.state, entry.reminded_at) == ("reminded", remind)
    assert Sms.objects.filter(case=case, code="supplier-choice-reminder").count() == 1
    assert workflow.sweep(remind + dt.timedelta(days=1))["portal reminders sent"] == 0  # sent once

    assert workflow.sweep(block - dt.timedelta(minutes=1))["portal choices blocked"] == 0
    assert workflow.sweep(block)["portal choices blocked"] == 1
    entry.refresh_from_db()
    assert (entry.state, entry.blocked_at) == ("blocked", block)
    assert Sms.objects.filter(case=case, code="supplier-choice-blocked").count() == 1


def test_a_blocked_recipient_cannot_order_until_reactivating(directory):
    sup = supplier(directory, PA, 11)
    entry = issue(directory, PA, at(2025, 2, 3)).queue_entry
    workflow.accept_contract(entry, at(2025, 2, 4))
    workflow.sweep(at(2025, 4, 4))
    with pytest.raises(Conflict, match="blocked"):
        workflow.form_order(entry, workflow.OrderForm(sup.pk), at(2025, 4, 7))
    workflow.reactivate(entry, at(2025, 4, 7))
    order = workflow.form_order(entry, workflow.OrderForm(sup.pk), at(2025, 4, 8))
    assert order.state == "sent"


def test_an_act_without_the_supplier_choice_sms_queues_none_and_says_so(directory):
    entry = issue(directory, "mlsp-2021/prosthetic-aid", at(2025, 3, 3)).queue_entry
    assert not Sms.objects.filter(case=entry.case, code__startswith="supplier-choice").exists()
    assert "no 'supplier-choice' SMS" in entry.note


# --- ordering ---------------------------------------------------------------------------------------------


def test_an_order_needs_the_public_contract_and_a_supplier_of_the_region(directory):
    entry = issue(directory, PA, at(2025, 3, 3)).queue_entry
    ours = supplier(directory, PA, 21)
    elsewhere = Supplier.objects.create(name_kk="Басқа", name_ru="Другой", bin=make_bin(22))
    SupplierOffer.objects.create(supplier=elsewhere, reg_id=PA, unit_price=Decimal("1000"))
    with pytest.raises(Conflict, match="public contract"):
        workflow.form_order(entry, workflow.OrderForm(ours.pk), at(2025, 3, 4))
    workflow.accept_contract(entry, at(2025, 3, 4))
    with pytest.raises(Invalid) as exc:
        workflow.form_order(entry, workflow.OrderForm(elsewhere.pk), at(2025, 3, 4))
    assert exc.value.field == "supplier"
    ours.in_register = False
    ours.save()
    with pytest.raises(Invalid):
        workflow.form_order(entry, workflow.OrderForm(ours.pk), at(2025, 3, 4))


def test_the_order_and_reimbursement_application_are_signed(directory):
    entry = issue(directory, "mlsp-2021/sign-language", at(2025, 3, 3)).queue_entry
    sup = supplier(directory, "mlsp-2021/sign-language", 31)
    workflow.accept_contract(entry, at(2025, 3, 4))
    with pytest.raises(Invalid) as exc:
        workflow.form_order(entry, workflow.OrderForm(sup.pk), at(2025, 3, 4))
    assert exc.value.field == "sl_format"
    order = workflow.form_order(entry, workflow.OrderForm(sup.pk, sl_format="online"), at(2025, 3, 4))
    sig = order.order_signature
    assert (sig.kind, sig.object_id, sig.signer_iin) == ("order", order.pk, entry.recipient_iin)
    assert len(sig.sha256) == 64 and order.reimbursement_signature.kind == "reimbursement-application"
    assert Signature.objects.filter(kind="contract", object_id=entry.pk).exists()
    assert not signing.verify(sig, {"document": "order", "tampered": True})


def test_supplier_review_is_due_5_working_days_after_receipt_across_nauryz(directory):
    entry = issue(directory, PA, at(2025, 3, 17)).queue_entry
    sup = supplier(directory, PA, 41, username="sup41")
    workflow.accept_contract(entry, at(2025, 3, 19))
    order = workflow.form_order(entry, workflow.OrderForm(sup.pk), at(2025, 3, 19, 10))
    # Received Wed 19 March 2025 (not counted).  Thu 20 = 1; Fri 21 and Mon 24-Tue 25 March are Nauryz days
    # off (22-23 fall on the weekend and move to 24-25); Wed 26 = 2, Thu 27 = 3, Fri 28 = 4, Mon 31 = 5:
    # due at the department's closing time, 17:30.
    assert order.review_due == at(2025, 3, 31, 17, 30)
    assert order.review_cite == "annex 1, cl. 40" and "ed-reception" in order.review_why
    assert not order.overdue(at(2025, 3, 31, 17, 30))
    assert order.overdue(at(2025, 3, 31, 17, 31))
    assert list(workflow.overdue_orders(at(2025, 4, 1))) == [order]
    su = SupplierUser.objects.get(user__username="sup41")
    with pytest.raises(Invalid) as exc:
        workflow.supplier_review(su, order.pk, False, "  ", at(2025, 3, 20))
    assert exc.value.field == "reasons"
    order = workflow.supplier_review(su, order.pk, False, "No assistant free in this district", at(2025, 3, 20))
    entry.refresh_from_db()
    assert (order.state, entry.state) == ("refused", "awaiting-choice")  # may choose another supplier


def test_sanatorium_stay_at_most_14_days_once_a_year(directory):
    sup = supplier(directory, SANATORIUM, 51, capacity=5)
    now = at(2025, 3, 31)
    entry = issue(directory, SANATORIUM, at(2025, 3, 26)).queue_entry
    workflow.accept_contract(entry, now)
    with pytest.raises(Invalid, match="14 calendar days") as exc:
        workflow.form_order(entry, workflow.OrderForm(sup.pk, arrival_date=dt.date(2025, 4, 14),
                                                      departure_date=dt.date(2025, 4, 28)), now)
    assert exc.value.field == "departure_date" and "cl. 26" in exc.value.message
    order = workflow.form_order(entry, workflow.OrderForm(sup.pk, arrival_date=dt.date(2025, 4, 14),
                                                          departure_date=dt.date(2025, 4, 27)), now)
    assert order.state == "sent"
    other = issue(directory, SANATORIUM, at(2025, 3, 26), serial=1)  # the same person, another case
    assert other.queue_entry.recipient_iin == entry.recipient_iin
    workflow.accept_contract(other.queue_entry, now)
    with pytest.raises(Conflict, match="once per calendar year"):
        workflow.form_order(other.queue_entry, workflow.OrderForm(sup.pk, arrival_date=dt.date(2025, 9, 1),
                                                                  departure_date=dt.date(2025, 9, 10)), now)


def test_sanatorium_cancellation_3_working_days_before_arrival_both_sides(directory):
    sup = supplier(directory, SANATORIUM, 61, capacity=1, username="sup61")
    su = SupplierUser.objects.get(user__username="sup61")
    now = at(2025, 3, 31)
    # Arrival Mon 14 April 2025: the working days before it are Fri 11 (1), Thu 10 (2), Wed 9 April (3); the
    # limit is Wed 9 April at the department's closing time, 17:30.
    order = sanatorium_order(directory, sup, now, dt.date(2025, 4, 14), dt.date(2025, 4, 27))
    assert order.cancel_limit == at(2025, 4, 9, 17, 30)
    # The only bed is taken: another order for overlapping dates finds none.
    late = issue(directory, SANATORIUM, at(2025, 3, 26), serial=2).queue_entry
    workflow.accept_contract(late, now)
    with pytest.raises(Conflict, match="no free places"):
        workflow.form_order(late, workflow.OrderForm(sup.pk, arrival_date=dt.date(2025, 4, 20),
                                                     departure_date=dt.date(2025, 4, 25)), now)
    workflow.supplier_review(su, order.pk, True, "", at(2025, 4, 1))

    # The recipient: refused after the limit, allowed up to it; the bed goes back.
    with pytest.raises(Conflict, match="3 working days") as exc:
        workflow.cancel_by_recipient(order, at(2025, 4, 10, 9, 0))
    assert "cl. 31" in str(exc.value)
    order = workflow.cancel_by_recipient(order, at(2025, 4, 9, 17, 30))
    assert (order.state, order.cancel_cite, order.cancel_signature.kind) == (
        "cancelled-by-recipient", "annex 2, cl. 31, 33", "cancellation")
    assert order.entry.state == "awaiting-choice"  # cl. 33: may choose another supplier
    again = workflow.form_order(late, workflow.OrderForm(sup.pk, arrival_date=dt.date(2025, 4, 20),
                                                         departure_date=dt.date(2025, 4, 25)), now)
    workflow.supplier_review(su, again.pk, True, "", at(2025, 4, 1))

    # The supplier: only for leaving the register or force majeure, by the same rule.  Arrival Sun 20 April:
    # Fri 18 (1), Thu 17 (2), Wed 16 April (3), 17:30.
    assert again.cancel_limit == at(2025, 4, 16, 17, 30)
    with pytest.raises(Invalid) as bad_reason:
        workflow.cancel_by_supplier(su, again.pk, "overbooked", "", at(2025, 4, 1))
    assert bad_reason.value.field == "reason"
    with pytest.raises(Conflict, match=r"cl\. 32"):
        workflow.cancel_by_supplier(su, again.pk, "force-majeure", "flood", at(2025, 4, 17, 9, 0))
    cancelled = workflow.cancel_by_supplier(su, again.pk, "force-majeure", "flood", at(2025, 4, 16, 17, 0))
    assert (cancelled.state, cancelled.cancel_reason) == ("cancelled-by-supplier", "force-majeure")


def test_a_supplier_cannot_cancel_an_accepted_order_of_a_service_whose_act_gives_no_such_right(directory):
    sup = supplier(directory, PA, 71, username="sup71")
    su = SupplierUser.objects.get(user__username="sup71")
    entry = issue(directory, PA, at(2025, 3, 3)).queue_entry
    workflow.accept_contract(entry, at(2025, 3, 4))
    order = workflow.form_order(entry, workflow.OrderForm(sup.pk), at(2025, 3, 4))
    workflow.supplier_review(su, order.pk, True, "", at(2025, 3, 5))
    with pytest.raises(Conflict, match="no right"):
        workflow.cancel_by_supplier(su, order.pk, "force-majeure", "", at(2025, 3, 6))
    done = workflow.record_stay(su, order.pk, "completed", at(2025, 6, 1))
    done.entry.refresh_from_db()
    assert (done.state, done.entry.state) == ("completed", "served")


# --- supplier register: BIN validation ----------------------------------------------------------------


def staff_actor(directory, reg_id: str, role: str = "specialist"):
    from qyzmet.cases.access import actor_for

    office = directory.provider_of[reg_id]
    return actor_for(get_user_model().objects.get(username=f"{office.code}.{role}"))


def test_a_bad_bin_is_refused_naming_the_field(directory):
    actor = staff_actor(directory, PA)
    form = workflow.SupplierForm(name_kk="Серпін", name_ru="Серпин", bin="150340000001",
                                 offers=((PA, Decimal("1200"), "hour", None, ""),))
    with pytest.raises(Invalid) as exc:
        workflow.save_supplier(actor, form, at(2025, 3, 3))
    assert exc.value.field == "bin" and "check digit" in exc.value.message
    good = workflow.save_supplier(actor, workflow.SupplierForm(**{**form.__dict__, "bin": make_bin(81)}),
                                  at(2025, 3, 3))
    assert list(good.offices.all()) == [directory.provider_of[PA]]


# --- pages and access -----------------------------------------------------------------------------------


def test_supplier_a_cannot_see_or_answer_supplier_b_s_order(directory, client):
    a = supplier(directory, PA, 91, username="supA")
    supplier(directory, PA, 92, username="supB")
    entry = issue(directory, PA, at(2025, 3, 3)).queue_entry
    workflow.accept_contract(entry, at(2025, 3, 4))
    order = workflow.form_order(entry, workflow.OrderForm(a.pk), at(2025, 3, 4))

    client.login(username="supB", password="pw-portal-1")
    page = client.get("/portal/supplier/")
    assert page.status_code == 200 and order.number not in page.content.decode()
    assert client.get(f"/portal/supplier/orders/{order.pk}/").status_code == 404
    assert client.post(f"/portal/supplier/orders/{order.pk}/review/", {"decision": "accept"}).status_code == 404
    order.refresh_from_db()
    assert order.state == "sent"

    owner = Client()
    owner.login(username="supA", password="pw-portal-1")
    page = owner.get(f"/portal/supplier/orders/{order.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and entry.recipient_name in body
    assert entry.recipient_iin not in body  # only what the order needs
    answer = owner.post(f"/portal/supplier/orders/{order.pk}/review/", {"decision": "accept"})
    assert answer.status_code == 302
    order.refresh_from_db()
    assert order.state == "accepted"


def test_a_staff_account_is_not_a_supplier(directory, client):
    office = directory.provider_of[PA]
    client.login(username=f"{office.code}.specialist", password="qyzmet-demo")
    assert client.get("/portal/supplier/").status_code == 403
    assert client.get("/portal/queue/").status_code == 200
    anonymous = Client()
    assert anonymous.get("/portal/supplier/").status_code == 302  # to sign-in


def test_the_recipient_sees_only_their_own_cabinet(directory, client):
    mine = issue(directory, PA, at(2025, 3, 3), serial=1, name="Әлия Серікқызы")
    theirs = issue(directory, PA, at(2025, 3, 3), serial=2, name="Нұрлан Қайратұлы")
    client.cookies["qyzmet_language"] = "en"
    assert client.get("/portal/cabinet/").status_code == 200  # the sign-in form
    # Someone else's IIN with my number signs nobody in.
    wrong = client.post("/portal/cabinet/", {"number": mine.number, "iin": theirs.applicant_iin})
    assert wrong.status_code == 200 and "No application with this number and IIN" in wrong.content.decode()
    assert mine.number not in client.get("/portal/cabinet/").content.decode()
    page = client.post("/portal/cabinet/", {"number": mine.number, "iin": mine.applicant_iin}, follow=True)
    body = page.content.decode()
    assert mine.number in body and theirs.number not in body
    assert "Place in the queue" in body
    assert client.get(f"/portal/cabinet/entries/{theirs.queue_entry.pk}/").status_code == 404
    assert client.post(f"/portal/cabinet/entries/{theirs.queue_entry.pk}/contract/").status_code == 404
    signed = client.post(f"/portal/cabinet/entries/{mine.queue_entry.pk}/contract/")
    assert signed.status_code == 302
    assert Signature.objects.filter(kind="contract", object_id=mine.queue_entry.pk).exists()


def test_the_staff_queue_page_lists_positions_of_the_office(directory, client):
    issue(directory, PA, at(2025, 3, 3), serial=1, name="Әлия Серікқызы")
    office = directory.provider_of[PA]
    client.login(username=f"{office.code}.specialist", password="qyzmet-demo")
    page = client.get("/portal/queue/", {"service": PA})
    assert page.status_code == 200 and "Әлия Серікқызы" in page.content.decode()


def test_supplier_register_page_names_the_bin_field(directory, client):
    office = directory.provider_of[PA]
    client.login(username=f"{office.code}.specialist", password="qyzmet-demo")
    page = client.post("/portal/suppliers/new/", {"name_kk": "Серпін", "name_ru": "Серпин", "bin": "123",
                                                  "region": "", "in_register": "on"})
    assert page.status_code == 422
    assert 'id="id_bin"' in page.content.decode() and "aria-invalid" in page.content.decode()
    assert not Supplier.objects.exists()


def test_api_forms_reviews_and_refuses_a_bad_bin(directory, clock):
    from qyzmet.api.tokens import create_token

    office = directory.provider_of[PA]
    staff = get_user_model().objects.get(username=f"{office.code}.specialist")
    _, raw = create_token(staff, "tests")
    headers = {"Authorization": f"Bearer {raw}"}
    c = Client()
    bad = c.post("/api/v1/portal/suppliers", json.dumps({"name_kk": "A", "name_ru": "A", "bin": "12"}),
                 content_type="application/json", headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "bin"
    sup = supplier(directory, PA, 101, username="sup101")
    case = issue(directory, PA, at(2025, 3, 17))
    entries = c.get("/api/v1/portal/queue", headers=headers).json()
    assert [e["position"] for e in entries["items"]] == [1]
    entry_id = entries["items"][0]["id"]
    iin = case.applicant_iin
    formed = c.post(f"/api/v1/portal/queue/{entry_id}/orders", json.dumps({"supplier": sup.pk, "recipient_iin": iin}),
                    content_type="application/json", headers=headers)
    assert formed.status_code == 409  # no public contract yet
    other = c.post(f"/api/v1/portal/queue/{entry_id}/contract", json.dumps({"recipient_iin": "880101300123"}),
                   content_type="application/json", headers=headers)
    assert other.status_code == 422 and other.json()["error"]["field"] == "recipient_iin"
    signed = c.post(f"/api/v1/portal/queue/{entry_id}/contract", json.dumps({"recipient_iin": iin}),
                    content_type="application/json", headers=headers)
    assert signed.status_code == 200 and signed.json()["contract_signed_at"]
    # The recipient signed; the specialist who assisted at the self-service desk is recorded beside it.
    contract_sig = Signature.objects.get(kind="contract", object_id=entry_id)
    assert contract_sig.signer_iin == iin and contract_sig.signer_user == staff
    formed = c.post(f"/api/v1/portal/queue/{entry_id}/orders", json.dumps({"supplier": sup.pk, "recipient_iin": iin}),
                    content_type="application/json", headers=headers)
    assert formed.status_code == 201, formed.content
    body = formed.json()
    assert body["state"] == "sent" and body["review"]["cite"] == "annex 1, cl. 40"
    _, sup_token = create_token(get_user_model().objects.get(username="sup101"), "tests")
    sup_headers = {"Authorization": f"Bearer {sup_token}"}
    assert case.queue_entry.pk == entry_id
    listed = c.get("/api/v1/portal/orders", headers=sup_headers).json()
    assert [o["id"] for o in listed["items"]] == [body["id"]]
    answer = c.post(f"/api/v1/portal/orders/{body['id']}/review", json.dumps({"accept": False, "reasons": ""}),
                    content_type="application/json", headers=sup_headers)
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "reasons"
    answer = c.post(f"/api/v1/portal/orders/{body['id']}/review", json.dumps({"accept": True}),
                    content_type="application/json", headers=sup_headers)
    assert answer.status_code == 200 and answer.json()["state"] == "accepted"
    assert "recipient_iin" not in answer.json()
    # The department's specialist is no supplier: answering is refused, the office's orders are listed.
    assert c.post(f"/api/v1/portal/orders/{body['id']}/review", json.dumps({"accept": True}),
                  content_type="application/json", headers=headers).status_code == 403
    assert [o["id"] for o in c.get("/api/v1/portal/orders", headers=headers).json()["items"]] == [body["id"]]


# --- manufacture of prosthetic-orthopaedic means (annex 3 cl. 36-38) ----------------------------------------


def prosthetic_order(directory, now: dt.datetime, serial: int = 61):
    from qyzmet.portal.models import SupplierUser

    sup = supplier(directory, "mlsp-2021/prosthetic-aid", serial, username=f"pr{serial}")
    case = issue(directory, "mlsp-2021/prosthetic-aid", now - dt.timedelta(days=7), serial=serial)
    workflow.accept_contract(case.queue_entry, now)
    order = workflow.form_order(case.queue_entry, workflow.OrderForm(sup.pk), now)
    su = SupplierUser.objects.get(supplier=sup)
    workflow.supplier_review(su, order.pk, True, "", now + dt.timedelta(hours=1))
    return su, order


def test_a_small_item_is_due_7_working_days_after_production_and_fitting_time_is_not_counted(directory):
    from qyzmet.portal import manufacture

    su, order = prosthetic_order(directory, at(2026, 1, 26))
    order = manufacture.start_production(su, order.pk, "small", at(2026, 2, 2, 10))  # Monday
    # Tue 3, Wed 4, Thu 5, Fri 6, Mon 9, Tue 10, Wed 11: the 7th working day, at closing time.
    assert to_day(order.make_due) == dt.date(2026, 2, 11)
    assert "cl. 37" in order.make_cite and "7 working days" in order.make_why
    manufacture.wait_for_fitting(su, order.pk, at(2026, 2, 4, 12))
    order = manufacture.fitted(su, order.pk, at(2026, 2, 9, 15))  # waited Thu 5, Fri 6, Mon 9
    assert order.fitting_days == 3 and to_day(order.make_due) == dt.date(2026, 2, 16)  # Thu 12, Fri 13, Mon 16
    assert "cl. 38" in order.make_why
    workflow.record_stay(su, order.pk, "completed", at(2026, 2, 16, 12))
    assert manufacture.late(Order.objects.get(pk=order.pk)) is False


def test_a_complex_item_has_45_working_days_and_other_services_have_no_manufacturing_term(directory):
    from qyzmet.portal import manufacture

    su, order = prosthetic_order(directory, at(2026, 1, 26))
    with pytest.raises(Invalid) as exc:
        manufacture.start_production(su, order.pk, "large", at(2026, 2, 2))
    assert exc.value.field == "kind"
    order = manufacture.start_production(su, order.pk, "complex", at(2026, 2, 2, 10))
    assert "cl. 36" in order.make_cite and "45 working days" in order.make_why
    # By hand: 45 working days after Monday 2 February 2026, skipping 9 March (8 March observed) and 23-25 March
    # (Nauryz with its two observed days), end on Friday 10 April.
    assert to_day(order.make_due) == dt.date(2026, 4, 10)
    with pytest.raises(Conflict):
        manufacture.start_production(su, order.pk, "complex", at(2026, 2, 3))
    sanatorium_sup = supplier(directory, SANATORIUM, 62, username="san62")
    sanatorium = sanatorium_order(directory, sanatorium_sup, at(2026, 1, 5), dt.date(2026, 3, 2),
                                  dt.date(2026, 3, 15), serial=62)
    with pytest.raises(Conflict):
        manufacture.start_production(SupplierUser.objects.get(supplier=sanatorium_sup), sanatorium.pk, "small",
                                     at(2026, 2, 2))


def to_day(value: dt.datetime) -> dt.date:
    return value.astimezone(ALMATY).date()


def test_the_supplier_records_production_and_fitting_on_the_order_page(directory):
    su, order = prosthetic_order(directory, at(2026, 1, 26), serial=63)
    client = Client()
    client.force_login(su.user)
    client.cookies["qyzmet_language"] = "en"
    page = client.get(f"/portal/supplier/orders/{order.pk}/").content.decode()
    assert "Passed to production: small item (7 working days)" in page
    assert client.post(f"/portal/supplier/orders/{order.pk}/manufacture/", {"what": "small"}).status_code == 302
    page = client.get(f"/portal/supplier/orders/{order.pk}/").content.decode()
    assert "Item to be made by" in page and "cl. 37" in page
    assert client.post(f"/portal/supplier/orders/{order.pk}/manufacture/", {"what": "nonsense"}).status_code == 422
    assert client.post(f"/portal/supplier/orders/{order.pk}/manufacture/", {"what": "fitted"}).status_code == 409


def test_an_order_form_with_an_error_keeps_the_suppliers_names_in_the_readers_language(directory, client):
    case = issue(directory, PA, timezone_now() - dt.timedelta(days=3), serial=71)
    supplier(directory, PA, 71, price="1300")
    workflow.accept_contract(case.queue_entry, timezone_now())
    client.cookies["qyzmet_language"] = "kk"
    client.post("/portal/cabinet/", {"number": case.number, "iin": case.applicant_iin})
    page = client.post(f"/portal/cabinet/entries/{case.queue_entry.pk}/order/", {})
    body = page.content.decode()
    assert page.status_code == 422
    assert "Өнім беруші 71 — 1300.00 ₸ / hour" in body and "Поставщик 71" not in body


def timezone_now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()
