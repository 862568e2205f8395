"""Sanatorium: the order's sum, guaranteed sum and surcharge, the bed notice, the stay's act and its payment
(mlsp-2021 annex 2 cl. 26-30, annex 7; Order No. 14).  Every figure is worked by hand from what the test enters."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader
from test_portal import at, directory, issue, staff_actor, supplier  # noqa: F401  (directory is a fixture)

from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.payments import stay as pay_stay
from qyzmet.payments import workflow as pay
from qyzmet.payments.models import ServiceAct
from qyzmet.portal import workflow
from qyzmet.portal.models import BedNotice, GuaranteedSum, Order, SupplierOffer, SupplierUser

pytestmark = pytest.mark.django_db

SANATORIUM = "mlsp-2021/sanatorium"
D = dt.date


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def priced(directory, serial: int, price: str, *, username: str, guaranteed: str = "18500",  # noqa: F811
           per: str = "bed-day"):
    sup = supplier(directory, SANATORIUM, serial, price=price, capacity=3, username=username)
    # The test helper enters a 20 000 ₸ figure from 2020; this department's figure from 2025 replaces it.
    GuaranteedSum.objects.update_or_create(reg_id=SANATORIUM, valid_from=D(2025, 1, 1), defaults={
        "amount": Decimal(guaranteed), "per": per, "source": "test figure"})
    return sup, SupplierUser.objects.get(supplier=sup)


def order_for(directory, sup, now: dt.datetime, arrival: dt.date, departure: dt.date, serial: int = 1) -> Order:  # noqa: F811
    entry = issue(directory, SANATORIUM, now - dt.timedelta(days=3), serial=serial).queue_entry
    workflow.accept_contract(entry, now)
    return workflow.form_order(entry, workflow.OrderForm(sup.pk, arrival_date=arrival, departure_date=departure),
                               now)


def test_the_order_carries_its_sum_the_guaranteed_sum_and_the_recipients_surcharge(directory):  # noqa: F811
    sup, _su = priced(directory, 301, "22000", username="san301")
    # 14 May – 27 May 2025: 14 calendar days, both counted.  22 000 × 14 = 308 000; the department's
    # 18 500 × 14 = 259 000; the recipient pays 308 000 − 259 000 = 49 000 on arrival.
    order = order_for(directory, sup, at(2025, 4, 1), D(2025, 5, 14), D(2025, 5, 27))
    assert (order.bed_days, order.order_sum, order.guaranteed_sum, order.surcharge) == (
        14, Decimal("308000.00"), Decimal("259000.00"), Decimal("49000.00"))
    assert "Order No. 14" in order.sums_why and "cl. 28, 29" in order.sums_why


def test_a_cheaper_stay_has_no_surcharge_and_a_per_stay_sum_caps_the_whole_stay(directory):  # noqa: F811
    sup, _su = priced(directory, 302, "17000", username="san302")
    cheap = order_for(directory, sup, at(2025, 4, 1), D(2025, 6, 2), D(2025, 6, 11))
    # 10 days × 17 000 = 170 000, under 10 × 18 500 = 185 000: the department pays it all.
    assert (cheap.order_sum, cheap.guaranteed_sum, cheap.surcharge) == (
        Decimal("170000.00"), Decimal("170000.00"), Decimal("0.00"))
    GuaranteedSum.objects.filter(valid_from=D(2025, 1, 1)).update(amount=Decimal("150000"), per="stay")
    dear = order_for(directory, sup, at(2025, 4, 1), D(2025, 6, 2), D(2025, 6, 11), serial=2)
    # Per stay: 150 000 of the 170 000; the surcharge is 20 000.
    assert (dear.guaranteed_sum, dear.surcharge) == (Decimal("150000.00"), Decimal("20000.00"))


def test_without_a_guaranteed_sum_in_force_the_order_is_refused_and_nothing_is_stored(directory):  # noqa: F811
    sup, _su = priced(directory, 303, "22000", username="san303")
    GuaranteedSum.objects.all().delete()
    GuaranteedSum.objects.create(reg_id=SANATORIUM, valid_from=D(2025, 5, 1), amount=Decimal("18500"),
                                 source="from May")
    entry = issue(directory, SANATORIUM, at(2025, 3, 28)).queue_entry
    workflow.accept_contract(entry, at(2025, 4, 1))
    with pytest.raises(Conflict, match=r"Order No\. 14") as exc:
        workflow.form_order(entry, workflow.OrderForm(sup.pk, arrival_date=D(2025, 5, 14),
                                                      departure_date=D(2025, 5, 20)), at(2025, 4, 1))
    assert "2025-04-01" in str(exc.value)
    assert not Order.objects.exists()
    entry.refresh_from_db()
    assert entry.state == "awaiting-choice"


def test_acceptance_sends_the_signed_bed_notice_with_the_act_s_wording_and_sums(directory):  # noqa: F811
    sup, su = priced(directory, 304, "22000", username="san304")
    order = order_for(directory, sup, at(2025, 4, 1), D(2025, 5, 14), D(2025, 5, 27))
    with pytest.raises(Invalid) as bad:
        workflow.supplier_review(su, order.pk, True, "", at(2025, 4, 2), details={"check_in": "25:00"})
    assert bad.value.field == "check_in"
    assert Order.objects.get(pk=order.pk).state == "sent"  # nothing signed, nothing stored
    workflow.supplier_review(su, order.pk, True, "", at(2025, 4, 2), details={
        "check_in": "14:00", "check_out": "12:00", "meals": "5 рет / 5 раз",
        "accommodation": "2 орынды нөмір, 2-қабат"})
    notice = BedNotice.objects.get(order=order)
    text = pdf_text(bytes(notice.pdf))
    for expected in ("Төсек-орынның бар-жоғын растау", "308 000.00", "259 000.00", "49 000.00", "14.05.2025",
                     "27.05.2025", "14 төсек-күн", "14:00", "санаторий-курорттық карта", "2 орынды нөмір"):
        assert expected in text, expected
    assert workflow.signing.default_signer().verify(bytes(notice.pdf), workflow.signing.Signed(
        notice.signature.backend, notice.signature.value), signer_id=sup.bin)


def stayed(directory, su, order, arrive: dt.datetime, leave: dt.datetime, what: str = "completed"):  # noqa: F811
    workflow.record_stay(su, order.pk, "arrived", arrive)
    workflow.record_stay(su, order.pk, what, leave)
    return Order.objects.get(pk=order.pk)


def test_the_stay_s_act_reimburses_the_guaranteed_sum_and_shows_the_surcharge_then_is_signed_and_paid(directory):  # noqa: F811
    sup, su = priced(directory, 305, "22000", username="san305")
    order = order_for(directory, sup, at(2025, 4, 1), D(2025, 5, 14), D(2025, 5, 27))
    workflow.supplier_review(su, order.pk, True, "", at(2025, 4, 2))
    with pytest.raises(Conflict, match=r"cl\. 30"):
        pay_stay.form_act(su, order.pk, at(2025, 5, 14, 15))  # not arrived yet
    stayed(directory, su, order, at(2025, 5, 14, 15), at(2025, 5, 27, 11))
    act = pay_stay.form_act(su, order.pk, at(2025, 5, 27, 12))
    # 14 bed-days: 14 × 18 500 = 259 000 reimbursed; 14 × 22 000 − 259 000 = 49 000 the recipient's.
    assert (act.unit, act.hours, act.amount, act.recipient_amount, act.due_date) == (
        "bed-day", Decimal("14"), Decimal("259000.00"), Decimal("49000.00"), None)
    assert [line["payer"] for line in act.lines] == ["department", "recipient"]
    assert "cl. 26" in act.lines[0]["cite"] and "Order No. 14" in act.rate_cite
    text = pdf_text(bytes(act.pdf))
    assert "259 000.00" in text and "49 000.00" in text and "14 төсек-күн" in text
    act = pay.sign_act_by_supplier(su, act.pk, at(2025, 5, 27, 13))
    act = pay.sign_act_by_recipient(order.entry.recipient_iin, act.pk, at(2025, 5, 27, 14))
    payment = pay.record_payment(staff_actor(directory, SANATORIUM), act.pk, at(2025, 6, 3))
    assert payment.amount == Decimal("259000.00")
    # The monthly PA/SL journal is not the sanatorium's.
    with pytest.raises(Conflict, match="personal assistant"):
        pay.form_act(su, order.pk, "2025-05", at(2025, 6, 3))


def test_a_stay_cut_short_is_paid_for_the_days_stayed_and_a_stay_longer_than_14_days_is_refused(directory):  # noqa: F811
    sup, su = priced(directory, 306, "22000", username="san306")
    short = order_for(directory, sup, at(2025, 4, 1), D(2025, 5, 14), D(2025, 5, 27))
    workflow.supplier_review(su, short.pk, True, "", at(2025, 4, 2))
    stayed(directory, su, short, at(2025, 5, 14, 15), at(2025, 5, 18, 10), what="refused-after-arrival")
    act = pay_stay.form_act(su, short.pk, at(2025, 5, 18, 12))
    # 14–18 May: 5 bed-days × 18 500 = 92 500; 5 × 22 000 − 92 500 = 17 500.
    assert (act.hours, act.amount, act.recipient_amount) == (Decimal("5"), Decimal("92500.00"), Decimal("17500.00"))

    long = order_for(directory, sup, at(2025, 4, 1), D(2025, 6, 2), D(2025, 6, 15), serial=2)
    workflow.supplier_review(su, long.pk, True, "", at(2025, 4, 2))
    stayed(directory, su, long, at(2025, 6, 2, 15), at(2025, 6, 16, 10))  # left a day late: 15 days
    with pytest.raises(Conflict, match="at most 14 calendar days") as exc:
        pay_stay.form_act(su, long.pk, at(2025, 6, 16, 12))
    assert "cl. 26" in str(exc.value)
    assert not ServiceAct.objects.filter(order=long).exists()


def test_the_pages_show_the_sums_the_bed_notice_and_the_stay_act(directory):  # noqa: F811
    sup, su = priced(directory, 307, "22000", username="san307")
    order = order_for(directory, sup, at(2025, 4, 1), D(2025, 5, 14), D(2025, 5, 27))
    client = Client()
    client.cookies["qyzmet_language"] = "en"
    client.force_login(su.user)
    page = client.get(f"/portal/supplier/orders/{order.pk}/").content.decode()
    assert "308000.00" in page and "49000.00" in page and "Check-in time" in page
    posted = client.post(f"/portal/supplier/orders/{order.pk}/review/", {
        "decision": "accept", "check_in": "7 pm"})
    assert posted.status_code == 422 and "Enter the time as hours and minutes" in posted.content.decode()
    posted = client.post(f"/portal/supplier/orders/{order.pk}/review/", {"decision": "accept", "check_in": "14:00"})
    assert posted.status_code == 302
    pdf = client.get(f"/portal/supplier/orders/{order.pk}/bed-notice/")
    assert pdf["Content-Type"] == "application/pdf" and "14:00" in pdf_text(pdf.content)
    stayed(directory, su, order, at(2025, 5, 14, 15), at(2025, 5, 27, 11))
    formed = client.post(f"/portal/supplier/orders/{order.pk}/stay-act/")
    assert formed.status_code == 302
    act_page = client.get(formed["Location"]).content.decode()
    assert "Bed-days stayed" in act_page and "259000.00" in act_page and "Annex 2 sets no term" in act_page

    # The recipient: the same sums and the notice in the cabinet; another supplier: no notice.
    recipient = Client()
    recipient.cookies["qyzmet_language"] = "en"
    signed_in = recipient.post("/portal/cabinet/", {"number": order.entry.case.number,
                                                    "iin": order.entry.recipient_iin})
    assert signed_in.status_code == 302
    entry_page = recipient.get(f"/portal/cabinet/entries/{order.entry_id}/").content.decode()
    assert "49000.00" in entry_page and "bed notice" in entry_page
    assert recipient.get(f"/portal/cabinet/orders/{order.pk}/bed-notice/")["Content-Type"] == "application/pdf"
    other = supplier(directory, SANATORIUM, 308, username="san308")
    stranger = Client()
    stranger.force_login(SupplierUser.objects.get(supplier=other).user)
    assert stranger.get(f"/portal/supplier/orders/{order.pk}/bed-notice/").status_code == 404
    assert SupplierOffer.objects.filter(supplier=other).exists()


def test_api_review_with_the_bed_notice_and_the_stay_act(directory):  # noqa: F811
    from qyzmet.api.tokens import create_token

    sup, su = priced(directory, 309, "22000", username="san309")
    order = order_for(directory, sup, at(2025, 4, 1), D(2025, 5, 14), D(2025, 5, 27))
    _, token = create_token(su.user, "tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    bad = client.post(f"/api/v1/portal/orders/{order.pk}/review", json.dumps({
        "accept": True, "bed_notice": {"check_in": "later"}}), content_type="application/json")
    assert bad.status_code == 422 and "check_in" in bad.content.decode()
    ok = client.post(f"/api/v1/portal/orders/{order.pk}/review", json.dumps({
        "accept": True, "bed_notice": {"check_in": "14:00", "meals": "5"}}), content_type="application/json")
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["sums"]["surcharge"] in ("49000.00", 49000, "49000") and body["bed_notice"].endswith("-N")
    assert client.get(f"/api/v1/portal/orders/{order.pk}/bed-notice")["Content-Type"] == "application/pdf"
    stayed(directory, su, order, at(2025, 5, 14, 15), at(2025, 5, 27, 11))
    act = client.post(f"/api/v1/payments/orders/{order.pk}/stay-act")
    assert act.status_code == 201, act.content
    assert (act.json()["unit"], act.json()["due_date"]) == ("bed-day", None)
