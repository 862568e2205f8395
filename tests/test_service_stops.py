"""Stopping the PA / SL service for a period (mlsp-2021 annex 1 cl. 41): the journal takes no day inside it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from test_payments import accepted_order
from test_portal import at, directory, staff_actor, supplier  # noqa: F401  (directory is a fixture)

from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.payments import workflow as pay
from qyzmet.payments.models import JournalEntry
from qyzmet.portal import stops

pytestmark = pytest.mark.django_db

PA = "mlsp-2021/personal-assistant"
SL = "mlsp-2021/sign-language"
D = dt.date


def test_inpatient_treatment_stops_the_personal_assistant_and_the_journal_refuses_its_days(directory):  # noqa: F811
    sup = supplier(directory, PA, 501, username="pa501")
    order, su = accepted_order(directory, PA, sup, at(2025, 3, 3))
    actor = staff_actor(directory, PA)
    with pytest.raises(Invalid) as backwards:
        stops.record(actor, order.pk, "inpatient", D(2025, 3, 20), D(2025, 3, 18), "", at(2025, 3, 20))
    assert backwards.value.field == "end"
    stop = stops.record(actor, order.pk, "inpatient", D(2025, 3, 17), None, "hospital", at(2025, 3, 17))
    with pytest.raises(Invalid, match=r"cl\. 41") as inside:
        pay.add_journal_entry(su, order.pk, pay.DayForm(D(2025, 3, 25), Decimal("4")), at(2025, 3, 26))
    assert inside.value.field == "day" and "2025-03-17" in inside.value.message
    stops.close(actor, stop.pk, D(2025, 3, 21))
    with pytest.raises(Invalid, match=r"cl\. 41"):
        pay.add_journal_entry(su, order.pk, pay.DayForm(D(2025, 3, 21), Decimal("4")), at(2025, 3, 26))
    pay.add_journal_entry(su, order.pk, pay.DayForm(D(2025, 3, 24), Decimal("4")), at(2025, 3, 26))  # after it
    pay.add_journal_entry(su, order.pk, pay.DayForm(D(2025, 3, 14), Decimal("4")), at(2025, 3, 26))  # before it
    # A stop over a day already journaled is refused: the supplier corrects the journal first.
    with pytest.raises(Conflict, match="2025-03-24"):
        stops.record(actor, order.pk, "full-state-support", D(2025, 3, 24), D(2025, 3, 24), "", at(2025, 3, 26))
    with pytest.raises(Conflict, match="overlaps"):
        stops.record(actor, order.pk, "full-state-support", D(2025, 3, 20), D(2025, 3, 22), "", at(2025, 3, 26))
    assert JournalEntry.objects.filter(order=order).count() == 2


def test_sign_language_stops_only_under_full_state_support(directory):  # noqa: F811
    sup = supplier(directory, SL, 502, username="sl502")
    order, _su = accepted_order(directory, SL, sup, at(2025, 3, 3))
    actor = staff_actor(directory, SL)
    with pytest.raises(Invalid, match=r"cl\. 41") as wrong:
        stops.record(actor, order.pk, "inpatient", D(2025, 3, 17), None, "", at(2025, 3, 17))
    assert wrong.value.field == "reason"
    assert stops.record(actor, order.pk, "full-state-support", D(2025, 3, 17), None, "", at(2025, 3, 17)).pk


def test_the_staff_order_page_and_the_api_record_a_stop(directory):  # noqa: F811
    from qyzmet.api.tokens import create_token

    sup = supplier(directory, PA, 503, username="pa503")
    order, _su = accepted_order(directory, PA, sup, at(2025, 3, 3))
    user = get_user_model().objects.get(pk=staff_actor(directory, PA).user_id)
    client = Client()
    client.cookies["qyzmet_language"] = "en"
    client.force_login(user)
    assert "Periods the service is stopped" in client.get(f"/portal/orders/{order.pk}/").content.decode()
    bad = client.post(f"/portal/orders/{order.pk}/", {"reason": "inpatient", "start": "soon"})
    assert bad.status_code == 422 and "Enter the date as year-month-day" in bad.content.decode()
    assert client.post(f"/portal/orders/{order.pk}/", {"reason": "inpatient", "start": "2025-03-17"}).status_code == 302
    _, token = create_token(user, "tests")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    listed = api.get(f"/api/v1/portal/orders/{order.pk}/stops").json()
    assert [(s["reason"], s["start"], s["end"], s["cite"]) for s in listed] == [
        ("inpatient", "2025-03-17", None, "annex 1, cl. 41")]
    ended = api.put(f"/api/v1/portal/stops/{listed[0]['id']}", json.dumps({"end": "2025-03-21"}),
                    content_type="application/json")
    assert ended.status_code == 200 and ended.json()["end"] == "2025-03-21"
    wrong = api.post(f"/api/v1/portal/orders/{order.pk}/stops",
                     json.dumps({"reason": "holiday", "start": "2025-04-01"}), content_type="application/json")
    assert wrong.status_code == 422 and "reason" in wrong.content.decode()
    # A supplier's login is not the department's.
    _, sup_token = create_token(get_user_model().objects.get(username="pa503"), "tests")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {sup_token}").get(
        f"/api/v1/portal/orders/{order.pk}/stops").status_code == 403
