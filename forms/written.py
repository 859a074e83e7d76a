"""Reading what people type into the shared input fields (:mod:`forms.inputs`): days, amounts
and percentages, in the reader's locale. Pure functions, no Flask: tested on their own.

One rule each (docs/forms.md, "Input fields"):

- a day is ISO ``2026-11-22`` (what ``<input type=date>`` sends) or the locale's written
  order with a four-digit year: ``22/11/2026`` (vi), ``11/22/2026`` (en), ``22.11.2026`` (ru);
- an amount is a number in the locale's way (``1.500.000,50`` vi, ``1,500,000.50`` en,
  ``1 500 000,50`` ru), plain ``1500000.50`` (an API), or, for a currency without minor
  units, digits grouped by three with a dot, comma or space whatever the locale
  (``30.000.000`` / ``30,000,000`` / ``30 000 000``: unambiguous there, and how people type);
- a percentage is a number with ``.`` or ``,`` as decimal separator, ``%`` allowed.
"""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.dates import get_date_format

from . import numbers

# A day, or the day of an ISO date-time (what an export or an API writes).
ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ][0-9:.+\-Zz]*)?")
WRITTEN_DAY = re.compile(r"([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{4})")
GROUPED = re.compile(r"[0-9]{1,3}(?:[ .,\u00a0\u202f][0-9]{3})+|[0-9]+")


def day(text, locale):
    """The :class:`date` ``text`` names, ISO or written in ``locale``'s order.

    :raises ValueError: not a real calendar day in one of those shapes
    """
    text = text.strip() if isinstance(text, str) else ""
    if match := ISO_DAY.fullmatch(text):
        year, month, number = match.groups()
    elif match := WRITTEN_DAY.fullmatch(text):
        first, _sep, second, year = match.groups()
        number, month = (first, second) if day_first(locale) else (second, first)
    else:
        raise ValueError(text)
    return date(int(year), int(month), int(number))


def day_first(locale):
    """Whether ``locale`` writes the day before the month (vi, ru) or after it (en)."""
    pattern = get_date_format("short", locale=locale or "en").pattern
    return pattern.find("d") < pattern.find("M")


def written_day(value, locale):
    """``value`` (a date) as :func:`day` reads it back in ``locale``: ``22/11/2026``."""
    pattern = get_date_format("short", locale=locale or "en").pattern
    separator = "." if "." in pattern else "/"
    parts = [f"{value.day:02d}", f"{value.month:02d}"]
    return separator.join([*(parts if day_first(locale) else parts[::-1]), f"{value.year:04d}"])


def amount(value, locale, currency):
    """The ``Decimal`` an amount of ``currency`` typed in ``locale`` means.

    :raises ValueError: not an amount written in one of the shapes of the module's rule
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return numbers.parse_plain(value)
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    bare = re.sub(r"^[^0-9+\-\u2212]+|[^0-9]+$", "", text)  # a currency sign around it
    if numbers.currency_digits(currency) == 0 and GROUPED.fullmatch(bare):
        return Decimal(re.sub(r"[^0-9]", "", bare))
    try:
        return numbers.parse_money(text, locale)
    except ValueError:
        return numbers.parse_plain(text)


def percent(value):
    """The ``Decimal`` in ``12.5``, ``12,5``, ``12.5 %`` or a JSON number.

    :raises ValueError: not a finite number
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return numbers.parse_plain(value)
    if not isinstance(value, str):
        raise ValueError(value)
    text = re.sub(r"\s", "", value).rstrip("%")
    if "," in text and "." not in text:
        text = text.replace(",", ".")   # 1,5 is how Vietnamese and Russian write 1.5
    try:
        return numbers.parse_plain(text)
    except (ValueError, InvalidOperation) as error:
        raise ValueError(value) from error
