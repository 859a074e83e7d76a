"""User text in CSV and XLSX exports stays text: never a formula a spreadsheet runs.

A lead named ``=HYPERLINK("http://host/x","Open")`` would otherwise be a live formula
in the manager's workbook (CSV injection). Every export writes its rows through here:

- CSV (:func:`csv_row`): text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets a leading ``'`` (OWASP's advice), so Excel and LibreOffice read
  it as text. A string that is just a number (``-5``, ``+84912345678``) is left alone.
- XLSX (:func:`append_row`): every string is written as a string cell (openpyxl would
  make one starting with ``=`` a formula), and one that starts like a formula also gets
  the quote-prefix style, so it stays text even after someone edits the cell. The text
  itself is unchanged.

Numbers, dates and times are written as they are, so they stay numbers and dates.
"""
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def looks_like_formula(value):
    """Whether a spreadsheet could read ``value`` as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value)


def csv_text(value):
    """``value`` for one CSV field: a formula-like string with a leading ``'``."""
    return "'" + value if looks_like_formula(value) else value


def csv_row(values):
    """A row for :func:`csv.writer.writerow` with every formula-like string neutralised."""
    return [csv_text(value) for value in values]


def append_row(sheet, values):
    """Append ``values`` to an openpyxl ``sheet``, every string as a string cell.

    :returns: the row's cells
    """
    sheet.append(list(values))
    cells = sheet[sheet.max_row]
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if looks_like_formula(cell.value):
                cell.quotePrefix = True
    return cells
