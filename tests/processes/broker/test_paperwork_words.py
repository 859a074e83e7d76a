"""Amounts in words and the Russian forms of money and dates the documents write
(processes/broker/paperwork/words.py, formats.py)."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from processes.broker.paperwork import formats
from processes.broker.paperwork.words import amount_in_words, plural_ru, to_amount

NBSP = "\u00a0"


@pytest.mark.parametrize(("amount", "words"), [
    (1, "Один рубль 00 копеек"),
    (2, "Два рубля 00 копеек"),
    (5, "Пять рублей 00 копеек"),
    (11, "Одиннадцать рублей 00 копеек"),
    (12, "Двенадцать рублей 00 копеек"),
    (21, "Двадцать один рубль 00 копеек"),
    (22, "Двадцать два рубля 00 копеек"),
    (101, "Сто один рубль 00 копеек"),
    (111, "Сто одиннадцать рублей 00 копеек"),
    (2000, "Две тысячи рублей 00 копеек"),
    (1_000_000, "Один миллион рублей 00 копеек"),
    (1_200_000, "Один миллион двести тысяч рублей 00 копеек"),
    ("1234567.89", "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек"),
    ("1 234 567,89", "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек"),
    (0, "Ноль рублей 00 копеек"),
])
def test_roubles_are_written_in_words_with_the_right_russian_form(amount, words):
    assert amount_in_words(amount) == words


@pytest.mark.parametrize(("kopecks", "ending"), [
    ("0.01", "01 копейка"), ("0.02", "02 копейки"), ("0.04", "04 копейки"), ("0.05", "05 копеек"),
    ("0.11", "11 копеек"), ("0.14", "14 копеек"), ("0.21", "21 копейка"), ("0.22", "22 копейки"),
    ("0.99", "99 копеек"),
])
def test_kopecks_are_written_in_two_digits_with_their_russian_form(kopecks, ending):
    assert amount_in_words(Decimal("3") + Decimal(kopecks)) == f"Три рубля {ending}"


def test_the_plural_rule_takes_the_last_two_digits():
    forms = ("рубль", "рубля", "рублей")
    assert [plural_ru(n, forms) for n in (1, 3, 7, 11, 13, 21, 104, 111, 1001, 1_000_000)] == [
        "рубль", "рубля", "рублей", "рублей", "рублей", "рубль", "рубля", "рублей", "рубль", "рублей"]


def test_an_amount_is_rounded_to_kopecks_half_up_and_floats_are_read_as_written():
    assert to_amount(1.005) == Decimal("1.01") and to_amount("2,345") == Decimal("2.35")
    assert amount_in_words(0.1 + 0.2) == "Ноль рублей 30 копеек"


def test_vietnamese_and_english_readers_get_the_amount_in_their_words():
    assert amount_in_words("1200000", "vi") == "Một triệu hai trăm nghìn rúp 00 kopek"
    assert amount_in_words("1234567.89", "en") == (
        "One million two hundred and thirty-four thousand five hundred and sixty-seven roubles 89 kopecks")
    assert amount_in_words("1.01", "en") == "One rouble 01 kopeck"


@pytest.mark.parametrize("bad", ["", "abc", "-1", "1e16", "NaN", "Infinity", None])
def test_what_is_not_an_amount_of_zero_or_more_is_refused(bad):
    with pytest.raises(ValueError, match="amount|large"):
        amount_in_words(bad)


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="no words for language 'de'"):
        amount_in_words(1, "de")


def test_money_and_dates_are_written_as_russian_documents_write_them():
    assert formats.money("1234567.89") == f"1{NBSP}234{NBSP}567,89{NBSP}₽"
    assert formats.number(1234567.8) == f"1{NBSP}234{NBSP}567,80"
    assert formats.long_date(date(2026, 12, 7)) == f"7 декабря 2026{NBSP}г."
    assert formats.long_date("2027-05-01") == f"1 мая 2027{NBSP}г."
    assert formats.long_date(datetime(2026, 3, 8, 10, tzinfo=timezone.utc)) == f"8 марта 2026{NBSP}г."
    assert formats.short_date("2026-01-05") == "05.01.2026"
    assert formats.money(None) == formats.long_date("") == ""


def test_a_signatory_is_named_with_initials_under_the_signature_line():
    assert formats.initials("Иванов Иван Иванович") == "Иванов И. И."
    assert formats.initials("Petrova Maria") == "Petrova M."
    assert formats.initials("Сидоров") == "Сидоров" and formats.initials("") == ""
