"""The act of rendered services (annex 8) with its sheet (annex 9 for PA, annex 10 for SL) as one PDF.

One bilingual paper, Kazakh then Russian: the two parties sign the same bytes, whatever language each reads.
The Kazakh headings are the act's own (seed 002, annex 1 annexes 8-10); the Russian ones are the official
Russian wording of the same annexes.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from qyzmet.core.money import tenge
from qyzmet.documents.pdf import Layout, Row, render
from qyzmet.payments import rules as R
from qyzmet.portal.models import Order

ACT_TITLE = "Көрсетілген қызметтер актісі / Акт оказанных услуг"
PA_SHEET = "9-қосымша. Жеке көмекшінің ілесіп жүру парағы / Приложение 9. Лист сопровождения индивидуального помощника"
SL_SHEET = ("10-қосымша. Ымдау тілі маманының қызметін көрсету парағы / Приложение 10. Лист оказания услуг "
            "специалиста жестового языка")
RULES_NAME = ("Оңалтудың жеке бағдарламасына сәйкес жүріп-тұруы қиын бірінші топтағы мүгедектер үшін жеке "
              "көмекшінің және естуі бойынша мүгедектер үшін жылына алпыс сағат ымдау тілі маманының әлеуметтік "
              "қызметтерін ұсыну қағидаларына 8-қосымша / Приложение 8 к Правилам предоставления социальных услуг "
              "индивидуального помощника и специалиста жестового языка")
SERVICE_NAME = {
    R.PA: "Жеке көмекшінің қызметтері / Услуги индивидуального помощника",
    R.SL: "Ымдау тілі маманының қызметтері / Услуги специалиста жестового языка",
}
STATEMENT = ("Жоғарыда көрсетілген қызметтер толық және уақытылы орындалды. Тапсырыс берушінің қызмет көрсетудің "
             "көлемі, сапасы және мерзімі бойынша наразылығы жоқ. / Вышеперечисленные услуги выполнены полностью и в "
             "срок. Заказчик претензий по объему, качеству и срокам оказания услуг не имеет.")
COPIES = ("Осы Акт екі данада, Орындаушы мен Тапсырыс берушіге бір-бір данадан жасалды. / Настоящий Акт составлен "
          "в двух экземплярах, по одному для Исполнителя и Заказчика.")
SIGNED_NOTE = ("Актіге тараптар Порталда ЭЦҚ-мен қол қояды: осы файлдың SHA-256 хеші қол қойылады. / Акт "
               "подписывается сторонами ЭЦП на Портале: подписывается хеш SHA-256 этого файла.")
HOURS = "сағ / ч"
FORMAT = {"online": "онлайн", "offline": "офлайн"}


def _day(text: str) -> str:
    return dt.date.fromisoformat(text).strftime("%d.%m.%Y")


def layout(act, order: Order) -> Layout:
    entry, supplier = order.entry, order.supplier
    service = order.reg_id
    rows = [
        Row("Кезең / Период", f"{act.period_start:%d.%m.%Y} – {act.period_end:%d.%m.%Y}"),
        Row("Өнім беруші (орындаушы) / Поставщик (исполнитель)",
            f"{supplier.name_kk} / {supplier.name_ru}, БСН / БИН {supplier.bin}"),
        Row("Тапсырыс беруші / көрсетілетін қызметті алушы / Заказчик / получатель услуги",
            f"{entry.recipient_name}, {entry.recipient_phone}".strip(", ")),
        Row("Тапсырыс / Заказ", order.number),
    ]
    for n, line in enumerate(act.lines, start=1):
        if line["payer"] == "recipient":
            rows.append(Row(f"{n}. {SERVICE_NAME[service]}",
                            f"{line['hours']} {HOURS} — жылына 60 сағаттан артық, алушы өз қаражаты есебінен "
                            f"төлейді / сверх 60 часов в год, оплачивает получатель ({R.SL_YEAR_CITE})"))
            continue
        rows.append(Row(
            f"{n}. {SERVICE_NAME[service]} ({_day(line['from'])} – {_day(line['to'])}): сағаттар саны × бір бірлік "
            f"бағасы = құны / количество часов × цена за единицу = стоимость",
            f"{line['hours']} {HOURS} × {tenge(line['unit_price'])} = {tenge(line['cost'])}"))
    rows.append(Row("Барлығы төлеуге / Итого к оплате", f"{act.paid_hours} {HOURS}; {tenge(act.amount)}"))
    rows.append(Row("Бағаның негізі / Основание цены", act.rate_cite))
    rows.append(Row("Ұсыну мерзімі / Срок представления",
                    f"{act.due_date:%d.%m.%Y} ({R.DUE_CITE})"))
    rows.append(Row("Тапсырды: өнім беруші / Сдал: поставщик", ""))
    rows.append(Row("Қабылдады: тапсырыс беруші / көрсетілетін қызметті алушы (ЭЦҚ) / Принял: заказчик / "
                    "получатель услуги (ЭЦП)", ""))
    sheet = PA_SHEET if service == R.PA else SL_SHEET
    rows.append(Row(sheet, f"{entry.recipient_name} — {act.period_start:%m.%Y}"))
    for n, day in enumerate(act.days, start=1):
        if service == R.PA:
            what = day["places"] or "—"
        else:
            what = f"{FORMAT.get(day['sl_format'], day['sl_format'])}"
        times = f" ({day['started']}–{day['ended']})" if day["started"] and day["ended"] else ""
        rows.append(Row(f"{n}. {_day(day['day'])}{times}", f"{day['hours']} {HOURS} — {what}"))
    signer = ("Жеке көмекшінің ТАӘ, қолы/ЭЦҚ / ФИО, подпись/ЭЦП индивидуального помощника" if service == R.PA else
              "Ымдау тілі маманының ТАӘ, қолы; көрсетілетін қызметті алушының қолы/ЭЦҚ / ФИО, подпись специалиста "
              "жестового языка; подпись/ЭЦП получателя")
    rows.append(Row(signer, ""))
    return Layout(
        title=ACT_TITLE,
        heading=(RULES_NAME, f"{R.ACT_CITE}; {R.DUE_CITE}", f"№ {act.number}"),
        rows=tuple(rows), code=act.number,
        verify_url=f"{settings.QYZMET_PUBLIC_URL.rstrip('/')}/portal/cabinet/",
        footer_note=SIGNED_NOTE, lang="kk", subject=f"payments.act:{act.number}",
        notes=(STATEMENT, COPIES))


STAY_TITLE = ("Санаторий-курорттық емделу бойынша көрсетілген қызметтер актісі / Акт оказанных услуг "
              "санаторно-курортного лечения")
STAY_RULES = ("Мүгедектерге және мүгедек балаларға санаторий-курорттық емделуді ұсыну қағидалары (2-қосымша) / Правила "
              "предоставления санаторно-курортного лечения инвалидам и детям-инвалидам (приложение 2)")
BED_DAYS = "төсек-күн / койко-дней"


def stay_layout(act, order: Order) -> Layout:
    """Annex 2 has no act form: the stay's act follows annex 8's (the same parties, the same statement), with
    the stay's dates in bed-days, the guaranteed sum the department reimburses and the recipient's surcharge."""
    entry, supplier = order.entry, order.supplier
    rows = [
        Row("Тұру кезеңі / Период пребывания", f"{act.period_start:%d.%m.%Y} – {act.period_end:%d.%m.%Y}"),
        Row("Өнім беруші (орындаушы) / Поставщик (исполнитель)",
            f"{supplier.name_kk} / {supplier.name_ru}, БСН / БИН {supplier.bin}"),
        Row("Тапсырыс беруші / көрсетілетін қызметті алушы / Заказчик / получатель услуги",
            f"{entry.recipient_name}, {entry.recipient_phone}".strip(", ")),
        Row("Тапсырыс / Заказ", order.number),
        Row("Тұру ұзақтығы / Продолжительность пребывания", f"{act.hours:.0f} {BED_DAYS} (annex 2, cl. 26: ≤ 14)"),
    ]
    for line in act.lines:
        if line["payer"] == "recipient":
            rows.append(Row("Қосымша ақы, алушы санаторийге келген кезде төледі / Доплата, оплачена получателем по "
                            "прибытии", f"{tenge(line['cost'])} (annex 2, cl. 29)"))
        else:
            rows.append(Row("Кепілді сома: төсек-күн × сома = өтелетін сома / Гарантированная сумма: койко-дни × "
                            "сумма = к возмещению",
                            f"{line['hours']} × {tenge(line['unit_price'])} → {tenge(line['cost'])}"))
    rows.append(Row("Барлығы өтеуге / Итого к возмещению", tenge(act.amount)))
    rows.append(Row("Негізі / Основание", act.rate_cite))
    rows.append(Row("Тапсырды: өнім беруші / Сдал: поставщик", ""))
    rows.append(Row("Қабылдады: тапсырыс беруші / көрсетілетін қызметті алушы (ЭЦҚ) / Принял: заказчик / "
                    "получатель услуги (ЭЦП)", ""))
    return Layout(
        title=STAY_TITLE, heading=(STAY_RULES, "annex 2, cl. 26, 28-30; Order No. 14", f"№ {act.number}"),
        rows=tuple(rows), code=act.number,
        verify_url=f"{settings.QYZMET_PUBLIC_URL.rstrip('/')}/portal/cabinet/",
        footer_note=SIGNED_NOTE, lang="kk", subject=f"payments.act:{act.number}", notes=(STATEMENT, COPIES))


def act_pdf(act, order: Order) -> bytes:
    return render(stay_layout(act, order) if act.unit == "bed-day" else layout(act, order))
