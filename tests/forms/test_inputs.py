"""The shared input fields (forms/inputs.py): what each accepts and refuses, in vi, en and ru."""
import json
from datetime import date, time
from decimal import Decimal

import pytest
from flask_babel import force_locale

from engine.errors import ValidationError
from forms import inputs
from forms.inputs import Amount
from tasklane.app import create_app

ROUBLES = json.dumps({"brokerage": {"zone": "Europe/Moscow", "region": "RU", "language": "ru",
                                    "currency": "RUB"}})


@pytest.fixture(scope="module")
def app():
    return create_app({"TASKLANE_ENV": "testing", "TASKLANE_DATABASE_URL": "sqlite://",
                       "TASKLANE_PLACES": ROUBLES})


def read(app, field, value, lang="en"):
    """``(value, None)`` or ``(None, message)``: ``field`` loading ``value`` for a ``lang`` reader."""
    schema = inputs.InputSchema.from_dict({"x": field})()
    with app.test_request_context(), force_locale(lang):
        values, errors = inputs.load(schema, {"x": value})
    return values.get("x"), errors.get("x")


@pytest.mark.parametrize(("lang", "typed", "day"), [
    ("en", "2026-11-22", date(2026, 11, 22)), ("vi", "2026-11-22", date(2026, 11, 22)),
    ("vi", "22/11/2026", date(2026, 11, 22)), ("vi", "2/3/2026", date(2026, 3, 2)),
    ("ru", "22.11.2026", date(2026, 11, 22)), ("en", "11/22/2026", date(2026, 11, 22)),
    ("en", " 2024-02-29 ", date(2024, 2, 29)),
])
def test_a_day_is_iso_or_written_in_the_readers_order(app, lang, typed, day):
    assert read(app, inputs.Day(), typed, lang) == (day, None)


@pytest.mark.parametrize(("lang", "typed", "message"), [
    ("en", "22/11/2026", "Enter a valid date, such as 2026-11-22."),   # no 22nd month
    ("en", "2025-02-29", "Enter a valid date, such as 2026-11-22."),
    ("en", "22.11.26", "Enter a valid date, such as 2026-11-22."),     # a year has four digits
    ("en", "9999-12-31", "Enter a valid date, such as 2026-11-22."),   # past the years kept
    ("en", "yesterday", "Enter a valid date, such as 2026-11-22."),
    ("vi", "11/22/2026", "Nhập ngày hợp lệ, ví dụ 2026-11-22."),
    ("ru", "2026/11/22", "Введите правильную дату, например 2026-11-22."),
])
def test_a_day_that_is_not_one_is_refused_in_the_readers_language(app, lang, typed, message):
    assert read(app, inputs.Day(), typed, lang) == (None, message)


def test_a_day_outside_the_years_a_schema_names_says_the_range(app):
    assert read(app, inputs.Day(years=(2000, 2100)), "1999-12-31") == (
        None, "Enter a date between 2000 and 2100.")


def test_blank_is_absent_a_required_field_says_so_with_its_own_message(app):
    assert read(app, inputs.Day(), "  ") == (None, None)
    assert read(app, inputs.Day(required=True), "") == (None, "This field is required.")
    assert read(app, inputs.Day(required=True, missing_message=lambda: "Enter a date."), None) == (
        None, "Enter a date.")


def test_a_range_is_wrong_only_when_its_end_comes_before_its_start():
    assert inputs.day_range(date(2026, 1, 2), date(2026, 1, 2)) is None
    assert inputs.day_range(None, date(2026, 1, 2)) is None


@pytest.mark.parametrize(("value", "flag"), [
    (True, True), ("on", True), ("true", True), ("1", True), ("yes", True),
    (False, False), ("off", False), ("", None), ("anything", False),
])
def test_a_checkbox_is_yes_only_when_ticked(app, value, flag):
    assert read(app, inputs.Flag(), value) == (flag, None)


def test_a_yes_no_question_must_be_answered(app):
    assert read(app, inputs.Flag(strict=True), "no") == (False, None)
    assert read(app, inputs.Flag(strict=True), True) == (True, None)
    assert read(app, inputs.Flag(strict=True), "maybe") == (None, "Choose yes or no.")
    assert read(app, inputs.Flag(strict=True), 1) == (None, "Choose yes or no.")


@pytest.mark.parametrize(("lang", "typed"), [
    ("vi", "30.000.000"), ("vi", "30,000,000"), ("vi", "30 000 000"), ("en", "30,000,000"),
    ("en", "30.000.000"), ("ru", "30 000 000"), ("ru", "30\u00a0000\u00a0000"), ("en", "30000000"),
    ("en", 30000000), ("vi", "30.000.000 ₫"),
])
def test_an_amount_of_dong_is_read_as_people_group_it(app, lang, typed):
    assert read(app, inputs.Money(), typed, lang) == (Amount(Decimal(30_000_000), "VND"), None)


def test_the_currency_is_the_domains_place(app):
    assert read(app, inputs.Money(domain="brokerage"), "1 500 000,50", "ru") == (
        Amount(Decimal("1500000.50"), "RUB"), None)
    assert read(app, inputs.Money(domain="brokerage"), "1,500,000.50", "en") == (
        Amount(Decimal("1500000.50"), "RUB"), None)
    assert read(app, inputs.Money(domain="brokerage"), "1.500.000,50", "vi") == (
        Amount(Decimal("1500000.50"), "RUB"), None)
    assert read(app, inputs.Money(domain="brokerage"), "1500000.50", "ru") == (   # what an API sends
        Amount(Decimal("1500000.50"), "RUB"), None)
    assert read(app, inputs.Money(domain="leads"), "1.000", "en")[0].currency == "VND"


@pytest.mark.parametrize(("field", "lang", "typed", "message"), [
    (inputs.Money(), "en", "thirty", "Enter an amount, for example 1,500,000."),
    (inputs.Money(), "vi", "30000,5", "Loại tiền này không có phần lẻ; hãy nhập số tiền chẵn."),
    (inputs.Money(), "en", "-5", "Must be at least 0."),
    (inputs.Money(positive=True), "en", "0", "Enter an amount greater than zero."),
    (inputs.Money(domain="brokerage"), "ru", "10,555", "Знаков после запятой — не более 2."),
    (inputs.Money(domain="brokerage"), "en", "abc", "Enter an amount, for example 1,500,000.50."),
    (inputs.Money(), "en", "1" + "0" * 16, "Must be at most 1,000,000,000,000,000."),
    (inputs.Money(low=Decimal(10), high=Decimal(20)), "en", "21", "Enter an amount from ₫10 to ₫20."),
])
def test_an_amount_that_is_not_one_is_refused(app, field, lang, typed, message):
    assert read(app, field, typed, lang) == (None, message)


def test_negative_amounts_only_when_asked(app):
    assert read(app, inputs.Money(negative=True), "-5", "en") == (Amount(Decimal(-5), "VND"), None)


@pytest.mark.parametrize(("typed", "rate"), [
    ("12.5", Decimal("12.5")), ("12,5", Decimal("12.5")), ("12,5 %", Decimal("12.5")), ("100", Decimal(100)),
    (7, Decimal(7)), ("0.125", Decimal("0.125")),
])
def test_a_percentage_takes_either_decimal_separator(app, typed, rate):
    assert read(app, inputs.Percent(zero=False), typed) == (rate, None)


@pytest.mark.parametrize(("field", "typed", "message"), [
    (inputs.Percent(zero=False), "0", "Enter a rate greater than 0 and at most 100 (percent)."),
    (inputs.Percent(zero=False), "100.5", "Enter a rate greater than 0 and at most 100 (percent)."),
    (inputs.Percent(), "-1", "Enter a percentage from 0 to 100."),
    (inputs.Percent(), "1.2345", "Enter at most 3 digits after the decimal separator."),
    (inputs.Percent(), "lots", "Enter a number."),
    (inputs.Percent(), "1,000.5", "Enter a number."),
])
def test_a_percentage_out_of_range_is_refused(app, field, typed, message):
    assert read(app, field, typed) == (None, message)


def test_zero_percent_when_the_schema_allows_it(app):
    assert read(app, inputs.Percent(), "0") == (Decimal(0), None)


@pytest.mark.parametrize(("field", "typed", "e164"), [
    (inputs.Phone(), "0912 345 678", "+84912345678"),
    (inputs.Phone(), "0162 123 4567", "+84321234567"),         # the old 11-digit prefix
    (inputs.Phone(), "8 912 345-67-89", "+79123456789"),       # another served region
    (inputs.Phone(domain="brokerage"), "8 (912) 345-67-89", "+79123456789"),
    (inputs.Phone(region="RU"), "+84 912 345 678", "+84912345678"),
])
def test_a_phone_is_read_in_its_region_first(app, typed, field, e164):
    assert read(app, field, typed) == (e164, None)


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Enter a valid phone number."), ("vi", "Nhập số điện thoại hợp lệ."),
    ("ru", "Введите корректный номер телефона."),
])
def test_a_phone_that_is_not_one_is_refused(app, lang, message):
    assert read(app, inputs.Phone(), "12345", lang) == (None, message)


@pytest.mark.parametrize(("typed", "kept"), [("PT2H", "PT2H"), ("p3d", "P3D"), (" P1M ", "P1M")])
def test_a_duration_is_iso_8601(app, typed, kept):
    assert read(app, inputs.Duration(), typed) == (kept, None)


@pytest.mark.parametrize("typed", ["PT0S", "2 hours", "120", "P-1D"])
def test_a_duration_not_longer_than_zero_is_refused(app, typed):
    assert read(app, inputs.Duration(), typed) == (
        None, "Enter an ISO 8601 duration longer than zero, such as PT2H (2 hours) or P3D (3 days).")


def test_a_time_is_hours_and_minutes(app):
    assert read(app, inputs.Time(), "09:30") == (time(9, 30), None)
    assert read(app, inputs.Time(), "9h30") == (None, "Enter a time as HH:MM, e.g. 09:00.")


def test_text_whole_numbers_and_choices(app):
    assert read(app, inputs.Text(max_length=3), " abc ") == ("abc", None)
    assert read(app, inputs.Text(max_length=3), "abcd") == (None, "Enter at most 3 characters.")
    assert read(app, inputs.Whole(1, 9), "10") == (None, "Enter a whole number from 1 to 9.")
    assert read(app, inputs.Whole(1, 9), "9") == (9, None)
    assert read(app, inputs.Whole(1, 9), "1.5") == (None, "Enter a whole number.")
    assert read(app, inputs.Choice(("a", "b")), "c") == (None, "Choose one of the listed options.")


def test_check_raises_every_field_at_once_in_one_shape(app):
    schema = inputs.InputSchema.from_dict({"day": inputs.Day(), "rate": inputs.Percent()})()
    with app.test_request_context(), force_locale("en"), pytest.raises(ValidationError) as caught:
        inputs.check(schema, {"day": "x", "rate": "y", "other": "ignored"})
    assert caught.value.fields == {"day": "Enter a valid date, such as 2026-11-22.",
                                   "rate": "Enter a number."}


def test_field_errors_takes_the_first_message_and_names_schema_errors_as_the_form():
    assert inputs.field_errors({"a": ["one", "two"], "_schema": ["whole"], "b": {0: ["inner"]}}) == {
        "a": "one", "_form": "whole", "b": "inner"}
