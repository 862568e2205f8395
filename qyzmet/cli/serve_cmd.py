"""``qyzmet serve [--demo] [--port 8000]``: the web server (Django admin, /healthz) on waitress."""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path

from qyzmet.cli.common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web server (admin at /admin/, health at /healthz)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--demo", action="store_true",
                   help="start on a fresh demo database with offices, one account per role and demo cases")
    p.add_argument("--cases", type=int, default=300, help="demo cases to create with --demo (default 300)")
    p.add_argument("--threads", type=int, default=8)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a TCP port")
    from qyzmet.cli import django_setup

    db: Path | None = None
    if args.demo:
        from qyzmet.cli.demo_cmd import default_demo_db, fresh_database

        db = default_demo_db().with_name("serve-demo.sqlite3")
        fresh_database(db)
    django_setup.setup(db)
    django_setup.migrate()
    from qyzmet.cases.services import sync_catalog

    sync_catalog()
    if args.demo:
        _demo(args.cases)
    from waitress import serve

    from qyzmet.wsgi import application

    print(f"Qyzmet on http://{args.host}:{args.port}/  (admin: /admin/, health: /healthz); Ctrl+C stops")
    serve(application, host=args.host, port=args.port, threads=args.threads, ident="qyzmet")
    return 0


def _demo(cases: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from qyzmet import demo
    from qyzmet.cli.demo_cmd import ProgressBar
    from qyzmet.core.loader import shipped_catalog

    regulations = sorted(shipped_catalog().regulations, key=lambda r: r.id)
    # Cases fall in the last weeks before now, so the inboxes hold on-track, at-risk and overdue work.
    directory = demo.run_demo(regulations, cases, seed=1, open_ratio=0.4, progress=ProgressBar("demo cases"),
                              until=timezone.now(), days=45)
    admin_password = secrets.token_urlsafe(9)
    get_user_model().objects.create_superuser("admin", password=admin_password)
    print(f"\nadmin login: admin / {admin_password}")
    print(f"staff logins (password {demo.DEMO_PASSWORD!r}), by office:")
    office = None
    for username, office_code, role in directory.logins:
        if office_code != office:
            office = office_code
            print(f"  {office_code}")
        print(f"    {username:<58} {role}")
    if directory.supplier_logins:
        print("supplier logins (same password; their orders at /portal/supplier/):")
        for username, supplier, service in directory.supplier_logins:
            print(f"    {username:<58} {supplier} — {service}")
    for w in directory.waiting[:3]:
        print(f"proactive request {w.case} ({w.service}) waits for an answer: at /proactive/answer/ give IIN {w.iin} "
              f"and {w.consent} to consent or {w.refusal} to refuse")
    print("walk one case: sign in at /login/ as aktogay-2013-psc.psc-consultant, open 'New application', then "
          "follow the case through the PSC and department roles; citizens look it up at /my-application")
