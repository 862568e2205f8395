"""The complaint's papers: the registration receipt and the answer, in Kazakh and Russian.

They are issued through the documents machinery — ReportLab with the bundled fonts (``documents.pdf``), a
verification code and QR, an HMAC over what the paper says (``documents.signing``), a ``documents.Document``
row of the case — so the citizen downloads them with their case's other papers and ``/verify/<code>`` knows
them.  The receipt carries what the acts make the proof of acceptance (mlsp-2021 annex 1 cl. 11(1)-(2), annex
3 cl. 13(1)-(2)…): the incoming number and date (the stamp), the surname and initials of the person who
accepted it, and the term and place of the answer.  The paper texts are literal kk/ru, as ``documents.compose``
keeps them, so a paper never depends on the UI catalogues.
"""

from __future__ import annotations

import datetime as dt

from qyzmet.cases.services import regulation_of
from qyzmet.complaints.models import Complaint
from qyzmet.core.calendar import to_local
from qyzmet.core.regulation import Regulation
from qyzmet.documents import pdf, signing
from qyzmet.documents.facts import cite_in
from qyzmet.documents.issue import LANGUAGES, verify_url
from qyzmet.documents.models import Document

KINDS = ("receipt", "answer")

_T: dict[str, dict[str, str]] = {
    "receipt": {"kk": "Шағымның тіркелгені туралы белгі", "ru": "Отметка о регистрации жалобы"},
    "answer": {"kk": "Шағымға жауап", "ru": "Ответ на жалобу"},
    "number": {"kk": "Кіріс нөмірі", "ru": "Входящий номер"},
    "registered": {"kk": "Тіркелген күні", "ru": "Дата регистрации"},
    "receiver": {"kk": "Шағымды қабылдаған адамның тегі мен аты-жөні",
                 "ru": "Фамилия и инициалы лица, принявшего жалобу"},
    "online": {"kk": "Шағым өтініш берушінің өзі арқылы онлайн берілді (Qyzmet); тіркеуді жүйе жасады",
               "ru": "Жалоба подана заявителем онлайн (Qyzmet); зарегистрирована системой"},
    "to": {"kk": "Шағым кімге берілді", "ru": "Кому подана жалоба"},
    "considers": {"kk": "Шағымды қарайтын орган", "ru": "Орган, рассматривающий жалобу"},
    "application": {"kk": "Өтініш (іс) нөмірі, мемлекеттік қызмет",
                    "ru": "Номер заявления (дела), государственная услуга"},
    "complainant": {"kk": "Шағым беруші", "ru": "Заявитель (жалобщик)"},
    "text": {"kk": "Шағымның мазмұны", "ru": "Содержание жалобы"},
    "term": {"kk": "Шағымға жауап беру мерзімі", "ru": "Срок ответа на жалобу"},
    "place": {"kk": "Жауап алу орны", "ru": "Место получения ответа"},
    "escalated": {"kk": "Алдыңғы шағым", "ru": "Предыдущая жалоба"},
    "no-term": {"kk": "Актіде шағымды қарау тәртібі мен мерзімі белгіленбеген", "ru": "Акт не устанавливает порядок и "
                                                                                      "срок рассмотрения жалобы"},
    "wd-from": {"kk": "тіркелген күнінен бастап", "ru": "со дня регистрации"},
    "by": {"kk": "дейін", "ru": "до"},
    "outcome": {"kk": "Шешім", "ru": "Решение"},
    "answer-text": {"kk": "Жауаптың мәтіні мен негіздемесі", "ru": "Текст ответа и его обоснование"},
    "answered-by": {"kk": "Жауап берген лауазымды адам", "ru": "Должностное лицо, давшее ответ"},
    "answered-at": {"kk": "Жауап берілген күні", "ru": "Дата ответа"},
    "in-term": {"kk": "мерзімінде", "ru": "в срок"},
    "late": {"kk": "мерзімі өткеннен кейін", "ru": "после истечения срока"},
    "further": {"kk": "Әрі қарай шағымдану тәртібі", "ru": "Порядок дальнейшего обжалования"},
    "upheld": {"kk": "Шағым қанағаттандырылды", "ru": "Жалоба удовлетворена"},
    "partly": {"kk": "Шағым ішінара қанағаттандырылды", "ru": "Жалоба удовлетворена частично"},
    "rejected": {"kk": "Шағым қанағаттандырусыз қалдырылды", "ru": "Жалоба оставлена без удовлетворения"},
    "no-procedure-head": {"kk": "Көрсетілетін қызметті берушінің басшысы (актіде шағымдану тәртібі белгіленбеген)",
                          "ru": "Руководитель услугодателя (акт не устанавливает порядок обжалования)"},
    "verify": {"kk": "Құжаттың түпнұсқалығын QR-код немесе осы код бойынша тексеруге болады:",
               "ru": "Подлинность документа можно проверить по QR-коду или по этому коду:"},
    "procedure": {"kk": "Шағымдану тәртібі", "ru": "Порядок обжалования"},
}


def t(key: str, lang: str) -> str:
    return _T[key][lang]


def form_code(complaint: Complaint, kind: str) -> str:
    return f"complaint-{kind}-{complaint.pk}"


def _when(value: dt.datetime | None) -> str:
    return f"{to_local(value):%d.%m.%Y %H:%M}" if value else ""


def _office(office, lang: str) -> str:
    name = (office.name_kk if lang == "kk" else office.name_ru) or office.name_ru or office.name_kk
    return f"{name}, {office.address}" if office.address else name


def _to(reg: Regulation, complaint: Complaint, lang: str) -> str:
    from qyzmet.complaints.workflow import level_of

    level = level_of(reg, complaint)
    return level.to.get(lang) if level else t("no-procedure-head", lang)


def _term(reg: Regulation, complaint: Complaint, lang: str) -> str:
    from qyzmet.complaints.workflow import gap, level_of

    level = level_of(reg, complaint)
    if complaint.due is None or level is None or level.term is None:
        found = gap(reg)
        why = f" ({found.code}; {found.cite})" if found and found.cite else (f" ({found.code})" if found else "")
        return t("no-term", lang) + why
    from qyzmet.core.durations import format_duration

    return (f"{format_duration(level.term, lang)} {t('wd-from', lang)} ({cite_in(level.cite or '', lang)}): "
            f"{_when(complaint.due)} {t('by', lang)}")


def _further(reg: Regulation, complaint: Complaint, lang: str) -> str:
    """What the act gives after this answer: the quality authority and its term, or the court."""
    from qyzmet.complaints.workflow import court, level_of

    level = level_of(reg, complaint)
    if level is None:
        return ""
    parts = []
    if complaint.body != Complaint.Body.QUALITY:
        up = next((c for i, c in enumerate(reg.complaints) if i > (complaint.entry or 0)
                   and c.body == "quality-authority"), None)
        if up is not None:
            parts.append(f"{(up.note or up.to).get(lang)} ({cite_in(up.cite or '', lang)})")
    last = court(reg)
    if last is not None:
        parts.append(f"{(last.note or last.to).get(lang)} ({cite_in(last.cite or '', lang)})")
    return " ".join(parts)


def rows(complaint: Complaint, kind: str, lang: str) -> tuple[pdf.Row, ...]:
    reg = regulation_of(complaint.case.regulation)
    case = complaint.case
    out = [
        pdf.Row(t("number", lang), complaint.number),
        pdf.Row(t("registered", lang), _when(complaint.registered_at)),
        pdf.Row(t("receiver", lang), complaint.receiver_name or t("online", lang)),
        pdf.Row(t("to", lang), _to(reg, complaint, lang)),
        pdf.Row(t("considers", lang), _office(complaint.considering_office, lang)),
        pdf.Row(t("application", lang), f"{case.number} — {reg.name.get(lang)}"),
        pdf.Row(t("complainant", lang), complaint.complainant),
    ]
    if complaint.parent_id:
        out.append(pdf.Row(t("escalated", lang), complaint.parent.number))
    if kind == "receipt":
        out += [pdf.Row(t("text", lang), complaint.text), pdf.Row(t("term", lang), _term(reg, complaint, lang)),
                pdf.Row(t("place", lang), _office(complaint.considering_office, lang))]
    else:
        timely = "" if complaint.due is None else (
            t("in-term", lang) if complaint.answered_at <= complaint.due else t("late", lang))
        out += [pdf.Row(t("term", lang), _term(reg, complaint, lang)),
                pdf.Row(t("outcome", lang), t(complaint.outcome, lang)),
                pdf.Row(t("answer-text", lang), complaint.answer),
                pdf.Row(t("answered-by", lang), complaint.answered_name),
                pdf.Row(t("answered-at", lang), f"{_when(complaint.answered_at)}" + (f" ({timely})" if timely else "")),
                pdf.Row(t("further", lang), _further(reg, complaint, lang))]
    return tuple(out)


def layout(complaint: Complaint, kind: str, lang: str, code: str) -> pdf.Layout:
    reg = regulation_of(complaint.case.regulation)
    heading = [_office(complaint.considering_office, lang).split(", ")[0],
               f"{reg.act.title.get(lang)} № {reg.act.number}", reg.name.get(lang)]
    if complaint.cite:
        heading.append(f"{t('procedure', lang)}: {cite_in(complaint.cite, lang)}")
    title = f"{t(kind, lang)} № {complaint.number}"
    return pdf.Layout(title=title, heading=tuple(h for h in heading if h), rows=rows(complaint, kind, lang),
                      code=code, verify_url=verify_url(code), footer_note=t("verify", lang), lang=lang,
                      subject=f"{form_code(complaint, kind)} {complaint.case.number}")


def _fields(page: pdf.Layout) -> dict:
    return {"title": page.title, "heading": list(page.heading),
            "rows": [[row.label, row.value] for row in page.rows], "notes": list(page.notes)}


def issue(complaint: Complaint, kind: str, now: dt.datetime) -> list[Document]:
    """The paper in both languages, inside the caller's transaction (a twin is never issued later)."""
    out = []
    form = form_code(complaint, kind)
    for lang in LANGUAGES:
        code = signing.new_code()
        page = layout(complaint, kind, lang, code)
        content = pdf.render(page)
        fields = _fields(page)
        digest = signing.sha256(content)
        out.append(Document.objects.create(
            case=complaint.case, code=code, form=form, lang=lang, title=page.title, cite=complaint.cite,
            fields=fields, content=content, sha256=digest, issued_at=now,
            signature=signing.sign(code, complaint.case.number, form, lang, fields, digest)))
    return out


def documents_of(complaint: Complaint) -> list[Document]:
    prefix = [form_code(complaint, kind) for kind in KINDS]
    return list(Document.objects.filter(case_id=complaint.case_id, form__in=prefix)
                .defer("content", "fields").order_by("issued_at", "lang", "id"))
