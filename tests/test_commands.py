"""The commands a newcomer runs first: timeline, demo, serve's parts, and bad input to each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qyzmet.cli import main


def test_timeline_json_contract(capsys):
    assert main(["timeline", "aktogay-2013/prosthetic-docs", "--route", "main", "--at", "2025-03-19T10:00",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["regulation"] == "aktogay-2013/prosthetic-docs" and data["route"] == "main"
    assert data["term_due"] == "2025-04-07T18:00:00+05:00"
    assert [s["n"] for s in data["steps"]] == [1, 2, 3, 4, 5]
    for step in data["steps"]:
        assert {"n", "role", "duration", "due", "cite"} <= set(step) and step["cite"]
    # Each step is planned from the previous step's due instant: 15 min, then 3, 2, 2, 3 working days.
    assert [s["due"][:16] for s in data["steps"]] == [
        "2025-03-19T10:15", "2025-03-27T18:00", "2025-03-31T18:00", "2025-04-02T18:00", "2025-04-07T18:00"]


def test_timeline_text_says_why_the_term_is_what_it_is(capsys):
    assert main(["timeline", "aktogay-2013/prosthetic-docs", "--route", "psc", "--at", "2025-03-19T10:00"]) == 0
    out = capsys.readouterr().out
    assert "issuance day is not counted" in out and "Nowruz" in out and "cl. 9.1" in out


@pytest.mark.parametrize("argv, needle", [
    (["timeline", "nowhere/nothing", "--at", "2025-03-19T10:00"], "unknown regulation"),
    (["timeline", "aktogay-2013/prosthetic-docs", "--route", "portal", "--at", "2025-03-19T10:00"], "no route"),
    (["timeline", "aktogay-2013/prosthetic-docs", "--at", "19.03.2025"], "bad date-time"),
])
def test_timeline_bad_input_exit_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_unknown_command_is_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


@pytest.mark.django_db(transaction=True)
def test_demo_runs_every_route_and_reports_compliance(tmp_path: Path, capsys, settings):
    from qyzmet import demo
    from qyzmet.cases.models import Case, Event
    from qyzmet.core.loader import shipped_catalog

    regulations = sorted(shipped_catalog().regulations, key=lambda r: r.id)
    routes = {(r.id, route) for r in regulations for route in r.routes}
    proactive = {(r.id, code) for r in regulations for code, route in r.routes.items() if route.channel == "proactive"}
    directory = demo.run_demo(regulations, cases=2 * len(routes - proactive), seed=3, with_users=True)
    rows = demo.compliance()
    assert {(r.regulation, r.route) for r in rows} == routes
    # The proactive routes run through qyzmet.proactive: consent by SMS, on the page, refusal, silence.
    # The polyclinic's bookings are cases of their own (made through qyzmet.health, not simulated).
    from qyzmet.health.models import Booking

    bookings = Booking.objects.values("case").distinct().count()
    assert bookings > 0
    assert sum(r.cases for r in rows) == 2 * len(routes - proactive) + 4 * len(proactive) + bookings
    for r in rows:
        assert r.in_term + r.overdue + r.no_term + r.acceptance_refused + r.request_closed + r.open == r.cases
        if (r.regulation, r.route) in proactive:
            assert (r.cases, r.request_closed, r.issued) == (4, 2, 2)
    assert Case.objects.filter(status__in=["issued", "acceptance-refused", "request-closed"]).count() \
        == Case.objects.count()
    assert Event.objects.count() > Case.objects.count() * 3
    # The Portal after registration: orders answered, and paid acts whose amount is the journal's hours × rate.
    from qyzmet.payments.models import JournalEntry, ServiceAct

    assert directory.portal.get("order accepted", 0) + directory.portal.get("act signed and paid", 0) > 0
    for act in ServiceAct.objects.filter(state="paid", unit="hour"):
        hours = sum(j.hours for j in JournalEntry.objects.filter(order=act.order, day__gte=act.period_start,
                                                                 day__lte=act.period_end))
        assert act.payment.amount == act.amount > 0 and act.hours == hours
    # Sanatorium stays: bed-days from the recorded arrival to the end; the department pays at most the cost.
    for act in ServiceAct.objects.filter(state="paid", unit="bed-day").select_related("order"):
        days = (act.period_end - act.period_start).days + 1
        assert act.hours == days <= 14 and act.payment.amount == act.amount > 0
        assert act.amount + act.recipient_amount == act.order.unit_price * days
