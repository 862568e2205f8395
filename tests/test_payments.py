"""The journal of rendered services, the monthly act and its payment (mlsp-2021 annex 1 cl. 40-45).

Every figure below is worked by hand from what the test enters: the rates are the department's rows, never
a constant of the code.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from pypdf import PdfReader
from test_portal import at, directory, issue, staff_actor, supplier  # noqa: F401  (directory is a fixture)

from qyzmet.cases.access import NotFound
from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.payments import workflow as pay
from qyzmet.payments.models import HourlyRate, JournalEntry, MinimumWage, ServiceAct
from qyzmet.portal import workflow as portal
from qyzmet.portal.models import Order, SupplierUser

pytestmark = pytest.mark.django_db

PA = "mlsp-2021/personal-assistant"
SL = "mlsp-2021/sign-language"
D = dt.date


def accepted_order(directory, reg_id: str, sup, applied: dt.datetime, *, serial: int = 1,  # noqa: F811
                   name: str = "Әлия Серікқызы") -> tuple[Order, SupplierUser]:
    """A case issued on ``applied``, its contract and order the next day, accepted by the supplier a day later."""
    entry = issue(directory, reg_id, applied, serial=serial, name=name).queue_entry
    portal.accept_contract(entry, applied + dt.timedelta(days=1))
    form = portal.OrderForm(sup.pk, sl_format="online" if reg_id == SL else "")
    order = portal.form_order(entry, form, applied + dt.timedelta(days=1))
    su = SupplierUser.objects.get(supplier=sup)
    return portal.supplier_review(su, order.pk, True, "", applied + dt.timedelta(days=2)), su


def day(su, order, when: dt.date, hours: str, now: dt.datetime, **more) -> JournalEntry:
    return pay.add_journal_entry(su, order.pk, pay.DayForm(when, Decimal(hours), **more), now)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- personal assistant: 8 hours a day, the department's dated rate ------------------------------------


def test_pa_day_beyond_8_hours_is_refused_and_the_act_is_hours_times_the_dated_rate(directory):  # noqa: F811
    sup = supplier(directory, PA, 201, username="pa201")
    order, su = accepted_order(directory, PA, sup, at(2026, 2, 2))
    HourlyRate.objects.create(valid_from=D(2026, 1, 1), amount=Decimal("1250"), note="test figure")
    HourlyRate.objects.create(valid_from=D(2026, 3, 16), amount=Decimal("1300"), note="test figure, raised")
    now = at(2026, 4, 1)
    day(su, order, D(2026, 3, 2), "8", now, places="емхана, дәріхана")
    with pytest.raises(Invalid) as too_long:
        day(su, order, D(2026, 3, 3), "9", now)
    assert too_long.value.field == "hours" and "cl. 43" in too_long.value.message
    assert "8 hours a day" in too_long.value.message
    assert not JournalEntry.objects.filter(day=D(2026, 3, 3)).exists()  # refused, not cut to 8
    day(su, order, D(2026, 3, 3), "8", now)
    # Two visits on one day count together: 5 + 3 = 8, and half an hour more is refused.
    day(su, order, D(2026, 3, 4), "5", now, started=dt.time(9, 0), ended=dt.time(14, 0))
    day(su, order, D(2026, 3, 4), "3", now)
    with pytest.raises(Invalid, match="8 hours a day"):
        day(su, order, D(2026, 3, 4), "0.5", now)
    day(su, order, D(2026, 3, 16), "4", now)  # the new rate's first day

    act = pay.form_act(su, order.pk, "2026-03", now)
    # 2, 3, 4 March: 8 + 8 + 8 = 24 h × 1 250 = 30 000.00; 16 March: 4 h × 1 300 = 5 200.00.
    assert [(line["hours"], line["unit_price"], line["cost"]) for line in act.lines] == [
        ("24.00", "1250.00", "30000.00"), ("4.00", "1300.00", "5200.00")]
    assert (act.hours, act.paid_hours, act.amount, act.rate) == (Decimal("28"), Decimal("28"),
                                                                 Decimal("35200.00"), None)
    assert "cl. 43" in act.lines[0]["cite"] and "Decree No. 1193" in act.rate_cite
    assert (act.period_start, act.period_end, act.state) == (D(2026, 3, 1), D(2026, 3, 31), "draft")
    text = pdf_text(bytes(act.pdf))
    assert "Көрсетілген қызметтер актісі" in text and "Акт оказанных услуг" in text
    assert "Жеке көмекшінің ілесіп жүру парағы" in text
    assert "35 200.00 ₸" in text and "30 000.00 ₸" in text and "емхана, дәріхана" in text


def test_pa_journal_rules_name_the_field(directory):  # noqa: F811
    sup = supplier(directory, PA, 211, username="pa211")
    order, su = accepted_order(directory, PA, sup, at(2026, 2, 2))
    now = at(2026, 3, 10)
    with pytest.raises(Invalid) as future:
        day(su, order, D(2026, 3, 11), "2", now)
    assert future.value.field == "day"
    with pytest.raises(Invalid, match=r"cl\. 45") as before:
        day(su, order, D(2026, 2, 3), "2", now)  # accepted on 4 February
    assert before.value.field == "day"
    with pytest.raises(Invalid) as times:
        pay.add_journal_entry(su, order.pk, pay.DayForm(D(2026, 3, 2), Decimal("3"), dt.time(9), dt.time(11)), now)
    assert times.value.field == "hours" and "2 hours" in times.value.message
    with pytest.raises(Invalid) as nothing:
        pay.add_journal_entry(su, order.pk, pay.DayForm(D(2026, 3, 2)), now)
    assert nothing.value.field == "hours"
    computed = pay.add_journal_entry(su, order.pk, pay.DayForm(D(2026, 3, 2), None, dt.time(9), dt.time(11, 30)),
                                     now)
    assert computed.hours == Decimal("2.50")
    # A month not over yet has no act; a month without the rate entered has none either.
    with pytest.raises(Conflict, match="whole calendar month"):
        pay.form_act(su, order.pk, "2026-03", now)
    with pytest.raises(Conflict, match=r"cl\. 43"):
        pay.form_act(su, order.pk, "2026-03", at(2026, 4, 1))
    with pytest.raises(Invalid) as empty:
        pay.form_act(su, order.pk, "2026-02", at(2026, 4, 1))
    assert empty.value.field == "month"
    with pytest.raises(Invalid) as bad_month:
        pay.form_act(su, order.pk, "March", at(2026, 4, 1))
    assert bad_month.value.field == "month"


def test_time_is_journaled_only_on_an_accepted_order(directory):  # noqa: F811
    sup = supplier(directory, PA, 221, username="pa221")
    entry = issue(directory, PA, at(2026, 2, 2)).queue_entry
    portal.accept_contract(entry, at(2026, 2, 3))
    order = portal.form_order(entry, portal.OrderForm(sup.pk), at(2026, 2, 3))
    su = SupplierUser.objects.get(supplier=sup)
    with pytest.raises(Conflict, match="accepted"):
        day(su, order, D(2026, 2, 4), "2", at(2026, 2, 5))


# --- sign language: 15 % of the year's minimum wage, 60 hours a year ------------------------------------


def test_sl_rate_is_15_percent_of_the_year_s_wage_and_hours_above_60_are_the_recipient_s(directory):  # noqa: F811
    sup = supplier(directory, SL, 231, username="sl231")
    order, su = accepted_order(directory, SL, sup, at(2026, 1, 2))
    MinimumWage.objects.create(year=2026, amount=Decimal("85000"), source="Republican Budget Law (test figure)")
    now = at(2026, 3, 2)
    for d in range(6, 16):  # 6-15 January: 10 days × 5 h = 50 h
        day(su, order, D(2026, 1, d), "5", now)
    day(su, order, D(2026, 2, 2), "8", now, sl_format="offline")  # 58 h in 2026
    assert pay.sl_year_used(order.entry.recipient_iin, 2026) == Decimal("58")
    with pytest.raises(Invalid) as over:
        day(su, order, D(2026, 2, 3), "4", now)
    message = over.value.message
    assert over.value.field == "hours" and "cl. 44" in message and "paid by the recipient" in message
    assert "Only 2 of the 60 hours" in message and "2 hours above" in message
    confirmed = day(su, order, D(2026, 2, 3), "4", now, recipient_pays=True)
    assert (confirmed.hours, confirmed.recipient_paid_hours) == (Decimal("4"), Decimal("2"))
    assert confirmed.sl_format == "online"  # the order's format when the day names none
    more = day(su, order, D(2026, 2, 4), "1", now, recipient_pays=True)
    assert more.recipient_paid_hours == Decimal("1")  # the year's 60 are used up

    january = pay.form_act(su, order.pk, "2026-01", now)
    # 85 000 × 15 % = 12 750 ₸ an hour; 50 h × 12 750 = 637 500.00.
    assert (january.rate, january.paid_hours, january.amount) == (Decimal("12750.00"), Decimal("50"),
                                                                  Decimal("637500.00"))
    february = pay.form_act(su, order.pk, "2026-02", now)
    # 8 + 4 + 1 = 13 h journaled; 60 − 50 − 8 = 2 paid by the department → 2 + 8 = 10 h × 12 750 = 127 500.00;
    # 3 h the recipient's.
    assert (february.hours, february.paid_hours, february.recipient_paid_hours, february.amount) == (
        Decimal("13"), Decimal("10"), Decimal("3"), Decimal("127500.00"))
    assert [line["payer"] for line in february.lines] == ["department", "recipient"]
    assert "cl. 44" in february.rate_cite and "85000" in february.rate_cite
    text = pdf_text(bytes(february.pdf))
    assert "Ымдау тілі маманының қызметін көрсету парағы" in text and "127 500.00 ₸" in text
    assert "12 750.00 ₸" in text and "офлайн" in text


def test_a_changed_2025_wage_changes_only_the_2025_act(directory):  # noqa: F811
    sup = supplier(directory, SL, 241, username="sl241")
    order, su = accepted_order(directory, SL, sup, at(2025, 12, 1))
    wage_2025 = MinimumWage.objects.create(year=2025, amount=Decimal("85000"), source="test figure 2025")
    MinimumWage.objects.create(year=2026, amount=Decimal("90000"), source="test figure 2026")
    now = at(2026, 2, 2)
    day(su, order, D(2025, 12, 15), "2", now)
    day(su, order, D(2026, 1, 20), "2", now)
    december = pay.form_act(su, order.pk, "2025-12", now)
    january = pay.form_act(su, order.pk, "2026-01", now)
    assert (december.amount, january.amount) == (Decimal("25500.00"), Decimal("27000.00"))  # 2 × 12 750, 2 × 13 500
    pay.sign_act_by_supplier(su, january.pk, now)

    wage_2025.amount = Decimal("100000")
    wage_2025.save()
    # The draft formed before the change no longer is what the rates give: it must be formed again.
    with pytest.raises(Conflict, match="form it again"):
        pay.sign_act_by_supplier(su, december.pk, now)
    december = pay.form_act(su, order.pk, "2025-12", now)
    assert december.amount == Decimal("30000.00")  # 2 × 15 % × 100 000
    january.refresh_from_db()
    assert (january.amount, january.rate) == (Decimal("27000.00"), Decimal("13500.00"))
    with pytest.raises(Conflict, match="already signed"):
        pay.form_act(su, order.pk, "2026-01", now)


# --- due date, signatures, payment ----------------------------------------------------------------------


@pytest.mark.parametrize(("month", "due"), [
    (D(2026, 3, 1), D(2026, 4, 10)),
    (D(2025, 12, 1), D(2026, 1, 10)),  # a Saturday: "not later than the 10th" is a date, it does not move
    (D(2024, 1, 1), D(2024, 2, 10)),
])
def test_the_act_is_due_on_the_10th_of_the_next_month(month, due):
    assert pay.due_date(month) == due


def test_both_parties_sign_the_pdf_and_the_department_pays_it(directory):  # noqa: F811
    sup = supplier(directory, PA, 251, username="pa251")
    order, su = accepted_order(directory, PA, sup, at(2026, 2, 2))
    HourlyRate.objects.create(valid_from=D(2026, 1, 1), amount=Decimal("1000"))
    now = at(2026, 4, 3)
    day(su, order, D(2026, 3, 5), "6", now)
    act = pay.form_act(su, order.pk, "2026-03", now)
    assert (act.due_date, act.due_cite, act.amount) == (D(2026, 4, 10), "annex 1, cl. 45", Decimal("6000.00"))
    actor = staff_actor(directory, PA)
    iin = order.entry.recipient_iin

    assert [m.period_start for m in pay.overdue_acts(actor, D(2026, 4, 10))] == []
    late = pay.overdue_acts(actor, D(2026, 4, 11))
    assert [(m.order.pk, m.period_start, m.act.pk) for m in late] == [(order.pk, D(2026, 3, 1), act.pk)]
    assert act.overdue(D(2026, 4, 11)) and not act.overdue(D(2026, 4, 10))

    with pytest.raises(Conflict, match="not signed"):
        pay.sign_act_by_recipient(iin, act.pk, now)
    with pytest.raises(Conflict, match="signed by both"):
        pay.record_payment(actor, act.pk, now)
    act = pay.sign_act_by_supplier(su, act.pk, now)
    sig = act.supplier_signature
    assert (sig.kind, sig.object_type, sig.object_id, sig.signer_iin) == ("act", "payments.serviceact", act.pk,
                                                                          sup.bin)
    assert sig.sha256 == act.pdf_sha256 and pay.signature_holds(sig, bytes(act.pdf))
    assert not pay.signature_holds(sig, bytes(act.pdf) + b" ")
    with pytest.raises(Conflict, match="closed"):
        day(su, order, D(2026, 3, 6), "1", now)  # the month's journal is closed once signed
    with pytest.raises(NotFound):
        pay.sign_act_by_recipient("880101300123", act.pk, now)
    act = pay.sign_act_by_recipient(iin, act.pk, at(2026, 4, 8))
    assert act.state == "signed" and act.recipient_signature.signer_iin == iin
    assert act.recipient_signature.sha256 == act.supplier_signature.sha256
    assert pay.overdue_acts(actor, D(2026, 4, 11)) == []

    with pytest.raises(Invalid) as wrong:
        pay.record_payment(actor, act.pk, now, amount=Decimal("5000"))
    assert wrong.value.field == "amount"
    payment = pay.record_payment(actor, act.pk, at(2026, 4, 15), reference="PP-17")
    act.refresh_from_db()
    assert (payment.amount, act.state, payment.paid_by.username) == (Decimal("6000.00"), "paid", actor.username)
    with pytest.raises(Conflict, match="already paid"):
        pay.record_payment(actor, act.pk, now)


# --- pages and access -----------------------------------------------------------------------------------


def _signed_act(directory, serial: int, username: str, name: str = "Әлия Серікқызы"):  # noqa: F811
    sup = supplier(directory, PA, serial, username=username)
    order, su = accepted_order(directory, PA, sup, at(2026, 2, 2), serial=serial, name=name)
    HourlyRate.objects.get_or_create(valid_from=D(2026, 1, 1), defaults={"amount": Decimal("1000")})
    day(su, order, D(2026, 3, 5), "6", at(2026, 4, 2))
    return order, su, pay.form_act(su, order.pk, "2026-03", at(2026, 4, 2))


def test_a_supplier_never_sees_another_supplier_s_journal_or_acts(directory, clock):  # noqa: F811
    clock.at = at(2026, 4, 3)
    order, _su, act = _signed_act(directory, 261, "supA")
    supplier(directory, PA, 262, username="supB")
    other = Client()
    other.login(username="supB", password="pw-portal-1")
    assert other.get(f"/portal/supplier/orders/{order.pk}/journal/").status_code == 404
    assert other.post(f"/portal/supplier/orders/{order.pk}/journal/",
                      {"day": "2026-04-01", "hours": "2"}).status_code == 404
    assert other.get(f"/portal/supplier/acts/{act.pk}/").status_code == 404
    assert other.get(f"/portal/supplier/acts/{act.pk}/pdf/").status_code == 404
    assert other.post(f"/portal/supplier/acts/{act.pk}/sign/").status_code == 404
    assert act.number not in other.get("/portal/supplier/acts/").content.decode()

    owner = Client()
    owner.login(username="supA", password="pw-portal-1")
    owner.cookies["qyzmet_language"] = "en"
    page = owner.get(f"/portal/supplier/orders/{order.pk}/journal/")
    assert page.status_code == 200 and "2026-03-05" in page.content.decode()
    refused = owner.post(f"/portal/supplier/orders/{order.pk}/journal/", {"day": "2026-04-01", "hours": "9"})
    body = refused.content.decode()
    assert refused.status_code == 422 and "cl. 43" in body
    assert 'aria-describedby="id_hours_error"' in body or 'id="id_hours_error"' in body
    added = owner.post(f"/portal/supplier/orders/{order.pk}/journal/", {"day": "2026-04-01", "hours": "7.5"})
    assert added.status_code == 302
    assert JournalEntry.objects.filter(order=order, day=D(2026, 4, 1), hours=Decimal("7.5")).exists()
    download = owner.get(f"/portal/supplier/acts/{act.pk}/pdf/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "6 000.00 ₸" in pdf_text(download.content)
    assert owner.post(f"/portal/supplier/acts/{act.pk}/sign/").status_code == 302
    act.refresh_from_db()
    assert act.state == "supplier-signed"


def test_a_recipient_sees_and_signs_only_their_own_act(directory, clock):  # noqa: F811
    clock.at = at(2026, 4, 3)
    mine_order, su_a, mine = _signed_act(directory, 271, "supC", name="Әлия Серікқызы")
    _theirs_order, su_b, theirs = _signed_act(directory, 272, "supD", name="Нұрлан Қайратұлы")
    pay.sign_act_by_supplier(su_a, mine.pk, clock.at)
    pay.sign_act_by_supplier(su_b, theirs.pk, clock.at)
    c = Client()
    c.cookies["qyzmet_language"] = "en"
    c.post("/portal/cabinet/", {"number": mine_order.entry.case.number, "iin": mine_order.entry.recipient_iin})
    listing = c.get("/portal/cabinet/acts/").content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert c.get(f"/portal/cabinet/acts/{theirs.pk}/").status_code == 404
    assert c.get(f"/portal/cabinet/acts/{theirs.pk}/pdf/").status_code == 404
    assert c.post(f"/portal/cabinet/acts/{theirs.pk}/sign/").status_code == 404
    page = c.get(f"/portal/cabinet/acts/{mine.pk}/")
    assert page.status_code == 200 and "6000.00 ₸" in page.content.decode()
    assert c.post(f"/portal/cabinet/acts/{mine.pk}/sign/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, theirs.state) == ("signed", "supplier-signed")


def test_staff_list_shows_overdue_and_records_payment(directory, clock):  # noqa: F811
    clock.at = at(2026, 4, 3)
    order, su, act = _signed_act(directory, 281, "supE")
    office = directory.provider_of[PA]
    c = Client()
    c.cookies["qyzmet_language"] = "en"
    c.login(username=f"{office.code}.specialist", password="qyzmet-demo")
    clock.at = at(2026, 4, 11)
    page = c.get("/portal/acts/").content.decode()
    assert act.number in page and "Overdue" in page
    assert c.post(f"/portal/acts/{act.pk}/pay/", {"reference": "PP-1"}).status_code == 409
    pay.sign_act_by_supplier(su, act.pk, clock.at)
    pay.sign_act_by_recipient(order.entry.recipient_iin, act.pk, clock.at)
    assert c.post(f"/portal/acts/{act.pk}/pay/", {"reference": "PP-1"}).status_code == 302
    act.refresh_from_db()
    assert act.state == "paid" and act.payment.reference == "PP-1"
    supplier_client = Client()
    supplier_client.login(username="supE", password="pw-portal-1")
    assert supplier_client.get("/portal/acts/").status_code == 403


def test_api_journal_act_sign_and_pay(directory, clock):  # noqa: F811
    from qyzmet.api.tokens import create_token

    clock.at = at(2026, 4, 2)
    sup = supplier(directory, SL, 291, username="sl291")
    order, _su = accepted_order(directory, SL, sup, at(2026, 2, 2))
    MinimumWage.objects.create(year=2026, amount=Decimal("85000"), source="test figure")
    supplier(directory, SL, 292, username="sl292")

    def client(username: str) -> tuple[Client, dict]:
        _, raw = create_token(get_user_model().objects.get(username=username), "tests")
        return Client(), {"Authorization": f"Bearer {raw}"}

    def post(who, path, body):
        c, headers = who
        return c.post(f"/api/v1/payments{path}", json.dumps(body), content_type="application/json", headers=headers)

    def get(who, path):
        c, headers = who
        return c.get(f"/api/v1/payments{path}", headers=headers)

    owner, stranger = client("sl291"), client("sl292")
    bad = post(owner, f"/orders/{order.pk}/journal", {"day": "2026-03-02", "hours": "two"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "hours"
    future = post(owner, f"/orders/{order.pk}/journal", {"day": "2026-05-02", "hours": 2})
    assert future.status_code == 422 and future.json()["error"]["field"] == "day"
    added = post(owner, f"/orders/{order.pk}/journal", {"day": "2026-03-02", "hours": 2, "sl_format": "offline"})
    assert added.status_code == 201, added.content
    assert added.json()["hours"] == "2.00" and added.json()["sl_format"] == "offline"
    assert get(stranger, f"/orders/{order.pk}/journal").status_code == 404
    assert [e["day"] for e in get(owner, f"/orders/{order.pk}/journal").json()["items"]] == ["2026-03-02"]
    bad_month = post(owner, f"/orders/{order.pk}/acts", {"month": "03/2026"})
    assert bad_month.status_code == 422 and bad_month.json()["error"]["field"] == "month"
    formed = post(owner, f"/orders/{order.pk}/acts", {"month": "2026-03"})
    assert formed.status_code == 201, formed.content
    act = formed.json()
    assert (act["amount"], act["rate"], act["due_date"], act["state"]) == ("25500.00", "12750.00", "2026-04-10",
                                                                           "draft")
    assert get(stranger, f"/acts/{act['id']}").status_code == 404
    assert get(stranger, f"/acts/{act['id']}/pdf").status_code == 404
    pdf = get(owner, f"/acts/{act['id']}/pdf")
    assert pdf.status_code == 200 and "25 500.00 ₸" in pdf_text(pdf.content)
    assert post(owner, f"/acts/{act['id']}/sign", {}).json()["state"] == "supplier-signed"

    office = directory.provider_of[SL]
    staff = client(f"{office.code}.specialist")
    wrong = post(staff, f"/acts/{act['id']}/sign", {"recipient_iin": "880101300123"})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "recipient_iin"
    signed = post(staff, f"/acts/{act['id']}/sign", {"recipient_iin": order.entry.recipient_iin})
    assert signed.status_code == 200 and signed.json()["state"] == "signed"
    unknown = post(staff, f"/acts/{act['id']}/payment", {"amount": "25500", "bank": "x"})
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "bank"
    paid = post(staff, f"/acts/{act['id']}/payment", {"amount": "25500", "reference": "PP-9"})
    assert paid.status_code == 201, paid.content
    assert paid.json()["state"] == "paid" and paid.json()["payment"]["reference"] == "PP-9"
    assert post(owner, f"/acts/{act['id']}/payment", {}).status_code == 403
    assert ServiceAct.objects.get(pk=act["id"]).state == "paid"
