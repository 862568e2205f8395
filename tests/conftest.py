from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from qyzmet.core.loader import CATALOG_ROOT, load_file

AKTOGAY = CATALOG_ROOT / "aktogay-2013" / "prosthetic-docs.yaml"
ALMATY_UNEMPLOYED = CATALOG_ROOT / "almaty-2012" / "unemployed-registration.yaml"


@pytest.fixture(scope="session")
def aktogay():
    return load_file(AKTOGAY)


@pytest.fixture(scope="session")
def almaty():
    return load_file(ALMATY_UNEMPLOYED)


@pytest.fixture
def tmp_catalog(tmp_path: Path) -> Path:
    root = tmp_path / "regs"
    root.mkdir()
    return root


@pytest.fixture(autouse=True)
def _fresh_calendar_exception_cache():
    """A test's rolled-back CalendarException rows must not live on in the in-process cache."""
    yield
    import sys

    models = sys.modules.get("qyzmet.directory.models")
    if models is not None:
        models._cache.clear()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code called directly (the workflow, the engine) speaks the active language; a page fetched by an
    earlier test leaves its language active in this thread.  Each test starts in English, the source
    language; pages still choose their own from the cookie."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_django_cache():
    """Counters kept in Django's cache (failed citizen lookups) start from zero in every test."""
    from django.core.cache import cache

    # A test without database access cannot touch the cache either: it is a database table.
    with contextlib.suppress(RuntimeError):
        cache.clear()
    yield


# --- the JSON API: a demo directory, a fixed clock, and a client per staff account -------------------


class Clock:
    """A clock the test moves by hand, so terms and urgency do not depend on the day the tests run."""

    def __init__(self, start):
        self.at = start

    def __call__(self):
        return self.at

    def advance(self, minutes: int = 0, days: int = 0) -> None:
        import datetime as dt

        self.at += dt.timedelta(minutes=minutes, days=days)


@pytest.fixture
def clock(monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from qyzmet.core.calendar import ALMATY

    fixed = Clock(dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY))
    monkeypatch.setattr(timezone, "now", fixed)
    return fixed


@pytest.fixture
def demo_offices(db, settings):
    """The offices and one account per role of three acts (``<office>.<role>``), as the demo builds them."""
    # The demo sets a password on each of its ~60 accounts; the real hasher would spend 10-15 s on that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from qyzmet.cases.services import sync_catalog
    from qyzmet.core.loader import shipped_catalog
    from qyzmet.demo import build_directory

    sync_catalog()
    acts = ("aktogay-2013/", "ulytau-2012/", "mlsp-2021/")
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith(acts)]).offices


class ApiClient:
    """Django's test client speaking JSON to /api/v1 with one user's bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body=None, *, key: str | None = None, raw: str | None = None):
        import json

        headers = dict(self.headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.post(f"/api/v1{path}", data=data, content_type="application/json", headers=headers)


@pytest.fixture
def api_client_of():
    """``api_client_of("<office>.<role>")``: a JSON client with a fresh token of that account (any directory)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from qyzmet.api.tokens import create_token

    def make(username: str) -> ApiClient:
        _, raw = create_token(get_user_model().objects.get(username=username), "tests")
        return ApiClient(Client(), raw)

    return make


@pytest.fixture
def api_as(demo_offices, clock, api_client_of):
    """``api_as("aktogay-2013-psc.psc-consultant")``: a client with a fresh token of that account."""
    return api_client_of


@pytest.fixture
def anonymous():
    from django.test import Client

    return ApiClient(Client(), None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo directory sets ~60 passwords; the production hasher would spend seconds per test on them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
