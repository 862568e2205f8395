"""``qyzmet lint [PATH…] [--format json]``: the regulation consistency checker."""

from __future__ import annotations

import argparse
from pathlib import Path

from qyzmet.cli.common import print_json
from qyzmet.core.lint import Finding, lint
from qyzmet.core.loader import CATALOG_ROOT, RegulationLoadError, load_file, regulation_files
from qyzmet.recompute.in_force import version_findings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lint", help="check regulation files for consistency with their acts",
                       description="Exit 0: no errors (warnings allowed); 1: errors found; 2: a file "
                                   "cannot be read or loaded. Rules: docs/lint-rules.md")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="regulation files or folders (default: the shipped catalog)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def _files(paths: list[str]) -> tuple[list[Path], list[Finding]]:
    if not paths:
        return regulation_files(CATALOG_ROOT), []
    files: list[Path] = []
    missing: list[Finding] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(regulation_files(path))
        elif path.exists():
            files.append(path)
        else:
            missing.append(Finding(raw, "error", "unreadable", f"{raw}: no such file or folder", None))
    return files, missing


def run(args: argparse.Namespace) -> int:
    files, findings = _files(args.paths)
    unreadable = bool(findings)
    loaded: list = []
    for path in files:
        try:
            regulation = load_file(path)
        except RegulationLoadError as exc:
            unreadable = True
            for problem in exc.problems:
                where = f"{problem.field} (line {problem.line})" if problem.line else problem.field
                findings.append(Finding(problem.file, "error", "unreadable", str(problem), None, where))
            continue
        findings.extend(lint(regulation))
        loaded.append(regulation)
    # Across files: versions of one regulation id (qyzmet.recompute.in_force).
    findings.extend(version_findings(loaded))
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if args.format == "json":
        print_json({"findings": [f.as_dict() for f in findings],
                    "summary": {"files": len(files), "errors": errors, "warnings": warnings}})
    else:
        for f in findings:
            cite = f" [{f.cite}]" if f.cite else ""
            print(f"{f.regulation}: {f.severity}: {f.code}: {f.message}{cite}")
        print(f"{len(files)} file(s): {errors} error(s), {warnings} warning(s)")
    if unreadable:
        return 2
    return 1 if errors else 0
