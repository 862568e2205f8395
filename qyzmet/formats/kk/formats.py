"""Kazakh date, time and number formats (Django's ``date`` filter syntax).

Kazakh documents write the year first and the month in lower case: "2025 жылғы 19 наурыз".  The
lower-case month comes from the ``E`` format character ("alt. month" names), which our catalogue
overrides for Kazakh (see :mod:`qyzmet.formats.month_names`).  Cyrillic letters are not format
characters, so "жылғы" needs no escaping.
"""

DATE_FORMAT = "Y жылғы j E"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y жылғы j E, H:i"
YEAR_MONTH_FORMAT = "Y жылғы F"
MONTH_DAY_FORMAT = "j E"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # 19.03.2025, how forms in Kazakhstan write dates
    "%Y-%m-%d",  # 2025-03-19
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a no-break space, so 1 000 000 never wraps
NUMBER_GROUPING = 3
