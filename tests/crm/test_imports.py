import io

import pytest
from openpyxl import Workbook

from crm.models import Customer
from engine.db import db
from engine.errors import ValidationError
from processes.leads.imports import import_leads

ROWS = [
    ["Nguyễn Thị Lan", "0162 123 4567", "lan@example.vn", "facebook", "sales2"],
    ["", "0912 345 678", "", "", ""],
    ["Trần Văn Bình", "not a phone", "binh@", "", ""],
    ["Lê Thị Hoa", "0912345678", "", "", "sales3"],
    ["Lê Hoa (again)", "+84912345678", "", "pigeon", ""],
]


def csv_bytes(header, rows, delimiter=",", bom=False):
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return ("\ufeff" if bom else "").encode() + "\n".join(lines).encode("utf-8")


def xlsx_bytes(header, rows):
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check_report(report):
    assert [r["row_number"] for r in report["rejected"]] == [3, 4, 6]
    assert report["rejected"][0]["errors"] == {"name": "This field is required."}
    assert set(report["rejected"][1]["errors"]) == {"phone", "email"}
    assert report["rejected"][1]["values"]["name"] == "Trần Văn Bình"
    assert report["rejected"][2]["errors"] == {"source": "This value is not allowed."}
    lan, hoa = (db.session.get(Customer, i) for i in report["imported"])
    assert (lan.phone, lan.source, lan.owner) == ("+84321234567", "facebook", "sales2")
    assert lan.email == "lan@example.vn"
    assert (hoa.phone, hoa.source, hoa.owner) == ("+84912345678", "import", "sales3")
    assert report["duplicates"] == []


@pytest.mark.parametrize("delimiter, bom", [(",", False), (";", True)])
def test_a_csv_imports_its_good_rows_and_reports_each_bad_row_by_number(deployed, delimiter, bom):
    header = ["name", "phone", "email", "source", "owner"]
    check_report(import_leads(csv_bytes(header, ROWS, delimiter, bom), "leads.csv", actor="boss"))


def test_an_xlsx_with_vietnamese_headers_is_imported_the_same_way(deployed):
    header = ["Họ tên", "Số điện thoại", "Email", "Nguồn", "Nhân viên"]
    check_report(import_leads(xlsx_bytes(header, ROWS), "danh sách.xlsx", actor="boss"))


def test_a_row_whose_phone_is_already_known_is_imported_and_listed_as_a_duplicate(deployed):
    header = ["Tên", "SĐT", "Phân loại", "Giới tính", "Ngày sinh"]
    rows = [["An", "0912345678", "urgent", "male", "01/02/1990"], ["An B", "912345678", "potential", "", ""]]
    report = import_leads(csv_bytes(header, rows), "x.csv", actor="boss")
    first, second = report["imported"]
    assert report["duplicates"] == [{"row_number": 3, "customer_id": second, "duplicate_of": [first]}]
    an = db.session.get(Customer, first)
    assert (an.classification, an.gender, an.birthday.isoformat()) == ("urgent", "male", "1990-02-01")
    assert an.owner == "sales1" and db.session.get(Customer, second).owner == "sales2"  # round robin


@pytest.mark.parametrize("content, name", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png"),
    (b"PK\x03\x04broken", "leads.xlsx"),
    (b"full name,email\nAn,an@example.vn\n", "leads.csv"),
    (b"", "empty.csv"),
])
def test_a_file_that_is_not_a_lead_sheet_is_refused_as_a_whole(deployed, content, name):
    with pytest.raises(ValidationError) as raised:
        import_leads(content, name, actor="boss")
    assert "file" in raised.value.fields
    assert db.session.query(Customer).count() == 0
