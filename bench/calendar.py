"""Speed of "+10 working days": Qyzmet's calendar against ``holidays``' get_nth_working_day.

Both run side by side in this process on the same 20,000 random start dates (2013-2030) and must give
identical answers.  Prints the time per call and the ratio; the absolute numbers vary with the machine,
the ratio is what to compare.  Run: .venv/bin/python bench/calendar.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's `calendar`, which `holidays` imports: run as a script,
# its own folder comes first on sys.path and would shadow it.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import datetime as dt  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

import holidays  # noqa: E402

from qyzmet.core.calendar import calendar_for, local_instant  # noqa: E402
from qyzmet.core.durations import Duration, Unit  # noqa: E402

N = 20_000
REPEATS = 5


def best_of(fn) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    rng = random.Random(42)
    first = dt.date(2013, 1, 1).toordinal()
    days = [dt.date.fromordinal(first + rng.randint(0, 365 * 18)) for _ in range(N)]
    starts = [local_instant(d, 10 * 3600) for d in days]
    ours = calendar_for("department")
    theirs = holidays.KZ(years=range(2013, 2032))
    ten = Duration(10, Unit.WORKING_DAY)

    # Same answers first: a fast wrong calendar is worth nothing.
    mismatches = sum(1 for d in days if ours.nth_working_day_after(d, 10) != theirs.get_nth_working_day(d, 10))
    if mismatches:
        raise SystemExit(f"{mismatches} of {N} answers differ: not comparable")

    t_ours_days = best_of(lambda: [ours.nth_working_day_after(d, 10) for d in days])
    t_ours_instant = best_of(lambda: [ours.add(s, ten) for s in starts])
    t_theirs = best_of(lambda: [theirs.get_nth_working_day(d, 10) for d in days])

    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}, "
          f"holidays {holidays.__version__}")
    print(f"{N} starts, best of {REPEATS}; answers identical: yes")
    print(f"holidays.get_nth_working_day       {t_theirs / N * 1e6:8.2f} µs/call")
    print(f"qyzmet nth_working_day_after       {t_ours_days / N * 1e6:8.2f} µs/call   "
          f"{t_theirs / t_ours_days:6.1f}x faster")
    print(f"qyzmet add(instant, 10 wd) → due   {t_ours_instant / N * 1e6:8.2f} µs/call   "
          f"{t_theirs / t_ours_instant:6.1f}x faster (tz-aware instant with closing time)")


if __name__ == "__main__":
    main()
