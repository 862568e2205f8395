"""Cost of queueing the act's SMS: the same transition with and without the SMS outbox listener.

Both run side by side in one process on one fresh SQLite database: technical-aids cases on the psc route are
brought to step 4 (the PSC informs the applicant by SMS), then step 4 is completed — half of the cases with
the notify listener registered (one ``Sms`` row queued: phone normalised, text rendered, row and journal
number written in the transition's transaction), half with it removed.  Rounds alternate so drift hits both.
Prints the time per transition and the ratio; the absolute numbers vary with the machine, the ratio is what
to compare.  Run: .venv/bin/python bench/notify.py
"""

from __future__ import annotations

import datetime as dt
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and its calendar.py would shadow the standard library's.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]
sys.path.insert(0, str(Path(_HERE).parent))

N = 200  # cases per side per round
ROUNDS = 3


def main() -> int:
    from qyzmet.cli import django_setup

    tmp = Path(tempfile.mkdtemp(prefix="qyzmet-bench-notify-"))
    django_setup.setup(tmp / "bench.sqlite3")
    django_setup.migrate()
    from django.db import transaction

    from qyzmet.cases import services
    from qyzmet.core import engine
    from qyzmet.core.calendar import ALMATY
    from qyzmet.core.iin import make_iin
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory
    from qyzmet.notify import outbox
    from qyzmet.notify.models import Sms

    catalog = shipped_catalog()
    reg = catalog.get("mlsp-2021/technical-aids")
    directory = build_directory([r for r in catalog.regulations if r.id.startswith("mlsp-2021/")], with_users=False)
    row = services.register_regulation(reg)
    category = reg.category("disabled-person")
    start = dt.datetime(2025, 3, 18, 10, 0, tzinfo=ALMATY)
    iin = make_iin(dt.date(1970, 5, 4), "female", 120)

    def at_step_4(n: int) -> list:
        cases = []
        with transaction.atomic():
            for i in range(n):
                case = services.submit(row, engine.Submit("psc", iin, category.code, category.documents), start,
                                       office=directory.office_for(reg, "psc"),
                                       provider_office=directory.provider_of[reg.id],
                                       applicant_phone=f"+7701{i:07d}").case
                for minutes, event in ((10, engine.CompleteStep(1)), (20, engine.Decide("positive")),
                                       (30, engine.CompleteStep(2)), (40, engine.CompleteStep(3))):
                    case = services.apply_event(case, event, start + dt.timedelta(minutes=minutes)).case
                cases.append(case)
        return cases

    def complete_step_4(cases: list) -> float:
        began = time.perf_counter()
        for case in cases:  # one transaction (and commit) per transition, as a clerk's click
            services.apply_event(case, engine.CompleteStep(4), start + dt.timedelta(minutes=50))
        return (time.perf_counter() - began) / len(cases)

    listeners = services.transition_listeners
    assert outbox.on_transition in listeners
    with_sms, without_sms = [], []
    for _ in range(ROUNDS):
        a, b = at_step_4(N), at_step_4(N)
        before = Sms.objects.count()
        with_sms.append(complete_step_4(a))
        assert Sms.objects.count() == before + N
        listeners.remove(outbox.on_transition)
        try:
            without_sms.append(complete_step_4(b))
        finally:
            listeners.append(outbox.on_transition)
        assert Sms.objects.count() == before + N

    w, wo = statistics.median(with_sms), statistics.median(without_sms)
    print(f"Python {platform.python_version()} on {platform.machine()}, SQLite, {ROUNDS} rounds x {N} transitions")
    print(f"complete step 4, queueing its SMS:   {w * 1e3:7.3f} ms per transition")
    print(f"complete step 4, no SMS listener:    {wo * 1e3:7.3f} ms per transition")
    print(f"ratio (with / without):              {w / wo:7.2f}x  (+{(w - wo) * 1e3:.3f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
