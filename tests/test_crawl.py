"""Every demo staff account follows the links it is shown, in Kazakh, Russian and English.

The other page tests fetch pages they know about, in states they built on purpose.  This one asks what
they cannot: is there a page a member of staff reaches by clicking that answers with a server error,
or that refuses them (a page must not link to what its reader may not open)?

It builds a demo over the whole shipped catalog (every office and account ``build_directory`` makes)
with cases in every state: open, issued, refused, acceptance-refused, registries both ways, a returned
registry line, claimed tasks, a result kept for storage and one being sent back.  Each account signs in,
switches the language the way the header's switcher does (a POST to ``set_language``, which sets the
language cookie) and crawls breadth-first from /staff/, GET only: the ``<a href>`` links, the GET forms
(with each option of their selects) and the htmx ``hx-get`` requests under /staff/, deduplicated by
path and query, capped per account so the module stays fast.  Each account crawls in one language (they
take turns, so every language is crawled by a third of the accounts, of every kind of office) and every
office is crawled in all three.  On top of the crawl each account opens every case of its own office
once, by address and in another language, to reach the states the capped crawl skips.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from qyzmet.cases import workflow
from qyzmet.cases.access import Actor, NotFound, actor_for, visible_cases
from qyzmet.cases.models import Case, Registry, RegistryItem, Task
from qyzmet.cases.services import sync_catalog
from qyzmet.core.calendar import ALMATY
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD, DemoDirectory, run_demo

pytestmark = pytest.mark.django_db

LANGUAGES = ("kk", "ru", "en")
NOW = dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)  # the instant conftest's clock fixture starts at
CASES = 60  # about one application per route of the catalog, half of them left open
MAX_PAGES = 60  # per account and language
MAX_PER_VIEW = 5  # pages of one view (case pages, receipts, registries...) per account and language
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The pages every crawl must have reached between them: each kind of staff page a GET link leads to.
VIEWS = ("staff:inbox", "staff:cases", "staff:case", "staff:receipt", "staff:intake", "staff:intake-form",
         "staff:intake-iin", "staff:intake-checklist", "staff:registries", "staff:registry")


# --- the demo -------------------------------------------------------------------------------------

class Staff:
    """The demo accounts as workflow actors, to put cases into the states the simulated run misses."""

    def __init__(self) -> None:
        self.actors: dict[str, Actor] = {}

    def __call__(self, username: str) -> Actor:
        if username not in self.actors:
            found = actor_for(get_user_model().objects.get(username=username))
            assert found is not None, username
            self.actors[username] = found
        return self.actors[username]

    def step(self, case: Case, username: str, at: dt.datetime, **done) -> Case:
        task = Task.objects.get(case=case, closed_at__isnull=True)
        return workflow.complete(self(username), task.pk, workflow.Completion(**done), at)


def _technical_aids(staff: Staff, serial: int, at: dt.datetime, *, documents: int | None = None) -> Case:
    reg = shipped_catalog().get("mlsp-2021/technical-aids")
    return workflow.intake(staff("mlsp-2021-psc.psc-hall-inspector"), workflow.Application(
        regulation=reg.id, iin=make_iin(dt.date(1961, 4, 1 + serial), "male", 500 + serial),
        category="disabled-person", documents=reg.category("disabled-person").documents[:documents],
        name="Ұлан Оспанов"), at)


def _extra_states(directory: DemoDirectory) -> None:
    """What the simulated run may not reach with a small number of cases: results kept for storage (one
    asked back), a returned registry line sent again, a refusal and a refused acceptance, claimed tasks."""
    staff = Staff()
    psc, dept = "mlsp-2021-psc", "mlsp-2021-provider"
    at = NOW - dt.timedelta(days=60)
    kept = []
    for serial in range(2):
        case = _technical_aids(staff, serial, at)
        for username, done in ((f"{psc}.psc-hall-inspector", {}), (f"{dept}.head", {"decision": "positive"}),
                               (f"{dept}.specialist", {}), (f"{psc}.psc-issuance-inspector", {})):
            case = staff.step(case, username, at, **done)
        kept.append(case)
    assert len(workflow.sweep_uncollected(NOW - dt.timedelta(days=10))) >= 2
    workflow.request_result(staff(f"{psc}.psc-issuance-inspector"), kept[0].pk, NOW - dt.timedelta(days=1))

    at = NOW - dt.timedelta(days=3)
    refused = staff.step(_technical_aids(staff, 2, at), f"{psc}.psc-hall-inspector", at)
    staff.step(refused, f"{dept}.head", at, decision="refusal", grounds=("unreliable-documents",),
               reason="the certificate was issued to another person")
    incomplete = _technical_aids(staff, 3, at, documents=1)
    task = Task.objects.get(case=incomplete, closed_at__isnull=True)
    workflow.refuse_acceptance(staff(f"{psc}.psc-hall-inspector"), task.pk, "incomplete-package", "", at)

    psc, dept = "aktogay-2013-psc", "aktogay-2013-provider"
    at = NOW - dt.timedelta(days=2)
    case = workflow.intake(staff(f"{psc}.psc-consultant"), workflow.Application(
        regulation="aktogay-2013/prosthetic-docs", iin=make_iin(dt.date(1970, 5, 5), "female", 41),
        category="general-disease", name="Жанар Үсенова", documents=("application", "id-copy", "irp-extract")), at)
    case = staff.step(case, f"{psc}.psc-consultant", at)
    case = staff.step(case, f"{psc}.psc-hall-inspector", at)
    task = Task.objects.get(case=case, closed_at__isnull=True)
    registry = workflow.dispatch(staff(f"{psc}.psc-accumulation-specialist"), [task.pk], at)
    workflow.return_item(staff(f"{dept}.records-specialist"), registry.items.get().pk, "the copy is not certified",
                         at + dt.timedelta(hours=1))
    task = Task.objects.get(case=case, closed_at__isnull=True)  # sent again, not yet taken over
    workflow.dispatch(staff(f"{psc}.psc-accumulation-specialist"), [task.pk], at + dt.timedelta(hours=2))

    claimed: set[int] = set()  # one task taken in each office
    for task in Task.objects.filter(closed_at__isnull=True, purpose="step").order_by("id"):
        user = directory.users.get((task.office_id, task.role))
        if user is not None and task.office_id not in claimed:
            workflow.claim(staff(user.username), task.pk, NOW - dt.timedelta(hours=1))
            claimed.add(task.office_id)


@dataclass(frozen=True)
class Demo:
    logins: tuple[tuple[str, str, str], ...]  # (username, office, role)
    states: Counter  # case statuses, "outcome:*", registry directions, open task purposes, ...


def _describe(directory: DemoDirectory) -> Demo:
    states: Counter = Counter(Case.objects.values_list("status", flat=True))
    states.update(f"outcome:{o}" for o in Case.objects.exclude(outcome="").values_list("outcome", flat=True))
    states.update(f"registry:{d}" for d in Registry.objects.values_list("direction", flat=True))
    states.update(f"item:{s}" for s in RegistryItem.objects.values_list("state", flat=True))
    open_tasks = Task.objects.filter(closed_at__isnull=True)
    states.update(f"task:{p}" for p in open_tasks.values_list("purpose", flat=True))
    states["task:claimed"] = open_tasks.filter(claimed_by__isnull=False).count()
    return Demo(tuple(directory.logins), states)


# --- the crawl ------------------------------------------------------------------------------------

@dataclass
class Field:
    name: str
    values: list[str]  # what the user can send: an input's value, each option of a select
    hx_get: str | None  # htmx fetches this with the field's value when it changes


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)

    def queries(self) -> list[str]:
        """The form sent as it stands, and once with each other option of each select."""
        chosen = {f.name: f.values[0] for f in self.fields if f.values}
        sent = [urlencode(chosen)]
        for f in self.fields:
            sent += [urlencode({**chosen, f.name: value}) for value in f.values[1:]]
        return sent


class Page(HTMLParser):
    """What a user can do on a page without sending a POST: its links, its GET forms with every option
    of their selects, and the htmx ``hx-get`` requests its fields make as they are used; also the
    page's language and whether it has a heading."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.links: list[tuple[str, bool]] = []  # (URL, an htmx fragment)
        self.lang: str | None = None
        self.h1 = False
        self._form: Form | None = None
        self._select: Field | None = None

    def _field(self, item: Field) -> None:
        if self._form is not None:
            self._form.fields.append(item)
        if item.hx_get:
            self.links += [(f"{item.hx_get}?{urlencode({item.name: v})}", True) for v in item.values]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        name, hx_get = values.get("name"), values.get("hx-get")
        if tag == "html":
            self.lang = values.get("lang")
        elif tag == "h1":
            self.h1 = True
        elif tag == "a" and values.get("href"):
            self.links.append((values["href"], False))
        elif tag == "form" and values.get("method", "get").lower() == "get":
            self._form = Form(values.get("action", ""))
        elif tag == "select" and name:
            self._select = Field(name, [], hx_get)
            return
        elif tag == "option" and self._select is not None:
            self._select.values.append(values.get("value", ""))
        elif tag in ("input", "textarea") and name and values.get("type") not in ("submit", "button"):
            if values.get("type") not in ("checkbox", "radio") or "checked" in values:
                self._field(Field(name, [values.get("value", "")], hx_get))
            return
        if hx_get:
            self.links.append((hx_get, True))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            self._field(self._select)
            self._select = None
        elif tag == "form" and self._form is not None:
            action = urljoin(self.url, self._form.action).split("?")[0]
            self.links += [(f"{action}?{query}", False) for query in self._form.queries()]
            self._form = None


@dataclass(frozen=True)
class Failure:
    username: str
    lang: str
    url: str
    status: int
    why: str
    found_on: str  # the page that linked to it; "" when opened by address

    def __str__(self) -> str:
        where = f", linked from {self.found_on}" if self.found_on else ", opened by address"
        return f"{self.username} [{self.lang}] GET {self.url} -> {self.status}: {self.why}{where}"


@dataclass
class Crawl:
    pages: Counter = field(default_factory=Counter)  # (username, lang) -> pages the crawl fetched
    views: Counter = field(default_factory=Counter)  # view name -> pages fetched, all crawls
    by_address: int = 0  # case pages opened by address, not by a link
    office_cases: dict[str, int] = field(default_factory=dict)  # username -> cases of the office, all opened
    failures: list[Failure] = field(default_factory=list)


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _why(response: HttpResponse) -> str:
    exc_info = getattr(response, "exc_info", None)  # what the view raised, kept by the test client
    if exc_info:
        return f"{exc_info[0].__name__}: {exc_info[1]}"
    if 300 <= response.status_code < 400:
        return f"redirects to {response['Location']}"
    return "server error" if response.status_code >= 500 else "refused"


def _read(url: str, response: HttpResponse, fragment: bool) -> tuple[str, Page | None]:
    """What is wrong with a page reached by a link ("" if nothing), and the page."""
    if response.status_code != 200:
        return _why(response), None
    if not response["Content-Type"].startswith("text/html"):
        return "", None
    body = response.content.decode()
    if not body.strip():
        return "an empty page", None
    page = Page(url)
    page.feed(body)
    if not fragment and not page.h1:
        return "a page without a heading", page
    return "", page


def signed_in(username: str, lang: str) -> Client:
    client = Client(raise_request_exception=False)  # a server error is a response to report, not a crash
    assert client.login(username=username, password=DEMO_PASSWORD), username
    # As the header's language switcher does it: a POST to set_language, which sets the language cookie.
    switched = client.post(reverse("set_language"), {"language": lang, "next": reverse("staff:inbox")})
    assert switched.status_code == 302, (username, lang, switched.status_code)
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == lang, (username, lang)
    return client


def crawl(client: Client, username: str, lang: str, out: Crawl) -> set[str]:
    """Breadth-first from /staff/ over the links under /staff/; the URLs fetched."""
    start = reverse("staff:inbox")
    # (url, the page linking to it, an htmx fragment); the switcher sends the account to its inbox.
    queue: deque[tuple[str, str, bool]] = deque([(start, "the language switcher", False)])
    seen = {(start, False)}  # a page and the htmx fragment of the same address are different answers
    fetched: list[str] = []
    per_view: Counter = Counter()
    while queue and len(fetched) < MAX_PAGES:
        url, found_on, fragment = queue.popleft()
        view = _view_name(urlsplit(url).path)
        if per_view[view] >= MAX_PER_VIEW:
            continue
        per_view[view] += 1
        out.views[view] += 1
        fetched.append(url)
        response = client.get(url, headers={"HX-Request": "true"} if fragment else {})
        problem, page = _read(url, response, fragment)
        if problem:
            out.failures.append(Failure(username, lang, url, response.status_code, problem, found_on))
        if page is None:
            continue
        if url == start and page.lang != lang:
            out.failures.append(Failure(username, lang, url, response.status_code,
                                        f"the page is in {page.lang!r} after switching to {lang!r}", found_on))
        for href, is_fragment in page.links:
            parts = urlsplit(urljoin(url, href))  # the pagination's links are relative ("?page=2")
            if parts.scheme or parts.netloc or not parts.path.startswith("/staff/"):
                continue  # the citizen pages and sign-out are not the staff workspace
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if (link, is_fragment) not in seen:
                seen.add((link, is_fragment))
                queue.append((link, url, is_fragment))
    out.pages[(username, lang)] = len(fetched)
    return set(fetched)


def open_every_case(client: Client, username: str, lang: str, out: Crawl, skip: set[str]) -> None:
    """Each case of the account's own office by its address, but those its crawl already opened."""
    actor = actor_for(get_user_model().objects.get(username=username))
    assert actor is not None
    cases = list(visible_cases(actor).order_by("id").values_list("pk", flat=True))
    out.office_cases[username] = len(cases)
    for pk in cases:
        url = reverse("staff:case", args=[pk])
        if url in skip:
            continue
        response = client.get(url)
        out.by_address += 1
        if response.status_code != 200:
            out.failures.append(Failure(username, lang, url, response.status_code, _why(response), ""))


def crawl_everything(logins: tuple[tuple[str, str, str], ...]) -> Crawl:
    out = Crawl()
    crawled: dict[str, set[str]] = {}  # office -> languages its accounts crawled in
    for n, (username, office, _role) in enumerate(logins):
        lang = LANGUAGES[n % len(LANGUAGES)]
        fetched = crawl(signed_in(username, lang), username, lang, out)
        crawled.setdefault(office, set()).add(lang)
        # The cases by address in the next language, so an account sees two of the three.
        other = LANGUAGES[(n + 1) % len(LANGUAGES)]
        open_every_case(signed_in(username, other), username, other, out, fetched)
    # Offices with fewer than three accounts: their first account crawls in the languages left.
    for username, office, _role in logins:
        for lang in LANGUAGES:
            if lang not in crawled[office]:
                crawl(signed_in(username, lang), username, lang, out)
                crawled[office].add(lang)
    return out


@dataclass(frozen=True)
class Results:
    demo: Demo
    crawl: Crawl


@pytest.fixture(scope="module")
def results(django_db_setup, django_db_blocker) -> Iterator[Results]:
    # One demo for the module, rolled back after; the accounts' passwords use the fast hasher, and the
    # clock stands still, as conftest's clock fixture does for a single test.
    with (django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic(),
          pytest.MonkeyPatch.context() as patch):
        patch.setattr(timezone, "now", lambda: NOW)
        sync_catalog()
        regulations = sorted(shipped_catalog().regulations, key=lambda r: r.id)
        directory = run_demo(regulations, CASES, seed=11, open_ratio=0.5, until=NOW, days=60)
        _extra_states(directory)
        demo = _describe(directory)
        out = Results(demo, crawl_everything(demo.logins))
        transaction.set_rollback(True)
    yield out


# --- the checks -----------------------------------------------------------------------------------

def _report(failures: list[Failure]) -> str:
    return f"{len(failures)} failure(s):\n" + "\n".join(f"  {f}" for f in failures[:50])


def test_the_demo_has_cases_in_every_state(results: Results):
    states = results.demo.states
    for state in ("submitted", "in-progress", "issued", "acceptance-refused", "outcome:positive",
                  "outcome:refusal", "registry:to-provider", "registry:to-psc", "item:sent", "item:acknowledged",
                  "item:returned", "task:step", "task:storage", "task:retrieval", "task:claimed"):
        assert states[state] >= 1, (state, states)


def test_every_account_crawls_and_every_office_in_every_language(results: Results):
    crawl = results.crawl
    offices: dict[str, set[str]] = {}
    for username, lang in crawl.pages:
        offices.setdefault(username.split(".")[0], set()).add(lang)
    assert {u for u, _ in crawl.pages} == {u for u, _, _ in results.demo.logins}
    assert all(langs == set(LANGUAGES) for langs in offices.values()), offices
    for lang in LANGUAGES:
        roles = {u.split(".")[1] for u, crawled in crawl.pages if crawled == lang}
        assert len(roles) >= 10, (lang, roles)
    assert all(n >= 5 for n in crawl.pages.values()), crawl.pages  # past the menu: its four pages and a case
    for view in VIEWS:
        assert crawl.views[view] > 0, (view, crawl.views)
    assert set(crawl.office_cases) == {u for u, _, _ in results.demo.logins}
    assert all(n > 0 for n in crawl.office_cases.values()), crawl.office_cases
    assert crawl.by_address > 0  # the crawls' caps left cases out: the sweep is not idle


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_link_leads_to_a_server_error(results: Results, lang: str):
    failures = [f for f in results.crawl.failures if f.lang == lang and f.found_on and f.status >= 500]
    assert not failures, _report(failures)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_link_opens_for_the_account_it_is_shown_to(results: Results, lang: str):
    # 403 or 404 behind a link, a redirect (to the sign-in, or back with an error), an empty page.
    failures = [f for f in results.crawl.failures if f.lang == lang and f.found_on and f.status < 500]
    assert not failures, _report(failures)


def test_every_case_of_the_own_office_opens(results: Results):
    failures = [f for f in results.crawl.failures if not f.found_on]
    assert not failures, _report(failures)


def test_the_crawl_names_the_account_language_page_and_status_of_what_fails(demo_offices, clock, monkeypatch):
    """The crawler itself: a page that raises and a link that is refused are both reported."""
    psc = "aktogay-2013-psc"
    staff = Staff()
    case = workflow.intake(staff(f"{psc}.psc-consultant"), workflow.Application(
        regulation="aktogay-2013/prosthetic-docs", iin=make_iin(dt.date(1980, 1, 2), "male", 7),
        category="general-disease", name="Ерлан Төлеуов"), clock())

    def broken(actor):
        raise RuntimeError("the offers are broken")

    def hidden(actor, **kwargs):
        raise NotFound("no such case in your office")

    monkeypatch.setattr(workflow, "offers", broken)
    monkeypatch.setattr("qyzmet.web.staff.case_for", hidden)
    out = Crawl()
    crawl(signed_in(f"{psc}.psc-consultant", "en"), f"{psc}.psc-consultant", "en", out)
    reported = {str(f) for f in out.failures}
    assert (f"{psc}.psc-consultant [en] GET /staff/intake/ -> 500: RuntimeError: the offers are broken, "
            f"linked from /staff/") in reported
    assert (f"{psc}.psc-consultant [en] GET /staff/cases/{case.pk}/ -> 404: refused, linked from /staff/"
            in reported), reported
