"""Latency of the staff pages at 10,000 and 100,000 cases, beside a trivial Django view in the same run.

Run: ``.venv/bin/python bench/web.py`` (about 5 minutes on 2 cores), ``--quick`` for 1,000 and
5,000 cases.  Everything happens in a fresh SQLite database in a temporary directory, in this process:
requests go through Django's test ``Client`` (the whole middleware stack, no network).  Who is signed in:

- ``aktogay-2013-provider.head`` (one role) for the inbox, the case pages and the office case list;
- ``aktogay-2013-provider.bench-two-roles``, an account this script adds to the same office with the
  roles head and sector-head: the inbox of someone holding several roles (``role IN (...)``);
- ``ulytau-2012-psc.psc-consultant``: a PSC role with thousands of open tasks at 100k;
- ``ulytau-2012-psc.psc-accumulation-specialist`` for the registries page (its "ready to send" list);
- nobody, for the citizen's look-up of an application by number and IIN.

The floor is ``/bench/trivial``, a view added by this script's own urlconf that returns the signed-in
user's name: it pays the session and user look-ups every staff page pays, and nothing else.  The
ratio "× trivial" is what to compare between machines; the milliseconds vary with the machine.

How the data is made
--------------------
A few hundred applications go through the real engine (``qyzmet.demo.run_demo`` over the Aktogay and
Ulytau acts: two PSCs, two providers, every route, half of the cases left open before "now").  Running
100,000 cases that way would take an hour or two, so the bulk is cloned from them with ``bulk_create``:

- each clone copies one engine-made case (round robin, so the mix of services, routes, stages and
  outcomes stays the seed's) with its tasks, checklist, events and registry lines (one registry per
  line, as the demo sends them);
- it gets a new primary key, a number made the way ``services.submit`` makes it, and a new valid IIN;
- all its instants (row columns, the engine state kept in ``Case.state``, event times) move back by
  the same whole number of weeks (0-51), so weekdays and office hours stay what the engine produced;
  due instants are not recounted against the holidays of the new dates;
- tasks keep their office, role, claimant and open/closed state: a clone of an open case puts an open
  task into the same office's inbox for the same role, so the inbox at 100k really holds thousands of
  tasks to sort by due;
- effects (the outbox) are not cloned: no page reads them.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path and its calendar.py would shadow the standard
# library's `calendar`, which Django imports.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

HEAD = "aktogay-2013-provider.head"
TWO_ROLES = "aktogay-2013-provider.bench-two-roles"
PSC_CONSULTANT = "ulytau-2012-psc.psc-consultant"
PSC_ACCUMULATION = "ulytau-2012-psc.psc-accumulation-specialist"
INBOX_USERS = (HEAD, TWO_ROLES, PSC_CONSULTANT)
ACTS = ("aktogay-2013/", "ulytau-2012/")
STATE_INSTANTS = ("submitted_at", "step_started", "step_due", "accepted_at", "term_due", "closed_at")
HISTORY_INSTANTS = ("started", "due", "completed")


def setup_django(home: Path) -> None:
    """A database of our own: the settings read these variables when they are imported."""
    os.environ["QYZMET_HOME"] = str(home)
    os.environ["QYZMET_DB"] = str(home / "bench.sqlite3")
    os.environ["QYZMET_ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("DATABASE_URL", None)  # always SQLite: the numbers are about this one file
    from qyzmet.cli.django_setup import migrate, setup

    setup()
    migrate()


# --- the trivial view and the urlconf around the real one -------------------------------------------

def trivial(request: HttpRequest) -> HttpResponse:
    """The floor: what every signed-in page pays (middleware, session and user look-ups), nothing else."""
    from django.http import HttpResponse

    return HttpResponse(request.user.get_username())


def bench_urlconf() -> type:
    """The project's urls plus /bench/trivial; Django takes any object with ``urlpatterns``."""
    from django.urls import include, path

    class Urls:
        urlpatterns = [path("bench/trivial", trivial), path("", include("qyzmet.urls"))]

    return Urls


# --- building the data ----------------------------------------------------------------------------------

def seed(cases: int) -> None:
    from django.utils import timezone

    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import run_demo

    regs = sorted((r for r in shipped_catalog().regulations if r.id.startswith(ACTS)), key=lambda r: r.id)
    run_demo(regs, cases, seed=1, open_ratio=0.5, until=timezone.now(), days=120)
    two_roles()


def two_roles() -> None:
    """A staff member of the Aktogay provider holding two roles (the demo gives each account one)."""
    from django.contrib.auth import get_user_model

    from qyzmet.directory.models import Office, RoleAssignment, Staff

    user = get_user_model().objects.create(username=TWO_ROLES)
    staff = Staff.objects.create(user=user, office=Office.objects.get(code="aktogay-2013-provider"),
                                 full_name="Бенч Екірөлді", position="head, sector-head")
    for role in ("head", "sector-head"):
        RoleAssignment.objects.create(staff=staff, role=role)


def _shift_iso(value: str | None, delta: dt.timedelta) -> str | None:
    return None if value is None else (dt.datetime.fromisoformat(value) + delta).isoformat()


def _shift_state(state: dict[str, Any], delta: dt.timedelta, iin: str) -> dict[str, Any]:
    out = dict(state, iin=iin)
    for key in STATE_INSTANTS:
        out[key] = _shift_iso(state.get(key), delta)
    out["history"] = [{**h, **{k: _shift_iso(h.get(k), delta) for k in HISTORY_INSTANTS}}
                      for h in state.get("history", [])]
    return out


def _shift(row: dict[str, Any], fields: Iterable[str], delta: dt.timedelta) -> None:
    for name in fields:
        if row.get(name) is not None:
            row[name] += delta


class Cloner:
    """Copies of the engine-made cases, written with bulk_create (see the module's docstring)."""

    BATCH = 2000  # cases per transaction

    def __init__(self) -> None:
        from qyzmet.cases.models import Case, ChecklistItem, Event, Registry, RegistryItem, Task

        self.cases = list(Case.objects.order_by("id").values())
        ids = [c["id"] for c in self.cases]
        self.tasks: dict[int, list[dict]] = defaultdict(list)
        for t in Task.objects.filter(case_id__in=ids).order_by("id").values():
            self.tasks[t["case_id"]].append(t)
        self.checklist: dict[int, list[dict]] = defaultdict(list)
        for c in ChecklistItem.objects.filter(case_id__in=ids).order_by("id").values():
            self.checklist[c["case_id"]].append(c)
        self.events: dict[int, list[dict]] = defaultdict(list)
        for e in Event.objects.filter(case_id__in=ids).order_by("id").values():
            self.events[e["case_id"]].append(e)
        registries = {r["id"]: r for r in Registry.objects.values()}
        self.lines: dict[int, list[tuple[dict, dict]]] = defaultdict(list)
        for i in RegistryItem.objects.filter(case_id__in=ids).order_by("id").values():
            self.lines[i["case_id"]].append((i, registries[i["registry_id"]]))
        self.next_id = {model: (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
                        for model in (Case, Task, ChecklistItem, Event, Registry, RegistryItem)}
        self.made = 0
        self.rng = random.Random(7)

    def _id(self, model: type) -> int:
        pk = self.next_id[model]
        self.next_id[model] = pk + 1
        return pk

    def grow_to(self, total: int, progress: Callable[[int, int], None]) -> None:
        from django.db import transaction

        from qyzmet.cases.models import Case

        have = Case.objects.count()
        while have < total:
            n = min(self.BATCH, total - have)
            with transaction.atomic():
                self._batch(n)
            have += n
            progress(have, total)

    def _batch(self, n: int) -> None:
        from qyzmet.cases.models import Case, ChecklistItem, Event, Registry, RegistryItem, Task
        from qyzmet.core.iin import make_iin

        rows: dict[type, list] = defaultdict(list)
        for _ in range(n):
            source = self.cases[self.made % len(self.cases)]
            self.made += 1
            delta = -dt.timedelta(weeks=self.rng.randint(0, 51))
            pk = self._id(Case)
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=self.rng.randint(0, 365 * 60))
            iin = make_iin(birth, self.rng.choice(("male", "female")), self.rng.randint(0, 9000))
            case = dict(source, id=pk, applicant_iin=iin, state=_shift_state(source["state"], delta, iin))
            _shift(case, ("submitted_at", "accepted_at", "term_due", "step_due", "closed_at"), delta)
            case["number"] = f"Q{case['submitted_at']:%Y}-{pk:07d}"
            rows[Case].append(Case(**case))
            for t in self.tasks[source["id"]]:
                task = dict(t, id=self._id(Task), case_id=pk)
                _shift(task, ("opened_at", "due", "closed_at", "claimed_at"), delta)
                rows[Task].append(Task(**task))
            for c in self.checklist[source["id"]]:
                rows[ChecklistItem].append(ChecklistItem(**dict(c, id=self._id(ChecklistItem), case_id=pk)))
            for e in self.events[source["id"]]:
                payload = dict(e["payload"], iin=iin) if e["kind"] == "submit" else e["payload"]
                event = dict(e, id=self._id(Event), case_id=pk, payload=payload)
                _shift(event, ("at",), delta)
                rows[Event].append(Event(**event))
            for line, registry in self.lines[source["id"]]:
                reg_pk = self._id(Registry)
                new_registry = dict(registry, id=reg_pk)
                _shift(new_registry, ("dispatched_at",), delta)
                new_registry["number"] = f"R{new_registry['dispatched_at']:%Y}-{reg_pk:06d}"
                rows[Registry].append(Registry(**new_registry))
                item = dict(line, id=self._id(RegistryItem), case_id=pk, registry_id=reg_pk)
                _shift(item, ("acted_at",), delta)
                rows[RegistryItem].append(RegistryItem(**item))
        for model in (Case, Task, ChecklistItem, Event, Registry, RegistryItem):  # parents first
            model.objects.bulk_create(rows[model], batch_size=500)


# --- measuring ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    name: str
    user: str | None  # None: signed out
    url: str
    form: dict[str, str] | None = None  # POSTed when given

    def fetch(self, client: Any) -> HttpResponse:
        return client.post(self.url, self.form) if self.form is not None else client.get(self.url)


@dataclass(frozen=True)
class Timing:
    median_ms: float
    best_ms: float
    queries: int
    status: int


def pages() -> list[Page]:
    from django.urls import reverse

    from qyzmet.cases.models import Case, Task

    # The case pages show engine-made cases (the lowest ids), so both sizes show the same case.
    issued = (Case.objects.filter(regulation__reg_id="aktogay-2013/prosthetic-docs", route="psc", status="issued")
              .order_by("id").first())
    open_task = (Task.objects.filter(office__code="aktogay-2013-provider", role="head", closed_at__isnull=True)
                 .order_by("case_id").first())
    iin = Case.objects.order_by("id").values_list("applicant_iin", flat=True).first()
    assert issued is not None and open_task is not None, "the seed run made no issued or open Aktogay case"
    inbox = reverse("staff:inbox")
    return [
        Page("trivial view (signed in)", HEAD, "/bench/trivial"),
        Page("healthz (SELECT 1)", HEAD, reverse("healthz")),
        Page("inbox p.1, head (1 role)", HEAD, inbox),
        Page("inbox p.1, head+sector-head", TWO_ROLES, inbox),
        Page("inbox p.1, PSC consultant", PSC_CONSULTANT, inbox),
        Page("case page, issued PSC case", HEAD, reverse("staff:case", args=[issued.pk])),
        Page("case page, open, head's step", HEAD, reverse("staff:case", args=[open_task.case_id])),
        Page("office cases p.1 (provider)", HEAD, reverse("staff:cases")),
        Page("office cases ?q=<IIN>", HEAD, reverse("staff:cases") + f"?q={iin}"),
        Page("registries (PSC accumulation)", PSC_ACCUMULATION, reverse("staff:registries")),
        Page("citizen: my application (POST)", None, reverse("web:my-application"),
             {"number": issued.number, "iin": issued.applicant_iin}),
    ]


def clients(users: Iterable[str | None]) -> dict[str | None, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    out: dict[str | None, Any] = {}
    for username in set(users):
        client = Client()
        if username is not None:
            client.force_login(get_user_model().objects.get(username=username))
        out[username] = client
    return out


def measure(page_list: list[Page], repeats: int) -> dict[str, Timing]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    by_user = clients(p.user for p in page_list)
    queries, status = {}, {}
    for page in page_list:  # warm-up: templates, regulations and calendars load once per process
        with CaptureQueriesContext(connection) as ctx:
            response = page.fetch(by_user[page.user])
        queries[page.name], status[page.name] = len(ctx.captured_queries), response.status_code
        if page.form is not None and page.form["number"] not in response.content.decode():
            raise SystemExit(f"{page.name}: the page did not find {page.form['number']}")
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeats):
        # Round robin: a burst of machine noise hits every page alike, not one page's whole series.
        for page in page_list:
            started = time.perf_counter()
            page.fetch(by_user[page.user])
            samples[page.name].append((time.perf_counter() - started) * 1000)
    return {p.name: Timing(statistics.median(samples[p.name]), min(samples[p.name]), queries[p.name],
                           status[p.name]) for p in page_list}


def plans(page: Page, table: str) -> list[str]:
    """EXPLAIN QUERY PLAN of the page's queries on ``table``, as the page ran them, one line each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = clients([page.user])[page.user]
    with CaptureQueriesContext(connection) as ctx:
        page.fetch(client)
    out = []
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            if f'FROM "{table}"' not in q["sql"]:
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + q["sql"])
            what = "count" if q["sql"].startswith("SELECT COUNT(*)") else "rows"
            out.append(f"{what}: " + " | ".join(row[-1] for row in cursor.fetchall()))
    return out


# --- the report -----------------------------------------------------------------------------------------

def settle() -> None:
    """Fold the bulk load's write-ahead log into the database file before measuring.

    A running Qyzmet checkpoints as it goes and reads from a short WAL; right after bulk_create the
    WAL holds hundreds of megabytes and every read would look its pages up there first.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def machine() -> str:
    import django

    return (f"{platform.platform()}; {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}); "
            f"Python {platform.python_version()}; Django {django.get_version()}; SQLite {sqlite3.sqlite_version}")


def open_tasks(username: str) -> int:
    from django.contrib.auth import get_user_model

    from qyzmet.cases.access import actor_for, my_tasks

    actor = actor_for(get_user_model().objects.get(username=username))
    assert actor is not None
    return my_tasks(actor).count()


def table(sizes: list[int], results: list[dict[str, Timing]], floor: str) -> str:
    head = f"{'page':30} {'SQL':>4}"
    for size in sizes:
        head += f" | {f'{size:,}: median':>15} {'best':>7} {'×trivial':>8}"
    head += f" | {'growth':>6}"
    lines = [head, "-" * len(head)]
    for name in results[0]:
        first = results[0][name]
        queries = "/".join(dict.fromkeys(str(r[name].queries) for r in results))  # one number unless it grew
        line = f"{name:30} {queries:>4}"
        for result in results:
            t = result[name]
            line += f" | {t.median_ms:12.2f} ms {t.best_ms:7.2f} {t.median_ms / result[floor].median_ms:8.1f}"
        line += f" | {results[-1][name].median_ms / first.median_ms:5.2f}x"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 5,000 cases: a smoke run")
    parser.add_argument("--sizes", type=int, nargs="+", help="case counts to measure at (default 10000 100000)")
    parser.add_argument("--seed-cases", type=int, default=None, help="cases run through the engine (default 300)")
    parser.add_argument("--repeats", type=int, default=30, help="requests per page and size (default 30)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and print its path")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([1_000, 5_000] if args.quick else [10_000, 100_000])
    seed_cases = args.seed_cases or (100 if args.quick else 300)
    if sorted(sizes) != sizes or sizes[0] < seed_cases:
        parser.error("sizes must grow and be at least the number of seed cases")

    home = Path(tempfile.mkdtemp(prefix="qyzmet-bench-"))
    started = time.perf_counter()
    setup_django(home)
    from django.conf import settings

    settings.ROOT_URLCONF = bench_urlconf()
    print(f"machine: {machine()}")
    print(f"database: SQLite (WAL) in {home}")
    t = time.perf_counter()
    seed(seed_cases)
    print(f"engine run: {seed_cases} cases in {time.perf_counter() - t:.1f} s (catalog load included)")
    cloner = Cloner()

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\rcloning {done:,}/{total:,}")
            sys.stderr.flush()

    results = []
    for size in sizes:
        t = time.perf_counter()
        cloner.grow_to(size, progress)
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        built = time.perf_counter() - t
        settle()
        inboxes = ", ".join(f"{user} {open_tasks(user):,}" for user in INBOX_USERS)
        print(f"built {size:,} cases: +{built:.1f} s of bulk_create, {time.perf_counter() - started:.0f} s since "
              f"start; open tasks in the inbox of {inboxes}")
        page_list = pages()
        results.append(measure(page_list, args.repeats))
        for name, timing in results[-1].items():
            if timing.status != 200:
                raise SystemExit(f"{name}: HTTP {timing.status}")
        for page in page_list:
            table_name = "cases_task" if page.name.startswith("inbox") else \
                "cases_case" if page.name.startswith("office cases p.1") else None
            for line in plans(page, table_name) if table_name else ():
                print(f"  plan at {size:,}, {page.name}, {line}")
    print()
    print(f"{args.repeats} requests per page and size, interleaved; in-process test Client; ms per request; "
          f"×trivial = median / the trivial view's median at that size; growth = median at {sizes[-1]:,} / at "
          f"{sizes[0]:,}; SQL = queries per request")
    print(table(sizes, results, "trivial view (signed in)"))
    print(f"total {time.perf_counter() - started:.0f} s")
    if args.keep:
        print(f"kept: {home}")
    else:
        import shutil

        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
