"""validate(): every field kind from an HTML form and from JSON, and what it refuses."""
import json

import jsonschema
import pytest
from werkzeug.datastructures import MultiDict

import forms
from engine.errors import ValidationError
from tests.forms.schemas import KINDS, KINDS_UI

pytestmark = pytest.mark.usefixtures("babel")


@pytest.fixture
def kinds(form_files):
    form_files("kinds-uischema", KINDS_UI)
    return form_files("kinds", KINDS)


def submit(key, locale="en", timezone="Asia/Ho_Chi_Minh", region="VN", **formdata):
    return forms.validate(key, f"{key}-uischema", formdata=MultiDict({"name": "Lan", **formdata}),
                          locale=locale, timezone=timezone, region=region)


def refused(call, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert caught.value.status == 422
    return caught.value.fields


def test_text_is_trimmed_and_checked_against_its_length_limits_and_pattern(kinds):
    assert submit(kinds, name="  Lan Anh  ", code="VND")["name"] == "Lan Anh"
    assert refused(submit, kinds, name="L") == {"name": "Enter at least 2 characters."}
    assert refused(submit, kinds, name="L" * 21) == {"name": "Enter at most 20 characters."}
    assert refused(submit, kinds, code="vnd") == {"code": "Enter a value in the expected format."}


def test_empty_optional_fields_are_dropped_not_stored_as_empty_strings(kinds):
    data = submit(kinds, code="", age="  ", email="", notes="", color="", birthday="")
    assert data == {"name": "Lan", "agree": False}


def test_a_missing_required_field_is_reported(kinds):
    with pytest.raises(ValidationError) as caught:
        forms.validate(kinds, formdata={"name": "   "})
    assert caught.value.fields == {"name": "This field is required."}
    assert caught.value.message == "Some fields are not valid."


def test_integer_fields_refuse_fractions_and_text_and_report_their_bounds(kinds):
    assert submit(kinds, age="42")["age"] == 42
    assert refused(submit, kinds, age="4.5") == {"age": "Enter a whole number."}
    assert refused(submit, kinds, age="forty") == {"age": "Enter a whole number."}
    assert refused(submit, kinds, age="17") == {"age": "Must be at least 18."}
    assert refused(submit, kinds, age="100") == {"age": "Must be at most 99."}
    assert refused(submit, kinds, ratio="1") == {"ratio": "Must be less than 1."}
    assert refused(submit, kinds, ratio="NaN") == {"ratio": "Enter a number."}
    assert submit(kinds, ratio="0.25")["ratio"] == 0.25


@pytest.mark.parametrize(("locale", "typed", "amount"), [
    ("vi", "1.500.000", 1500000), ("vi", "1500000", 1500000), ("vi", "1.500.000 ₫", 1500000),
    ("ru", "1 500 000", 1500000), ("ru", "1\u00a0500\u00a0000", 1500000),
    ("en", "1,500,000", 1500000), ("en", "1500000", 1500000),
])
def test_vnd_amounts_are_read_the_way_the_users_locale_writes_them(kinds, locale, typed, amount):
    value = submit(kinds, locale=locale, price_vnd=typed)["price_vnd"]
    assert value == amount and type(value) is int


@pytest.mark.parametrize(("locale", "typed", "amount"), [
    ("ru", "1 500 000,50", 1500000.5), ("ru", "1500000,5", 1500000.5), ("vi", "1.500.000,50", 1500000.5),
    ("en", "1,500,000.50", 1500000.5), ("en", "99", 99),
])
def test_rub_amounts_keep_their_kopecks_as_a_float_and_whole_amounts_as_an_int(kinds, locale, typed, amount):
    value = submit(kinds, locale=locale, price_rub=typed)["price_rub"]
    assert value == amount and type(value) is type(amount)


def test_vnd_has_no_fractional_part_and_rub_has_two_digits_at_most(kinds):
    assert refused(submit, kinds, locale="vi", price_vnd="1.500.000,5") == {
        "price_vnd": "Loại tiền này không có phần lẻ; hãy nhập số tiền chẵn."}  # messages speak the locale
    assert refused(submit, kinds, locale="ru", price_rub="10,505") == {
        "price_rub": "Знаков после запятой — не более 2."}


MONEY_EXAMPLE = {"en": "Enter an amount, for example {}.", "vi": "Nhập số tiền, ví dụ {}.",
                 "ru": "Введите сумму, например {}."}


@pytest.mark.parametrize(("locale", "typed", "example"), [
    ("vi", "1500000.5", "1.500.000"), ("en", "1.500.000", "1,500,000"), ("ru", "1e6", "1\u00a0500\u00a0000"),
    ("en", "lots", "1,500,000"), ("en", "-", "1,500,000"),
])
def test_an_amount_not_written_for_the_locale_is_refused_with_an_example(kinds, locale, typed, example):
    assert refused(submit, kinds, locale=locale, price_vnd=typed) == {
        "price_vnd": MONEY_EXAMPLE[locale].format(example)}


def test_money_bounds_are_checked_after_reading_the_amount(kinds):
    assert refused(submit, kinds, locale="vi", price_vnd="-1.000") == {"price_vnd": "Tối thiểu là 0."}


def test_a_date_comes_out_as_an_iso_date_and_impossible_dates_are_refused(kinds):
    assert submit(kinds, birthday="2000-02-29")["birthday"] == "2000-02-29"
    assert refused(submit, kinds, birthday="2001-02-29") == {"birthday": "Enter a valid date."}
    assert refused(submit, kinds, birthday="29.02.2000") == {"birthday": "Enter a valid date."}


@pytest.mark.parametrize(("timezone", "stored"), [
    ("Asia/Ho_Chi_Minh", "2026-11-22T15:30:00+07:00"), ("Europe/Moscow", "2026-11-22T15:30:00+03:00"),
])
def test_a_datetime_local_value_means_the_users_wall_clock_and_gets_its_offset(kinds, timezone, stored):
    assert submit(kinds, timezone=timezone, meeting_at="2026-11-22T15:30")["meeting_at"] == stored


def test_a_datetime_that_carries_an_offset_keeps_it(kinds):
    assert submit(kinds, timezone="Europe/Moscow", meeting_at="2026-11-22T08:30:00Z")["meeting_at"] == (
        "2026-11-22T08:30:00+00:00")
    assert submit(kinds, meeting_at="2026-11-22T15:30+03:00")["meeting_at"] == "2026-11-22T15:30:00+03:00"
    for typed in ("2026-11-22T25:00", "tomorrow", "2026-11-22T15:30+25:00"):
        assert refused(submit, kinds, meeting_at=typed) == {"meeting_at": "Enter a valid date and time."}


def test_a_choice_must_be_one_of_the_listed_options_and_keeps_its_json_type(kinds):
    data = submit(kinds, color="green", level="2")
    assert data["color"] == "green" and data["level"] == 2
    assert refused(submit, kinds, color="blue", level="3") == {
        "color": "Choose one of the listed options.", "level": "Choose one of the listed options."}


def test_a_multi_select_keeps_each_chosen_option_once_in_the_order_sent(kinds):
    assert submit(kinds, tags=["b", "a", "b"])["tags"] == ["b", "a"]
    assert refused(submit, kinds, tags=["a", "b", "c"]) == {"tags": "Choose at most 2."}
    assert refused(submit, kinds, tags=["a", "z"]) == {"tags": "Choose one of the listed options."}


def test_an_unchecked_checkbox_means_false_and_a_checked_one_true(kinds):
    assert submit(kinds)["agree"] is False
    assert submit(kinds, agree="on")["agree"] is True
    assert refused(submit, kinds, agree="perhaps") == {"agree": "Choose yes or no."}


@pytest.mark.parametrize(("region", "typed", "e164"), [
    ("VN", "0912 345 678", "+84912345678"), ("VN", "+84 912 345 678", "+84912345678"),
    ("VN", "(028) 3822 1234", "+842838221234"), ("VN", "8 912 345-67-89", "+79123456789"),
    ("VN", "+7 912 345 67 89", "+79123456789"), ("RU", "8 (912) 345-67-89", "+79123456789"),
    ("RU", "9123456789", "+79123456789"), ("RU", "0912345678", "+84912345678"),
])
def test_vietnamese_and_russian_phones_are_normalised_to_e164(kinds, region, typed, e164):
    data = submit(kinds, region=region, phone=typed, mobile=typed)
    assert data["phone"] == data["mobile"] == e164


@pytest.mark.parametrize("typed", ["0123", "091234", "+84 12 345", "+7 912 345", "8 000 000-00-00", "call me",
                                   "+1 999 999 9999"])
def test_invalid_phone_numbers_are_refused_with_a_clear_message(kinds, typed):
    assert refused(submit, kinds, phone=typed) == {"phone": "Enter a valid phone number."}


@pytest.mark.parametrize("typed", ["lan", "lan@", "@example.com", "lan@@example.com", "lan example@x.vn"])
def test_bad_email_addresses_are_refused(kinds, typed):
    assert refused(submit, kinds, email=typed) == {"email": "Enter a valid e-mail address."}


def test_a_good_email_address_is_kept(kinds):
    assert submit(kinds, email=" lan.nguyen@example.vn ")["email"] == "lan.nguyen@example.vn"


def test_a_textarea_keeps_its_line_breaks_normalised(kinds):
    assert submit(kinds, notes="a\r\nb")["notes"] == "a\nb"
    assert refused(submit, kinds, notes="x" * 11) == {"notes": "Enter at most 10 characters."}


def test_unknown_fields_are_refused_when_additional_properties_is_false(kinds):
    assert refused(submit, kinds, nickname="Bo") == {"nickname": "This field is not part of the form."}
    with pytest.raises(ValidationError) as caught:
        forms.validate(kinds, json={"name": "Lan", "nickname": "Bo"})
    assert caught.value.fields == {"nickname": "This field is not part of the form."}


def test_the_csrf_token_and_the_pages_own_underscore_controls_are_not_fields(kinds):
    assert submit(kinds, csrf_token="x", _action="save") == {"name": "Lan", "agree": False}


def test_every_invalid_field_is_reported_at_once(kinds):
    fields = refused(forms.validate, kinds, formdata={
        "name": "", "age": "old", "price_vnd": "abc", "birthday": "soon", "color": "blue", "phone": "1",
        "email": "x", "extra": "1"})
    assert set(fields) == {"name", "age", "price_vnd", "birthday", "color", "phone", "email", "extra"}


def test_json_input_takes_typed_values(kinds):
    data = forms.validate(kinds, json={
        "name": "Lan", "age": 30, "price_vnd": 1500000, "price_rub": 10.5, "level": 1, "tags": ["a"],
        "agree": True, "birthday": "2000-01-31", "meeting_at": "2026-11-22T15:30", "phone": "0912345678",
        "code": "", "email": None}, timezone="Europe/Moscow")
    assert data == {"name": "Lan", "age": 30, "price_vnd": 1500000, "price_rub": 10.5, "level": 1,
                    "tags": ["a"], "agree": True, "birthday": "2000-01-31",
                    "meeting_at": "2026-11-22T15:30:00+03:00", "phone": "+84912345678"}


def test_json_input_refuses_values_of_the_wrong_type(kinds):
    fields = refused(forms.validate, kinds, json={
        "name": 5, "age": True, "ratio": float("nan"), "level": "1", "agree": 1, "tags": "a"})
    assert fields == {"name": "Enter text.", "age": "Enter a whole number.", "ratio": "Enter a number.",
                      "level": "Choose one of the listed options.", "agree": "Choose yes or no.",
                      "tags": "Enter a valid value."}
    assert refused(forms.validate, kinds, json=["not", "an", "object"]) == {
        "_form": "Enter a valid value.", "name": "This field is required."}


def test_validate_needs_exactly_one_of_formdata_or_json(kinds):
    with pytest.raises(TypeError):
        forms.validate(kinds)
    with pytest.raises(TypeError):
        forms.validate(kinds, formdata={}, json={})


def test_clean_data_is_plain_json_that_the_schema_accepts(kinds):
    data = submit(kinds, locale="ru", price_rub="1 500 000,50", age="30", meeting_at="2026-11-22T15:30",
                  tags=["a"], level="1")
    assert json.loads(json.dumps(data)) == data
    jsonschema.Draft7Validator(KINDS).validate(data)
