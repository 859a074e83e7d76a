"""A search text read as a phone number (forms.phone_search), and a number shown to a
reader (forms.phone.display)."""
import pytest
from flask_babel import force_locale

from forms import phone_search
from forms.phone import display, reader_region

pytestmark = pytest.mark.usefixtures("babel")
STORED = "+84362345678"   # 0166 234 5678 before 2018


def finds(text, stored=STORED, region=None):
    """Whether ``text`` finds ``stored`` by the rule the SQL condition applies."""
    found = phone_search.read(text, region)
    return found is not None and any(fragment in stored[1:] for fragment in found.fragments)


@pytest.mark.parametrize("text", [
    "01662345678", "0166 234 5678", "+84 166 234 5678", "84 166 234 5678", "0084 166 234 5678",
    "0362345678", "84362345678", "+84362345678", "036.234.5678", "(036) 234-5678", "0362 345 678",
])
def test_a_whole_number_however_written_is_read_as_its_e164(text):
    found = phone_search.read(text)
    assert found.e164 == STORED and found.fragments == ("84362345678",)


@pytest.mark.parametrize("text", ["8 912 345-67-89", "+7 912 345 67 89", "+7 (912) 345-67-89", "89123456789"])
def test_a_russian_number_is_read_as_its_e164_for_a_vietnamese_reader_too(text):
    assert phone_search.read(text, "VN").e164 == "+79123456789"


@pytest.mark.parametrize("text", [
    "2345678", "345 678", "0362 345", "036.234", "0166 234", "+84 166 234", "84362345", "+84 3623",
    "0084 362 34",
])
def test_part_of_a_number_finds_it_from_anywhere_or_from_its_beginning(text):
    found = phone_search.read(text)
    assert found.e164 is None and finds(text)


@pytest.mark.parametrize("text, stored", [
    ("8 912 345", "+79123456789"), ("+7 912 34", "+79123456789"), ("912 345", "+79123456789"),
    ("8912345", "+79123456789"),
])
def test_part_of_a_russian_number_finds_it_with_its_trunk_prefix_or_without(text, stored):
    assert finds(text, stored)


@pytest.mark.parametrize("text", ["0912 345", "0363 345", "2345679", "+7 362 345"])
def test_part_of_another_number_does_not_find_it(text):
    assert not finds(text)


def test_a_leading_zero_is_the_trunk_prefix_not_a_digit_of_the_number():
    # "0345 678" is the beginning 84 345 678..., not the digits 0345678 anywhere
    assert phone_search.read("0345 678").fragments == ("84345678",)
    assert not finds("0345 678", "+84903456789")


def test_fewer_than_six_digits_find_no_number_but_still_read_as_one():
    found = phone_search.read("23 45")
    assert found == phone_search.PhoneSearch(None, ()) and not finds("23 45")


@pytest.mark.parametrize("text", [
    "Trần Thị Mai", "mai 0912", "0912x345", "", "   ", None, 42, "1" * 41, "0" * 500, "a" * 500,
    "%_\\'\"", "+", "++84 912 345 678",
])
def test_text_that_is_not_a_phone_number_reads_as_none(text):
    assert phone_search.read(text) is None


def test_signs_alone_read_as_a_number_too_short_to_find():
    assert phone_search.read("(- -)") == phone_search.PhoneSearch(None, ())


@pytest.mark.parametrize("number, region, shown", [
    ("+84362345678", "VN", "0362 345 678"),
    ("+842838221234", "VN", "028 3822 1234"),
    ("+79123456789", "VN", "+7 912 345-67-89"),
    ("+79123456789", "RU", "8 (912) 345-67-89"),
    ("+84362345678", "RU", "+84 362 345 678"),
])
def test_a_number_is_shown_national_at_home_and_international_abroad(number, region, shown):
    assert display(number, region) == shown


@pytest.mark.parametrize("value", ["", None, "not a number", "0362345678x", "+8400"])
def test_what_is_not_a_valid_number_is_shown_as_it_is(value):
    assert display(value, "VN") == (value or "")


@pytest.mark.parametrize("language, region", [("vi", "VN"), ("en", "VN"), ("ru", "RU")])
def test_the_readers_region_is_the_place_that_speaks_their_language(language, region):
    with force_locale(language):
        assert reader_region() == region
