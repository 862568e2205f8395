"""A country's load: the overdue queries, the head's monitoring, the inbox and the office case list at 100,000 and
1,000,000 cases, with the ×10 growth of each.

Run: ``.venv/bin/python bench/scale.py`` (SQLite; and PostgreSQL too when ``DATABASE_URL`` points to a
PostgreSQL server), ``--quick`` for 10,000 and 100,000 cases.  Each database runs in its own child process
(Django reads its settings once):

- SQLite: a fresh file in a temporary directory, the project's settings (WAL, synchronous NORMAL);
- PostgreSQL: a database ``qyzmet_scale_bench`` this script creates on the server of ``DATABASE_URL``
  (the account needs CREATEDB) and drops at the end; the database named in the URL is not touched.

How the data is made
--------------------
A few hundred applications go through the real engine (``bench/web.py``'s seed: ``qyzmet.demo.run_demo``
over the Aktogay and Ulytau acts, two PSCs and two providers, every route, half of them left open at some
step, some refused, some not accepted).  The bulk is cloned from them with raw multi-row inserts
(``executemany`` on SQLite, ``COPY`` on PostgreSQL) — cases and their tasks, which is what the measured
queries read; events, checklists, effects and registries are not cloned (no measured page reads them):

- a clone copies one engine-made case (round robin) with its tasks: a new number and IIN, a name drawn from
  ~5,000 synthetic Kazakh surnames (a search for one surname finds ~0.02 % of the cases, as a real one
  would, not the seed's ten names' 10 %), instants moved back by whole weeks — open cases by 0-3 weeks,
  so that some of them are overdue and most are not; closed ones by 0-51;
- every 50th clone of a case open after acceptance is *suspended* as the engine stores it (no due instant on
  the case or its open task, ``suspended_since`` in the state): no act of the catalog has a suspension
  ground, so the engine cannot make one;
- so the cases are in every state: submitted, open at each step, suspended, issued (positive or refused),
  acceptance refused.

The bench database only: during the build SQLite runs with ``synchronous=OFF`` and a 1 GB page cache,
and is put back to WAL + NORMAL and checkpointed before measuring; PostgreSQL is ``ANALYZE``d after the
build (autovacuum would do it soon after such a load; SQLite is left without statistics, as a running
Qyzmet is).

What is measured (median of ``--repeats``, queries evaluated in full):

- *overdue cases*: open cases (submitted / in progress) whose term passed — the country's count, and its
  first page of 50 by due; *overdue steps*: open tasks past their due — the country's count, and one
  office's first page by due;
- *monitoring*: the department head's monitoring page for the last month through Django's test ``Client``
  when ``qyzmet.monitoring`` is installed, and always the bench's own per-service aggregate (cases in term /
  overdue over a month for the head's office, one grouped query);
- the inbox (a one-role head, a head + sector head, a PSC consultant) and the office case list (page 1, a
  surname, three letters of a name) through the test ``Client``, as ``bench/web.py`` does.

The goals printed: overdue cases over 1M cases < 1 s on SQLite, < 0.3 s on PostgreSQL; ×10 cases ≤ ×2 time.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path and its calendar.py would shadow the standard
# library's `calendar`, which Django imports.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

PG_BENCH_DB = "qyzmet_scale_bench"
HEAD_OFFICE = "aktogay-2013-provider"
OPEN = ("submitted", "in-progress")
GOAL_OVERDUE_S = {"sqlite": 1.0, "postgresql": 0.3}

# Synthetic surnames: roots × middles × endings, ~5,000 of them, in Kazakh letters.
_ROOTS = ("Әбіл", "Бек", "Дәулет", "Ерғали", "Жұма", "Қайрат", "Мұқан", "Нұр", "Өмір", "Сағын", "Төле", "Ұзақ",
          "Үсен", "Шәкір", "Іли", "Ғали", "Һәкім", "Айт", "Бай", "Есен", "Жан", "Қаны", "Мырза", "Орын", "Сәт",
          "Тұрсын", "Шал", "Құл", "Әлі", "Рақым")
_MIDDLES = ("", "ба", "бай", "бек", "жан", "хан", "тай", "ғали", "құл", "сұлтан", "мұрат", "бол", "ан", "ғазы",
            "нияз", "қали", "әділ")
_ENDINGS = ("ов", "ова", "ев", "ева", "ұлы", "қызы", "ин", "ина", "баев", "баева")
_FIRST = ("Айгүл", "Нұрлан", "Гүлнар", "Ерлан", "Сәуле", "Бауыржан", "Жанар", "Қанат", "Әсел", "Дәурен",
          "Мөлдір", "Ұлан", "Үміт", "Іңкәр", "Ғалым", "Һадия", "Мария", "Сергей", "Ольга", "Тимур")
SURNAMES = [r + m + e for r in _ROOTS for m in _MIDDLES for e in _ENDINGS]


def load_web() -> Any:
    """bench/web.py as a module (its seed, Page, measure, machine ...), without this folder on sys.path."""
    spec = importlib.util.spec_from_file_location("bench_web", _HERE / "web.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_web"] = module
    spec.loader.exec_module(module)
    return module


# --- building -------------------------------------------------------------------------------------------

class Builder:
    """Clones of the engine-made cases and their tasks, written in raw batches (see the module's docstring)."""

    BATCH = 5000  # cases per transaction

    def __init__(self, web: Any) -> None:
        from django.db import connection

        from qyzmet.cases.models import Case, Task

        self.web = web
        self.vendor = connection.vendor
        self.case_fields = [f for f in Case._meta.concrete_fields]
        self.task_fields = [f for f in Task._meta.concrete_fields]
        self.cases = list(Case.objects.order_by("id").values(*[f.attname for f in self.case_fields]))
        self.tasks: dict[int, list[dict]] = defaultdict(list)
        for t in Task.objects.order_by("id").values(*[f.attname for f in self.task_fields]):
            self.tasks[t["case_id"]].append(t)
        self.next_case = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        self.next_task = (Task.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        self.made = 0
        self.rng = random.Random(7)
        self.surname_of: dict[str, int] = {}  # a surname → the id of one case of the head's office carrying it

    def _prep(self, fields: list, row: dict) -> list:
        from django.db import connection

        out = []
        for f in fields:
            value = row[f.attname]
            if value is not None and f.get_internal_type() in ("DateTimeField", "JSONField"):
                value = f.get_db_prep_save(value, connection)
                if self.vendor == "postgresql" and f.get_internal_type() == "JSONField":
                    value = json.dumps(row[f.attname])  # COPY's text format takes jsonb as its text
            out.append(value)
        return out

    def grow_to(self, total: int, progress: Callable[[int, int], None]) -> None:
        from django.db import transaction

        from qyzmet.cases.models import Case

        have = Case.objects.count()
        while have < total:
            n = min(self.BATCH, total - have)
            cases, tasks = self._batch(n)
            with transaction.atomic():
                self._write("cases_case", self.case_fields, cases)
                self._write("cases_task", self.task_fields, tasks)
            have += n
            progress(have, total)

    def _write(self, table: str, fields: list, rows: list[list]) -> None:
        from django.db import connection

        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def _batch(self, n: int) -> tuple[list[list], list[list]]:
        from qyzmet.core.iin import make_iin

        web, rng = self.web, self.rng
        cases: list[list] = []
        tasks: list[list] = []
        for _ in range(n):
            source = self.cases[self.made % len(self.cases)]
            self.made += 1
            is_open = source["status"] in OPEN
            delta = -dt.timedelta(weeks=rng.randint(0, 3) if is_open else rng.randint(0, 51))
            pk, self.next_case = self.next_case, self.next_case + 1
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 60))
            iin = make_iin(birth, rng.choice(("male", "female")), rng.randint(0, 9000))
            surname = rng.choice(SURNAMES)
            case = dict(source, id=pk, applicant_iin=iin, personal_code=None,
                        applicant_name=f"{surname} {rng.choice(_FIRST)}" if source["applicant_name"] else "",
                        state=web._shift_state(source["state"], delta, iin))
            web._shift(case, ("submitted_at", "accepted_at", "term_due", "step_due", "closed_at"), delta)
            case["number"] = f"Q{case['submitted_at']:%Y}-{pk:08d}"
            suspended = source["status"] == "in-progress" and self.made % 50 == 0
            if suspended:  # as services._record stores a suspended case: nothing runs, nothing is due
                case["state"] = dict(case["state"], suspended_since=case["state"].get("step_started"))
                case["term_due"] = case["step_due"] = None
            if case["applicant_name"] and source["office_id"] and len(self.surname_of) < 50:
                self.surname_of.setdefault(surname, pk)
            cases.append(self._prep(self.case_fields, case))
            for t in self.tasks[source["id"]]:
                task = dict(t, id=self.next_task, case_id=pk)
                self.next_task += 1
                web._shift(task, ("opened_at", "due", "closed_at", "claimed_at"), delta)
                if suspended and task["closed_at"] is None:
                    task["due"], task["why"] = None, "suspended (bench)"
                tasks.append(self._prep(self.task_fields, task))
        return cases, tasks


def seed_acceptance_refusals(cases: int) -> None:
    """A few applications of an act with acceptance-refusal grounds (the Aktogay and Ulytau acts have none):
    mlsp-2021 technical aids, through the same engine run; 8 % of them are refused at acceptance."""
    from django.utils import timezone

    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import run_demo

    reg = next(r for r in shipped_catalog().regulations if r.id == "mlsp-2021/technical-aids")
    run_demo([reg], cases, seed=3, open_ratio=0.3, until=timezone.now(), days=120)


def fast_build(on: bool) -> None:
    """SQLite: the bench database's durability switched off for the bulk load, and back on to measure."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if on:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")
        else:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-2000")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def settle() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("cases_case", "cases_task"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cursor.execute("ANALYZE cases_case")
            cursor.execute("ANALYZE cases_task")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- measuring ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    name: str
    run: Callable[[], Any]
    plan: Callable[[], str] | None = None
    overdue: bool = False  # one of the queries the "< 1 s / < 0.3 s" goal is about


def queries(now: dt.datetime, head_office: int, month: tuple[dt.date, dt.date]) -> list[Query]:
    from django.db.models import Count, F, Q

    from qyzmet.cases.models import Case, Task
    from qyzmet.core.calendar import local_instant

    # Open = not closed (submitted or in progress; a suspended case has no due and is never overdue).
    overdue_cases = Case.objects.filter(closed_at__isnull=True, term_due__lt=now)
    overdue_steps = Task.objects.filter(closed_at__isnull=True, due__lt=now)
    office_steps = overdue_steps.filter(office_id=head_office).order_by("due", "id")
    first = (overdue_cases.select_related("regulation").defer("state", "regulation__source")
             .order_by("term_due", "id"))
    start, end = local_instant(month[0], 0), local_instant(month[1] + dt.timedelta(days=1), 0)
    in_month = (Case.objects.filter(Q(office_id=head_office) | Q(provider_office_id=head_office),
                                    submitted_at__gte=start, submitted_at__lt=end)
                .values("regulation__reg_id")
                .annotate(cases=Count("id"),
                          in_term=Count("id", filter=Q(term_due__isnull=False)
                                        & (Q(term_due__gte=now) | Q(closed_at__lte=F("term_due")))),
                          overdue=Count("id", filter=Q(term_due__lt=now)
                                        & (Q(closed_at__isnull=True) | Q(closed_at__gt=F("term_due")))))
                .order_by("regulation__reg_id"))
    return [
        Query("overdue cases: count (country)", overdue_cases.count, overdue_cases.order_by().explain, overdue=True),
        Query("overdue cases: first 50 by due", lambda: list(first[:50]), lambda: first[:50].explain(),
              overdue=True),
        Query("overdue steps: count (country)", overdue_steps.count, overdue_steps.order_by().explain),
        Query("overdue steps: one office, 50", lambda: list(office_steps[:50]), lambda: office_steps[:50].explain()),
        Query("per service, month (bench SQL)", lambda: list(in_month.all()), in_month.explain),
    ]


def time_queries(qs: list[Query], repeats: int) -> dict[str, float]:
    for q in qs:  # warm-up
        q.run()
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeats):
        for q in qs:
            t = time.perf_counter()
            q.run()
            samples[q.name].append((time.perf_counter() - t) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def pages(web: Any, surname: str, month: tuple[dt.date, dt.date]) -> list[Any]:
    from django.urls import NoReverseMatch, reverse

    cases = reverse("staff:cases")
    out = [
        web.Page("trivial view (signed in)", web.HEAD, "/bench/trivial"),
        web.Page("inbox p.1, head (1 role)", web.HEAD, reverse("staff:inbox")),
        web.Page("inbox p.1, head+sector-head", web.TWO_ROLES, reverse("staff:inbox")),
        web.Page("inbox p.1, PSC consultant", web.PSC_CONSULTANT, reverse("staff:inbox")),
        web.Page("office cases p.1 (provider)", web.HEAD, cases),
        web.Page("office cases ?q=<surname>", web.HEAD, cases + f"?q={surname}"),
        web.Page("office cases ?q=<3 letters>", web.HEAD, cases + "?q=нұр"),
    ]
    try:
        monitoring = reverse("monitoring:overview")
    except NoReverseMatch:  # qyzmet.monitoring not installed: the bench's own aggregate stands for it
        return out
    out.append(web.Page("monitoring page, head, month", web.HEAD,
                        monitoring + f"?from={month[0].isoformat()}&to={month[1].isoformat()}"))
    return out


# --- one database, in this process ------------------------------------------------------------------------

def setup_django(vendor: str, home: Path) -> None:
    os.environ["QYZMET_HOME"] = str(home)
    os.environ["QYZMET_DB"] = str(home / "scale.sqlite3")
    os.environ["QYZMET_ALLOWED_HOSTS"] = "testserver"
    if vendor == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    from qyzmet.cli.django_setup import migrate, setup

    setup()
    migrate()


def postgres_database(url: str, *, drop: bool) -> str:
    """Create (or drop) the bench's own database on the server of ``url``; the URL of it."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    admin = psycopg.connect(host=cfg["HOST"] or "localhost", port=cfg["PORT"] or 5432, user=cfg["USER"],
                            password=cfg["PASSWORD"], dbname="postgres", autocommit=True)
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
        if not drop:
            admin.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    return (f"postgres://{cfg['USER']}:{cfg['PASSWORD']}@{cfg['HOST'] or 'localhost'}:{cfg['PORT'] or 5432}/"
            f"{PG_BENCH_DB}")


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]} (WAL)"


def memory() -> str:
    try:
        kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
        return f"{kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration):
        return "RAM unknown"


def run_one(vendor: str, sizes: list[int], repeats: int, seed_cases: int, keep: bool) -> int:
    home = Path(tempfile.mkdtemp(prefix=f"qyzmet-scale-{vendor}-"))
    url = os.environ.get("DATABASE_URL", "")
    if vendor == "postgresql":
        os.environ["DATABASE_URL"] = postgres_database(url, drop=False)
    started = time.perf_counter()
    web = load_web()
    setup_django(vendor, home)
    from django.conf import settings
    from django.utils import timezone

    from qyzmet.core.calendar import to_local
    from qyzmet.directory.models import Office

    settings.ROOT_URLCONF = web.bench_urlconf()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    print(f"[{vendor}] machine: {web.machine()}; {memory()}; database: {database_version()}", flush=True)
    t = time.perf_counter()
    web.seed(seed_cases)
    seed_acceptance_refusals(seed_cases // 4)
    print(f"[{vendor}] engine run: {seed_cases} cases in {time.perf_counter() - t:.1f} s", flush=True)
    builder = Builder(web)
    now = to_local(timezone.now())
    last = now.date().replace(day=1) - dt.timedelta(days=1)
    month = (last.replace(day=1), last)
    head_office = Office.objects.get(code=HEAD_OFFICE).pk

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r[{vendor}] building {done:,}/{total:,}")
            sys.stderr.flush()

    results: list[dict[str, float]] = []
    plans: list[dict[str, str]] = []
    for size in sizes:
        t = time.perf_counter()
        fast_build(True)
        builder.grow_to(size, progress)
        fast_build(False)
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        settle()
        from qyzmet.cases.models import Case, Task

        counts = {s: Case.objects.filter(status=s).count() for s in ("submitted", "in-progress", "issued",
                                                                        "acceptance-refused")}
        suspended = Case.objects.filter(status="in-progress", term_due__isnull=True, accepted_at__isnull=False).count()
        overdue = (Case.objects.filter(closed_at__isnull=True, term_due__lt=now).count(),
                   Task.objects.filter(closed_at__isnull=True, due__lt=now).count())
        print(f"[{vendor}] built {size:,} cases ({Task.objects.count():,} tasks) in {time.perf_counter() - t:.0f} s; "
              + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + f"; suspended {suspended:,}; "
              f"overdue: {overdue[0]:,} cases, {overdue[1]:,} open steps (a count reads each)", flush=True)
        qs = queries(now, head_office, month)
        timing = time_queries(qs, repeats)
        surname = next(iter(builder.surname_of))
        for name, page in web.measure(pages(web, surname, month), repeats).items():
            if page.status != 200:
                raise SystemExit(f"{name}: HTTP {page.status}")
            timing[name] = page.median_ms
        results.append(timing)
        plans.append({q.name: q.plan() for q in qs if q.plan is not None})
        for name, text in plans[-1].items():
            print(f"  plan at {size:,}, {name}: " + " | ".join(line.strip() for line in text.splitlines()))
    print()
    print(f"[{vendor}] median of {repeats}, ms; growth = time at {sizes[-1]:,} / at {sizes[0]:,} "
          f"(goal ≤ 2× for ×10 cases); overdue goal: < {GOAL_OVERDUE_S[vendor] * 1000:.0f} ms at the largest size")
    head = f"{'query / page':34}" + "".join(f" {f'{s:,}':>12}" for s in sizes) + f" {'growth':>7}  goal"
    print(head)
    print("-" * len(head))
    overdue = {q.name for q in queries(now, head_office, month) if q.overdue}
    for name in results[0]:
        growth = results[-1][name] / results[0][name]
        # ×2 per ×10 cases, i.e. time ∝ cases^log10(2) at most
        verdict = "ok" if growth <= (sizes[-1] / sizes[0]) ** math.log10(2) else "GROWS"
        if name in overdue:
            verdict += ", " + ("ok" if results[-1][name] < GOAL_OVERDUE_S[vendor] * 1000 else "SLOW")
        print(f"{name:34}" + "".join(f" {r[name]:9.2f} ms" for r in results) + f" {growth:6.2f}×  {verdict}")
    print(f"[{vendor}] total {time.perf_counter() - started:.0f} s", flush=True)
    from django.db import connections

    connections.close_all()
    if keep:
        print(f"[{vendor}] kept: {home}" + (f" and database {PG_BENCH_DB}" if vendor == "postgresql" else ""))
    else:
        import shutil

        shutil.rmtree(home, ignore_errors=True)
        if vendor == "postgresql":
            postgres_database(url, drop=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 cases")
    parser.add_argument("--sizes", type=int, nargs="+", help="case counts (default 100000 1000000)")
    parser.add_argument("--repeats", type=int, default=15, help="runs per query and page (default 15)")
    parser.add_argument("--seed-cases", type=int, default=300, help="cases run through the engine (default 300)")
    parser.add_argument("--backend", choices=("auto", "sqlite", "postgresql"), default="auto",
                        help="auto: SQLite, then PostgreSQL when DATABASE_URL is one")
    parser.add_argument("--keep", action="store_true", help="keep the databases and print where they are")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10_000, 100_000] if args.quick else [100_000, 1_000_000])
    if sorted(sizes) != sizes or sizes[0] < args.seed_cases:
        parser.error("sizes must grow and be at least the number of seed cases")
    if args.backend != "auto":
        return run_one(args.backend, sizes, args.repeats, args.seed_cases, args.keep)
    backends = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        backends.append("postgresql")
    rc = 0
    for backend in backends:  # one process each: Django's settings (the database) are read once
        argv_child = [sys.executable, __file__, "--backend", backend, "--repeats", str(args.repeats),
                      "--seed-cases", str(args.seed_cases), "--sizes", *map(str, sizes)]
        rc |= subprocess.call(argv_child + (["--keep"] if args.keep else []))
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
