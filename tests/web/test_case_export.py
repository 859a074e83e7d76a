"""The audit trail of a case: CSV and XLSX export, and checking its hash chain from the page."""
import csv
import io
import json
import zipfile

from openpyxl import load_workbook
from sqlalchemy import update

import engine
from engine.db import db
from engine.models import AuditEvent


def test_the_csv_has_every_event_in_the_readers_zone_with_a_bom(lead, sign_in):
    engine.complete_task(lead.id, actor="sales1", data={"outcome": "no_need", "notes": "Khách không cần"})
    response = sign_in("auditor").get(f"/cases/{lead.instance_id}/timeline.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    events = db.session.query(AuditEvent).filter_by(instance_id=lead.instance_id).all()
    assert rows[0][0] == "Sequence" and len(rows) == len(events) + 1
    by_seq = {int(r[0]): r for r in rows[1:]}
    done = next(e for e in events if e.kind == "task_completed")
    row = by_seq[done.seq]
    assert row[1].endswith("+07:00") and row[2] == "task_completed" and row[3] == "sales1"
    assert row[4] == "call_lead" and row[5] == done.task_id
    assert json.loads(row[7])["notes"] == "Khách không cần"
    assert row[9] == done.hash and row[10] == done.prev_hash


def test_the_xlsx_has_the_same_rows(lead, sign_in):
    response = sign_in("manager").get(f"/cases/{lead.instance_id}/timeline.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    count = db.session.query(AuditEvent).filter_by(instance_id=lead.instance_id).count()
    assert rows[2][0] == "Số thứ tự" and len(rows) == 3 + count   # the manager reads Vietnamese
    assert rows[3][0] == 1 and rows[3][2] == "instance_started" and "Asia/Ho_Chi_Minh" in rows[1][0]


def test_a_partner_may_not_export_a_sales_case(lead, sign_in):
    client = sign_in("partner1")
    assert client.get(f"/cases/{lead.instance_id}/timeline.csv").status_code == 403
    assert client.get(f"/cases/{lead.instance_id}/timeline.xlsx").status_code == 403


def test_verifying_an_intact_trail_counts_its_events(lead, sign_in):
    count = db.session.query(AuditEvent).filter_by(instance_id=lead.instance_id).count()
    html = sign_in("auditor").get(f"/cases/{lead.instance_id}/verify", headers={"HX-Request": "true"}) \
        .get_data(as_text=True)
    assert 'data-intact="true"' in html and f"intact: {count} events" in html


def test_verifying_a_tampered_trail_names_the_first_broken_link(lead, sign_in):
    engine.complete_task(lead.id, actor="sales1", data={"outcome": "no_need"})
    event = db.session.query(AuditEvent).filter_by(instance_id=lead.instance_id, kind="task_completed").one()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(actor="someone_else"))
    db.session.commit()
    client = sign_in("auditor")
    html = client.get(f"/cases/{lead.instance_id}/verify", headers={"HX-Request": "true"}).text
    assert 'data-intact="false"' in html and f"broken at event {event.seq}" in html and "edited" in html
    page = client.get(f"/cases/{lead.instance_id}/verify", follow_redirects=True).get_data(as_text=True)
    assert f"broken at event {event.seq}" in page


FORMULA = '=HYPERLINK("http://host/F1","F1")'


def test_formula_like_text_in_the_trail_is_text_in_the_csv_and_the_xlsx(lead, sign_in):
    engine.complete_task(lead.id, actor=FORMULA, data={"outcome": "no_need"})
    client = sign_in("auditor")
    rows = list(csv.reader(io.StringIO(client.get(f"/cases/{lead.instance_id}/timeline.csv")
                                       .data.decode("utf-8-sig"))))
    assert ["'" + FORMULA] in [row[3:4] for row in rows]
    assert all(row[0].isdigit() for row in rows[1:])  # sequence numbers stay numbers
    data = client.get(f"/cases/{lead.instance_id}/timeline.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    actor = next(row[3] for row in sheet.iter_rows(min_row=4) if row[3].value == FORMULA)
    assert actor.data_type == "s" and actor.quotePrefix
    assert isinstance(sheet.cell(4, 1).value, int)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert b"<f>" not in book.read("xl/worksheets/sheet1.xml")
