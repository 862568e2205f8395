"""Start Django from a command, optionally on a given SQLite file."""

from __future__ import annotations

import os
from pathlib import Path


def setup(database: Path | None = None) -> None:
    if database is not None:
        os.environ["QYZMET_DB"] = str(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qyzmet.settings")
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
