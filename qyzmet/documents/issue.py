"""Issue the documents a transition produces, inside its transaction, and their twins on request.

The layout and the signature are made here once; the PDF is stored with its hash, so what the citizen
holds can always be compared with what was issued (``/verify/<code>``, ``qyzmet documents verify``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction

from qyzmet.cases.models import Case, Task
from qyzmet.cases.services import Transition, regulation_of
from qyzmet.core import checklist, engine
from qyzmet.core.calendar import to_local
from qyzmet.core.regulation import Regulation
from qyzmet.directory.models import person_name
from qyzmet.documents import compose, pdf, plan, signing
from qyzmet.documents import facts as f
from qyzmet.documents.models import Document
from qyzmet.documents.result_facts import result_facts

LANGUAGES = ("kk", "ru")
def verify_url(code: str) -> str:
    return compose.verify_url(settings.QYZMET_PUBLIC_URL, code)


def on_transition(transition: Transition) -> None:
    papers = plan.papers_for(transition.regulation, transition.state, transition.event, transition.effects)
    if not papers:
        return
    case = transition.case
    held = set(Document.objects.filter(case=case, lang=case.language).values_list("form", flat=True))
    for paper in papers:
        if paper.code not in held:
            issue(case, transition.regulation, paper, case.language, transition.now, event=transition.event_row,
                  actor=transition.actor)


def _signed_fields(page: pdf.Layout) -> dict:
    return {"title": page.title, "heading": list(page.heading),
            "rows": [[row.label, row.value] for row in page.rows], "notes": list(page.notes)}


def issue(case: Case, reg: Regulation, paper: plan.Paper, lang: str, now: dt.datetime, *, event=None,
          actor=None) -> Document:
    code = signing.new_code()
    page = compose.layout(reg, paper, facts_of(case, reg, lang, now, actor), code, verify_url(code))
    content = pdf.render(page)
    fields = _signed_fields(page)
    digest = signing.sha256(content)
    return Document.objects.create(
        case=case, event=event, code=code, form=paper.code, lang=lang, title=page.title, cite=paper.cite,
        fields=fields, content=content, sha256=digest, issued_at=now,
        signature=signing.sign(code, case.number, paper.code, lang, fields, digest),
    )


def twin(document: Document, lang: str, now: dt.datetime) -> Document:
    """The same paper in the other language, issued on request (once; later requests get the same row)."""
    if lang == document.lang:
        return document
    found = Document.objects.filter(case_id=document.case_id, form=document.form, lang=lang).first()
    if found is not None:
        return found
    case = Case.objects.select_related("regulation", "office", "provider_office").get(pk=document.case_id)
    reg = regulation_of(case.regulation)
    paper = plan.paper(reg, document.form)
    if paper is None:  # pragma: no cover - a stored document's form is always in its pinned regulation
        raise LookupError(f"{reg.id} has no form {document.form!r}")
    try:
        with transaction.atomic():
            return issue(case, reg, paper, lang, now)
    except IntegrityError:  # someone asked for the same twin a moment earlier
        return Document.objects.get(case_id=document.case_id, form=document.form, lang=lang)


def genuine(document: Document) -> bool:
    """The stored fields and PDF are those that were signed at issue."""
    content = bytes(document.content)
    return signing.sha256(content) == document.sha256 and signing.signature_holds(
        document.signature, document.code, document.case.number, document.form, document.lang, document.fields,
        document.sha256)


# --- the facts of a stored case -----------------------------------------------------------------------

def _office_name(office, lang: str) -> str:
    if office is None:
        return ""
    return (office.name_kk if lang == "kk" else office.name_ru) or office.name_ru or office.name_kk


def _document_name(reg: Regulation, code: str, lang: str) -> str:
    document = reg.document(code)
    return document.name.get(lang) if document else ""


def _document_lines(reg: Regulation, case: Case, lang: str) -> tuple[tuple[str, bool], ...]:
    """The receipt's list: what was actually given, in the document's language (the checklist row keeps the
    Kazakh name), saying which document an alternative replaced and that a shown one went back; an optional
    ("if any") document not given is no missing document, so it is left out."""
    lines = []
    for item in case.checklist.all():
        info = checklist.describe(reg, case.category, item.document)
        if info.optional and not item.present:
            continue
        name = _document_name(reg, item.document, lang) or item.name
        notes = []
        if info.instead_of:
            notes.append(checklist.word("instead_of", lang, x=_document_name(reg, info.instead_of, lang)))
        if info.shown and item.present:
            notes.append(checklist.word("shown", lang))
        lines.append((f"{name} ({'; '.join(notes)})" if notes else name, item.present))
    return tuple(lines)


def _person(task: Task | None) -> str:
    return person_name(task.closed_by) if task and task.closed_by else ""


def _actor_name(actor) -> str:
    """The workflow hands listeners a bare user (id and login): its staff name is read here."""
    if actor is None or not getattr(actor, "pk", None):
        return ""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("staff").filter(pk=actor.pk).first()
    return person_name(user) if user else ""


def facts_of(case: Case, reg: Regulation, lang: str, now: dt.datetime, actor=None) -> f.Facts:
    """``actor``: who made the transition, the officer of a paper no closed step names yet (a refusal)."""
    state = engine.state_from_dict(case.state)
    route = reg.route(case.route)
    accepting = next((s.n for s in route.steps if s.accepts), 1)
    deciding = next((s.n for s in route.steps if s.decides), None)
    tasks = {t.step: t for t in Task.objects.filter(case=case, step__in=[accepting, deciding or accepting],
                                                      closed_at__isnull=False, purpose="step")
             .select_related("closed_by__staff").order_by("closed_at")}
    extra: dict[str, str] = {}
    if state.acceptance_refusal_ground:
        ground = reg.acceptance_refusal_ground(state.acceptance_refusal_ground)
        grounds = (f.Ground(ground.text.get(lang), ground.cite or ""),) if ground else ()
        outcome = "acceptance-refused"
        if ground and not ground.on_missing_documents:
            # Not a missing document (a replacement asked for too early): the receipt's list says why instead.
            from qyzmet.entitlements.workflow import refusal_reason

            extra["refusal-reason"] = refusal_reason(case, ground, lang)
    else:
        grounds = tuple(f.Ground(g.text.get(lang), g.cite or "")
                        for g in (reg.refusal_ground(code) for code in state.grounds) if g)
        outcome = state.outcome or ""
    result = plan.result_of(reg, state.outcome, state.result)
    extra.update(result_facts(reg, state, lang))
    documents = _document_lines(reg, case, lang)
    representative = case.representative_name
    if representative and case.power_of_attorney:
        representative = f"{representative} ({case.power_of_attorney})"
    receiving = case.office or case.provider_office
    acceptor = _person(tasks.get(accepting))
    if not acceptor and state.status is engine.Status.ACCEPTANCE_REFUSED:
        acceptor = _actor_name(actor)
    return f.Facts(
        lang=lang, number=case.number, service=reg.name.get(lang),
        provider=_office_name(case.provider_office, lang) or reg.provider.name.get(lang),
        office=_office_name(receiving, lang), office_address=receiving.address if receiving else "",
        submitted_at=to_local(case.submitted_at),
        applicant_name=case.applicant_name, iin=case.applicant_iin, personal_code=case.personal_code or "",
        phone=case.applicant_phone,
        representative=representative, accepted_at=state.accepted_at, accepted_by=acceptor,
        decided_by=_person(tasks.get(deciding)) if deciding else "", issue_by=state.term_due,
        closed_at=state.closed_at, result=result.name.get(lang) if result else "", outcome=outcome,
        documents=documents, grounds=grounds, dated=to_local(now), extra=extra,
    )
