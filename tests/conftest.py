from __future__ import annotations

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
