"""A decree adds a holiday: every open case whose dates it moves is counted again — at 100,000 and 1,000,000 cases.

Run: ``.venv/bin/python bench/recompute.py`` (SQLite in a temporary directory), or on PostgreSQL
``.venv/bin/python bench/recompute.py --postgres postgres://qyzmet:qyzmet@127.0.0.1:5432/postgres`` (it creates
and drops its own database ``h_recompute_bench``).  ``--quick``: 10,000 and 50,000 cases.

How the data is made (the idea of bench/web.py, made to stress this path): a few dozen Aktogay cases go
through the real engine — submitted at 10:00 on each working day of 1–17 December 2026, on the provider route
(accepted at once, step 2 open) and the PSC route (accepted, step 3 open) — and are cloned with raw inserts
(COPY on PostgreSQL, executemany on SQLite): case row with its state JSON, its tasks and its events (hash
chain fields copied: the new event is chained to the clone's last one).  Every clone is open and its term
runs over Friday 18 December 2026, so the holiday moves every case: the worst case, a million audit entries.

Measured, per size, in one run:

- **bulk**: ``recompute.changes.add_exception`` — the query, the counting (one count per distinct start day,
  route and step), the UPDATE of case rows and state JSON, the open tasks, one ``calendar-changed`` event per
  case through the hash chain; cases/s;
- **naive**: the per-case engine path on a sample (lock the row, parse the state, count it again, apply the
  engine event, save the row, the task and the event with the ORM — what a loop over ``services`` would do),
  extrapolated to the size;
- **plain UPDATE**: one ``UPDATE … SET term_due = term_due`` over the same open rows — the floor of rewriting
  that many rows, with no counting, no JSON and no events;
- the ratio of the bulk time at the largest size to the smallest (×10 cases should cost about ×10).
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]  # bench/calendar.py shadows calendar

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

DAY = dt.date(2026, 12, 18)
DECREE = "bench: Decree No. 1 of 01.12.2026"
REG = "aktogay-2013/prosthetic-docs"


def setup(postgres: str | None) -> str:
    if postgres:
        import psycopg

        admin = psycopg.connect(postgres, autocommit=True)
        admin.execute("DROP DATABASE IF EXISTS h_recompute_bench")
        admin.execute("CREATE DATABASE h_recompute_bench")
        admin.close()
        os.environ["DATABASE_URL"] = postgres.rsplit("/", 1)[0] + "/h_recompute_bench"
        where = "PostgreSQL h_recompute_bench"
    else:
        home = Path(tempfile.mkdtemp(prefix="qyzmet-recompute-"))
        os.environ.pop("DATABASE_URL", None)
        os.environ["QYZMET_HOME"] = str(home)
        os.environ["QYZMET_DB"] = str(home / "bench.sqlite3")
        where = f"SQLite (WAL) in {home}"
    from qyzmet.cli.django_setup import migrate
    from qyzmet.cli.django_setup import setup as django_setup

    django_setup()
    migrate()
    return where


def seed() -> list[int]:
    """Cases through the real engine, open, their terms running over DAY."""
    from qyzmet.cases import services
    from qyzmet.core.calendar import calendar_for, local_instant
    from qyzmet.core.engine import CompleteStep, Submit
    from qyzmet.core.iin import make_iin
    from qyzmet.core.loader import shipped_catalog

    row = services.register_regulation(shipped_catalog().get(REG))
    cal = calendar_for("department")
    iin = make_iin(dt.date(1970, 2, 3), "female", 55)
    docs = ("application", "id-copy", "irp-extract")
    ids = []
    for day in range(1, 18):
        date = dt.date(2026, 12, day)
        if not cal.is_working(date):
            continue
        start = local_instant(date, 10 * 3600)
        for route, steps in (("main", 1), ("psc", 2)):
            case = services.submit(row, Submit(route, iin, "general-disease", docs), start).case
            for n in range(1, steps + 1):
                services.apply_event(case, CompleteStep(n), start + dt.timedelta(minutes=5 * n))
            ids.append(case.pk)
    return ids


class Cloner:
    def __init__(self, ids: list[int]) -> None:
        from qyzmet.cases.models import Case, Event, Task

        self.models = (Case, Task, Event)
        self.rows = {m: [r for r in m.objects.filter(**({"pk__in": ids} if m is Case else {"case_id__in": ids}))
                         .order_by("pk").values()] for m in self.models}
        self.children = {m: {} for m in (Task, Event)}
        for m in (Task, Event):
            for r in self.rows[m]:
                self.children[m].setdefault(r["case_id"], []).append(r)
        self.next = {m: (m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1 for m in self.models}
        self.made = 0

    def grow_to(self, total: int) -> None:
        from django.db import transaction

        from qyzmet.cases.models import Case

        have = Case.objects.count()
        # Events were appended since the last growth (the recomputations): take the ids from the tables again.
        self.next = {m: (m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1 for m in self.models}
        while have < total:
            n = min(20_000, total - have)
            with transaction.atomic():
                self._batch(n)
            have += n
        from django.core.management.color import no_style
        from django.db import connection

        with connection.cursor() as cursor:  # raw inserts with ids: PostgreSQL's sequences must catch up
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self.models)):
                cursor.execute(sql)

    def _batch(self, n: int) -> None:
        from qyzmet.cases.models import Case, Event, Task

        out = {m: [] for m in self.models}
        cases = self.rows[Case]
        for _ in range(n):
            source = cases[self.made % len(cases)]
            self.made += 1
            pk = self.next[Case]
            self.next[Case] += 1
            out[Case].append(dict(source, id=pk, number=f"B{pk:09d}"))
            for m in (Task, Event):
                for r in self.children[m][source["id"]]:
                    out[m].append(dict(r, id=self.next[m], case_id=pk))
                    self.next[m] += 1
        for m in self.models:
            insert(m, out[m])


def insert(model, rows: list[dict]) -> None:
    """Raw inserts of model rows given as ``.values()`` dicts (COPY on PostgreSQL)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields]
    columns = [f.column for f in fields]
    prepared = [[f.get_db_prep_save(r[f.attname], connection) for f in fields] for r in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
                for values in prepared:
                    copy.write_row(values)
        else:
            cursor.executemany(f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES "
                               f"({', '.join(['%s'] * len(columns))})", prepared)


def naive(sample: int, day: dt.date) -> float:
    """The per-case engine path on ``sample`` moved cases (removing the exception again): seconds per case."""
    from django.db import transaction

    from qyzmet.cases import services
    from qyzmet.cases.audit import append_event
    from qyzmet.cases.models import Case, Task
    from qyzmet.core import engine
    from qyzmet.recompute import changes
    from qyzmet.recompute.recount import recount

    row = changes.CalendarException.objects.get(day=day, schedule="")
    change = engine.CalendarChanged(day=day.isoformat(), source="bench revocation", before=changes.snapshot(row))
    row.delete()
    ids = list(Case.objects.filter(status__in=changes.OPEN).order_by("pk").values_list("pk", flat=True)[:sample])
    now = dt.datetime(2026, 12, 17, 12, tzinfo=dt.UTC)
    started = time.perf_counter()
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().select_related("regulation").get(pk=pk)
            reg = services.regulation_of(case.regulation)
            state = engine.state_from_dict(case.state)
            new = recount(reg, state, services.calendars_of(reg))
            event = engine.CalendarChanged(**{**change.__dict__, "term_due_before": changes._iso(state.term_due),
                                              "term_due": changes._iso(new.term_due),
                                              "step_due_before": changes._iso(state.step_due),
                                              "step_due": changes._iso(new.step_due)})
            moved, _ = engine.apply(reg, state, event, now, services.calendars_of(reg))
            case.state, case.seq = engine.state_to_dict(moved), moved.seq
            case.term_due, case.step_due = moved.term_due, moved.step_due
            case.save(update_fields=["state", "seq", "term_due", "step_due"])
            Task.objects.filter(case=case, step=moved.step, closed_at__isnull=True).update(due=moved.step_due)
            append_event(case, event.kind, engine.to_jsonable(engine.event_to_dict(event)), now, None, seq=moved.seq)
    per_case = (time.perf_counter() - started) / len(ids)
    # Back in force for the bulk removal that follows (it finds the sample already counted and skips it).
    changes.CalendarException.objects.create(day=day, kind="holiday", source=DECREE)
    return per_case


def plain_update() -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET term_due = term_due WHERE status IN ('submitted', 'in-progress')")
    return time.perf_counter() - started


def machine(where: str) -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    return (f"{platform.platform()}; {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}); "
            f"Python {platform.python_version()}; Django {django.get_version()}; {where}: {version}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="10,000 and 50,000 cases")
    parser.add_argument("--sizes", type=int, nargs="+", help="case counts (default 100000 1000000)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server URL (database h_recompute_bench)")
    parser.add_argument("--sample", type=int, default=500, help="cases through the naive path (default 500)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10_000, 50_000] if args.quick else [100_000, 1_000_000])
    where = setup(args.postgres)
    from qyzmet.cases.models import Case
    from qyzmet.recompute import changes

    print(f"machine: {machine(where)}")
    t = time.perf_counter()
    ids = seed()
    print(f"engine run: {len(ids)} seed cases in {time.perf_counter() - t:.1f} s")
    cloner = Cloner(ids)
    results = []
    for size in sizes:
        t = time.perf_counter()
        cloner.grow_to(size)
        print(f"built {Case.objects.count():,} open cases in {time.perf_counter() - t:.1f} s", flush=True)
        report = changes.add_exception(DAY, "holiday", DECREE, now=dt.datetime(2026, 12, 17, 12, tzinfo=dt.UTC))
        print(f"  bulk add: {report.moved:,} of {report.scanned:,} moved ({report.terms_moved:,} terms, "
              f"{report.steps_moved:,} steps), {report.counts:,} countings, {report.seconds:.1f} s, "
              f"{report.moved / report.seconds:,.0f} cases/s", flush=True)
        per_case = naive(args.sample, DAY)
        print(f"  naive per-case path: {per_case * 1000:.2f} ms per case on {args.sample} cases → "
              f"{per_case * size:.0f} s extrapolated to {size:,}", flush=True)
        floor = plain_update()
        print(f"  plain UPDATE of the same open rows: {floor:.1f} s", flush=True)
        back = changes.remove_exception(DAY, source="bench revocation",
                                        now=dt.datetime(2026, 12, 17, 13, tzinfo=dt.UTC))
        print(f"  bulk remove: {back.moved:,} moved back in {back.seconds:.1f} s", flush=True)
        results.append((size, report.seconds, report.moved, per_case * size, floor))
    print()
    print(f"{'cases':>10} | {'bulk s':>8} {'cases/s':>9} | {'naive s (extrap.)':>18} {'naive/bulk':>10} | "
          f"{'plain UPDATE s':>14} {'bulk/UPDATE':>11}")
    for size, seconds, moved, naive_s, floor in results:
        print(f"{size:>10,} | {seconds:8.1f} {moved / seconds:9,.0f} | {naive_s:18.0f} {naive_s / seconds:10.1f} | "
              f"{floor:14.1f} {seconds / floor:11.1f}")
    if len(results) > 1:
        (s0, t0, *_), (s1, t1, *_) = results[0], results[-1]
        print(f"growth: ×{s1 / s0:.0f} cases → ×{t1 / t0:.1f} time (bulk)")
    if args.postgres:
        from django.db import connections

        connections.close_all()
        import psycopg

        admin = psycopg.connect(args.postgres, autocommit=True)
        admin.execute("DROP DATABASE IF EXISTS h_recompute_bench")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
