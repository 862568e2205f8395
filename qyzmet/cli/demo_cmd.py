"""``qyzmet demo``: a fresh database, the catalog, a demo directory and N simulated applications."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from qyzmet.cli.common import UsageError, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run synthetic applications through every route; print compliance")
    p.add_argument("--cases", type=int, default=300, help="number of applications (default 300)")
    p.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same run")
    p.add_argument("--db", type=Path, default=None,
                   help="SQLite file to create afresh (default: $QYZMET_HOME/demo.sqlite3, ./var without it)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def default_demo_db() -> Path:
    import os

    return Path(os.environ.get("QYZMET_HOME", Path.cwd() / "var")).resolve() / "demo.sqlite3"


def fresh_database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


class ProgressBar:
    """A one-line bar on stderr; silent when stderr is not a terminal except for the final line."""

    def __init__(self, label: str, width: int = 30):
        self.label, self.width = label, width
        self.tty = sys.stderr.isatty()
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        if not self.tty and done != total:
            return
        filled = self.width * done // max(total, 1)
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} "
                         f"({rate:.0f}/s){end}")
        sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    if args.cases < 1:
        raise UsageError("--cases must be at least 1")
    from qyzmet.core.loader import RegulationLoadError, shipped_catalog

    try:
        regulations = sorted(shipped_catalog().regulations, key=lambda r: r.id)
    except RegulationLoadError as exc:
        raise UsageError(f"the catalog cannot be loaded:\n{exc}") from None
    db = (args.db or default_demo_db()).resolve()
    fresh_database(db)
    from qyzmet.cli import django_setup

    django_setup.setup(db)
    django_setup.migrate()
    from qyzmet import demo

    started = time.perf_counter()
    sms_file = db.with_name(db.stem + "-sms-sent.jsonl")
    sms_file.unlink(missing_ok=True)
    directory = demo.run_demo(regulations, args.cases, args.seed, progress=ProgressBar("applications"),
                              with_users=False, sms_file=sms_file)
    elapsed = time.perf_counter() - started
    rows = demo.compliance()
    sms = directory.sms
    documents = demo.documents_issued()
    if args.format == "json":
        print_json({"database": str(db), "cases": args.cases, "seed": args.seed, "seconds": round(elapsed, 2),
                    "rows": [r.__dict__ for r in rows], "sms": {**sms, "file": str(sms_file)},
                    "documents": documents, "proactive": dict(directory.proactive),
                    "portal": dict(directory.portal)})
        return 0
    print_table(rows)
    print(f"\n{args.cases} applications in {elapsed:.1f} s; database: {db}")
    print(f"SMS: {sms['queued']} queued, {sms['sent']} sent through the file gateway ({sms_file}), "
          f"{sms['invalid_number']} not sent (invalid number)")
    kinds = ", ".join(f"{n} {form}" for form, n in sorted(documents["by_form"].items(), key=lambda kv: -kv[1])[:6])
    print(f"Documents: {documents['total']} PDFs issued, signed and stored ({kinds}, …)")
    if directory.proactive:
        fates = ", ".join(f"{n} {fate}" for fate, n in sorted(directory.proactive.items()))
        print(f"Proactive requests (IPR data → SMS with codes → answer): {fates}")
    if directory.portal:
        states = ", ".join(f"{n} {state}" for state, n in sorted(directory.portal.items()))
        print(f"Social Services Portal (queue → contract → order → journal, act, payment): {states}")
    return 0


def print_table(rows) -> None:
    headers = ("regulation", "route", "cases", "in term", "overdue", "no term", "refused", "acc.refused",
               "req.closed", "open", "late steps")
    data = [(r.regulation, r.route, r.cases, r.in_term, r.overdue, r.no_term, r.refused, r.acceptance_refused,
             r.request_closed, r.open, r.late_steps) for r in rows]
    totals = ("total", "", *(sum(row[i] for row in data) for i in range(2, len(headers))))
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *data, totals, strict=True)]

    def line(cells) -> str:
        return "  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w) for i, (c, w) in
                         enumerate(zip(cells, widths, strict=True)))

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in data:
        print(line(row))
    print("  ".join("-" * w for w in widths))
    print(line(totals))
