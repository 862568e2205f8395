"""Helpers shared by the command modules."""

from __future__ import annotations

import json
import sys
from typing import Any


class UsageError(Exception):
    """Input the user gave cannot be used; printed as one line, exit code 2."""


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
