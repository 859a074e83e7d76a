"""The shared input fields: one rule per kind of value a page or an API reads.

Business schemas (``crm.lending_admin``, ``web.reports``, ...) are built from these
marshmallow fields instead of writing ``errors[...] =`` by hand, so a day, a flag, an
amount of money, a percentage, a phone number or a duration is read the same way on
every page (docs/forms.md, "Input fields"). :func:`load` runs a schema and gives the
``{field: message}`` the templates show; :func:`check` raises it as a
:class:`engine.errors.ValidationError`.

Blank text counts as absent: a required field says so (``messages.required`` unless the
schema names its own message), an optional one loads its default. Messages are read
from :mod:`forms.messages` when the error happens, so they are in the reader's language.
"""
import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import NamedTuple

from babel.numbers import format_currency
from flask import has_request_context
from flask_babel import get_locale
from marshmallow import EXCLUDE, Schema, ValidationError, missing, validate, validates_schema
from marshmallow import fields as mfields

from engine.durations import after
from engine.errors import ValidationError as InputError
from engine.places import place

from . import messages, numbers, phone, written
from .messages import FORM_ERROR_KEY

TRUE, FALSE = {"true", "on", "1", "yes"}, {"false", "off", "0", "no"}
WHOLE = re.compile(r"[+-]?[0-9]{1,18}")
DAYS = (1900, 2999)   # also keeps the day after the last one within datetime's range
PROBE = datetime(2026, 1, 1, tzinfo=timezone.utc)
RATE_PLACES = 3   # decimals of a commission rate in percent


class Amount(NamedTuple):
    """An amount of money with its ISO 4217 currency, as :class:`Money` reads it."""

    value: Decimal
    currency: str


def locale():
    """The reader's locale; outside a request (a job, a script) nobody reads: English shapes."""
    return str(get_locale() or "en") if has_request_context() else "en"


def fail(message):
    raise ValidationError(str(message))


class InputField(mfields.Field):
    """A field whose blank text is absent, with its messages given as functions (read late).

    :param missing_message: what a required field says when absent (``messages.required``)
    :param message: what a value it cannot read says (each field has its default)
    """

    def __init__(self, *, missing_message=None, message=None, **kwargs):
        super().__init__(**kwargs)
        self.missing_message, self.message = missing_message or messages.required, message

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            value = missing
        if value is missing and self.required:
            fail(self.missing_message())
        return super().deserialize(value, attr, data, **kwargs)

    def refuse(self, default):
        fail((self.message or default)())


class Text(InputField):
    """Text, stripped; at most ``max_length`` characters; ``pattern`` (a compiled regex) to match.

    :param long_message: what too long a text says, given the limit (``messages.too_long``)
    """

    def __init__(self, *, max_length=255, pattern=None, lower=False, long_message=None, **kwargs):
        super().__init__(**kwargs)
        self.max_length, self.pattern, self.lower = max_length, pattern, lower
        self.long_message = long_message or messages.too_long

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            self.refuse(messages.text_expected)
        value = value.strip().lower() if self.lower else value.strip()
        if self.pattern is not None and not self.pattern.fullmatch(value):
            self.refuse(messages.pattern)
        if len(value) > self.max_length:
            fail(self.long_message(self.max_length))
        return value


class Email(Text):
    """An e-mail address (marshmallow's rule), at most ``max_length`` characters."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            return validate.Email()(value)
        except ValidationError:
            self.refuse(messages.email)


class Choice(InputField):
    """One of ``choices`` (compared as text after stripping)."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = tuple(choices)

    def _deserialize(self, value, attr, data, **kwargs):
        text = value.strip() if isinstance(value, str) else value
        if text not in self.choices:
            self.refuse(messages.choice)
        return text


class Whole(InputField):
    """A whole number from ``low`` to ``high``: digits (a sign allowed), or a JSON integer.

    :param range_message: what a number out of range says (``message`` when only that is
        given: one message for both, else "a whole number from low to high")
    """

    def __init__(self, low, high, *, range_message=None, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high = low, high
        self.range_message = range_message or self.message or (lambda: messages.whole_between(low, high))

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and WHOLE.fullmatch(value.strip()):
            number = int(value.strip())
        else:
            self.refuse(messages.integer)
        if not self.low <= number <= self.high:
            fail(self.range_message())
        return number


class Flag(InputField):
    """A yes/no. A checkbox (``strict`` false): ``True``, ``"true"``, ``"on"``, ``"1"``,
    ``"yes"`` are yes and anything else no. A question (``strict``): yes or no must be
    said, as a JSON boolean or one of those words and ``"false"``, ``"off"``, ``"0"``, ``"no"``.
    """

    def __init__(self, *, strict=False, **kwargs):
        super().__init__(**kwargs)
        self.strict = strict

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, str | int) else None
        if not self.strict:
            return text in TRUE
        if text not in TRUE | FALSE or not isinstance(value, str):
            self.refuse(messages.boolean)
        return text in TRUE


class Day(InputField):
    """A calendar day: ISO, or written in the reader's locale (:func:`forms.written.day`).
    A ``date`` or ``datetime`` (a spreadsheet's cell) is taken as its day.

    :param years: the years accepted; outside the default range a day is simply not valid,
        outside a range the schema names the message says the range
    :param domain: read written days in the order of ``domain``'s language instead of the
        reader's (files written there, e.g. an imported spreadsheet of leads)
    """

    def __init__(self, *, years=None, domain=None, **kwargs):
        super().__init__(**kwargs)
        self.years, self.domain = years, domain

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, date):
            day = value.date() if isinstance(value, datetime) else value
        else:
            try:
                day = written.day(value, place(self.domain).language if self.domain else locale())
            except ValueError:
                self.refuse(messages.day)
        first, last = self.years or DAYS
        if not first <= day.year <= last:
            if self.years:
                fail(messages.day_between(first, last))
            self.refuse(messages.day)
        return day


def day_range(first, last):
    """The message for a range whose last day comes before its first, else ``None``.

    The rule of every range (docs/forms.md): both ends are days read by :class:`Day`, both
    are included, either may be left open, and a bad order is the last end's fault.
    """
    if first is not None and last is not None and last < first:
        return messages.end_before_start()
    return None


class Time(InputField):
    """A time of day as ``HH:MM`` (what ``<input type=time>`` sends)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return datetime.strptime(str(value).strip(), "%H:%M").time()
        except ValueError:
            self.refuse(messages.time)


class Money(InputField):
    """An :class:`Amount`: the number as :func:`forms.written.amount` reads it, in
    ``currency`` (by default the currency of ``domain``'s place, engine.places).

    :param positive: zero refused too ("greater than zero")
    :param negative: negative amounts allowed (refused by default)
    :param low, high: bounds (``Decimal``), said with the currency in the message
    """

    def __init__(self, *, currency=None, domain=None, positive=False, negative=False, low=None, high=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.currency, self.domain = currency, domain
        self.positive, self.negative, self.low, self.high = positive, negative, low, high

    def code(self):
        return self.currency or place(self.domain).currency

    def _deserialize(self, value, attr, data, **kwargs):
        code, where = self.code(), locale()
        try:
            number = written.amount(value, where, code)
        except ValueError:
            self.refuse(lambda: messages.money(numbers.example_amount(where, code)))
        if self.positive and number <= 0:
            fail(messages.amount_positive())
        if not self.negative and number < 0:
            fail(messages.minimum(numbers.display(0, where)))
        if numbers.fraction_digits(number) > numbers.currency_digits(code):
            fail(messages.fraction_digits(numbers.currency_digits(code)))
        low, high = self.low, self.high
        if (low is not None and number < low) or (high is not None and number > high):
            fail(messages.amount_range(shown(low, where, code), shown(high, where, code)))
        if message := numbers.storable_error(number, False, where):
            fail(message)
        return Amount(number, code)


def shown(value, where, code):
    """An amount written with its currency for the reader: ``10.000.000 ₫``, ``1 500,00 ₽``."""
    return format_currency(value, code, locale=where)


class Percent(InputField):
    """A percentage from 0 to 100 (``zero``: 0 allowed; else it must be above 0) with at
    most ``places`` decimals, as a ``Decimal``."""

    def __init__(self, *, places=3, zero=True, **kwargs):
        super().__init__(**kwargs)
        self.places, self.zero = places, zero

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            number = written.percent(value)
        except ValueError:
            self.refuse(messages.number)
        if not (0 <= number if self.zero else 0 < number) or number > 100:
            fail(messages.percent_range() if self.zero else messages.percent_positive())
        if numbers.fraction_digits(number) > self.places:
            fail(messages.fraction_digits(self.places))
        return number


class Phone(InputField):
    """A phone number as E.164, read in ``region`` (by default ``domain``'s place) first and
    then in the other served regions (:func:`forms.phone.normalise`)."""

    def __init__(self, *, region=None, domain=None, **kwargs):
        super().__init__(**kwargs)
        self.region, self.domain = region, domain

    def _deserialize(self, value, attr, data, **kwargs):
        region = self.region or place(self.domain).region
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)   # a spreadsheet's cell
        try:
            return phone.normalise(value if isinstance(value, str) else "", region)
        except ValueError:
            self.refuse(messages.phone)


class Duration(InputField):
    """An ISO 8601 duration longer than zero (``PT2H``, ``P3D``, ``P1M``), read as the engine
    reads timer durations; kept as the upper-case text."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip().upper()
        try:
            if after(PROBE, text) <= PROBE:
                raise ValueError(text)
        except ValueError:
            self.refuse(messages.duration)
        return text


class InputSchema(Schema):
    """A business schema: fields it does not name are left out, not refused."""

    class Meta:
        unknown = EXCLUDE


class RatePeriodSchema(InputSchema):
    """A rate in percent (above 0, at most three decimals) in force from one day to another,
    both included; no last day: open. A commission policy of the referrals and of the broker.

    :param first: the period's first day, when only its last one is given (ending a period)
    """

    rate_percent = Percent(zero=False, places=RATE_PLACES, required=True, missing_message=messages.number)
    valid_from = Day(required=True)
    valid_to = Day()

    def __init__(self, *, first=None, **kwargs):
        super().__init__(**kwargs)
        self.first = first

    @validates_schema(skip_on_field_errors=False)
    def _in_order(self, data, **kwargs):
        first, last = data.get("valid_from", self.first), data.get("valid_to")
        if first is not None and last is not None and last < first:
            raise ValidationError(messages.last_day_before_first(), "valid_to")


def field_errors(found):
    """marshmallow's errors as ``{field: message}``: the first message of each field, a
    schema-wide one under ``FORM_ERROR_KEY``. The one shape every page and the API show."""
    shown_errors = {}
    for name, value in (found or {}).items():
        while isinstance(value, list | dict) and value:
            value = value[0] if isinstance(value, list) else next(iter(value.values()))
        shown_errors[FORM_ERROR_KEY if name == "_schema" else name] = str(value)
    return shown_errors


def load(schema, data):
    """``(values, errors)``: what ``schema`` read from ``data``, and ``{field: message}`` for
    what it could not (values then holds the fields that were valid)."""
    try:
        return schema.load(data if isinstance(data, Mapping) else {}), {}
    except ValidationError as error:
        return error.valid_data or {}, field_errors(error.messages)


def check(schema, data, message=None):
    """What ``schema`` read from ``data``.

    :raises engine.errors.ValidationError: ``fields`` = ``{field: message}``; ``message``
        (default: some fields are not valid) as its text
    """
    values, errors = load(schema, data)
    if errors:
        raise InputError(message or messages.form_invalid(), fields=errors)
    return values
