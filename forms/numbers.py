"""Numbers and amounts of money: what people type, JSON Schema bounds, display.

A number field is an ``<input type=number>``, which browsers always send as plain
``1234.5``; a money field is a text field read with the user's locale (``1.500.000``
in vi, ``1 500 000,50`` in ru, ``1,500,000`` in en). Results are ``int`` when
integral, else ``float``: never ``Decimal``, which SpiffWorkflow cannot serialise.
"""
import re
from decimal import Decimal, InvalidOperation

from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_currency_precision,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

from engine.types import DB_INT_MAX, DB_INT_MIN

from . import messages

STORABLE = Decimal(10) ** 15  # the most a number field holds: amounts go to Numeric(18, 2) columns
MAX_LENGTH = 60
MAX_EXPONENT = 300
PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def parse_plain(value):
    """``Decimal`` from ``1234.5`` / ``-1e3``, or from a JSON number.

    :raises ValueError: not a finite number of sensible size
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        value = repr(value)
    if not isinstance(value, str) or len(value) > MAX_LENGTH or not PLAIN.fullmatch(value.strip()):
        raise ValueError(value)
    return _sane(Decimal(value.strip()))


def parse_money(value, locale):
    """``Decimal`` from an amount typed in ``locale``; a currency sign around it is ignored.

    :raises ValueError: not an amount written the way ``locale`` writes numbers
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_plain(value)
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        raise ValueError(value)
    text = re.sub(r"^[^0-9+\-\u2212]+|[^0-9]+$", "", value.strip()).replace("\u2212", "-")
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    # People type a plain space where the locale groups with a no-break space.
    text = SPACES.sub(group if group.isspace() else "", text)
    if not text or not re.fullmatch(f"[+-]?[0-9{re.escape(group + decimal)}]+", text):
        raise ValueError(value)
    try:
        return _sane(parse_decimal(text.lstrip("+"), locale=locale, strict=True))
    except (NumberFormatError, InvalidOperation) as error:
        raise ValueError(value) from error


def to_json(number):
    """``int`` when ``number`` is integral, else ``float``."""
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def fraction_digits(number):
    """How many digits after the decimal separator ``number`` really has (trailing zeros do not count)."""
    _, digits, exponent = number.as_tuple()
    count, index = -exponent, len(digits) - 1
    while count > 0 and index >= 0 and digits[index] == 0:
        count, index = count - 1, index - 1
    return max(count, 0)


def currency_digits(code):
    return get_currency_precision(code)


def bound_error(number, schema, locale):
    """The message for the first JSON Schema bound ``number`` breaks, or ``None``."""
    checks = [
        ("minimum", lambda b: number < b, messages.minimum),
        ("maximum", lambda b: number > b, messages.maximum),
        ("exclusiveMinimum", lambda b: number <= b, messages.exclusive_minimum),
        ("exclusiveMaximum", lambda b: number >= b, messages.exclusive_maximum),
    ]
    for keyword, broken, message in checks:
        bound = _bound(schema.get(keyword))
        if bound is not None and broken(bound):
            return message(display(bound, locale))
    step = _bound(schema.get("multipleOf"))
    if step and step > 0:
        try:
            off = number % step != 0
        except InvalidOperation:  # too many digits for the quotient; jsonschema decides
            off = False
        if off:
            return messages.multiple_of(display(step, locale))
    return None


def storable_error(number, integer, locale):
    """The message when ``number`` is past what the database stores, whatever the form's own
    bounds: an integer within PostgreSQL's ``integer``, a number within +-10^15 (issue 11:
    a number nobody bounded reached a column and failed with a 500)."""
    low, high = (DB_INT_MIN, DB_INT_MAX) if integer else (-STORABLE, STORABLE)
    if number > high:
        return messages.maximum(display(high, locale))
    if number < low:
        return messages.minimum(display(low, locale))
    return None


def display(number, locale):
    """``number`` written for ``locale``, every digit kept."""
    return format_decimal(Decimal(str(number)), locale=locale, decimal_quantization=False)


def format_amount(value, locale, code):
    """An amount as the money input shows it: grouped, with the currency's fraction digits when needed."""
    try:
        number = parse_plain(value)
    except ValueError:
        return value if isinstance(value, str) else ""
    digits = currency_digits(code)
    integral = number == number.to_integral_value()
    pattern = "#,##0" if integral or not digits else "#,##0." + "0" * digits
    return format_decimal(number, format=pattern, locale=locale, decimal_quantization=False)


def example_amount(locale, code):
    return format_amount(1500000 if currency_digits(code) == 0 else 1500000.5, locale, code)


def _sane(number):
    if not number.is_finite() or number.adjusted() > MAX_EXPONENT:
        raise ValueError(number)
    return number


def _bound(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return parse_plain(value)
    except ValueError:
        return None
