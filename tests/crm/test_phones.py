import pytest

from crm import phones
from engine.errors import ValidationError
from forms import phone as form_phone

# The region of a number written without a country code is the default place's, and the
# other regions tried are the configured places' (engine/places.py): both need the app.
pytestmark = pytest.mark.usefixtures("ctx")


@pytest.mark.parametrize("old, today", [
    ("0162 123 4567", "+84321234567"), ("0169.123.4567", "+84391234567"), ("0120 123 4567", "+84701234567"),
    ("0121 123 4567", "+84791234567"), ("0123 123 4567", "+84831234567"), ("0127 123 4567", "+84811234567"),
    ("0186 123 4567", "+84561234567"), ("0188 123 4567", "+84581234567"), ("0199 123 4567", "+84591234567"),
])
def test_old_eleven_digit_mobiles_become_todays_numbers(old, today):
    assert phones.normalize(old) == today


@pytest.mark.parametrize("written", ["+84 162 123 4567", "84 162 123 4567", "0084 162 123 4567"])
def test_old_mobiles_written_with_the_country_code_are_converted_too(written):
    assert phones.normalize(written) == "+84321234567"


def test_every_old_prefix_maps_to_a_valid_number_today():
    for old in phones.OLD_MOBILE_PREFIXES:
        assert phones.normalize(old + "1234567").startswith("+84")


def test_todays_vietnamese_numbers_are_unchanged():
    assert phones.normalize("0912 345 678") == "+84912345678"
    assert phones.normalize("+84321234567") == "+84321234567"


@pytest.mark.parametrize("written", ["+7 912 345 67 89", "8 912 345-67-89", "+79123456789"])
def test_russian_numbers_are_read_in_their_own_region(written):
    assert phones.normalize(written) == "+79123456789"
    assert phones.normalize(written, region="RU") == "+79123456789"


GARBAGE = ["", "   ", "hello", "0123", "0100 123 4567", "+84 100 123 4567", None, 912]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_is_refused_with_a_message_on_the_phone_field(ctx, garbage):
    with pytest.raises(ValidationError) as raised:
        phones.normalize(garbage)
    assert raised.value.fields == {"phone": "Enter a valid phone number."}


def test_the_form_field_accepts_old_numbers_through_the_same_implementation():
    assert form_phone.normalise("0163 123 4567") == "+84331234567"
    assert phones.OLD_MOBILE_PREFIXES is form_phone.OLD_MOBILE_PREFIXES
