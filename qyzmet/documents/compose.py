"""A paper's page, composed from the regulation, the form and the facts of its case.  Pure: no Django."""

from __future__ import annotations

import datetime as dt

from qyzmet.core.regulation import Regulation
from qyzmet.documents import facts as f
from qyzmet.documents import pdf, plan

_VERIFY_NOTE = {
    "kk": "Құжаттың түпнұсқалығы мен жарамдылығын QR-код немесе осы код бойынша тексеруге болады:",
    "ru": "Подлинность и действительность документа можно проверить по QR-коду или по этому коду:",
}
_ACT = {"kk": "Нысан", "ru": "Форма"}
_NO_FORM = {
    "kk": "Акт бұл құжаттың нысанын бекітпеген; мазмұны актінің тармағы бойынша стандартты нысанда берілген.",
    "ru": "Акт не утверждает форму этого документа; содержание дано по пункту акта в стандартной форме.",
}




def verify_url(base: str, code: str) -> str:
    return f"{base.rstrip('/')}/verify/{code}"


def layout(reg: Regulation, paper: plan.Paper, facts: f.Facts, code: str, url: str) -> pdf.Layout:
    """The paper in the facts' language: the act's heading, the form's fields filled, the code and its URL."""
    lang = facts.lang
    heading = [reg.act.issuer.get(lang), f"{reg.act.title.get(lang)} № {reg.act.number}", facts.service]
    if paper.cite:
        heading.append(f"{_ACT[lang]}: {f.cite_in(paper.cite, lang)}")
    rows = tuple(pdf.Row(field.label.get(lang), f.fill(field.code, facts)) for field in paper.fields)
    return pdf.Layout(
        title=paper.title.get(lang), heading=tuple(h for h in heading if h), rows=rows, code=code,
        verify_url=url, footer_note=_VERIFY_NOTE[lang], lang=lang,
        subject=f"{paper.code} {facts.number}", notes=() if paper.annexed else (_NO_FORM[lang],),
    )


def sample_facts(reg: Regulation, lang: str, now: dt.datetime, *, refusal: bool) -> f.Facts:
    """Invented data for ``qyzmet documents render --sample``: every fillable field has something to show."""
    category = reg.categories[0] if reg.categories else None
    codes = category.documents if category else tuple(d.code for d in reg.documents[:3])
    docs = [d for d in (reg.document(code) for code in codes) if d]
    # The second document is shown missing, so the acceptance-refusal sample has a line to list.
    documents = tuple((d.name.get(lang), i != 1) for i, d in enumerate(docs))
    grounds = reg.refusal_grounds[:2] if refusal else ()
    result = plan.result_of(reg, "refusal" if refusal else "positive")
    return f.Facts(
        lang=lang, number="Q2026-0001234", service=reg.name.get(lang), provider=reg.provider.name.get(lang),
        office=reg.provider.name.get(lang), office_address=reg.provider.address or "", submitted_at=now,
        applicant_name="Сәрсенбаева Әйгерім Құрманғалиқызы", iin="850321400908", phone="+77012345678",
        accepted_at=now, accepted_by="Жұмабекова Гүлнұр Серікқызы", decided_by="Нұрланов Ұлан Өмірзақұлы",
        issue_by=now + dt.timedelta(days=14), closed_at=now + dt.timedelta(days=12),
        result=result.name.get(lang) if result else "", outcome="refusal" if refusal else "positive",
        documents=documents, grounds=tuple(f.Ground(g.text.get(lang), g.cite or "") for g in grounds), dated=now,
    )
