"""Demo Portal data: suppliers with a login each, recipients in every queue state, orders answered by the
supplier, and for the personal-assistant and sign-language services a month of journal, the act signed by
both parties and its payment.

The money figures are demo figures, entered as the department would enter them: the acts give none
(annex 1 cl. 43: the PA rate is derived by the department; cl. 44: the minimum wage is the budget law's).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from django.contrib.auth import get_user_model

from qyzmet.cases.access import Actor, actor_for
from qyzmet.core.calendar import ALMATY, to_local
from qyzmet.core.iin import check_digit
from qyzmet.entitlements import demo as entitlement_demo
from qyzmet.payments import rules as P
from qyzmet.payments import stay as stay_act
from qyzmet.payments import workflow as pay
from qyzmet.payments.models import HourlyRate, MinimumWage
from qyzmet.portal import legacy, planning, workflow
from qyzmet.portal import rules as R
from qyzmet.portal.models import GuaranteedSum, QueueEntry, Supplier, SupplierOffer, SupplierUser

PRICES = {R.SANATORIUM: ("bed-day", "18500"), R.SIGN_LANGUAGE: ("hour", "12750"),
          "mlsp-2021/personal-assistant": ("hour", "1300"), "mlsp-2021/prosthetic-aid": ("item", "420000"),
          "mlsp-2021/technical-aids": ("item", "95000"), "mlsp-2021/mobility-means": ("item", "160000")}
DEMO_NOTE = "demo figure: enter the value the law gives"


def _bin(serial: int) -> str:
    while (digit := check_digit(first := f"150340{serial:05d}")) is None:
        serial += 1
    return f"{first}{digit}"


def suppliers(directory, password: str) -> list[SupplierUser]:
    """Two suppliers per mlsp-2021 service and department, each with one user (login printed by serve)."""
    User = get_user_model()
    made = []
    for n, reg_id in enumerate(sorted(R.RULES)):
        office = directory.provider_of.get(reg_id)
        if office is None:
            continue
        for k in (1, 2):
            serial = 100 + n * 10 + k
            s = Supplier.objects.create(name_kk=f"«Көмек-{serial}» ЖШС", name_ru=f"ТОО «Помощь-{serial}»",
                                        bin=_bin(serial), region="Алматы", phone="+77012000000")
            s.offices.add(office)
            unit, price = PRICES.get(reg_id, ("unit", "10000"))
            SupplierOffer.objects.create(supplier=s, reg_id=reg_id, unit=unit, unit_price=Decimal(price),
                                         capacity=20 if reg_id == R.SANATORIUM else None,
                                         profile="тірек-қимыл аппараты" if reg_id == R.SANATORIUM else "")
            username = f"supplier-{reg_id.split('/')[1]}-{k}"
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.save()
            made.append(SupplierUser.objects.create(user=user, supplier=s, full_name=f"Өкіл {serial}"))
            directory.supplier_logins.append((username, s.name_ru, reg_id))
    return made


def reference_figures(first: dt.date) -> None:
    for year in range(first.year, first.year + 3):
        MinimumWage.objects.get_or_create(year=year, defaults={"amount": Decimal("85000"), "source": DEMO_NOTE})
    HourlyRate.objects.get_or_create(reg_id=P.PA, valid_from=first.replace(month=1, day=1),
                                     defaults={"amount": Decimal("1300"), "note": DEMO_NOTE})
    # Below the demo sanatoria's 18 500 ₸ a bed-day, so the bed notices show a surcharge (annex 2 cl. 29).
    GuaranteedSum.objects.get_or_create(reg_id=R.SANATORIUM, valid_from=first.replace(month=1, day=1),
                                        defaults={"amount": Decimal("16000"), "source": DEMO_NOTE})


def department(directory, office_id: int) -> Actor:
    """The department's head (or specialist) for the demo's signatures and payments."""
    head = directory.users.get((office_id, "head")) or directory.users.get((office_id, "specialist"))
    if head is not None:
        return actor_for(head)
    # `qyzmet demo` makes no accounts: one that cannot sign in stands for the department.
    head, _ = get_user_model().objects.get_or_create(username=f"demo-payer-{office_id}", defaults={"password": "!"})
    return Actor(user_id=head.pk, username=head.username, full_name="", office_id=office_id, office_code="",
                 office_kind="provider", roles=frozenset({"head", "specialist"}))


def run(directory, rng: random.Random, first: dt.date, password: str, *,
        until: dt.datetime | None = None) -> Counter:
    """Carry the queue on: some recipients wait, the others sign, order and are served."""
    reference_figures(first)
    users = suppliers(directory, password)
    by_service: dict[str, list[SupplierUser]] = {}
    for su in users:
        for offer in su.supplier.offers.all():
            by_service.setdefault(offer.reg_id, []).append(su)
    done: Counter = Counter()
    # Next year's "Planning of activities", due by 25 December (annex 1 cl. 33, annex 2 cl. 22 …).
    plan_at = until or dt.datetime.combine(first, dt.time(10), tzinfo=ALMATY)
    for office_id in sorted({o.pk for reg_id, o in directory.provider_of.items() if reg_id in R.RULES}):
        done["yearly plans entered"] += len(planning.demo_plans(office_id, plan_at))
    entries = QueueEntry.objects.filter(state__in=["awaiting-choice"]).select_related("case").order_by("registered_at")
    done["items asked for (norm tables)"] += entitlement_demo.request_items(entries, rng)
    served_outside = False
    for entry in entries:
        if not served_outside and entry.reg_id in legacy.SERVICES and entry.reg_id in by_service:
            # One recipient served outside the Portal before the rules: the cl. 35 messages, confirmation,
            # and the earlier supplier confirmed on the Portal (paid in full for the period, cl. 45).
            su = by_service[entry.reg_id][0]
            at = entry.portal_from + dt.timedelta(hours=2)
            legacy.mark(department(directory, entry.office_id), entry.pk, su.supplier_id,
                        to_local(entry.registered_at).date() - dt.timedelta(days=400), at)
            legacy.confirm(entry, at + dt.timedelta(days=1))
            served_outside = True
            done["served outside the Portal, confirmed"] += 1
            done[_serve(entry, su, at + dt.timedelta(days=1), rng, directory, until)] += 1
            continue
        if rng.random() < 0.3 or entry.reg_id not in by_service:
            done["waiting for a choice"] += 1
            continue
        at = entry.portal_from + dt.timedelta(days=rng.randint(1, 5))
        if until is not None and at > until:
            done["waiting for a choice"] += 1
            continue
        su = rng.choice(by_service[entry.reg_id])
        done[_serve(entry, su, at, rng, directory, until)] += 1
    return done


def _serve(entry: QueueEntry, su: SupplierUser, at: dt.datetime, rng: random.Random, directory,
           until: dt.datetime | None) -> str:
    rules = workflow.portal_rules(entry.reg_id)
    workflow.accept_contract(entry, at)
    form = workflow.OrderForm(su.supplier_id)
    if rules.sl_format:
        form = workflow.OrderForm(su.supplier_id, sl_format=rng.choice(("offline", "online")))
    elif rules.receipt_method:
        form = workflow.OrderForm(su.supplier_id, receipt_method=rng.choice(("delivery", "self-pickup")))
    elif rules.stay:
        arrival = to_local(at).date() + dt.timedelta(days=20 + rng.randint(0, 30))
        form = workflow.OrderForm(su.supplier_id, arrival_date=arrival, departure_date=arrival + dt.timedelta(13))
    try:
        order = workflow.form_order(entry, form, at)
    except workflow.Conflict:  # the replacement check on the order's day (the ledger since intake)
        return "order not formed: replacement too early"
    answer_at = at + dt.timedelta(hours=rng.randint(2, 60))
    if until is not None and answer_at > until:
        return "order waiting for the supplier"
    if rng.random() < 0.15:
        workflow.supplier_review(su, order.pk, False, "Тауар қоймада жоқ / Товара нет на складе", answer_at)
        return "order refused by the supplier"
    details = {"check_in": "14:00", "check_out": "12:00", "meals": "5 рет / 5 раз",
               "accommodation": "2 орынды нөмір / двухместный номер"} if rules.stay else None
    workflow.supplier_review(su, order.pk, True, "", answer_at, details=details)
    if rules.stay:
        return _stay(su, order.pk, directory, until)
    if entry.reg_id not in P.SERVICES:
        handed = answer_at + dt.timedelta(days=rng.randint(3, 20))
        if rules.receipt_method and (until is None or handed <= until) and rng.random() < 0.6:
            workflow.record_stay(su, order.pk, "completed", handed)  # the item goes into the ledger
            return "item handed over (in the ledger)"
        return "order accepted"
    return _month_of_service(su, order.pk, to_local(answer_at).date(), rng, directory, until)


def _stay(su: SupplierUser, order_id: int, directory, until: dt.datetime | None) -> str:
    """The stay: arrival, end, the act of the stay signed by both, the guaranteed sum paid."""
    order = pay.supplier_order(su, order_id)
    arrive = dt.datetime.combine(order.arrival_date, dt.time(15), tzinfo=ALMATY)
    leave = dt.datetime.combine(order.departure_date, dt.time(11), tzinfo=ALMATY)
    if until is not None and leave + dt.timedelta(days=3) > until:
        return "bed confirmed"
    workflow.record_stay(su, order_id, "arrived", arrive)
    workflow.record_stay(su, order_id, "completed", leave)
    act = stay_act.form_act(su, order_id, leave + dt.timedelta(hours=2))
    pay.sign_act_by_supplier(su, act.pk, leave + dt.timedelta(hours=2))
    pay.sign_act_by_recipient(order.entry.recipient_iin, act.pk, leave + dt.timedelta(hours=4))
    pay.record_payment(department(directory, order.entry.office_id), act.pk, leave + dt.timedelta(days=2),
                       reference=f"ПТ-{act.pk:05d}")
    return "stay act signed and paid"


def _month_of_service(su: SupplierUser, order_id: int, accepted: dt.date, rng: random.Random, directory,
                      until: dt.datetime | None) -> str:
    """The month after acceptance: a few days journaled, the act formed by the 10th, signed, paid."""
    start = (accepted.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    first_next = (start + dt.timedelta(days=32)).replace(day=1)
    act_at = dt.datetime.combine(first_next + dt.timedelta(days=rng.randint(1, 8)), dt.time(11), tzinfo=ALMATY)
    if until is not None and act_at + dt.timedelta(days=3) > until:
        return "order accepted"
    order = pay.supplier_order(su, order_id)
    for d in sorted(rng.sample(range(0, 20), 6)):
        day = start + dt.timedelta(days=d)
        hours = Decimal(rng.choice(("2", "4", "6", "8"))) if order.reg_id == P.PA else Decimal(rng.choice(("1", "2")))
        pay.add_journal_entry(su, order_id, pay.DayForm(day=day, hours=hours, places="емхана, дәріхана"
                                                        if order.reg_id == P.PA else ""), act_at)
    act = pay.form_act(su, order_id, start, act_at)
    pay.sign_act_by_supplier(su, act.pk, act_at)
    pay.sign_act_by_recipient(order.entry.recipient_iin, act.pk, act_at + dt.timedelta(hours=3))
    actor = department(directory, order.entry.office_id)
    pay.record_payment(actor, act.pk, act_at + dt.timedelta(days=2), reference=f"ПТ-{act.pk:05d}")
    return "act signed and paid"
