"""User text in CSV and XLSX exports stays text; numbers and dates stay what they are."""
from datetime import datetime

import pytest
from openpyxl import Workbook

from forms import spreadsheet


@pytest.mark.parametrize("text", ['=HYPERLINK("http://host/F1","F1")', "+1+cmd|' /C calc'!A0", "-2+3",
                                  "@SUM(A1:A2)", "\t=1", "\r=1"])
def test_text_that_starts_like_a_formula_gets_a_quote_in_csv(text):
    assert spreadsheet.csv_row([text, 5]) == ["'" + text, 5]


@pytest.mark.parametrize("text", ["Nguyễn Thị Lan", "-5", "+84912345678", "1.5e3", "", "a=b"])
def test_ordinary_text_and_numbers_written_as_text_are_left_alone_in_csv(text):
    assert spreadsheet.csv_text(text) == text


def test_xlsx_strings_are_string_cells_and_numbers_and_dates_keep_their_type():
    sheet = Workbook().active
    when = datetime(2026, 1, 2, 9, 30)
    formula, plain, number, date = spreadsheet.append_row(sheet, ["=1+1", "Lan", 3, when])
    assert (formula.value, formula.data_type, formula.quotePrefix) == ("=1+1", "s", True)
    assert (plain.data_type, plain.quotePrefix) == ("s", False)
    assert (number.data_type, date.value) == ("n", when) and date.is_date
