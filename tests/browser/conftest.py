"""Browser tests: Playwright (Python) driving Debian's Chromium, axe-core for WCAG checks, screenshots.

Nothing here downloads a browser: ``playwright install`` is never run.  Chromium comes from Debian
(``apt-get install chromium``) and axe-core from npm (``npm ci`` with the repository's package-lock.json).

Without either, a newcomer's ``pytest`` still passes: the browser tests are skipped, and the run ends
with one line that says what is missing and how to enable them.  ``QYZMET_BROWSER=required`` (set by
``.ci/run``) turns a missing browser or axe-core into a failure instead, so CI can never pass by
skipping them; ``QYZMET_SKIP_BROWSER=1`` skips them on purpose.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop in this thread, and Django then refuses ORM calls
# from it (SynchronousOnlyOperation) although nothing runs concurrently.  Django's documented switch;
# it only lifts the check, tests still run one at a time.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
BROWSER_TESTS = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("QYZMET_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
SKIP = os.environ.get("QYZMET_SKIP_BROWSER") == "1"
REQUIRED = os.environ.get("QYZMET_BROWSER") == "required"
ENABLE = "apt-get install -y chromium && npm ci"
LANGUAGE_COOKIE = "qyzmet_language"  # settings.LANGUAGE_COOKIE_NAME

# Without the background-networking switches Chromium keeps calling Google services; on a machine with
# no route out it then stalls and floods the log.  --no-sandbox: CI runs as root in a container.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def missing_tools() -> list[str]:
    """What the browser tests need and this machine lacks, each with how to install it."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; never `playwright install`)")
    if not AXE.exists():
        missing.append(f"axe-core not found at {AXE.relative_to(ROOT)} (npm ci, in the repository root)")
    return missing


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/browser is a browser test: ``-m browser`` / ``-m 'not browser'``.

    Missing tools skip them with the reason, unless CI requires them (then the ``browser`` fixture fails).
    """
    browser_items = [item for item in items if BROWSER_TESTS in item.path.parents]
    missing = missing_tools()
    reason = "QYZMET_SKIP_BROWSER=1" if SKIP else "; ".join(missing)
    skip = (SKIP or missing) and not REQUIRED
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
        if skip:
            item.add_marker(pytest.mark.skip(reason=reason))
    if skip:
        config.stash[_SKIP_REASON] = reason


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    """One line, however many browser tests were skipped: why, and how to run them."""
    reason = config.stash.get(_SKIP_REASON, None)
    count = sum(1 for report in terminalreporter.stats.get("skipped", [])
                if report.nodeid.startswith("tests/browser/"))
    if reason is None or not count:
        return
    how = "unset QYZMET_SKIP_BROWSER" if SKIP else ENABLE
    terminalreporter.write_line(f"browser tests: {count} skipped — {reason}. To run them: {how}", yellow=True)


_SKIP_REASON = pytest.StashKey[str]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium per test module; closed with the module so the Playwright loop ends too."""
    missing = missing_tools()
    if missing:  # only reached when QYZMET_BROWSER=required: a skip would let CI pass without them
        pytest.fail("QYZMET_BROWSER=required, but " + "; ".join(missing), pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser, live_server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB",
                                  timezone_id="Asia/Almaty")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    if request.node.stash.get(_FAILED, False):
        _save_screenshot(tab, request.node.name, "failure")
    context.close()


def _save_screenshot(tab, test_name: str, label: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # "test_x[kk]" + "errors" → "test_x-kk-errors.png"
    name = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{test_name}-{label}")).strip("-")
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(request: pytest.FixtureRequest, page) -> Callable[[str], Path]:
    """``screenshot("errors")`` saves test-artifacts/screenshots/<test-name>-errors.png (full page)."""
    return lambda label: _save_screenshot(page, request.node.name, label)


@pytest.fixture
def visit(page, live_server) -> Callable[..., object]:
    """``visit("/my-application", lang="ru")``: open a page of the live server in a language."""

    def go(path: str, lang: str | None = None):
        if lang is not None:
            page.context.add_cookies([{"name": LANGUAGE_COOKIE, "value": lang, "url": live_server.url}])
        page.goto(live_server.url + path)
        return page

    return go


def format_violations(violations: list[dict], where: str) -> str:
    lines = [f"axe-core: {len(violations)} WCAG 2.1 A/AA violation(s) on {where}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  {v['helpUrl']}")
        for node in v["nodes"][:10]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            if node.get("summary"):
                lines += [f"      {line}" for line in node["summary"].splitlines()]
    return "\n".join(lines)


_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
  }));
}"""


@pytest.fixture
def assert_accessible(page) -> Callable[[str], None]:
    """Run axe-core on the current page; fail with a readable list of WCAG 2.1 A/AA violations."""

    def check(label: str = "") -> None:
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(_RUN_AXE, WCAG_TAGS)
        if violations:
            pytest.fail(format_violations(violations, f"{page.url} {label}".strip()), pytrace=False)

    return check
