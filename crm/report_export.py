"""The manager's reports (:mod:`crm.reports`) as one XLSX workbook: one sheet per report.

The web layer passes the reports and every label already translated into the reader's
language (crm does not know the request). Counts are numbers, rates are fractions shown
as percentages, durations are Excel durations, and times are Excel date-times in the
reader's zone (Excel has no zones: they are written naive and the header names the zone).
"""
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from forms.spreadsheet import append_row

DURATION = "[h]:mm"
PERCENT = "0.0%"
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
FORBIDDEN_IN_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})


def workbook(reports, labels, zone):
    """The XLSX file's bytes.

    :param reports: ``{"sources", "calls", "first_call", "funnel", "overdue"}`` as the
        functions of :mod:`crm.reports` return them, and ``"about"``: ``[(label, value)]``
        rows that say which period and filters the reports cover
    :param labels: translated texts: ``sheets`` and ``columns`` by key; ``status``,
        ``source``, ``outcome``, ``stage``, ``step`` by code; ``people`` (username: name),
        ``unowned`` and ``team``
    :param zone: the reader's time zone name, for the times and their headers
    """
    book = Workbook()
    book.remove(book.active)
    _sources(book, reports["sources"], labels)
    _calls(book, reports["calls"], labels)
    _first_call(book, reports["first_call"], labels)
    _funnel(book, reports["funnel"], labels)
    _overdue(book, reports["overdue"], labels, ZoneInfo(zone))
    _about(book, reports["about"], labels)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def _sheet(book, key, labels, headers):
    """A sheet titled ``labels["sheets"][key]`` with a bold, frozen header row."""
    title = labels["sheets"][key].translate(FORBIDDEN_IN_TITLES).strip()[:31]
    sheet = book.create_sheet(title)
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def _fit(sheet, formats=None):
    """Column widths from the longest text shown, and number formats by column number (1-based)."""
    for number, column in enumerate(sheet.iter_cols(), start=1):
        fmt = (formats or {}).get(number)
        for cell in column[1:]:
            if fmt:
                cell.number_format = fmt
        longest = max(len(_shown(cell.value)) for cell in column)
        sheet.column_dimensions[get_column_letter(number)].width = min(max(longest + 2, 10), 60)


def _shown(value):
    """About the text Excel shows for ``value`` (a date-time as ``yyyy-mm-dd hh:mm``)."""
    if isinstance(value, datetime):
        return "0" * len("yyyy-mm-dd hh:mm")
    return "" if value is None else str(value)


def _person(labels, username):
    if username is None:
        return labels["unowned"]
    return labels["people"].get(username) or username


def _sources(book, report, labels):
    statuses = report["statuses"]
    columns = labels["columns"]
    sheet = _sheet(book, "sources", labels,
                   [columns["source"], *[labels["status"].get(s, s) for s in statuses], columns["total"]])
    for row in report["rows"]:
        append_row(sheet, [labels["source"].get(row["source"], row["source"]),
                      *[row["counts"][s] for s in statuses], row["total"]])
    append_row(sheet, [columns["total"], *[report["totals"][s] for s in statuses], report["total"]])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    _fit(sheet)


def _calls(book, report, labels):
    outcomes = report["outcomes"]
    columns = labels["columns"]
    named = [labels["outcome"].get(o, o) for o in outcomes]
    headers = [columns["day"], columns["rep"], *named, columns["total"]]
    sheet = _sheet(book, "calls", labels, headers)
    for row in report["rows"]:
        append_row(sheet, [row["day"], _person(labels, row["rep"]), *[row["counts"][o] for o in outcomes],
                      row["total"]])
    _fit(sheet, {1: DATE})


def _first_call(book, report, labels):
    columns = labels["columns"]
    keys = ("leads", "called", "waiting", "median", "p90", "average", "oldest_waiting")
    sheet = _sheet(book, "first_call", labels, [columns["rep"], *[columns[k] for k in keys]])
    append_row(sheet, [labels["team"], *[report["team"][k] for k in keys]])
    sheet.cell(2, 1).font = Font(bold=True)
    for row in report["reps"]:
        append_row(sheet, [_person(labels, row["rep"]), *[row[k] for k in keys]])
    _fit(sheet, {n: DURATION for n in range(5, 9)})


def _funnel(book, report, labels):
    columns = labels["columns"]
    sheet = _sheet(book, "funnel", labels,
                   [columns["stage"], columns["count"], columns["of_leads"], columns["of_previous"]])
    for stage in report["stages"]:
        append_row(sheet, [labels["stage"].get(stage["stage"], stage["stage"]), stage["count"],
                      stage["of_leads"], stage["of_previous"]])
    _fit(sheet, {3: PERCENT, 4: PERCENT})


def _overdue(book, rows, labels, zone):
    columns = labels["columns"]
    zoned = f" ({zone.key})"
    sheet = _sheet(book, "overdue", labels, [
        columns["customer"], columns["phone"], columns["rep"], columns["step"],
        columns["callback_at"] + zoned, columns["due_at"] + zoned, columns["late"], columns["case"]])
    for row in rows:
        append_row(sheet, [row["name"], row["phone"], _person(labels, row["rep"]),
                      labels["step"].get(row["step"], row["step"]), _local(row["callback_at"], zone),
                      _local(row["due_at"], zone), row["late"], row["instance_id"]])
    _fit(sheet, {5: DATETIME, 6: DATETIME, 7: DURATION})


def _about(book, rows, labels):
    columns = labels["columns"]
    sheet = _sheet(book, "about", labels, [columns["setting"], columns["value"]])
    for label, value in rows:
        append_row(sheet, [label, value])
    _fit(sheet)


def _local(value, zone):
    """A UTC time as the naive local time Excel shows."""
    return value.astimezone(zone).replace(tzinfo=None) if value is not None else None
