"""The norm tables as a reader sees them: one line per norm, in kk, ru or en, with its clause.

Used by ``qyzmet catalog show`` and by ``docs/catalog.md`` (``qyzmet catalog doc``)."""

from __future__ import annotations

from qyzmet.core.norms import Entitlements, Item, Norm, Period

WORDS = {
    "year": {"kk": ("жыл", "жыл"), "ru": ("год", "лет"), "en": ("year", "years")},
    "month": {"kk": ("ай", "ай"), "ru": ("месяц", "месяцев"), "en": ("month", "months")},
    "every": {"kk": "барлығына", "ru": "всем", "en": "every recipient"},
    "after": {"kk": "алған күннен бастап {p} ерте емес ауыстырылады", "ru": "замена не ранее {p} со дня получения",
              "en": "replaced not earlier than {p} from receipt"},
    "per": {"kk": "{p} ішінде {q}", "ru": "{q} за {p}", "en": "{q} per {p}"},
    "calendar": {"kk": "күнтізбелік жыл", "ru": "календарный год", "en": "calendar year"},
    "lifetime": {"kk": "өмірінде бір рет", "ru": "один раз в жизни", "en": "once in a lifetime"},
    "max": {"kk": "пайдалану мерзімі {p} артық емес", "ru": "срок пользования не более {p}",
            "en": "worn at most {p}"},
    "no-period": {"kk": "мерзімі белгіленбеген", "ru": "срок не установлен", "en": "no period set"},
    "free": {"kk": "тегін", "ru": "бесплатно", "en": "free"},
    "discount": {"kk": "{n} % жеңілдікпен", "ru": "со скидкой {n} %", "en": "at a {n} % discount"},
    "discount-sum": {"kk": "жеңілдікпен", "ru": "со скидкой", "en": "at a discount"},
    "own-expense": {"kk": "өз қаражаты есебінен", "ru": "за свой счет", "en": "at own expense"},
}


def period_words(p: Period, lang: str, *, genitive: bool = False) -> str:
    """"7 years" / "7 жыл" / "7 лет"; ``genitive`` for Russian "не ранее 4 лет", "не более 6 месяцев"."""
    one, many = WORDS[p.unit][lang]
    few = p.amount % 10 in (2, 3, 4) and p.amount % 100 not in (12, 13, 14)
    if lang == "ru":
        if genitive:
            one, many = ("года", "лет") if p.unit == "year" else ("месяца", "месяцев")
            return f"{p.amount} {one if p.amount % 10 == 1 and p.amount % 100 != 11 else many}"
        if few:
            many = "года" if p.unit == "year" else "месяца"
    return f"{p.amount} {one if p.amount == 1 else many}"


def norm_words(ent: Entitlements, norm: Norm, lang: str) -> str:
    cats = ", ".join(c.name.get(lang) for code in norm.categories if (c := ent.category(code))) or \
        WORDS["every"][lang]
    parts: list[str] = []
    if norm.once_per_lifetime:
        parts.append(WORDS["lifetime"][lang])
    if norm.per == "calendar-year":
        parts.append(WORDS["per"][lang].format(q=norm.quantity, p=WORDS["calendar"][lang]))
    elif isinstance(norm.per, Period):
        parts.append(WORDS["per"][lang].format(q=norm.quantity, p=period_words(norm.per, lang)))
    elif norm.quantity > 1:
        parts.append(str(norm.quantity))
    if norm.replace_after:
        parts.append(WORDS["after"][lang].format(p=period_words(norm.replace_after, lang, genitive=True)))
    if norm.max_use:
        parts.append(WORDS["max"][lang].format(p=period_words(norm.max_use, lang, genitive=True)))
    if not parts:
        parts.append(WORDS["no-period"][lang])
    if norm.payment == "discount":
        parts.append(WORDS["discount"][lang].format(n=norm.discount_percent) if norm.discount_percent
                     else WORDS["discount-sum"][lang])
    else:
        parts.append(WORDS[norm.payment][lang])
    if norm.quarters:
        parts.append(" + ".join(map(str, norm.quarters)))
    return f"{cats}: {'; '.join(parts)}"


def item_lines(ent: Entitlements, item: Item, lang: str) -> list[str]:
    row = f" (annex row {item.row})" if item.row and lang == "en" else (f" ({item.row})" if item.row else "")
    return [f"{item.name.get(lang)}{row}"] + [f"    {norm_words(ent, n, lang)} [{n.cite}]" for n in item.norms]
