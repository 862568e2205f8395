"""The number of SQL queries per page does not grow with the number of cases.

The staff workspace, the citizen pages and the rest of qyzmet/web/urls.py.  Every page is fetched
twice: on a small data set (5 cases, one of each kind a page lists) and after the same database has
grown (about 80 more cases: more than a page of open tasks for the signed-in role, several
registries, simulated runs of other services and offices as noise).  The counts must be *equal*;
"fewer than N" would let an N+1 hide below the limit.  Each list page must also show more rows on the
larger set, otherwise equality would prove nothing.

The case pages are also checked against the number of events and steps done: an issued case whose
registry line was returned once has more tasks and events than one that went straight through, and
an issued case more than an open one; all with the same queries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from qyzmet.cases import workflow
from qyzmet.cases.access import Actor, actor_for
from qyzmet.cases.models import Case, Registry, Task
from qyzmet.cases.services import sync_catalog
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import build_directory, run_demo
from qyzmet.web.apply import HEALTH_PAGES

REG = "aktogay-2013/prosthetic-docs"
PSC = "aktogay-2013-psc"
DEPT = "aktogay-2013-provider"
ACTS = ("aktogay-2013/", "ulytau-2012/")
NAME = "Әлия Серікқызы"  # every case built here has it, so a name search finds all of them
START = dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)
# The marker also makes pytest-django create the test database the module fixture below writes to.
pytestmark = pytest.mark.django_db
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CASE_LINK = re.compile(r'href="/staff/cases/\d+/"')


class World:
    """Aktogay PSC-route cases moved through the workflow layer by the demo directory's accounts."""

    def __init__(self) -> None:
        sync_catalog()
        self.regulations = [r for r in shipped_catalog().regulations if r.id.startswith(ACTS)]
        build_directory(self.regulations)
        self.actors: dict[str, Actor] = {}
        self.clock = START
        self.serial = 0
        self.anchors: dict[str, Case] = {}

    def actor(self, office: str, role: str) -> Actor:
        username = f"{office}.{role}"
        if username not in self.actors:
            found = actor_for(get_user_model().objects.get(username=username))
            assert found is not None
            self.actors[username] = found
        return self.actors[username]

    def now(self) -> dt.datetime:
        self.clock += dt.timedelta(minutes=1)
        return self.clock

    def _step(self, case: Case, office: str, role: str, **done: str) -> Case:
        task = Task.objects.get(case=case, closed_at__isnull=True)
        return workflow.complete(self.actor(office, role), task.pk, workflow.Completion(**done), self.now())

    def accepted(self) -> Case:
        """Registered by the consultant, documents accepted: waiting at step 3 for a registry."""
        self.serial += 1
        app = workflow.Application(
            regulation=REG, iin=make_iin(dt.date(1960, 1, 1) + dt.timedelta(days=self.serial), "female", self.serial),
            category="general-disease", name=NAME, documents=("application", "id-copy", "irp-extract"))
        case = workflow.intake(self.actor(PSC, "psc-consultant"), app, self.now())
        self._step(case, PSC, "psc-consultant", note="checked")
        return self._step(case, PSC, "psc-hall-inspector")

    def dispatch(self, cases: list[Case], office: str = PSC, role: str = "psc-accumulation-specialist") -> Registry:
        tasks = [Task.objects.get(case=c, closed_at__isnull=True).pk for c in cases]
        return workflow.dispatch(self.actor(office, role), tasks, self.now())

    def acknowledge(self, registry: Registry, office: str = DEPT, role: str = "records-specialist") -> None:
        for item in registry.items.all():
            workflow.acknowledge(self.actor(office, role), item.pk, self.now())

    def at_head(self, n: int, *, claim_every: int = 2) -> list[Case]:
        """``n`` cases in the provider head's inbox (step 5); some of the tasks taken by the head."""
        cases = [self.accepted() for _ in range(n)]
        for chunk in range(0, n, 5):
            self.acknowledge(self.dispatch(cases[chunk:chunk + 5]))
        for i, case in enumerate(cases):
            if i % claim_every == 0:
                workflow.claim(self.actor(DEPT, "head"), Task.objects.get(case=case, closed_at__isnull=True).pk,
                               self.now())
        return cases

    def issued(self, *, returned: bool = False) -> Case:
        """A case carried to the end; with ``returned`` its first registry line comes back with errors."""
        case = self.accepted()
        if returned:
            item = self.dispatch([case]).items.get()
            workflow.return_item(self.actor(DEPT, "records-specialist"), item.pk, "the copy is not certified",
                                 self.now())
        self.acknowledge(self.dispatch([case]))
        self._step(case, DEPT, "head", note="executor appointed")
        self._step(case, DEPT, "sector-head")
        self._step(case, DEPT, "specialist", note="draft ready")
        self._step(case, DEPT, "sector-head")
        self._step(case, DEPT, "head", decision="positive")
        back = self.dispatch([case], DEPT, "records-specialist")
        self.acknowledge(back, PSC, "psc-issuance-inspector")
        case = self._step(case, PSC, "psc-issuance-inspector")
        assert case.status == Case.Status.ISSUED
        return case

    def build_small(self) -> None:
        """Five cases: one waiting for a registry, one in a registry not yet taken over, one with the
        head, one issued, one issued after a returned registry line."""
        self.anchors["ready"] = self.accepted()
        self.dispatch([self.accepted()])
        self.anchors["open"] = self.at_head(1, claim_every=1)[0]
        self.anchors["issued"] = self.issued()
        self.anchors["returned"] = self.issued(returned=True)

    def grow(self) -> None:
        """About 80 more cases: more than a page of tasks for the head, several registries both ways."""
        for _ in range(8):
            self.accepted()
        for _ in range(3):
            self.dispatch([self.accepted() for _ in range(4)])
        self.at_head(52)
        for _ in range(3):
            self.issued()
        # Other services and the Ulytau offices: rows the pages must filter out, not show.
        run_demo(self.regulations, 12, seed=5, open_ratio=0.5)


@dataclass(frozen=True)
class Page:
    name: str
    user: str | None  # None: signed out
    url: Callable[[World], str] | None = None
    case: tuple[str, str] | None = None  # or: (view, anchor), the page of one of the anchor cases
    lookup: str | None = None  # or: an anchor case, looked up by its number and IIN on the citizen page (POST)
    lists: bool = False  # shows a row per case: must show more rows on the larger set

    def request(self, world: World, anchor: str | None = None) -> tuple[str, dict[str, str] | None]:
        """The URL, and the form to POST (None: a GET)."""
        if self.case is not None:
            view, default = self.case
            return reverse(view, args=[world.anchors[anchor or default].pk]), None
        if self.lookup is not None:
            case = world.anchors[anchor or self.lookup]
            return reverse("web:my-application"), {"number": case.number, "iin": case.applicant_iin}
        assert self.url is not None
        return self.url(world), None


def _largest_registry(world: World) -> str:
    registry = (Registry.objects.filter(to_office__code=DEPT).annotate(n=Count("items"))
                .order_by("-n", "-id").first())
    assert registry is not None
    return reverse("staff:registry", args=[registry.pk])


def _cases(query: str = "") -> Callable[[World], str]:
    return lambda world: reverse("staff:cases") + query


PAGES = [
    Page("inbox", f"{DEPT}.head", lambda w: reverse("staff:inbox"), lists=True),
    Page("inbox page 2", f"{DEPT}.head", lambda w: reverse("staff:inbox") + "?page=2"),
    Page("office cases", f"{PSC}.psc-consultant", _cases(), lists=True),
    Page("office cases ?q=", f"{PSC}.psc-consultant", _cases("?q=" + quote(NAME)), lists=True),
    Page("provider cases ?status=", f"{DEPT}.head", _cases("?status=in-progress"), lists=True),
    Page("case: issued", f"{PSC}.psc-consultant", case=("staff:case", "issued")),
    Page("case: open, my step", f"{DEPT}.head", case=("staff:case", "open")),
    Page("case: open, seen by the PSC", f"{PSC}.psc-consultant", case=("staff:case", "open")),
    Page("receipt", f"{PSC}.psc-hall-inspector", case=("staff:receipt", "issued")),
    Page("registries: ready to send", f"{PSC}.psc-accumulation-specialist", lambda w: reverse("staff:registries"),
         lists=True),
    Page("registries: to take over", f"{DEPT}.records-specialist", lambda w: reverse("staff:registries"),
         lists=True),
    Page("registry", f"{DEPT}.records-specialist", _largest_registry, lists=True),
    # The citizen pages and the rest of qyzmet/web/urls.py.
    Page("home", None, lambda w: reverse("web:home")),
    Page("my application: form", None, lambda w: reverse("web:my-application")),
    Page("my application: issued case", None, lookup="issued"),
    Page("my application: open case", None, lookup="open"),
    Page("apply online: services", None, lambda w: reverse("web:apply")),
    Page("apply online: form", None, lambda w: reverse(
        "web:apply-form", args=[next(r.id for r in workflow.online_services() if r.id not in HEALTH_PAGES)])),
    Page("sign-in page", None, lambda w: reverse("web:login")),
    Page("healthz", None, lambda w: reverse("healthz")),
]
# Also measured on the issued case whose registry line was returned once.
RETURNED = ("case: issued", "receipt", "my application: issued case")


@dataclass(frozen=True)
class Measure:
    queries: int
    rows: int  # links to case pages on the page
    sql: tuple[str, ...] = field(repr=False)


def fetch(page: Page, world: World, anchor: str | None = None) -> Measure:
    url, form = page.request(world, anchor)
    client = Client()
    if page.user is not None:
        client.force_login(get_user_model().objects.get(username=page.user))  # no password hashing: fast

    def get() -> HttpResponse:
        return client.post(url, form) if form is not None else client.get(url)

    get()  # the first request may fill per-process caches (regulations, calendar exceptions)
    with CaptureQueriesContext(connection) as ctx:
        response = get()
    assert response.status_code == 200, (page.name, url, response.status_code)
    content = response.content.decode()
    if form is not None:
        assert form["number"] in content, f"{page.name}: the lookup did not find {form['number']}"
    return Measure(len(ctx.captured_queries), len(CASE_LINK.findall(content)),
                   tuple(q["sql"] for q in ctx.captured_queries))


def measure_all(world: World) -> dict[str, Measure]:
    return {page.name: fetch(page, world) for page in PAGES}


@dataclass(frozen=True)
class Results:
    small: dict[str, Measure]
    large: dict[str, Measure]
    returned: dict[str, Measure]  # the case pages of the issued case whose registry line was returned
    events: dict[str, int]  # events of the anchor cases
    cases: tuple[int, int]


@pytest.fixture(scope="module")
def results(django_db_setup, django_db_blocker) -> Results:
    # One build for every page; everything is rolled back after.  The demo accounts' passwords are
    # hashed with a fast hasher: the default PBKDF2 would take most of the module's time.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic():
        world = World()
        world.build_small()
        small_cases = Case.objects.count()
        small = measure_all(world)
        returned = {p.name: fetch(p, world, "returned") for p in PAGES if p.name in RETURNED}
        world.grow()
        large = measure_all(world)
        events = {name: case.events.count() for name, case in world.anchors.items()}
        out = Results(small, large, returned, events, (small_cases, Case.objects.count()))
        transaction.set_rollback(True)
    return out


def _explain(page: str, small: Measure, large: Measure) -> str:
    lines = [f"{page}: {small.queries} queries with few cases, {large.queries} with many"]
    lines += ["  small: " + q[:160] for q in small.sql]
    lines += ["  large: " + q[:160] for q in large.sql]
    return "\n".join(lines)


def test_the_larger_set_is_really_larger(results: Results):
    small, large = results.cases
    assert small == 5 and large >= 80


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_queries_do_not_grow_with_the_number_of_cases(results: Results, page: Page):
    small, large = results.small[page.name], results.large[page.name]
    if page.lists:
        assert large.rows > small.rows >= 1, f"{page.name} must list more cases on the larger set"
    assert large.queries == small.queries, _explain(page.name, small, large)


def test_inbox_lists_a_full_page_of_tasks_on_the_larger_set(results: Results):
    assert results.large["inbox"].rows == 50  # PAGE_SIZE: page 2 exists and has the rest
    assert results.large["inbox page 2"].rows >= 1


@pytest.mark.parametrize("page", RETURNED)
def test_case_pages_do_not_grow_with_the_events_of_the_case(results: Results, page: str):
    # The same page of an issued case whose registry line was returned once: more tasks and events.
    assert results.events["returned"] > results.events["issued"]
    straight, returned = results.small[page], results.returned[page]
    assert returned.queries == straight.queries, _explain(page, straight, returned)


def test_case_page_does_not_grow_with_the_steps_done(results: Results):
    # Seen by the same PSC consultant (no step of theirs open on either): a case at step 5 and one
    # with all 11 steps done.  Person names, notes and clauses of done steps come with the same queries.
    assert results.events["issued"] > results.events["open"]
    open_case, issued = results.small["case: open, seen by the PSC"], results.small["case: issued"]
    assert open_case.queries == issued.queries, _explain("case page", open_case, issued)
