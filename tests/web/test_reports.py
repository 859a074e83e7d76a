"""The reports page and its XLSX export: who may open them, what they show, bad input."""
import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from io import BytesIO
from zipfile import ZipFile
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale, gettext
from openpyxl import load_workbook

import engine
from accounts import service
from crm.models import Customer, Interaction, Order
from engine.db import db
from engine.models import HumanTask
from engine.types import utcnow
from processes.leads import entry as leads
from tests.conftest import ROOT

UTC = timezone.utc
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# 14 March 2025, 23:30 in Ho Chi Minh City (UTC+7); the period is that day and the next.
LATE_EVENING = datetime(2025, 3, 14, 16, 30, tzinfo=UTC)
PERIOD = "period=custom&from=2025-03-14&to=2025-03-15"


def vi(message, **variables):
    """``message`` as a reader of Vietnamese sees it (the catalog's text, or the English one)."""
    with force_locale("vi"):
        return gettext(message, **variables)


@pytest.fixture
def data(app, users):
    """Three leads of 14 March (HCM): one ordered, one contact, one never called."""
    def customer(name, phone, source, owner, status, kind, minutes):
        row = Customer(name=name, phone=phone, source=source, owner=owner, status=status, kind=kind,
                       created_at=LATE_EVENING + timedelta(minutes=minutes), created_by="manager")
        db.session.add(row)
        db.session.flush()
        return row

    lan = customer("Nguyễn Thị Lan", "+84901234567", "facebook", "sales1", "ordered", "customer", 0)
    nam = customer("Lê Hoàng Nam", "+84987654321", "facebook", "sales2", "contact", "contact", 1)
    customer("Phạm Thu Trang", "+84903111222", "zalo", "sales2", "new", "lead", 2)
    # Lan: called at 23:45 on the 14th, 15 minutes after intake; Nam 45 minutes after, on the 15th.
    db.session.add_all([
        Interaction(customer_id=lan.id, channel="call", outcome="reached",
                    at=LATE_EVENING + timedelta(minutes=15), author="sales1"),
        Interaction(customer_id=nam.id, channel="call", outcome="not_reached",
                    at=LATE_EVENING + timedelta(minutes=46), author="sales2"),
        Interaction(customer_id=nam.id, channel="call", outcome="reached",
                    at=LATE_EVENING + timedelta(hours=3), author="sales2"),
        Order(customer_id=lan.id, product="Liệu trình", amount=Decimal("4500000"), created_by="sales1",
              created_at=LATE_EVENING + timedelta(minutes=16)),
    ])
    db.session.commit()


@pytest.fixture
def late_call_back(app, users):
    """A lead not reached, whose call-back task came back 20 minutes ago and was due 5 minutes ago."""
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    result = leads.create_lead({"name": "Vũ Ngọc Mai", "phone": "0977333444", "owner": "sales3"},
                               actor="manager", source="website")
    task = db.session.query(HumanTask).filter_by(instance_id=result.instance.id, state="open").one()
    engine.complete_task(task.id, actor="sales3", data={
        "outcome": "not_reached", "callback_at": (utcnow() - timedelta(hours=1)).isoformat()})
    again = db.session.query(HumanTask).filter_by(instance_id=result.instance.id, state="open").one()
    again.created_at, again.due_at = utcnow() - timedelta(minutes=20), utcnow() - timedelta(minutes=5)
    db.session.commit()
    return again


def chart_data(html):
    return json.loads(re.search(r'<script type="application/json" id="tl-report-data">(.*?)</script>',
                                html, re.S).group(1))


def test_only_managers_admins_and_auditors_may_open_the_reports(sign_in):
    for username in ("sales1", "partner1", "customer1", "owner"):
        client = sign_in(username)
        assert client.get("/reports").status_code == 403
        assert client.get("/reports/export.xlsx").status_code == 403
        assert 'href="/reports"' not in client.get("/inbox").get_data(as_text=True)
    for username in ("manager", "admin", "auditor"):
        client = sign_in(username)
        assert client.get("/reports").status_code == 200
        assert 'href="/reports"' in client.get("/inbox").get_data(as_text=True)


def test_the_page_shows_every_report_of_the_period_in_the_managers_language(data, late_call_back, sign_in):
    response = sign_in("manager").get(f"/reports?{PERIOD}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="vi">' in html
    assert vi("Calls per rep per day") in html and vi("Overdue call-backs") in html
    funnel = {stage: re.search(rf'data-stage="{stage}">.*?data-count>(\d+)<', html, re.S).group(1)
              for stage in ("leads", "called", "contact", "ordered")}
    assert funnel == {"leads": "3", "called": "2", "contact": "2", "ordered": "1"}
    assert re.search(r'data-report="sources".*?data-total>3<', html, re.S)
    # Nam's calls fall on the 15th in Ho Chi Minh City although it is still the 14th in UTC.
    assert re.search(r'data-day="2025-03-14" data-rep="sales1">.*?data-total>1<', html, re.S)
    assert re.search(r'data-day="2025-03-15" data-rep="sales2">.*?data-total>2<', html, re.S)
    assert 'data-day="2025-03-14" data-rep="sales2"' not in html
    team = re.search(r"data-team>(.*?)</tr>", html, re.S).group(1)
    assert re.search(r"data-median>" + re.escape(vi("%(minutes)d min", minutes=30)) + "<", team)
    assert 'data-overdue-count="1"' in html and "Vũ Ngọc Mai" in html
    charts = chart_data(html)
    assert [s["count"] for s in charts["funnel"]["stages"]] == [3, 2, 2, 1]
    assert charts["calls"]["days"] == ["2025-03-14", "2025-03-15"]
    assert charts["calls"]["reps"] == ["sales1", "sales2"]
    assert charts["labels"]["people"]["sales1"] == "Nguyễn Văn An"


def test_the_rep_and_source_filters_narrow_the_reports(data, sign_in):
    client = sign_in("manager")
    zalo = client.get(f"/reports?{PERIOD}&source=zalo").get_data(as_text=True)
    assert re.search(r'data-report="sources".*?data-total>1<', zalo, re.S) and "data-rep=" not in zalo
    sales2 = chart_data(client.get(f"/reports?{PERIOD}&rep=sales2").get_data(as_text=True))
    assert sales2["funnel"]["leads"] == 2 and sales2["calls"]["reps"] == ["sales2"]


def test_the_export_is_a_workbook_with_a_sheet_per_report_in_the_readers_zone(data, late_call_back, sign_in):
    response = sign_in("manager").get(f"/reports/export.xlsx?{PERIOD}")
    assert response.status_code == 200
    today = utcnow().astimezone(HCM).date().isoformat()
    assert f"filename=tasklane-reports-{today}.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(BytesIO(response.get_data()))
    titles = ("Leads by source", "Calls per rep per day", "Time to first call", "Conversion",
              "Overdue call-backs", "Period and filters")
    assert book.sheetnames == [vi(title) for title in titles]
    sources, calls, first_call, funnel, overdue, about = book.worksheets
    assert sources.freeze_panes == "A2" and sources["A1"].font.bold
    assert [c.value for c in sources[2]][-1] == 2 and [c.value for c in sources[4]][-1] == 3
    assert [(r[0].date().isoformat(), r[1], r[-1]) for r in calls.iter_rows(min_row=2, values_only=True)] == [
        ("2025-03-14", "Nguyễn Văn An", 1), ("2025-03-15", "Lê Thị Bình", 2)]
    team = [c.value for c in first_call[2]]
    assert team[:4] == [vi("Whole team"), 3, 2, 1] and team[4] == timedelta(minutes=30)
    assert [(r[1], r[2]) for r in funnel.iter_rows(min_row=2, values_only=True)] == [
        (3, 1), (2, 2 / 3), (2, 2 / 3), (1, 1 / 3)]
    assert funnel["C3"].number_format == "0.0%"
    assert overdue["E1"].value == f"{vi('Call-back time')} (Asia/Ho_Chi_Minh)"
    row = [c.value for c in overdue[2]]
    assert row[:3] == ["Vũ Ngọc Mai", "+84977333444", "Phạm Minh Châu"]
    local = late_call_back.created_at.astimezone(HCM).replace(tzinfo=None)
    assert abs(row[4] - local) < timedelta(seconds=1)
    assert abs(row[6] - timedelta(minutes=20)) < timedelta(minutes=1)
    assert "Asia/Ho_Chi_Minh" in [c.value for c in about["B"]]


@pytest.mark.parametrize(("query", "field", "message"), [
    ("period=custom&from=2026-11-22&to=2026-11-21", "to", "The end date is before the start date."),
    ("period=custom&from=yesterday&to=2026-11-21", "from", "Enter a valid date, such as 2026-11-22."),
    ("period=custom&from=2026-11-21&to=9999-12-31", "to", "Enter a valid date, such as 2026-11-22."),
    ("period=custom&to=2026-11-21", "from", "Enter a date."),
    ("period=custom&from=2024-01-01&to=2026-11-21", "to", "Choose at most %(num)d days."),
    ("period=fortnight", "period", "Choose one of the listed periods."),
    ("source=tiktok", "source", "Choose one of the listed sources."),
    ("rep=nobody", "rep", "Choose one of the listed reps."),
])
def test_bad_filters_are_refused_with_a_clear_message_not_a_server_error(sign_in, query, field, message):
    client = sign_in("manager")
    expected = vi(message, num=366) if "%(num)d" in message else vi(message)
    page = client.get(f"/reports?{query}")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert f'id="report-{field}-error">{expected}<' in html.replace("&#39;", "'")
    download = client.get(f"/reports/export.xlsx?{query}")
    assert download.status_code == 422 and expected in download.get_data(as_text=True)


def test_the_chart_library_is_served_from_the_vendor_folder(client):
    with client.get("/static/vendor/chartjs/chart.umd.min.js") as response:
        assert response.status_code == 200, "run `make assets`"
        assert b"Chart.js v4" in response.get_data()[:200]


FORMULA = '=HYPERLINK("http://host/F1","F1")'


def test_a_lead_named_like_a_formula_is_plain_text_in_the_export(late_call_back, sign_in):
    customer = db.session.query(Customer).filter_by(phone="+84977333444").one()
    customer.name = FORMULA
    db.session.commit()
    response = sign_in("manager").get(f"/reports/export.xlsx?{PERIOD}")
    assert response.status_code == 200
    overdue = load_workbook(BytesIO(response.get_data())).worksheets[4]
    name = overdue["A2"]
    assert name.value == FORMULA and name.data_type == "s" and name.quotePrefix
    assert isinstance(overdue["G2"].value, timedelta)  # numbers and durations stay numbers
    with ZipFile(BytesIO(response.get_data())) as book:
        sheets = [part for part in book.namelist() if part.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in book.read(part) for part in sheets)


def test_the_period_sentence_names_the_time_zone_in_words_not_its_database_name(data, sign_in):
    html = sign_in("manager").get(f"/reports?{PERIOD}").get_data(as_text=True)
    sentence = re.search(r"data-period>(.*?)</p>", html, re.S).group(1)
    assert sentence.endswith("thời gian theo giờ Việt Nam.") and "Asia/Ho_Chi_Minh" not in sentence
