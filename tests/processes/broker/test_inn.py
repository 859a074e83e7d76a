"""ИНН, ОГРН and ОГРНИП checked by their control digits (processes/broker/inn.py)."""
import pytest

from processes.broker import inn


@pytest.mark.parametrize("number", ["7707083893", "7736207543", "7728168971", "7707 083 893", "77-07083893"])
def test_a_companys_ten_digit_inn_with_matching_control_digit_is_a_company(number):
    assert inn.inn_kind(number) == inn.COMPANY


def test_a_twelve_digit_inn_with_both_control_digits_matching_is_an_entrepreneur():
    assert inn.inn_kind("500100732259") == inn.ENTREPRENEUR


WRONG = ["7707083894", "500100732258", "500100732269", "0000000000", "000000000000", "770708389",
         "77070838931", "7707O83893", "", None, 7707083893, "７７０７０８３８９３"]


@pytest.mark.parametrize("number", WRONG)
def test_wrong_control_digits_lengths_and_non_digits_are_no_inn(number):
    assert inn.inn_kind(number) is None


def test_every_ninth_digit_change_of_a_valid_inn_is_caught():
    valid = "7707083893"
    for digit in "0123456789":
        changed = valid[:9] + digit
        assert (inn.inn_kind(changed) is not None) == (digit == "3")


def test_control_makes_valid_numbers_of_both_lengths():
    assert inn.inn_kind("123456789" + inn.inn_control("123456789")) == inn.COMPANY
    assert inn.inn_kind("1234567890" + inn.inn_control("1234567890")) == inn.ENTREPRENEUR


@pytest.mark.parametrize(("number", "kind"), [("1027700132195", inn.COMPANY), ("1027739642281", inn.COMPANY),
                                              ("304500116000157", inn.ENTREPRENEUR)])
def test_ogrn_and_ogrnip_with_matching_check_digit(number, kind):
    assert inn.ogrn_kind(number) == kind


@pytest.mark.parametrize("number", ["1027700132196", "304500116000158", "2027700132195", "102770013219",
                                    "30450011600015", "abc", None])
def test_ogrn_with_wrong_check_digit_register_or_length_is_refused(number):
    assert inn.ogrn_kind(number) is None
