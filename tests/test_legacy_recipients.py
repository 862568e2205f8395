"""Recipients served outside the Portal (mlsp-2021 annex 1 cl. 35, 36, 45): the messages, no two-month block,
the confirmation, and the reporting period paid in full."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from test_portal import at, directory, issue, staff_actor, supplier  # noqa: F401  (directory is a fixture)

from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.notify.models import Sms
from qyzmet.payments import workflow as pay
from qyzmet.payments.models import HourlyRate
from qyzmet.portal import legacy, workflow
from qyzmet.portal.models import QueueEntry, SupplierUser

pytestmark = pytest.mark.django_db

PA = "mlsp-2021/personal-assistant"
SANATORIUM = "mlsp-2021/sanatorium"
D = dt.date
SUPPLIER_PHONE = "+7 702 555 12 34"


def legacy_entry(directory, serial: int, username: str, issued: dt.datetime):  # noqa: F811
    sup = supplier(directory, PA, serial, username=username)
    sup.phone = SUPPLIER_PHONE
    sup.save()
    entry = issue(directory, PA, issued, serial=1).queue_entry
    return entry, sup, SupplierUser.objects.get(supplier=sup)


def test_marking_sends_both_messages_and_lifts_the_two_month_limit(directory):  # noqa: F811
    entry, sup, _su = legacy_entry(directory, 401, "pa401", at(2025, 3, 3))
    actor = staff_actor(directory, PA)
    with pytest.raises(Invalid) as future:
        legacy.mark(actor, entry.pk, sup.pk, D(2030, 1, 1), at(2025, 3, 4))
    assert future.value.field == "since"
    marked = legacy.mark(actor, entry.pk, sup.pk, D(2020, 9, 1), at(2025, 3, 4, 9))
    assert (marked.legacy_supplier_id, marked.remind_due, marked.block_due) == (sup.pk, None, None)
    assert "cl. 36" in marked.block_cite
    sms = {s.code: s for s in Sms.objects.filter(case=entry.case, code__startswith="legacy-")}
    assert set(sms) == {"legacy-confirm", "legacy-supplier-register"}
    assert "+77025551234" in sms["legacy-supplier-register"].phone.replace(" ", "")
    assert sms["legacy-confirm"].phone != sms["legacy-supplier-register"].phone
    assert "растау" in sms["legacy-confirm"].text and sms["legacy-confirm"].cite.startswith("cl. 35")
    # The data passed to the Portal when the result was issued (3 March, minutes after 10:00); one working day
    # later is Tue 4 March at the department's closing time: marked at 09:00 that day, in time.
    assert not legacy.notice_late(marked)
    # Three months on, the sweep neither reminds nor blocks them (cl. 36).
    workflow.sweep(at(2025, 6, 10))
    assert QueueEntry.objects.get(pk=entry.pk).state == "awaiting-choice"
    with pytest.raises(Conflict, match="already recorded"):
        legacy.mark(actor, entry.pk, sup.pk, D(2020, 9, 1), at(2025, 3, 5))


def test_only_pa_and_sl_had_recipients_outside_the_portal(directory):  # noqa: F811
    sup = supplier(directory, SANATORIUM, 402)
    entry = issue(directory, SANATORIUM, at(2025, 3, 3)).queue_entry
    with pytest.raises(Invalid, match=r"cl\. 35"):
        legacy.mark(staff_actor(directory, SANATORIUM), entry.pk, sup.pk, D(2020, 9, 1), at(2025, 3, 4))


def test_a_confirmed_legacy_order_is_paid_for_the_whole_reporting_period(directory):  # noqa: F811
    entry, sup, su = legacy_entry(directory, 403, "pa403", at(2025, 3, 3))
    legacy.mark(staff_actor(directory, PA), entry.pk, sup.pk, D(2020, 9, 1), at(2025, 3, 4))
    legacy.confirm(entry, at(2025, 3, 10))
    with pytest.raises(Conflict, match="already confirmed"):
        legacy.confirm(entry, at(2025, 3, 11))
    workflow.accept_contract(entry, at(2025, 3, 10))
    order = workflow.form_order(entry, workflow.OrderForm(sup.pk), at(2025, 3, 10))
    order = workflow.supplier_review(su, order.pk, True, "", at(2025, 3, 12))
    assert order.transitional and "cl. 45" in order.transitional_why
    HourlyRate.objects.create(valid_from=D(2025, 1, 1), amount=Decimal("1000"), note="test figure")
    # Accepted on 12 March: the reporting period is March, paid in full — 3 March counts; February does not.
    pay.add_journal_entry(su, order.pk, pay.DayForm(D(2025, 3, 3), Decimal("6")), at(2025, 4, 1))
    with pytest.raises(Invalid, match=r"cl\. 45") as before:
        pay.add_journal_entry(su, order.pk, pay.DayForm(D(2025, 2, 28), Decimal("6")), at(2025, 4, 1))
    assert before.value.field == "day" and "2025-03-01" in before.value.message
    pay.add_journal_entry(su, order.pk, pay.DayForm(D(2025, 3, 20), Decimal("4")), at(2025, 4, 1))
    act = pay.form_act(su, order.pk, "2025-03", at(2025, 4, 1))
    assert act.amount == Decimal("10000.00")  # (6 + 4) h × 1 000


def test_an_ordinary_order_is_paid_from_the_acceptance_day_and_one_before_5_february_2021_in_full(directory):  # noqa: F811
    sup = supplier(directory, PA, 404, username="pa404")
    su = SupplierUser.objects.get(supplier=sup)
    HourlyRate.objects.create(valid_from=D(2021, 1, 1), amount=Decimal("900"), note="test figure")
    entry = issue(directory, PA, at(2025, 3, 3)).queue_entry
    workflow.accept_contract(entry, at(2025, 3, 10))
    order = workflow.supplier_review(su, workflow.form_order(entry, workflow.OrderForm(sup.pk), at(2025, 3, 10)).pk,
                                     True, "", at(2025, 3, 12))
    assert not order.transitional
    with pytest.raises(Invalid, match="notice of acceptance, 2025-03-12"):
        pay.add_journal_entry(su, order.pk, pay.DayForm(D(2025, 3, 11), Decimal("2")), at(2025, 4, 1))

    early = issue(directory, PA, at(2021, 1, 18), serial=2).queue_entry
    workflow.accept_contract(early, at(2021, 2, 3))
    chosen = workflow.form_order(early, workflow.OrderForm(sup.pk), at(2021, 2, 4))  # before 5 February 2021
    chosen = workflow.supplier_review(su, chosen.pk, True, "", at(2021, 2, 9))
    assert chosen.transitional and "before 5 February 2021" in chosen.transitional_why
    pay.add_journal_entry(su, chosen.pk, pay.DayForm(D(2021, 2, 1), Decimal("3")), at(2021, 3, 1))


def test_staff_mark_on_the_queue_page_and_the_recipient_confirms_in_the_cabinet(directory):  # noqa: F811
    entry, sup, _su = legacy_entry(directory, 405, "pa405", at(2025, 3, 3))
    staff = Client()
    staff.cookies["qyzmet_language"] = "en"
    staff.force_login(get_user_model().objects.get(pk=staff_actor(directory, PA).user_id))
    page = staff.get("/portal/queue/").content.decode()
    assert "A recipient served outside the Portal" in page
    bad = staff.post("/portal/queue/legacy/", {"entry": entry.pk, "supplier": sup.pk, "since": "yesterday"})
    assert bad.status_code == 422 and "Enter the date as year-month-day" in bad.content.decode()
    ok = staff.post("/portal/queue/legacy/", {"entry": entry.pk, "supplier": sup.pk, "since": "2020-09-01"})
    assert ok.status_code == 302
    citizen = Client()
    citizen.cookies["qyzmet_language"] = "en"
    citizen.post("/portal/cabinet/", {"number": entry.case.number, "iin": entry.recipient_iin})
    shown = citizen.get(f"/portal/cabinet/entries/{entry.pk}/").content.decode()
    assert "Services received outside the Portal" in shown and "No limit" in shown
    assert citizen.post(f"/portal/cabinet/entries/{entry.pk}/confirm-legacy/").status_code == 302
    assert QueueEntry.objects.get(pk=entry.pk).legacy_confirmed_at is not None
