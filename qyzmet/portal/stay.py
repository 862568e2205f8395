"""The sanatorium's money and paper: the order's sum, guaranteed sum and surcharge, and the bed notice.

Annex 2 of Order No. 61 (3 March 2021):

- cl. 28: with the order the recipient signs the application for the department to reimburse the
  *guaranteed sum* to the supplier (Order No. 14 of 20 January 2020, which fixes that sum; Order No. 61 gives
  no figure, so the department enters it: models.GuaranteedSum);
- cl. 29: a recipient who buys treatment dearer than the guaranteed sum pays the difference from own funds;
- annex 7: on acceptance the sanatorium sends the notification confirming the bed — order sum, of it the
  guaranteed sum and the surcharge (paid on arrival), arrival and departure, the stay in bed-days, what the
  price includes, the papers to bring (ID, sanatorium-resort card, this notice), cancellation 3 days ahead.

Bed-days are the calendar days of the stay, arrival and departure day both counted — the same count cl. 26
limits to 14 (workflow._check_stay); the act's form does not define a bed-day otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from qyzmet.cases.workflow import Conflict, Invalid
from qyzmet.core.calendar import to_local
from qyzmet.core.money import money, tenge
from qyzmet.documents.pdf import Layout, Row, render
from qyzmet.portal import signing
from qyzmet.portal.models import BedNotice, GuaranteedSum, Order, Signature, SupplierOffer, SupplierUser

SUMS_CITE = "annex 2, cl. 28, 29; annex 7; Order No. 14 of 20.01.2020 (the guaranteed sum)"
NOTICE_CITE = "annex 2, cl. 29; annex 7"
# What the supplier fills in on annex 7 when it confirms the bed; every one may stay blank, as on the paper.
DETAIL_FIELDS = ("check_in", "check_out", "meals", "treatment", "accommodation", "accessibility", "phone")


def bed_days(arrival: dt.date, departure: dt.date) -> int:
    return (departure - arrival).days + 1


def _tenge(value: Decimal | None) -> str:
    """An amount on the notice, or the form's blank line when there is none."""
    return "______ ₸" if value is None else tenge(value)


@dataclass(frozen=True)
class Sums:
    bed_days: int
    order_sum: Decimal
    guaranteed: Decimal
    surcharge: Decimal
    why: str


def guaranteed_sum(reg_id: str, on: dt.date) -> GuaranteedSum:
    row = GuaranteedSum.objects.filter(reg_id=reg_id, valid_from__lte=on).order_by("-valid_from").first()
    if row is None:
        raise Conflict(_("The department has not entered the guaranteed sum in force on %(day)s, so the order "
                         "cannot be priced (annex 2, cl. 28; Order No. 14).") % {"day": f"{on:%Y-%m-%d}"})
    return row


@dataclass(frozen=True)
class Split:
    """A stay's cost at the supplier's price, the guaranteed part the department pays and the surcharge."""

    cost: Decimal
    cap: Decimal  # the guaranteed sum for these days
    guaranteed: Decimal
    surcharge: Decimal
    source: GuaranteedSum


def split(price: Decimal, unit: str, reg_id: str, on: dt.date, days: int) -> Split:
    """``price`` per bed-day (or per stay when ``unit`` is "stay") for ``days``, against the guaranteed sum in
    force on ``on``: the department pays at most the cost, the recipient the rest (annex 2 cl. 29)."""
    price = Decimal(price)
    cost = price if unit == GuaranteedSum.Per.STAY else price * days
    g = guaranteed_sum(reg_id, on)
    cap = Decimal(g.amount) if g.per == GuaranteedSum.Per.STAY else Decimal(g.amount) * days
    guaranteed = min(cost, cap)
    return Split(money(cost), money(cap), money(guaranteed), money(cost - guaranteed), g)


def sums(offer: SupplierOffer, arrival: dt.date, departure: dt.date, on: dt.date) -> Sums:
    """The order's sum at the offer's price, the part the department reimburses, the recipient's surcharge."""
    days = bed_days(arrival, departure)
    s = split(offer.unit_price, offer.unit, offer.reg_id, on, days)
    g = s.source
    price_text = f"{offer.unit_price} ₸ a stay" if offer.unit == GuaranteedSum.Per.STAY \
        else f"{days} bed-days × {offer.unit_price} ₸"
    cap_text = f"{g.amount} ₸ a stay" if g.per == GuaranteedSum.Per.STAY \
        else f"{days} bed-days × {g.amount} ₸ = {s.cap} ₸"
    why = (f"order sum {price_text} = {s.cost} ₸; guaranteed sum from {g.valid_from:%Y-%m-%d} ({g.source}): "
           f"{cap_text}; the department reimburses {s.guaranteed} ₸, the recipient pays the surcharge "
           f"{s.surcharge} ₸ on arrival ({SUMS_CITE})")
    return Sums(days, s.cost, s.guaranteed, s.surcharge, why)


# --- the bed notice (annex 7) -------------------------------------------------------------------------


def clean_details(details: dict | None) -> dict[str, str]:
    """Only the annex 7 blanks, as short texts; the times as HH:MM."""
    details = details or {}
    unknown = sorted(set(details) - set(DETAIL_FIELDS))
    if unknown:
        raise Invalid(unknown[0], _("Not a field of the bed notice (annex 7)."))
    out: dict[str, str] = {}
    for key in DETAIL_FIELDS:
        value = str(details.get(key) or "").strip()[:1000]
        if key in ("check_in", "check_out") and value:
            try:
                value = dt.time.fromisoformat(value).strftime("%H:%M")
            except ValueError:
                raise Invalid(key, _("Give the time as hours and minutes, for example 14:00.")) from None
        out[key] = value
    return out


def _blank(value: str) -> str:
    return value or "________"


def notice_layout(order: Order, number: str, details: dict[str, str], issued: dt.datetime) -> Layout:
    """The annex 7 form, Kazakh (the act's words) then Russian (our translation of them)."""
    entry, supplier = order.entry, order.supplier
    rows = (
        Row("Құрметті алушы / Уважаемый получатель", entry.recipient_name),
        Row("Тапсырыс / Заказ", f"№ {order.number}, {to_local(order.sent_at):%d.%m.%Y}"),
        Row("Тапсырыс сомасы / Сумма заказа", _tenge(order.order_sum)),
        Row("оның ішінде кепілді сома / в том числе гарантированная сумма", _tenge(order.guaranteed_sum)),
        Row("қосымша ақы сомасы / сумма доплаты", _tenge(order.surcharge)),
        Row("Келу күні / Дата заезда", f"{order.arrival_date:%d.%m.%Y}"),
        Row("Санаторийдің мекен-жайы / Адрес санатория",
            f"{supplier.name_kk} / {supplier.name_ru}; {_blank(supplier.address)}"),
        Row("Шығу күні / Дата выезда", f"{order.departure_date:%d.%m.%Y}"),
        Row("Тұру ұзақтығы / Продолжительность пребывания", f"{order.bed_days} төсек-күн / койко-дней"),
        Row("Келу уақыты / Время заезда", _blank(details.get("check_in", ""))),
        Row("Шығу уақыты / Время выезда", _blank(details.get("check_out", ""))),
        Row("1. Тамақтану / Питание", _blank(details.get("meals", ""))),
        Row("2. Диагностикалық, емдік және сауықтыру емшаралары / Диагностические, лечебные и оздоровительные "
            "процедуры", _blank(details.get("treatment", ""))),
        Row("3. Тұру: төсек-орын, нөмір / Проживание: койко-место, номер", _blank(details.get("accommodation", ""))),
        Row("Мүгедектігі бар адамдар үшін қолайлы жағдайлар / Условия для лиц с инвалидностью",
            _blank(details.get("accessibility", ""))),
        Row("Санаторийдің телефоны / Телефон санатория", _blank(details.get("phone", "") or supplier.phone)),
    )
    notes = (
        "Қосымша ақы сомасын сіз санаторийге келген кезде төлеуіңіз керек. / Сумму доплаты Вы оплачиваете по "
        "прибытии в санаторий.",
        "Санаторийге орналастыру үшін міндетті түрде келесі құжаттар болуы керек: 1) жеке басын куәландыратын "
        "құжат; 2) санаторий-курорттық карта; 3) төсек-орынның болуын растау туралы хабарлама. / Для заселения "
        "обязательны: 1) документ, удостоверяющий личность; 2) санаторно-курортная карта; 3) уведомление о "
        "подтверждении наличия койко-места.",
        "Сіздің тілегіңізге сәйкес Сізге санаторийге трансферт беріледі. / По Вашему желанию предоставляется "
        "трансфер до санатория.",
        "Сіз бұл төсек-орынға тапсырыс беруден 3 күн бұрын бас тарта аласыз. / Вы можете отказаться от заказа "
        f"этого койко-места за 3 дня (annex 2, cl. 31: {to_local(order.cancel_limit):%d.%m.%Y %H:%M})."
        if order.cancel_limit else "",
        "Жол жүру шығыстарын алушы төлейді. / Проезд оплачивает получатель (annex 2, cl. 26).",
    )
    return Layout(
        title=f"Төсек-орынның бар-жоғын растау туралы хабарлама / Уведомление о подтверждении наличия "
              f"койко-места № {number}",
        heading=("Мүгедектерге және мүгедек балаларға санаторий-курорттық емделуді ұсыну қағидаларына 7-қосымша / "
                 "Приложение 7 к Правилам предоставления санаторно-курортного лечения инвалидам и детям-инвалидам",
                 NOTICE_CITE, f"{to_local(issued):%d.%m.%Y}"),
        rows=rows, code=number, verify_url=f"{settings.QYZMET_PUBLIC_URL.rstrip('/')}/portal/cabinet/",
        footer_note="Хабарламаға өнім беруші Порталда ЭЦҚ-мен қол қояды: осы файлдың SHA-256 хеші қол қойылады. / "
                    "Уведомление подписывается поставщиком ЭЦП на Портале: подписывается хеш SHA-256 этого файла.",
        lang="kk", subject=f"portal.bed-notice:{number}", notes=tuple(n for n in notes if n))


def issue_bed_notice(order: Order, su: SupplierUser, details: dict | None, now: dt.datetime) -> BedNotice:
    """Called inside the acceptance's transaction: the notice is formed, signed by the supplier, stored."""
    clean = clean_details(details)
    number = f"{order.number}-N"
    pdf = render(notice_layout(order, number, clean, now))
    signature = signing.sign_bytes(Signature.Kind.BED_NOTICE, "portal.bednotice", order.pk, pdf, now,
                                   signer_iin=su.supplier.bin, signer_name=su.full_name or str(su.supplier),
                                   user=su.user)
    return BedNotice.objects.create(order=order, number=number, details=clean, pdf=pdf,
                                    pdf_sha256=signature.sha256, signature=signature, issued_at=now)
