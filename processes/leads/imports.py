"""Importing leads from a spreadsheet: CSV (UTF-8, with or without BOM, comma or
semicolon) or XLSX (the first sheet), with a header row in English or Vietnamese.

Each row stands alone: a valid row becomes a lead (:func:`processes.leads.entry.create_lead`,
source ``import`` unless the row names one), an invalid one is reported with its
row number (the spreadsheet's, the header being row 1) and is not imported.
"""
import csv
import io
import unicodedata
from zipfile import BadZipFile

from flask_babel import gettext as _
from openpyxl import load_workbook

from engine.errors import ScriptError, ValidationError

from .entry import create_lead

# Header (lower case, without diacritics) -> field.
HEADERS = {
    "name": "name", "ho ten": "name", "ten": "name", "ho va ten": "name",
    "phone": "phone", "so dien thoai": "phone", "sdt": "phone", "dien thoai": "phone",
    "email": "email", "e-mail": "email",
    "source": "source", "nguon": "source",
    "owner": "owner", "nhan vien": "owner",
    "classification": "classification", "phan loai": "classification",
    "gender": "gender", "gioi tinh": "gender",
    "birthday": "birthday", "ngay sinh": "birthday",
}
MAX_ROWS = 5000


def fold(text):
    """``text`` in lower case without diacritics (``Số điện thoại`` -> ``so dien thoai``)."""
    text = str(text or "").strip().lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def read_rows(content, filename):
    """The rows of a CSV or XLSX file as lists of values, the header row first.

    :raises ValidationError: not a CSV or XLSX file
    """
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
            finally:
                book.close()
        except (BadZipFile, KeyError, OSError, ValueError, IndexError):
            raise _refused(_("The file is not a readable XLSX workbook.")) from None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refused(_("The file is neither an XLSX workbook nor a UTF-8 CSV file.")) from None
    if "\x00" in text:
        raise _refused(_("The file is neither an XLSX workbook nor a UTF-8 CSV file."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _refused(message):
    return ValidationError(message, fields={"file": message})


def _columns(header):
    columns = {}
    for index, title in enumerate(header or []):
        name = HEADERS.get(fold(title))
        if name and name not in columns:
            columns[name] = index
    if not {"name", "phone"} <= set(columns):
        raise _refused(_("The first row must name the columns, with at least a name and a phone column."))
    return columns


def import_leads(content, filename, *, actor, assign="round_robin"):
    """Import every row of a file as a lead.

    :returns: ``{"imported": [customer ids], "rejected": [{"row_number", "values",
        "errors": {column: message}}], "duplicates": [{"row_number", "customer_id",
        "duplicate_of": [ids]}]}``
    :raises ValidationError: not CSV/XLSX, no name or phone column, more than ``MAX_ROWS`` rows
    """
    rows = read_rows(content, filename)
    columns = _columns(rows[0] if rows else None)
    if len(rows) - 1 > MAX_ROWS:
        raise _refused(_("The file has more than %(max)s rows.", max=MAX_ROWS))
    report = {"imported": [], "rejected": [], "duplicates": []}
    for number, row in enumerate(rows[1:], start=2):
        values = {name: _cell(row, index) for name, index in columns.items()}
        if all(v in (None, "") for v in values.values()):
            continue
        _import_row(report, number, values, actor=actor, assign=assign)
    return report


def _cell(row, index):
    value = row[index] if index < len(row) else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        value = str(value)  # a phone typed as a number lost its leading 0: "912345678"
    return value.strip() if isinstance(value, str) else value


def _import_row(report, number, values, *, actor, assign):
    data = {k: v for k, v in values.items() if k != "source"}
    source = fold(values.get("source")) or "import"
    shown = {k: v if v is None or isinstance(v, str) else str(v) for k, v in values.items()}
    try:
        result = create_lead(data, actor=actor, source=source, assign=assign)
    except (ValidationError, ScriptError) as error:
        errors = error.fields or {"row": error.message}
        report["rejected"].append({"row_number": number, "values": shown, "errors": errors})
        return
    report["imported"].append(result.customer.id)
    if result.duplicates:
        report["duplicates"].append({"row_number": number, "customer_id": result.customer.id,
                                     "duplicate_of": [d.id for d in result.duplicates]})
