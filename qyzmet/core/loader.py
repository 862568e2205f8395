"""Reading regulation files: YAML → :class:`Regulation`, with errors that name file, line and field.

The catalog lives in ``qyzmet/regulations/<id>.yaml`` (``<id>`` is e.g. ``aktogay-2013/prosthetic-docs``);
a later version of the same regulation is ``<id>.v2.yaml``.  The content hash pins a case to
exactly the regulation text it was decided under: it is taken over the parsed data, so comments
and layout can change without making running cases look orphaned.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from qyzmet.core.regulation import Regulation

# QYZMET_CATALOG points the whole system at another catalog folder (a draft catalog under review).
CATALOG_ROOT = Path(os.environ.get("QYZMET_CATALOG") or Path(__file__).resolve().parent.parent / "regulations")
_VERSION_SUFFIX = re.compile(r"^(?P<stem>.+)\.v(?P<version>\d+)$")

LinePath = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadProblem:
    """One reason a file could not be loaded."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class RegulationLoadError(Exception):
    """A regulation file that cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: list[LoadProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def field_path(loc: Iterable[str | int]) -> str:
    """``('routes', 'main', 'steps', 2, 'duration')`` → ``routes.main.steps[2].duration``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _line_index(node: yaml.Node, path: LinePath, index: dict[LinePath, int], dupes: list) -> None:
    """Record the line of every mapping key and sequence item; note duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dupes.append(((*path, key), key_node.start_mark.line + 1))
            seen.add(key)
            index[(*path, key)] = key_node.start_mark.line + 1
            _line_index(value_node, (*path, key), index, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index[(*path, i)] = item.start_mark.line + 1
            _line_index(item, (*path, i), index, dupes)


def _nearest_line(index: dict[LinePath, int], loc: LinePath) -> int | None:
    for end in range(len(loc), 0, -1):
        line = index.get(tuple(loc[:end]))
        if line:
            return line
    return None


def expected_id(path: Path, root: Path | None) -> tuple[str | None, int | None]:
    """The id and version a catalog file's location implies (None outside the catalog)."""
    stem = path.with_suffix("")
    version = None
    match = _VERSION_SUFFIX.match(stem.name)
    if match:
        stem = stem.with_name(match.group("stem"))
        version = int(match.group("version"))
    if root is None:
        return None, version
    try:
        rel = stem.resolve().relative_to(root.resolve())
    except ValueError:
        return None, version
    return rel.as_posix(), version


def content_hash(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_text(text: str, file: str = "<string>", *, path: Path | None = None,
              root: Path | None = None) -> Regulation:
    """Validate one regulation's YAML text.  Raises :class:`RegulationLoadError`."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RegulationLoadError([LoadProblem(file, line, "", f"not valid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        raise RegulationLoadError([LoadProblem(file, 1, "", "a regulation file must be a YAML mapping")])

    index: dict[LinePath, int] = {}
    dupes: list[tuple[LinePath, int]] = []
    _line_index(node, (), index, dupes)
    problems = [LoadProblem(file, line, field_path(p), "duplicate key") for p, line in dupes]

    try:
        regulation = Regulation.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            elif err["type"] == "missing":
                msg = "required field is missing"
            msg = msg.removeprefix("Value error, ")
            problems.append(LoadProblem(file, _nearest_line(index, loc), field_path(loc), msg))
        raise RegulationLoadError(problems) from None

    if path is not None and root is not None:
        want_id, want_version = expected_id(path, root)
        if want_id is not None and regulation.id != want_id:
            problems.append(LoadProblem(file, index.get(("id",)), "id",
                                        f"is {regulation.id!r} but the file's place in the catalog "
                                        f"makes it {want_id!r}"))
        if want_version is not None and regulation.version != want_version:
            problems.append(LoadProblem(file, index.get(("version",)), "version",
                                        f"is {regulation.version} but the file name says v{want_version}"))
    if problems:
        raise RegulationLoadError(problems)
    return regulation.model_copy(update={"source_path": file, "content_hash": content_hash(data)})


def load_file(path: Path | str, root: Path | None = CATALOG_ROOT) -> Regulation:
    path = Path(path)
    display = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RegulationLoadError([LoadProblem(display, None, "", f"cannot read: {reason}")]) from None
    return load_text(text, display, path=path, root=root)


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def regulation_files(root: Path = CATALOG_ROOT) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


@dataclass(frozen=True)
class Catalog:
    """All shipped regulations; ``get(id)`` gives the newest version."""

    regulations: tuple[Regulation, ...]

    def ids(self) -> list[str]:
        return sorted({r.id for r in self.regulations})

    def get(self, reg_id: str, version: int | None = None) -> Regulation:
        versions = [r for r in self.regulations if r.id == reg_id]
        if not versions:
            raise KeyError(f"unknown regulation {reg_id!r}; known: {', '.join(self.ids())}")
        if version is None:
            return max(versions, key=lambda r: r.version)
        for r in versions:
            if r.version == version:
                return r
        raise KeyError(f"regulation {reg_id!r} has no version {version}")

    def find(self, reg_id: str, version: int, content_hash: str) -> Regulation | None:
        """The exact regulation a case was pinned to, if it is still in the catalog."""
        for r in self.regulations:
            if r.id == reg_id and r.version == version and r.content_hash == content_hash:
                return r
        return None


def load_catalog(root: Path = CATALOG_ROOT) -> Catalog:
    """Load every file; raises one :class:`RegulationLoadError` listing all broken files."""
    regulations: list[Regulation] = []
    problems: list[LoadProblem] = []
    for path in regulation_files(root):
        try:
            regulations.append(load_file(path, root))
        except RegulationLoadError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RegulationLoadError(problems)
    return Catalog(tuple(regulations))


@lru_cache(maxsize=1)
def shipped_catalog() -> Catalog:
    """The catalog shipped with the package, loaded once per process."""
    return load_catalog(CATALOG_ROOT)
