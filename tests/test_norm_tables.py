"""The encoded norm tables of Order No. 61 of 3 March 2021 (seed 002) against a table written by hand from the act.

The hand table below was built by reading the Kazakh text of the act itself
(../shared/seeds/002_6f18526066e22fa6.txt; the English digests 002b.md and 002c.md only helped to read it), NOT
from the regulation files: each row is one number of one norm-table row of the act, with the clause, a stem of
the item's Kazakh name as the act spells it, and the seed line.  The test then looks the number up in the
``entitlements:`` section of the shipped regulation: an item whose ``name.kk`` contains the stem, one of whose
norms cites the clause and carries the number in the matching field.

Also checked, per clause: how many items the act lists against how many items have a norm citing the clause
(by part: each item falls in the first part its name matches; no item may be left over); the act's special rules
(kind and clause); and the annex row labels against the ``row`` of the indications.

Not in the hand table, because the act gives them outside any norm row or the schema has no field for them:
cl. 36-37 (45 / 7 working days to make), cl. 41 (two trips a year), cl. 55 (extra finishing paid by the
customer), cl. 97-98 (auditory-verbal adaptation within 3 years of the implant, 15 working / calendar days, one
trip a year), cl. 103 (diaper sizes), annex 1 row 4.4 (sheet sizes), the 110 kg note of annex 2.  The act gives
no replacement period for the hearing aid itself (cl. 88 and 89 are one text twice).

Readings taken where the act can be read two ways (each is repeated at its row):

* "N жылда бір рет" (once in N years, hearing-aid service, cl. 88/89) and "1 500 sheets for not less than 1 year"
  (cl. 100) are accepted as ``replace_after`` or as ``per`` (field ``every``).
* "бір жылға" (cl. 102) and "жыл сайын" (cl. 47) are accepted as ``per: calendar-year`` or ``per: 1 year``
  (field ``yearly``).
* Boots instead of shoes (cl. 59) are "at own expense" with a discount of the shoes' sum: ``own-expense`` or
  ``discount`` is accepted.
* Where the act lists several kinds under one name (walkers, canes and crutches in annex 1 rows 1.3-1.5; the
  three watches of annex 1 row 3.9), an encoding with one item per kind or one item for all is accepted in the
  counts; every other count is the one the clause itself gives.
* Annex 1 section 1 (rows 1.1-1.16) belongs to the prosthetic-aid regulation, sections 2-4 to technical-aids.
  Indication labels that are not row numbers (a closing note) are left out of the comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import product

import pytest

from qyzmet.core.loader import CATALOG_ROOT, RegulationLoadError, load_file, shipped_catalog
from qyzmet.core.norms import Entitlements, Item, Norm, Period

PA = "mlsp-2021/prosthetic-aid"  # annex 3 to the order, Ch. 3 and annex 1 section 1
TA = "mlsp-2021/technical-aids"  # annex 3 to the order, Ch. 5 and annex 1 sections 2-4
MM = "mlsp-2021/mobility-means"  # annex 4 to the order, cl. 25-26 and annex 2


def Y(n: int) -> Period:
    return Period(n, "year")


def M(n: int) -> Period:
    return Period(n, "month")


# --------------------------------------------------------------------------------------------------------------
# The hand table
# --------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One number of one norm-table row of the act."""

    reg: str
    clauses: tuple[str, ...]  # the norm's cite must name one of them
    what: str  # English gloss (test id)
    stems: tuple[str, ...]  # the item's name.kk contains one of them
    line: int  # seed line
    want: tuple[tuple[str, object], ...]

    @property
    def label(self) -> str:
        wants = ", ".join(f"{k}={_show(v)}" for k, v in self.want) or "present"
        return f"{self.reg.split('/')[1]} cl.{'/'.join(self.clauses)} {self.what}: {wants}"


def row(reg: str, clause: str, what: str, stem: str, line: int, **want: object) -> Row:
    """``clause`` "88/89": either cite; ``stem`` "a|b": either stem.  ``want`` fields:

    replace_after, max_use, per (a Period or "calendar-year"), every (replace_after or per), yearly (per is
    "calendar-year" or 1 year), quantity, discount (percent, and payment "discount"), once_per_lifetime,
    quarters, payment (one or a tuple of alternatives), categories (all of these codes among the norm's), unit
    (the item's).
    """
    return Row(reg, tuple(clause.split("/")), what, tuple(stem.split("|")), line, tuple(want.items()))


NORM_ROWS: list[Row] = [
    # ---- prosthetic-aid: Ch. 3 (lines 2957-3241) -------------------------------------------------------------
    # seed 3095-3096: "протездік-ортопедиялық аяқкиімді жөндеу олардың өз қаражаты есебінен" (cl. 39, an item
    # with an own-expense norm per the encoding brief; outside cl. 42-62 but a norm of the same chapter)
    row(PA, "39", "footwear repair", "жөндеу", 3095, payment="own-expense"),
    # seed 3122-3124: "кию мерзімі 6 айдан аспайтын оқу-жаттығу протездерімен"
    row(PA, "43", "training prosthesis", "оқу-жаттығу", 3123, max_use=M(6)),
    # seed 3125-3126: "құрылғысы бар жұмыс протездерімен ... бір мезгілде" (no number: the item must be there)
    row(PA, "43", "working prosthesis", "жұмыс протез", 3125),
    # seed 3127-3129: "Шино-былғары, құрастырмалы протездер, ортопедиялық аппараттар ... кемінде бір жылдан кейін"
    row(PA, "44", "leather-splint prosthesis", "шино", 3127, replace_after=Y(1)),
    # (cl. 42, seed 3112, spells the same prostheses "құрамдастырылған")
    row(PA, "44", "combined prosthesis", "құрастырмалы|құрамдастырылған", 3127, replace_after=Y(1)),
    row(PA, "44", "orthopaedic apparatus", "аппарат", 3127, replace_after=Y(1)),
    # seed 3130-3133: modern-technology components "кемінде 3 жылдан, мүгедек балалар үшін – кемінде 2 жылдан"
    row(PA, "45", "modern-technology components", "заман|құрастырушы түйін", 3132, replace_after=Y(3)),
    row(PA, "45", "modern-technology components (child)", "заман|құрастырушы түйін", 3132,
        replace_after=Y(2), categories=("child",)),
    # seed 3134-3135: "электрондық тізе модулі бар бұйымдарды ... кемінде 5 жылдан кейін"
    row(PA, "45", "electronic knee module", "тізе модул", 3134, replace_after=Y(5)),
    # seed 3136-3138: "косметикалық қаптау, табандар, қабылдау гильзасы, тыстарды ... кемінде 1 жылдан кейін"
    row(PA, "45", "cosmetic cladding", "қаптау", 3136, replace_after=Y(1)),
    row(PA, "45", "prosthetic feet", "табан", 3137, replace_after=Y(1)),
    row(PA, "45", "receiving socket", "гильза", 3137, replace_after=Y(1)),
    row(PA, "45", "covers", "тыс", 3137, replace_after=Y(1)),
    # seed 3139-3140: "кеуде безі протездерін, жетек арбаларды ... кемінде 2 жылдан кейін"
    row(PA, "45", "breast prosthesis", "кеуде", 3139, replace_after=Y(2)),
    # (cl. 42, seed 3116, calls walkers "жүргіштер")
    row(PA, "45", "walkers", "жетек арба|жүргіш", 3139, replace_after=Y(2)),
    # seed 3140: "таяқшалар мен балдақтарды кемінде бір жылдан кейін"
    row(PA, "45", "canes", "таяқ", 3140, replace_after=Y(1)),
    row(PA, "45", "crutches", "балдақ", 3140, replace_after=Y(1)),
    # seed 3144: "Аяқ протездерін беру кезінде әрбір протезге жыл сайын 3 тыстан беріледі"
    row(PA, "47", "stump covers", "тыс", 3144, quantity=3, yearly=True),
    # seed 3145: "Кеуде қуысының протездері екі іш киіммен (бюстгалтер) беріледі"
    row(PA, "48", "bras with breast prostheses", "бюстгал|іш киім", 3145, quantity=2),
    # seed 3175-3182: complex orthopaedic footwear (except boots), wear period not less than 1 year:
    # GPW two pairs (3177-3179), groups I and II one pair (3180-3181), children two pairs (3182)
    row(PA, "52", "complex footwear (GPW)", "күрделі", 3179,
        quantity=2, replace_after=Y(1), categories=("gpw",), unit="pair"),
    row(PA, "52", "complex footwear (group I)", "күрделі", 3180,
        quantity=1, replace_after=Y(1), categories=("group-1",), unit="pair"),
    row(PA, "52", "complex footwear (group II)", "күрделі", 3180,
        quantity=1, replace_after=Y(1), categories=("group-2",), unit="pair"),
    row(PA, "52", "complex footwear (child)", "күрделі", 3182,
        quantity=2, replace_after=Y(1), categories=("child",), unit="pair"),
    # seed 3183-3186: persons equated to GPW invalids: "бүйірлік резеңкелері бар аяқкиім" (no number)
    row(PA, "53", "side-elastic footwear (GPW-equated)", "резеңке", 3186, categories=("gpw",)),
    # seed 3187-3189: group III from general disease or since childhood: "50 пайыздық құн жеңілдігімен"
    row(PA, "54", "complex footwear (group III general)", "күрделі", 3188,
        discount=50, categories=("group-3-general",)),
    # seed 3200-3206: GPW "кемінде 1 жыл кию мерзімімен протездерге арналған бір жұп аяқкиім"
    row(PA, "56", "footwear for prostheses (GPW)", "протездерге", 3205,
        quantity=1, replace_after=Y(1), categories=("gpw",), unit="pair"),
    # seed 3207-3208: children "кемінде 1 жыл кию мерзімімен екі жұп (жазғы және қысқы мауыты)"
    row(PA, "56", "footwear for prostheses (child)", "протездерге", 3207,
        quantity=2, replace_after=Y(1), categories=("child",), unit="pair"),
    # seed 3209-3211: groups I and II "кемінде 1 жыл кию мерзімімен ... бір жұбы құнының 50 пайыздық жеңілдігімен"
    row(PA, "57", "footwear for prostheses (group I)", "протездерге", 3210,
        quantity=1, replace_after=Y(1), discount=50, categories=("group-1",), unit="pair"),
    row(PA, "57", "footwear for prostheses (group II)", "протездерге", 3210,
        quantity=1, replace_after=Y(1), discount=50, categories=("group-2",), unit="pair"),
    # seed 3212-3213: "Үшінші топтағы мүгедектерге мұндай аяқкиім олардың өз қаражаты есебінен" (all of group
    # III; the code group-3 must be among the norm's categories)
    row(PA, "57", "footwear for prostheses (group III)", "протездерге", 3212,
        payment="own-expense", categories=("group-3",)),
    # seed 3214-3216: one leg amputated: "сау аяғына жартылай жұп аяқкиім" (half a pair: no integer quantity)
    row(PA, "58", "half pair for the healthy foot", "жартылай", 3215),
    # seed 3217-3220: boots instead of shoes "өз қаражаты есебінен" with a discount of the shoes' sum
    row(PA, "59", "boots instead of shoes", "етік", 3218, payment=("own-expense", "discount")),
    # seed 3225-3229: treatment-prophylactic means, "Алып жүру мерзімі бір жылдан кем емес": GPW, children
    row(PA, "60", "treatment-prophylactic means (GPW)", "емдеу-профилактикалық", 3225,
        replace_after=Y(1), categories=("gpw",)),
    row(PA, "60", "treatment-prophylactic means (child)", "емдеу-профилактикалық", 3229,
        replace_after=Y(1), categories=("child",)),
    # seed 3230-3234: groups I and II from general disease or since childhood, "кемінде 1 жыл кию мерзімімен
    # 1 жыл пайдалану мерзімімен 50 пайыздық жеңілдікпен" (the second "1 year" repeats the first)
    row(PA, "61", "treatment-prophylactic means (group I)", "емдеу-профилактикалық", 3233,
        replace_after=Y(1), discount=50, categories=("group-1",)),
    row(PA, "61", "treatment-prophylactic means (group II)", "емдеу-профилактикалық", 3233,
        replace_after=Y(1), discount=50, categories=("group-2",)),
    # seed 3238-3241: eight self-care devices "5 жылдан бұрын ауыстырылмайды"
    row(PA, "62", "shirt-donning device", "жейде", 3238, replace_after=Y(5)),
    row(PA, "62", "tights-donning device", "колготки", 3238, replace_after=Y(5)),
    row(PA, "62", "sock-donning device", "шұлық", 3239, replace_after=Y(5)),
    row(PA, "62", "button-fastening device (hook)", "түйме", 3239, replace_after=Y(5)),
    row(PA, "62", "active grabber", "белсенді ұстағыш", 3240, replace_after=Y(5)),
    row(PA, "62", "dish holder", "ыдыс", 3240, replace_after=Y(5)),
    row(PA, "62", "lid-opening holder", "қақпақ", 3240, replace_after=Y(5)),
    row(PA, "62", "key holder", "кілт", 3241, replace_after=Y(5)),

    # ---- technical-aids: Ch. 5 (lines 3427-3706) -------------------------------------------------------------
    # seed 3523-3527 = 3528-3532 (cl. 88 and 89 are the same text): "Ұлы Отан соғысының қатысушылары мен
    # мүгедектеріне 3 жылда бір рет, мүгедектерге 4 жылда бір рет ұйым есту аппаратын жөндеуді жүргізеді ...
    # дыбыс өткізгіштер, батарейкалар немесе аккумуляторлар береді" (once in N years: replace_after or per)
    row(TA, "88/89", "hearing-aid repair and kit (GPW)", "есту аппарат|жөндеу|батарей|дыбыс өткізг", 3523,
        every=Y(3), categories=("gpw",)),
    row(TA, "88/89", "hearing-aid repair and kit (others)", "есту аппарат|жөндеу|батарей|дыбыс өткізг", 3524,
        every=Y(4)),
    # seed 3544-3549: "... алынған күннен бастап кемінде 5 жылдан кейін ауыстырылады" (six devices)
    row(TA, "91", "laptop with webcam", "камера", 3544, replace_after=Y(5)),
    # (annex 1 row 2.3, seed 4318, calls them "көп функционалды дабылды жүйелер")
    row(TA, "91", "multifunctional signalling systems", "сигнал|дабыл", 3544, replace_after=Y(5)),
    row(TA, "91", "mobile phone with text messaging", "мәтіндік", 3545, replace_after=Y(5)),
    row(TA, "91", "watches for the deaf", "еститін", 3546, replace_after=Y(5)),
    # (annex 1 row 2.7, seed 4424: "дауыс шығаратын аппарат")
    row(TA, "91", "voice-producing apparatus", "дауыс", 3546, replace_after=Y(5)),
    row(TA, "91", "speech processor", "процессор", 3548, replace_after=Y(5)),
    # seed 3607-3612: nine typhlo devices "алынған сәттен бастап кемінде 5 жылдан бұрын ауыстырылмайды"
    row(TA, "100", "laptop with screen access", "экрандық", 3607, replace_after=Y(5)),
    row(TA, "100", "reading machine", "машина", 3608, replace_after=Y(5)),
    row(TA, "100", "Braille writing device", "жазу құралы", 3608, replace_after=Y(5)),
    row(TA, "100", "mobile phone with dictaphone", "диктофон", 3609, replace_after=Y(5)),
    row(TA, "100", "audio player", "плейер", 3609, replace_after=Y(5)),
    row(TA, "100", "watches for the visually impaired", "сағат", 3610, replace_after=Y(5)),
    row(TA, "100", "talking thermometer", "термометр", 3610, replace_after=Y(5)),
    row(TA, "100", "talking tonometer", "тонометр", 3611, replace_after=Y(5)),
    row(TA, "100", "talking glucometer", "глюкометр", 3611, replace_after=Y(5)),
    # seed 3613-3614: "тест жолақшалары 300 данада сатып алынады"
    row(TA, "100", "test strips", "жолақша", 3614, quantity=300, unit="piece"),
    # seed 3621-3622: "Тифлотаяқ, Брайль жүйесі бойынша жазу грифелі ... кемінде 2 жылдан бұрын ауыстырылмайды"
    row(TA, "100", "white cane", "тифлотаяқ", 3621, replace_after=Y(2)),
    row(TA, "100", "Braille stylus", "грифел", 3621, replace_after=Y(2)),
    # seed 3623-3624: "ине сабақтағыштар, тігін инелері 5 жылдан бұрын ауыстырылмайды"
    row(TA, "100", "needle threaders", "сабақтағыш", 3623, replace_after=Y(5)),
    row(TA, "100", "sewing needles", "тігін ине", 3624, replace_after=Y(5)),
    # seed 3625-3626: "қағаз 1500 парақ мөлшерінде 1 жылдан кем болмайтын мерзімге" (replace_after or per)
    row(TA, "100", "Braille paper", "қағаз", 3625, quantity=1500, every=Y(1), unit="sheet"),
    # seed 3627-3628: "сөйлейтін құрал, Брайль бойынша алмалы-салмалы әліппе мүгедекке бір рет өмір бойына"
    row(TA, "100", "Braille self-learning device", "өз бетімен", 3627, once_per_lifetime=True),
    # (annex 1 row 3.14, seed 4929: "жиналмалы әліппе")
    row(TA, "100", "collapsible Braille alphabet", "әліппе", 3628, once_per_lifetime=True),
    # seed 3634-3660: hygiene means "бір жылға төмендегідей мөлшерде"
    row(TA, "102", "diapers", "жөргек", 3636,
        quantity=730, yearly=True, quarters=(200, 200, 200, 130), unit="piece"),
    row(TA, "102", "urine collectors", "несеп қабылдағыш", 3639,
        quantity=365, yearly=True, quarters=(90, 90, 90, 95), unit="piece"),
    row(TA, "102", "faecal collectors", "нәжіс қабылдағыш", 3643,
        quantity=365, yearly=True, quarters=(90, 90, 90, 95), unit="piece"),
    row(TA, "102", "absorbent sheets", "жайма|жаялық", 3646,
        quantity=365, yearly=True, quarters=(90, 90, 90, 95), unit="piece"),
    row(TA, "102", "catheter", "катетер", 3649, quantity=12, yearly=True, unit="piece"),
    row(TA, "102", "disposable catheters (Spina bifida, child)", "бір рет", 3650,
        quantity=2190, yearly=True, categories=("child",), unit="piece"),
    row(TA, "102", "paste-sealant", "паста", 3652, quantity=12, yearly=True, unit="piece"),
    row(TA, "102", "protective cream", "крем", 3654, quantity=12, yearly=True, unit="piece"),
    row(TA, "102", "absorbent powder", "ұнтақ", 3656, quantity=12, yearly=True, unit="piece"),
    row(TA, "102", "odour neutraliser", "бейтараптандырғыш", 3658, quantity=12, yearly=True, unit="piece"),
    row(TA, "102", "skin cleanser", "тазартқыш", 3659, quantity=12, yearly=True, unit="piece"),
    # seed 3704-3706: "... алынған сәттен бастап кемінде 4 жылдан бұрын ауыстырылмайды"
    row(TA, "105", "commode chair", "кресло-орындық", 3704, replace_after=Y(4)),
    row(TA, "105", "folding toilet handrails", "дәретхана", 3705, replace_after=Y(4)),
    row(TA, "105", "bathroom handrails", "жуынатын", 3705, replace_after=Y(4)),

    # ---- mobility-means: annex 4 to the order, cl. 26 (lines 7060-7066) and annex 2 (7213-7496) --------------
    # seed 7064-7066: "Бөлмелік кресло-арбалар 7 жылдан ерте, серуендеуге арналған кресло-арбалар 4 жылдан ерте,
    # әмбебап кресло-арбалар оларды алған күннен бастап 5 жылдан ерте ауыстырылмайды"
    row(MM, "26", "room wheelchair", "бөлме", 7064, replace_after=Y(7)),
    row(MM, "26", "walking wheelchair", "серуен", 7064, replace_after=Y(4)),
    row(MM, "26", "universal wheelchair", "әмбебап", 7065, replace_after=Y(5)),
    # annex 2 types and the kind whose period they follow: row 2 "иінтіректі жетегі бар серуендеу" (seed 7290)
    # is a walking chair; rows 3 "белсенді типті әмбебап" (7324), 4 "электр жетегі бар кресло-арба (әмбебап)"
    # (7375) and 5 "көп функциялы кресло-арба (балаларға арналған әмбебап)" (7463) are universal
    row(MM, "26", "lever-drive walking wheelchair", "иінтірек", 7290, replace_after=Y(4)),
    row(MM, "26", "active-type universal wheelchair", "белсенді", 7324, replace_after=Y(5)),
    row(MM, "26", "electric universal wheelchair", "электр", 7375, replace_after=Y(5)),
    row(MM, "26", "multifunctional children's wheelchair", "көп функциялы", 7463, replace_after=Y(5)),
]


@dataclass(frozen=True)
class Count:
    """How many items the act lists under a clause (optionally: with this number), by part.

    Each item with a norm citing the clause is counted in the first part whose stem its name contains (so a more
    specific part comes first); each part's count must be one the act allows, and no item may be left over.
    """

    reg: str
    clauses: tuple[str, ...]
    what: str
    line: int
    parts: tuple[tuple[str, tuple[str, ...], tuple[int, ...]], ...]  # (gloss, stems, acceptable counts)
    where: tuple[tuple[str, object], ...] = ()

    @property
    def acceptable(self) -> set[int]:
        return {sum(c) for c in product(*(allowed for _, _, allowed in self.parts))}

    @property
    def label(self) -> str:
        return f"{self.reg.split('/')[1]} cl.{'/'.join(self.clauses)} {self.what}"


def count(reg: str, clause: str, what: str, line: int, parts: list[tuple[str, str, int | tuple[int, ...]]],
          **where: object) -> Count:
    return Count(reg, tuple(clause.split("/")), what, line,
                 tuple((g, tuple(s.split("|")), (n,) if isinstance(n, int) else n) for g, s, n in parts),
                 tuple(where.items()))


COUNTS: list[Count] = [
    # ---- prosthetic-aid ----
    count(PA, "39", "footwear repair", 3095, [("footwear repair", "жөндеу", 1)]),
    count(PA, "43", "training and working prostheses", 3122, [
        ("training prosthesis", "оқу-жаттығу", 1), ("working prosthesis", "жұмыс протез", 1)]),
    count(PA, "44", "1-year prostheses and apparatuses", 3127, [
        ("leather-splint", "шино", 1), ("combined", "құрастырмалы|құрамдастырылған", 1),
        ("orthopaedic apparatuses", "аппарат", 1)]),
    # cl. 45 names ten things (seed 3130-3140).  Cladding, feet, sockets and covers may be one item or up to four;
    # walkers may be one item, the six kinds of annex 1 row 1.5 (seed 3940-4016) or the seven of cl. 42 (seed
    # 3116-3118); canes one or the two kinds of row 1.3; crutches one, two (cl. 42) or the three of row 1.4
    count(PA, "45", "modern-technology parts, breast prostheses, walkers, canes, crutches", 3130, [
        ("electronic knee module", "тізе модул", 1), ("modern-technology components", "заман|құрастырушы түйін", 1),
        ("cladding, feet, sockets, covers", "қаптау|табан|гильза|тыс", (1, 2, 3, 4)),
        ("breast prostheses", "кеуде", 1), ("walkers", "жетек арба|жүргіш", (1, 6, 7)),
        ("canes", "таяқ", (1, 2)), ("crutches", "балдақ", (1, 2, 3))]),
    count(PA, "47", "stump covers", 3144, [("covers", "тыс", 1)]),
    count(PA, "48", "bras", 3145, [("bras", "бюстгал|іш киім", 1)]),
    count(PA, "52", "complex orthopaedic footwear", 3175, [("complex footwear", "күрделі", 1)]),
    count(PA, "53", "side-elastic footwear", 3183, [("side-elastic footwear", "резеңке", 1)]),
    count(PA, "54", "complex footwear at a discount", 3187, [("complex footwear", "күрделі", 1)]),
    count(PA, "56", "footwear for prostheses", 3200, [("footwear for prostheses", "протездерге", 1)]),
    count(PA, "57", "footwear for prostheses", 3209, [("footwear for prostheses", "протездерге", 1)]),
    count(PA, "58", "half pair", 3214, [("half pair", "жартылай", 1)]),
    # seed 3217-3218: boots "ортопедиялық немесе протездік бәтеңкелердің орнына": one item, or one in place of the
    # orthopaedic and one in place of the prosthetic shoes
    count(PA, "59", "boots", 3217, [("boots", "етік", (1, 2))]),
    count(PA, "60", "treatment-prophylactic means", 3225, [("treatment-prophylactic", "емдеу-профилактикалық", 1)]),
    count(PA, "61", "treatment-prophylactic means", 3230, [("treatment-prophylactic", "емдеу-профилактикалық", 1)]),
    count(PA, "62", "self-care devices", 3238, [
        ("shirt", "жейде", 1), ("tights", "колготки", 1), ("socks", "шұлық", 1), ("buttons", "түйме", 1),
        ("active grabber", "белсенді ұстағыш", 1), ("dishes", "ыдыс", 1), ("lids", "қақпақ", 1), ("keys", "кілт", 1)]),
    # ---- technical-aids ----
    # cl. 88/89 (seed 3523): the repair and the kit of sound conductors, batteries or accumulators: one item,
    # repair + one kit item, or repair + three consumables
    count(TA, "88/89", "hearing-aid repair and kit", 3523, [
        ("hearing-aid repair, sound conductors, batteries, accumulators",
         "есту аппарат|жөндеу|дыбыс өткізг|батарей|аккумулятор", (1, 2, 4))]),
    count(TA, "91", "hearing-related devices", 3544, [
        ("laptop with webcam", "камера", 1), ("signalling systems", "сигнал|дабыл", 1),
        ("text phone", "мәтіндік", 1), ("watches for the deaf", "еститін", 1), ("voice apparatus", "дауыс", 1),
        ("speech processor", "процессор", 1)]),
    # cl. 100 (seed 3607-3628); the watches may be one item or the three kinds of annex 1 row 3.9 (seed 4690-4767);
    # threaders and needles one item or two; the test strips a separate item or part of the glucometer item
    count(TA, "100", "typhlo means, 5-year list", 3607, [
        ("screen-access laptop", "экрандық", 1), ("reading machine", "машина", 1),
        ("Braille writing device", "жазу құралы", 1), ("dictaphone phone", "диктофон", 1), ("player", "плейер", 1),
        ("watches", "сағат", (1, 3)), ("thermometer", "термометр", 1), ("tonometer", "тонометр", 1),
        ("glucometer", "глюкометр", 1), ("threaders, needles", "сабақтағыш|тігін ине", (1, 2))],
        replace_after=Y(5)),
    count(TA, "100", "typhlo means, whole clause", 3607, [
        ("screen-access laptop", "экрандық", 1), ("reading machine", "машина", 1),
        ("Braille writing device", "жазу құралы", 1), ("dictaphone phone", "диктофон", 1), ("player", "плейер", 1),
        ("watches", "сағат", (1, 3)), ("thermometer", "термометр", 1), ("tonometer", "тонометр", 1),
        ("glucometer and its strips", "глюкометр|жолақша", (1, 2)), ("white cane", "тифлотаяқ", 1),
        ("stylus", "грифел", 1), ("threaders, needles", "сабақтағыш|тігін ине", (1, 2)), ("paper", "қағаз", 1),
        ("self-learning device", "өз бетімен", 1), ("alphabet", "әліппе", 1)]),
    count(TA, "102", "hygiene means", 3634, [
        ("diapers", "жөргек", 1), ("urine collectors", "несеп қабылдағыш", 1),
        ("faecal collectors", "нәжіс қабылдағыш", 1), ("absorbent sheets", "жайма|жаялық", 1),
        ("catheter", "катетер", 2),  # the 12 catheters and the 2 190 disposable ones of Spina bifida
        ("paste", "паста", 1), ("cream", "крем", 1), ("powder", "ұнтақ", 1),
        ("odour neutraliser", "бейтараптандырғыш", 1), ("skin cleanser", "тазартқыш", 1)]),
    count(TA, "105", "sanitary devices", 3704, [
        ("commode chair", "кресло-орындық", 1), ("toilet handrails", "дәретхана", 1),
        ("bathroom handrails", "жуынатын", 1)]),
    # ---- mobility-means ----
    # cl. 26 (seed 7062-7066) names three kinds; annex 2 has five rows, row 1 being a room OR a walking chair
    # (seed 7223-7224 "бөлме/серуен"): room 1, walking 2 (row 1, row 2), universal 3 (rows 3-5)
    count(MM, "26", "wheelchairs", 7062, [
        ("room", "бөлме", 1), ("walking", "серуен", 2), ("universal", "әмбебап", 3)]),
]


@dataclass(frozen=True)
class RuleRow:
    reg: str
    clause: str
    kind: str
    line: int
    items: tuple[str, ...] = ()  # one of the rule's items is named with one of these stems
    gives: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.reg.split('/')[1]} {self.clause} {self.kind}"


def rule(reg: str, clause: str, kind: str, line: int, items: str = "", gives: str = "") -> RuleRow:
    return RuleRow(reg, clause, kind, line, tuple(s for s in items.split("|") if s),
                   tuple(s for s in gives.split("|") if s))


RULES: list[RuleRow] = [
    # seed 3141-3143: two prostheses at once "кемінде екі кию мерзімі өткеннен кейін"
    rule(PA, "46", "double-period", 3141, items="протез"),
    # seed 3145: breast prostheses "екі іш киіммен (бюстгалтер) беріледі"
    rule(PA, "48", "issued-with", 3145, items="кеуде", gives="бюстгал|іш киім"),
    # seed 3146-3149: usable after its period and not renewed: "белгіленген санда тыстар беріледі"
    rule(PA, "49", "covers-instead", 3146, gives="тыс"),
    # seed 3150-3157: the commission decides early replacement, extension; the supplier's fault: its expense
    rule(PA, "50", "early-replacement", 3150),
    rule(PA, "50", "extension", 3150),
    rule(PA, "50", "supplier-fault-repair", 3155),
    # seed 3536-3543: the regional department decides an early hearing aid
    rule(TA, "90", "early-replacement", 3536, items="есту аппарат"),
    # seed 3615-3617: the kit's strips used up, "мүгедектер өз қаражаты есебінен сатып алады"
    rule(TA, "100", "then-own-expense", 3615, items="жолақша"),
    # seed 4489-4494: annex 1 row 3.2 note "бір оқитын машина беріледі"
    rule(TA, "3.2", "one-per-family", 4489, items="машина"),
    # seed 7062-7063: "бір мезгілде бөлме және серуендеу кресло-арбасымен немесе бір әмбебап кресло-арбамен"
    rule(MM, "26", "one-of-sets", 7062),
]

# Annex 1 (seed 3717-5372): row labels as the table prints them (line of each label).
INDICATION_ROWS: dict[str, dict[str, int]] = {
    PA: {
        "1.1": 3729, "1.2": 3740, "1.3": 3767, "1.4": 3834, "1.5": 3938, "1.6": 4037, "1.7": 4057, "1.8": 4081,
        "1.9": 4091, "1.10": 4119, "1.11": 4123, "1.12": 4160, "1.13": 4163, "1.14": 4186, "1.15": 4207,
        "1.16": 4244,
    },
    TA: {
        "2.1": 4259, "2.2": 4275, "2.3": 4317, "2.4": 4341, "2.5": 4375, "2.6": 4409, "2.7": 4423,
        "3.1": 4450, "3.2": 4475, "3.3": 4518, "3.4": 4557, "3.5": 4590, "3.6": 4593, "3.7": 4598, "3.8": 4652,
        "3.9": 4688, "3.10": 4792, "3.11": 4823, "3.12": 4858, "3.13": 4888, "3.14": 4927, "3.15": 4973,
        "4.1": 5002, "4.2": 5021, "4.3": 5030, "4.4": 5076, "4.5": 5124, "4.5-1": 5132, "4.6": 5146, "4.7": 5171,
        "4.8": 5191, "4.9": 5216, "4.10": 5229, "4.11": 5283, "4.12": 5315, "4.13": 5344,
    },
    # annex 2 of annex 4 (seed 7213-7480)
    MM: {"1": 7223, "2": 7289, "3": 7323, "4": 7374, "5": 7462},
}


# --------------------------------------------------------------------------------------------------------------
# Looking the hand table up in the data
# --------------------------------------------------------------------------------------------------------------

@cache
def _load(reg_id: str):
    try:
        return shipped_catalog().get(reg_id), None
    except RegulationLoadError:
        # Some file of the catalog does not load (perhaps one being edited): load this one alone.
        try:
            return load_file(CATALOG_ROOT / f"{reg_id}.yaml"), None
        except RegulationLoadError as exc:
            return None, str(exc)


def _entitlements(reg_id: str) -> Entitlements:
    regulation, problem = _load(reg_id)
    if regulation is None:
        pytest.fail(f"{reg_id} does not load:\n{problem}")
    if regulation.entitlements is None:
        pytest.fail(f"{reg_id} has no entitlements: section yet")
    return regulation.entitlements


def _text(s: str | None) -> str:
    return " ".join((s or "").replace("\u00ad", "").lower().split())


def _named(item: Item, stems: tuple[str, ...]) -> bool:
    name = _text(item.name.kk)
    return any(_text(s) in name for s in stems)


@cache
def _clause_re(clause: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\d.]){re.escape(clause)}(?!\d|\.\d)")


def _cites(cite: str | None, clauses: tuple[str, ...]) -> bool:
    return any(_clause_re(c).search(cite or "") for c in clauses)


def _show(v: object) -> str:
    if isinstance(v, tuple):
        return "/".join(_show(x) for x in v) if not all(isinstance(x, int) for x in v) else str(list(v))
    return str(v)


def _mismatches(item: Item, norm: Norm, want: tuple[tuple[str, object], ...]) -> list[str]:
    out = []
    for key, value in want:
        if key in ("replace_after", "max_use", "per", "quantity", "once_per_lifetime"):
            has = getattr(norm, key)
            if has != value:
                out.append(f"{key} is {_show(has)}, the act gives {_show(value)}")
        elif key == "every":
            if value not in (norm.replace_after, norm.per):
                out.append(f"replace_after {norm.replace_after} / per {norm.per}, the act gives once in {value}")
        elif key == "yearly":
            if norm.per not in ("calendar-year", Y(1)):
                out.append(f"per is {norm.per}, the act gives a yearly quantity")
        elif key == "quarters":
            if norm.quarters != value:
                out.append(f"quarters are {_show(norm.quarters)}, the act gives {_show(value)}")
        elif key == "discount":
            if norm.payment != "discount" or norm.discount_percent != value:
                out.append(f"payment {norm.payment} / discount_percent {norm.discount_percent}, "
                           f"the act gives a {value} % discount")
        elif key == "payment":
            allowed = value if isinstance(value, tuple) else (value,)
            if norm.payment not in allowed:
                out.append(f"payment is {norm.payment}, the act gives {_show(value)}")
        elif key == "categories":
            missing = [c for c in value if c not in norm.categories]  # type: ignore[union-attr]
            if missing:
                out.append(f"categories {list(norm.categories)} lack {missing}")
        elif key == "unit":
            if item.unit != value:
                out.append(f"item unit is {item.unit}, the act counts in {value}")
        else:  # pragma: no cover - a typo in the hand table
            raise AssertionError(f"unknown field {key!r} in the hand table")
    return out


@pytest.mark.parametrize("hand", NORM_ROWS, ids=lambda r: r.label)
def test_norm_row(hand: Row):
    ent = _entitlements(hand.reg)
    where = f"{hand.label} (seed line {hand.line}, stem {'|'.join(hand.stems)!r})"
    items = [i for i in ent.items if _named(i, hand.stems)]
    if not items:
        pytest.fail(f"{where}: MISSING ITEM: no item's name.kk contains {' or '.join(map(repr, hand.stems))}")
    cited = [(i, n) for i in items for n in i.norms if _cites(n.cite, hand.clauses)]
    if not cited:
        seen = "; ".join(f"{i.code}: {[n.cite for n in i.norms]}" for i in items)
        pytest.fail(f"{where}: NO NORM CITING cl. {'/'.join(hand.clauses)} on the items named so ({seen})")
    problems = []
    for item, norm in cited:
        bad = _mismatches(item, norm, hand.want)
        if not bad:
            return
        problems.append(f"  {item.code} [{norm.cite}]: " + "; ".join(bad))
    pytest.fail(f"{where}: WRONG NUMBER, no norm matches:\n" + "\n".join(problems))


@pytest.mark.parametrize("hand", COUNTS, ids=lambda c: c.label)
def test_item_count(hand: Count):
    ent = _entitlements(hand.reg)
    found = [i for i in ent.items
             if any(_cites(n.cite, hand.clauses) and not _mismatches(i, n, hand.where) for n in i.norms)]
    parts: dict[str, list[str]] = {gloss: [] for gloss, _, _ in hand.parts}
    unlisted = []
    for item in found:
        part = next((gloss for gloss, stems, _ in hand.parts if _named(item, stems)), None)
        (parts[part] if part else unlisted).append(item.code)
    wrong = [f"{gloss}: {len(parts[gloss])} {parts[gloss]}, the act {'/'.join(map(str, allowed))}"
             for gloss, _, allowed in hand.parts if len(parts[gloss]) not in allowed]
    if len(found) in hand.acceptable and not wrong and not unlisted:
        return
    filt = f" with {', '.join(f'{k}={_show(v)}' for k, v in hand.where)}" if hand.where else ""
    pytest.fail(
        f"{hand.label} (seed line {hand.line}): {len(found)} items have a norm citing the clause{filt}; "
        f"the act lists {'/'.join(map(str, sorted(hand.acceptable)))}."
        + "".join(f"\n  WRONG COUNT {w}" for w in wrong)
        + (f"\n  NOT LISTED by the act under this clause: {unlisted}" if unlisted else "")
        + f"\n  items: {[i.code for i in found]}")


@pytest.mark.parametrize("hand", RULES, ids=lambda r: r.label)
def test_rule(hand: RuleRow):
    ent = _entitlements(hand.reg)
    where = f"{hand.label} (seed line {hand.line})"
    rules = [r for r in ent.rules if r.kind == hand.kind and _cites(r.cite, (hand.clause,))]
    if not rules:
        pytest.fail(f"{where}: MISSING RULE: no rule of kind {hand.kind} cites {hand.clause} "
                    f"(rules: {[(r.code, r.kind, r.cite) for r in ent.rules]})")

    def names(codes: tuple[str, ...], stems: tuple[str, ...]) -> bool:
        return any((item := ent.item(c)) is not None and _named(item, stems) for c in codes)

    for r in rules:
        if (not hand.items or names(r.items, hand.items)) and (not hand.gives or names(r.gives, hand.gives)):
            return
    pytest.fail(f"{where}: the rules {[r.code for r in rules]} do not name the items the act names "
                f"(items {'|'.join(hand.items) or '-'}, gives {'|'.join(hand.gives) or '-'}): "
                + "; ".join(f"{r.code}: items {list(r.items)} gives {list(r.gives)}" for r in rules))


_ROW_LABEL = re.compile(r"^\d+(\.\d+)?(-\d+)?$")


@pytest.mark.parametrize("reg_id", list(INDICATION_ROWS), ids=lambda r: r.split("/")[1])
def test_indication_rows(reg_id: str):
    ent = _entitlements(reg_id)
    expected = INDICATION_ROWS[reg_id]
    labels = {ind.row for ind in ent.indications if _ROW_LABEL.match(ind.row.strip())}
    missing = sorted(set(expected) - labels, key=lambda r: expected[r])
    extra = sorted(labels - set(expected))
    assert not missing and not extra, (
        f"{reg_id} indications: "
        + (f"MISSING rows {', '.join(f'{r} (seed line {expected[r]})' for r in missing)}" if missing else "")
        + ("; " if missing and extra else "")
        + (f"rows the annex does not have: {extra}" if extra else ""))
