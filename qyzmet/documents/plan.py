"""Which paper a transition issues, and the form it is laid out by.  Pure: regulation + engine output only.

- A completed step issues what its ``produces:`` names when the regulation has that form (talon, PSC
  receipt, housing act…) or that result: a result's paper only once the outcome is known and only the one
  that matches it (the notification *or* the reasoned refusal, which the step tables list side by side).
  The step that fixes the decision issues its paper in any case: the acts' tables often name the paper
  at the specialist's draft, before the head decides, and again only at issuance.
- A refusal to accept documents issues the acceptance-refusal receipt.
- Issuing the result makes sure its paper exists, for acts whose step tables name no producing step.

A result or receipt whose act annexes no form is laid out by a standard form of the same content (the
clause that prescribes the paper is still its cite); journals, registries and cover letters a step
produces are internal records, not papers handed to the citizen, and are not issued here.
"""

from __future__ import annotations

from dataclasses import dataclass

from qyzmet.core import engine
from qyzmet.core.regulation import Form, FormField, Regulation, Result, Text


@dataclass(frozen=True)
class Paper:
    """A document to issue: its code within the case, its title and fields, the clause it comes from."""

    code: str
    title: Text
    fields: tuple[FormField, ...]
    cite: str
    annexed: bool  # False: the act prescribes the paper but annexes no form; a standard layout is used


def _label(kk: str, ru: str, en: str) -> Text:
    return Text(kk=kk, ru=ru, en=en)


def _field(code: str, kk: str, ru: str, en: str) -> FormField:
    return FormField(code=code, label=_label(kk, ru, en))


_NUMBER = _field("registration-number", "Өтініштің тіркеу нөмірі", "Регистрационный номер заявления",
                 "Application number")
_APPLICANT = _field("applicant-name", "Көрсетілетін қызметті алушы", "Услугополучатель", "Applicant")
_IIN = _field("iin", "ЖСН", "ИИН", "IIN")
_SERVICE = _field("service-type", "Мемлекеттік көрсетілетін қызмет", "Государственная услуга", "State service")
_PROVIDER = _field("issuer", "Көрсетілетін қызметті беруші", "Услугодатель", "Service provider")
_DATE = _field("date", "Күні", "Дата", "Date")
_OFFICER = _field("employee", "Жауапты қызметкер", "Ответственный работник", "Responsible officer")
_SIGNATURE = _field("signature", "Қолы", "Подпись", "Signature")

STANDARD_RESULT = (_NUMBER, _APPLICANT, _IIN, _SERVICE, _PROVIDER,
                   _field("outcome", "Мемлекеттік қызмет көрсету нәтижесі", "Результат оказания государственной услуги",
                          "Result"),
                   _field("result-date", "Нәтиже берілген күн", "Дата выдачи результата", "Date of the result"),
                   _OFFICER, _SIGNATURE)
STANDARD_REFUSAL = (*STANDARD_RESULT[:6],
                    _field("refusal-reasons", "Бас тарту негіздері (нормативтік құқықтық актінің тармағы)",
                           "Основания отказа (пункт нормативного правового акта)", "Grounds of refusal (clause)"),
                    *STANDARD_RESULT[6:])
STANDARD_ACCEPTANCE_REFUSAL = (
    _APPLICANT, _IIN, _SERVICE,
    _field("refusal-reasons", "Құжаттарды қабылдаудан бас тарту негізі", "Основание отказа в приеме документов",
           "Ground for refusing acceptance"),
    _field("missing-documents", "Ұсынылмаған немесе қолданылу мерзімі өткен құжаттар",
           "Непредставленные документы или документы с истекшим сроком действия", "Documents missing or expired"),
    _field("accepted-by", "Қолхатты берген қызметкердің тегі, аты, әкесінің аты",
           "Фамилия, имя, отчество работника, выдавшего расписку", "Officer who issued the receipt"),
    _DATE, _SIGNATURE,
)
ACCEPTANCE_REFUSAL = "acceptance-refusal-receipt"
ACCEPTANCE_REFUSAL_TITLE = _label("Құжаттарды қабылдаудан бас тарту туралы қолхат",
                                  "Расписка об отказе в приеме документов", "Receipt refusing acceptance of documents")
STANDARD_RECEIPT = (
    _field("request-number-and-date", "Сұраудың нөмірі және қабылдаған күні", "Номер и дата приема запроса",
           "Request number and date"),
    _SERVICE,
    _field("attached-documents", "Қоса берілген құжаттардың саны мен атаулары",
           "Количество и названия приложенных документов", "Attached documents"),
    _field("issue-date-time-place", "Құжаттарды беру күні және орны", "Дата и место выдачи документов",
           "Date and place of issue"),
    _field("accepted-by", "Құжаттарды қабылдаған қызметкердің тегі, аты, әкесінің аты",
           "Фамилия, имя, отчество работника, принявшего документы", "Officer who accepted the documents"),
)


def _form(reg: Regulation, code: str | None) -> Form | None:
    return next((f for f in reg.forms if f.code == code), None) if code else None


def _result_paper(reg: Regulation, result: Result) -> Paper:
    form = _form(reg, result.form) or _form(reg, result.code)
    if form is not None:
        return Paper(result.code, form.name, form.fields, form.cite or result.cite or "", True)
    standard = STANDARD_REFUSAL if result.kind == "refusal" else STANDARD_RESULT
    return Paper(result.code, result.name, standard, result.cite or "", False)


def result_of(reg: Regulation, outcome: str | None, result: str | None = None) -> Result | None:
    """The result paper of a decision: the one the deciding step named, else the first of the outcome's kind."""
    if result and (named := reg.result(result)) is not None:
        return named
    kind = "refusal" if outcome == "refusal" else "positive"
    return next((r for r in reg.results if r.kind == kind), None) if outcome else None


def acceptance_refusal_paper(reg: Regulation) -> Paper:
    form = _form(reg, ACCEPTANCE_REFUSAL)
    if form is not None:
        return Paper(ACCEPTANCE_REFUSAL, form.name, form.fields, form.cite or "", True)
    cite = next((g.cite for g in reg.acceptance_refusal_grounds if g.cite), "") or ""
    return Paper(ACCEPTANCE_REFUSAL, ACCEPTANCE_REFUSAL_TITLE, STANDARD_ACCEPTANCE_REFUSAL, cite, False)


def paper(reg: Regulation, code: str) -> Paper | None:
    """The paper of one code: a form, a result, the acceptance refusal; None for internal records."""
    result = next((r for r in reg.results if r.code == code), None)
    if result is not None:
        return _result_paper(reg, result)
    if code == ACCEPTANCE_REFUSAL:
        return acceptance_refusal_paper(reg)
    form = _form(reg, code)
    if form is not None:
        return Paper(form.code, form.name, form.fields, form.cite or "", True)
    if code == "receipt":  # a PSC receipt the act describes in a clause without annexing a form
        return Paper("receipt", _label("Құжаттардың қабылданғаны туралы қолхат", "Расписка о приеме документов",
                                       "Receipt for the accepted documents"), STANDARD_RECEIPT, "", False)
    return None


def every_paper(reg: Regulation) -> list[Paper]:
    """Every paper the regulation can issue (for rendering samples): its forms, results and refusal receipt."""
    papers: dict[str, Paper] = {}
    for form in reg.forms:
        found = paper(reg, form.code)
        if found is not None:
            papers.setdefault(found.code, found)
    for result in reg.results:
        papers.setdefault(result.code, _result_paper(reg, result))
    if reg.acceptance_refusal_grounds:
        papers.setdefault(ACCEPTANCE_REFUSAL, acceptance_refusal_paper(reg))
    return list(papers.values())


def _produced_only_later(reg: Regulation, route: str, n: int, result: Result) -> bool:
    """The table names the result's paper only after step ``n`` (none of the steps up to it drafts it)."""
    steps = reg.route(route).line_of(n)
    i = next(i for i, s in enumerate(steps) if s.n == n) + 1

    def names(step) -> bool:
        return result.code in step.produces or bool(result.form and result.form in step.produces)

    return any(names(s) for s in steps[i:]) and not any(names(s) for s in steps[:i])


def papers_for(reg: Regulation, state: engine.CaseState, event: engine.Event,
               effects: list[engine.Effect]) -> list[Paper]:
    """The papers this transition issues (the shell skips one the case already holds)."""
    out: dict[str, Paper] = {}
    results = {r.code: r for r in reg.results}
    chosen = result_of(reg, state.outcome, state.result)
    if isinstance(event, engine.CompleteStep):
        step = reg.route(state.route).step(event.n)
        if step.decides and chosen is not None and not _produced_only_later(reg, state.route, step.n, chosen):
            # The decision is signed: its paper exists from now on — unless the table names it only at a
            # later step (an examination's certificate, made when it is handed over after the laboratory).
            out[chosen.code] = _result_paper(reg, chosen)
        for code in step.produces:
            if code in results or any(r.form == code for r in reg.results):
                if chosen is not None and code in (chosen.code, chosen.form):
                    out[chosen.code] = _result_paper(reg, chosen)
                continue
            found = paper(reg, code)
            # A journal (of applications, of SMS, of calls) is the office's book, one line per case,
            # not a paper of the case; its form is rendered as a sample, never issued to a citizen.
            if found is not None and "journal" not in found.code:
                out[found.code] = found
    for effect in effects:
        if effect.kind == "acceptance-refusal-receipt":
            out[ACCEPTANCE_REFUSAL] = acceptance_refusal_paper(reg)
        elif effect.kind == "result-issued" and chosen is not None:
            out.setdefault(chosen.code, _result_paper(reg, chosen))
    return list(out.values())
