"""A case's audit trail as CSV (UTF-8 with a BOM, so Excel reads Vietnamese) and XLSX.

One row per audit event, oldest first; times in the reader's zone (ISO 8601 with
the offset in CSV, a zone-less date-time plus the zone name in the header in XLSX,
which has no zones).
"""
import csv
import io
import json

from flask_babel import get_timezone, ngettext
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from engine import audit
from engine.db import db
from engine.models import AuditEvent
from forms.spreadsheet import append_row, csv_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns():
    return [_("Sequence"), _("Time"), _("Event"), _("Actor"), _("Element"), _("Task"),
            _("Data before"), _("Data after"), _("Details"), _("Hash"), _("Previous hash")]


def _json(value):
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def rows(events):
    """``[[seq, local datetime, kind, actor, element, task, before, after, details, hash, prev]]``"""
    zone = get_timezone()
    return [[e.seq, e.at.astimezone(zone), e.kind, e.actor, e.element_id or "", e.task_id or "",
             _json(e.data_before), _json(e.data_after), _json(e.details), e.hash, e.prev_hash]
            for e in events]


def to_csv(events):
    """The trail as CSV bytes (UTF-8 with a BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row(columns()))
    for row in rows(events):
        row[1] = row[1].isoformat(timespec="seconds")
        writer.writerow(csv_row(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(events, title):
    """The trail as an XLSX workbook (bytes), one sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Audit trail")[:31]
    append_row(sheet, [title])
    append_row(sheet, [_("Times in %(zone)s", zone=str(get_timezone()))])
    append_row(sheet, columns())
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows(events):
        row[1] = row[1].replace(tzinfo=None)  # Excel has no zones; the zone is in row 2
        append_row(sheet, row)
    for column in sheet.iter_cols(min_row=4, min_col=2, max_col=2):
        for cell in column:
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
    for letter, width in zip("ABCDEFGHIJK", (8, 20, 18, 14, 20, 38, 40, 40, 30, 66, 66), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def verify(instance_id):
    """Check the case's hash chain: ``{"intact", "count", "problem", "message"}``, where
    ``problem`` is the first broken link (``seq``, ``event_id``, ``message``) or ``None``."""
    stream = f"instance:{instance_id}"
    problems = audit.verify(stream)
    count = db.session.query(AuditEvent).filter_by(stream=stream).count()
    if not problems:
        return {"intact": True, "count": count, "problem": None,
                "message": ngettext("The audit trail is intact: %(num)d event.",
                                    "The audit trail is intact: %(num)d events.", count)}
    first = problems[0]
    return {"intact": False, "count": count, "problem": first,
            "message": _("The audit trail is broken at event %(seq)s: %(what)s",
                         seq=first["seq"] if first["seq"] is not None else "?", what=first["message"])}
