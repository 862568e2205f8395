"""A regulation as a person reads it: who may apply, which documents, terms, steps, refusal grounds, cites."""

from __future__ import annotations

from qyzmet.core.checklist import alternatives_of, condition_text
from qyzmet.core.durations import format_duration
from qyzmet.core.norm_table import item_lines
from qyzmet.core.regulation import Regulation, Step, Term

LABELS = {
    "act": {"kk": "Акт", "ru": "Акт", "en": "Act"},
    "provider": {"kk": "Көрсетілетін қызметті беруші", "ru": "Услугодатель", "en": "Provider"},
    "form": {"kk": "Нысаны", "ru": "Форма", "en": "Form"},
    "channels": {"kk": "Арналар", "ru": "Каналы", "en": "Channels"},
    "terms": {"kk": "Мерзімдер", "ru": "Сроки", "en": "Terms"},
    "results": {"kk": "Нәтиже", "ru": "Результат", "en": "Result"},
    "who": {"kk": "Кім өтініш бере алады және қандай құжаттар", "ru": "Кто может обратиться и какие документы",
            "en": "Who may apply, and the documents"},
    "acceptance": {"kk": "Құжаттарды қабылдаудан бас тарту негіздері", "ru": "Основания для отказа в приеме документов",
                   "en": "Grounds for refusing to accept documents"},
    "refusal": {"kk": "Бас тарту негіздері", "ru": "Основания для отказа", "en": "Grounds for refusal"},
    "fee": {"kk": "Төлем", "ru": "Оплата", "en": "Fee"},
    "free": {"kk": "тегін", "ru": "бесплатно", "en": "free of charge"},
    "silent": {"kk": "актіде айтылмаған", "ru": "в акте не указано", "en": "the act is silent"},
    "route": {"kk": "Үдеріс", "ru": "Процесс", "en": "Route"},
    "complaints": {"kk": "Шағымдар", "ru": "Жалобы", "en": "Complaints"},
    "gaps": {"kk": "Актідегі олқылықтар", "ru": "Пробелы акта", "en": "Gaps in the act"},
    "none": {"kk": "жоқ", "ru": "нет", "en": "none"},
    "excl": {"kk": "есептелмейді", "ru": "не учитываются", "en": "not counted"},
    "norms": {"kk": "Қамтамасыз ету нормалары", "ru": "Нормы обеспечения", "en": "Entitlement norms"},
    "rules": {"kk": "Ерекше ережелер", "ru": "Особые правила", "en": "Special rules"},
}


OR = {"kk": "немесе", "ru": "или", "en": "or"}


def duration_label(item: Step | Term, lang: str) -> str:
    """A step's or term's duration in ``lang``, or the act's own words when it is not countable."""
    if item.duration is not None:
        return format_duration(item.duration, lang)
    if item.duration_text is not None:
        return item.duration_text.get(lang)
    return "—"


def summary(reg: Regulation, lang: str = "kk") -> str:
    def t(key: str) -> str:
        return LABELS[key][lang]

    out = [f"{reg.name.get(lang)}", f"{reg.id} v{reg.version} · {reg.service}", ""]
    act = reg.act
    period = f"{act.in_force_from or '?'} – {act.in_force_to or '…'}"
    out.append(f"{t('act')}: {act.issuer.get(lang)}, {act.kind.get(lang)} № {act.number}, {act.adopted} "
               f"({period}) [{act.cite}]")
    out.append(f"{t('provider')}: {reg.provider.name.get(lang)} [{reg.provider.cite}]")
    out.append(f"{t('form')}: {reg.form} [{reg.form_cite}]")
    out.append(f"{t('channels')}: " + "; ".join(f"{c.code} — {c.name.get(lang)} [{c.cite}]" for c in reg.channels))
    out.append(f"{t('terms')}:")
    for term in reg.terms:
        text = duration_label(term, lang)
        excl = f"; {', '.join(term.excludes)} {t('excl')}" if term.excludes else ""
        out.append(f"  {term.channel}: {text}{excl} [{term.cite}]")
    out.append(f"{t('results')}: " + "; ".join(f"{r.name.get(lang)} ({r.kind}, {r.medium}) [{r.cite}]"
                                              for r in reg.results))
    out.append("")
    out.append(f"{t('who')}:")
    for cat in reg.categories:
        out.append(f"  • {cat.name.get(lang)} [{cat.cite}]")
        for code in cat.documents:
            doc = reg.document(code)
            if doc:
                conditional = cat.condition(code)
                when = (f" ⟨{condition_text(conditional.when, lang)} [{conditional.cite}]⟩"
                        if conditional else "")
                out.append(f"      – {doc.name.get(lang)} ({doc.provided_as}) [{doc.cite}]{when}")
                for alt in alternatives_of(reg, code):  # "X or Y": a document that may stand in for it
                    out.append(f"        {OR[lang]} {alt.name.get(lang)} ({alt.provided_as}) [{alt.cite}]")
    if not reg.categories:
        out.append(f"  {t('silent')}")
    for key, grounds in (("acceptance", reg.acceptance_refusal_grounds), ("refusal", reg.refusal_grounds)):
        out.append(f"{t(key)}:")
        out.extend(f"  {i}. {g.text.get(lang)} [{g.cite}]" for i, g in enumerate(grounds, 1))
        if not grounds:
            out.append(f"  {t('none')}")
    fee = reg.fee
    out.append(f"{t('fee')}: " + (f"{t('free')} [{fee.cite}]" if fee and fee.free else
                                  f"{fee.amount or (fee.note.get(lang) if fee.note else '')} [{fee.cite}]" if fee
                                  else t("silent")))
    for code, route in reg.routes.items():
        out.append("")
        out.append(f"{t('route')} {code}: {route.name.get(lang)} [{route.cite}]")
        for step in route.steps:
            role = reg.role(step.role) if step.role else None
            who = role.name.get(lang) if role else step.role
            out.append(f"  {step.n:>2}. {who} — {step.action.get(lang)} ({duration_label(step, lang)}) [{step.cite}]")
    if reg.complaints:
        out.append("")
        out.append(f"{t('complaints')}:")
        out.extend(f"  {c.to.get(lang)}: {format_duration(c.term, lang) if c.term else '—'} [{c.cite}]"
                   for c in reg.complaints)
    if reg.entitlements:
        out.append("")
        out.append(f"{t('norms')}:")
        for item in reg.entitlements.items:
            out.extend(f"  {line}" for line in item_lines(reg.entitlements, item, lang))
        if reg.entitlements.rules:
            out.append(f"{t('rules')}:")
            out.extend(f"  {r.text.get(lang)} [{r.cite}]" for r in reg.entitlements.rules)
    if reg.gaps:
        out.append("")
        out.append(f"{t('gaps')}:")
        out.extend(f"  {g.code}: {g.note} [{g.cite}]" for g in reg.gaps)
    return "\n".join(out)
