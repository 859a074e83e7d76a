"""How the documents write money and dates: in Russian, as Babel (CLDR) writes them.

    money(1234567.89)        -> "1 234 567,89 ₽"   (no-break spaces: a sum is never split)
    number(1234567.89)       -> "1 234 567,89"      (the columns of an invoice's table)
    long_date(2026-12-07)    -> "7 декабря 2026 г."
    short_date(2026-12-07)   -> "07.12.2026"
"""
from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from .words import to_amount

# Babel puts a narrow no-break space before "г." and in some groupings; Word's fonts do not
# all have it, so the documents use the ordinary no-break space.
_NARROW = str.maketrans({"\u202f": "\u00a0"})

LOCALE = "ru"


def money(value, currency="RUB"):
    """``value`` as a Russian document writes a sum: ``1 234 567,89 ₽``; ``""`` for none.

    :raises ValueError: not an amount
    """
    if value is None or value == "":
        return ""
    return format_currency(to_amount(value), currency, locale=LOCALE, currency_digits=True).translate(_NARROW)


def number(value):
    """``value`` with two decimals and grouped thousands, no currency: ``1 234 567,89``."""
    if value is None or value == "":
        return ""
    return format_decimal(to_amount(value), format="#,##0.00", locale=LOCALE).translate(_NARROW)


def to_date(value):
    """``value`` (a date, a datetime, or ISO 8601 text) as a date; ``None`` for none.

    :raises ValueError: text that is not an ISO 8601 date
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def long_date(value):
    """``7 декабря 2026 г.`` (the month in the genitive, as a Russian document dates itself)."""
    day = to_date(value)
    return format_date(day, format="long", locale=LOCALE).translate(_NARROW) if day else ""


def short_date(value):
    """``07.12.2026``."""
    day = to_date(value)
    return format_date(day, format="dd.MM.y", locale=LOCALE) if day else ""


def initials(full_name):
    """``Иванов Иван Иванович`` -> ``Иванов И. И.``: the name under a signature line."""
    parts = str(full_name or "").split()
    if len(parts) < 2:
        return " ".join(parts)
    return " ".join([parts[0], *(f"{part[0]}." for part in parts[1:3])])
