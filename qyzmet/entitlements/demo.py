"""Demo data of the entitlement ledger: what the demo's applications for norm-table services asked for, and
an earlier receipt for some recipients — always old enough for its period to have passed, so the demo's
orders go through and the recipient's page shows when the next one comes."""

from __future__ import annotations

import datetime as dt
import random

from qyzmet.core.calendar import to_local
from qyzmet.core.entitlement import add_period, check
from qyzmet.core.loader import shipped_catalog
from qyzmet.entitlements.models import Receipt, Request
from qyzmet.entitlements.workflow import history as ledger_history


def request_items(entries, rng: random.Random) -> int:
    """An item for each queue entry of a service with norm tables that has none (the demo's cases are made
    without the intake form); every third recipient also received one before, years ago."""
    made = 0
    for entry in entries:
        reg = shipped_catalog().get(entry.reg_id)
        ent = reg.entitlements
        if ent is None or Request.objects.filter(case_id=entry.case_id).exists():
            continue
        items = [i for i in ent.items if any(not n.categories and n.payment == "free" for n in i.norms)
                 and any(n.replace_after for n in i.norms)]
        if not items:
            continue
        item = rng.choice(items)
        on = to_local(entry.registered_at).date()
        cats = ["disabled-person"] if ent.category("disabled-person") else []
        history = []
        if rng.random() < 0.34:
            period = max(n.replace_after for n in item.norms if n.replace_after)
            received = on - dt.timedelta(days=rng.randint(20, 400))
            while add_period(received, period) > on:  # far enough back for the period to have passed
                received -= dt.timedelta(days=365)
            Receipt.objects.create(recipient_iin=entry.recipient_iin, reg_id=reg.id, item=item.code,
                                   received_on=received, source=Receipt.Source.RECORD, recorded_at=entry.registered_at,
                                   note="Демо: бұрынғы акт / Демо: прежний акт")
            history = ledger_history(entry.recipient_iin, reg.id)
        a = check(ent, item.code, cats, on, history)
        Request.objects.create(case_id=entry.case_id, item=item.code, categories=cats, checked_on=on,
                               allowed=a.allowed, reason=a.reason, earliest=a.earliest, cite=a.cite, answer=a.as_dict())
        made += 1
    return made

