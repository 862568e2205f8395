"""``qyzmet documents``: render a regulation's papers with sample data, and verify a PDF against its record.

    qyzmet documents render mlsp-2021/sanatorium --sample -o out/        # every form, kk and ru
    qyzmet documents render aktogay-2013/prosthetic-docs --form talon --lang ru --sample -o out/
    qyzmet documents verify Q2026-0000012-talon-kk.pdf                   # exit 0 genuine, 1 not
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from qyzmet.cli.common import UsageError
from qyzmet.cli.timeline_cmd import load_regulation

SAMPLE_CODE = "SMPL-SMPL-SMPL-SMPL"  # not a code this alphabet can issue: a sample never verifies
_CODE = re.compile(rb"qyzmet-verification:([A-Z0-9-]{19})")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("documents", help="the papers the acts prescribe: render samples, verify a PDF")
    action = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    render = action.add_parser("render", help="render a regulation's forms into PDFs, one per form and language")
    render.add_argument("regulation", metavar="ID", help="a regulation id, e.g. aktogay-2013/prosthetic-docs")
    render.add_argument("--form", help="only this form (its code in the regulation)")
    render.add_argument("--lang", choices=("kk", "ru"), help="only this language (default: both)")
    render.add_argument("--sample", action="store_true", required=True,
                        help="fill the fields with invented data (the only source this command renders from)")
    render.add_argument("-o", "--output", required=True, type=Path, help="the folder the PDFs go into")
    render.set_defaults(func=run_render)
    verify = action.add_parser("verify", help="check a PDF against its stored record (exit 0 genuine, 1 not)")
    verify.add_argument("file", type=Path)
    verify.set_defaults(func=run_verify)


def run_render(args: argparse.Namespace) -> int:
    import datetime as dt

    from qyzmet.core.calendar import ALMATY
    from qyzmet.documents import pdf, plan
    from qyzmet.documents.compose import layout, sample_facts, verify_url
    from qyzmet.documents.facts import Facts

    reg = load_regulation(args.regulation)
    papers = plan.every_paper(reg)
    if args.form:
        papers = [p for p in papers if p.code == args.form]
        if not papers:
            known = ", ".join(p.code for p in plan.every_paper(reg)) or "none"
            raise UsageError(f"{reg.id} has no form {args.form!r} (forms: {known})")
    try:
        args.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {args.output}: {exc.strerror}") from None
    now = dt.datetime(2026, 3, 19, 10, 30, tzinfo=ALMATY)
    refusals = {r.code for r in reg.results if r.kind == "refusal"} | {plan.ACCEPTANCE_REFUSAL}
    for paper in papers:
        for lang in (args.lang,) if args.lang else ("kk", "ru"):
            facts: Facts = sample_facts(reg, lang, now, refusal=paper.code in refusals)
            page = layout(reg, paper, facts, SAMPLE_CODE, verify_url("http://localhost:8000", SAMPLE_CODE))
            path = args.output / f"{paper.code}-{lang}.pdf"
            path.write_bytes(pdf.render(page))
            print(path)
    return 0


def run_verify(args: argparse.Namespace) -> int:
    try:
        content = args.file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    from qyzmet.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from qyzmet.documents.issue import genuine
    from qyzmet.documents.models import Document
    from qyzmet.documents.signing import sha256

    digest = sha256(content)
    found = _CODE.search(content)
    document = Document.objects.select_related("case").filter(sha256=digest).first()
    if document is None and found is not None:
        document = Document.objects.select_related("case").filter(code=found.group(1).decode()).first()
    if document is None:
        print(f"{args.file}: NOT GENUINE — no document issued by this installation has this content"
              + (f" or the code {found.group(1).decode()}" if found else " (and it carries no verification code)"))
        return 1
    where = f"{document.title} ({document.lang}), case {document.case.number}, code {document.code}"
    if digest != document.sha256:
        print(f"{args.file}: NOT GENUINE — the file differs from the {where} that was issued")
        return 1
    if not genuine(document):
        print(f"{args.file}: NOT GENUINE — the stored record of {where} no longer matches its signature")
        return 1
    if document.revoked_at is not None:
        print(f"{args.file}: genuine but NOT CURRENT — {where}: {document.revoked_why}")
        return 1
    print(f"{args.file}: genuine and current — {where}, issued {document.issued_at:%Y-%m-%d %H:%M}")
    return 0
