"""The admin's business calendars page (issue 12): hours and exceptions, audited; bad input is
a 422 naming the field; anyone but an admin is refused."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from engine import calendars
from engine.calendar_models import BusinessCalendar, CalendarException
from engine.db import db
from engine.models import AuditEvent
from tests.web.conftest import post

MSK = ZoneInfo("Europe/Moscow")


def test_an_admin_sees_both_calendars_with_hours_and_coming_days(sign_in):
    html = sign_in("admin").get("/admin/calendars").get_data(as_text=True)
    assert 'data-calendar="VN"' in html and 'data-calendar="RU"' in html
    assert 'value="09:00"' in html and 'value="08:00"' in html
    users = sign_in("admin").get("/admin/users").get_data(as_text=True)
    assert 'data-admin-tab="calendars_admin.calendar_index"' in users


def test_an_exception_added_by_the_admin_changes_business_time(sign_in):
    admin = sign_in("admin")
    tuesday = datetime(2026, 12, 29, 9, 0, tzinfo=MSK)
    assert calendars.add_business_time(tuesday, days=2, calendar="RU").date() == date(2027, 1, 11)
    response = post(admin, "/admin/calendars/RU/exceptions",
                    {"day": "2026-12-31", "working": "1", "note": "Decree of the test"})
    assert response.status_code == 303
    row = db.session.query(CalendarException).one()
    assert (row.calendar, row.working, row.set_by) == ("RU", True, "admin")
    assert calendars.add_business_time(tuesday, days=2, calendar="RU").date() == date(2026, 12, 31)
    page = admin.get("/admin/calendars").get_data(as_text=True)
    assert 'data-exception="2026-12-31"' in page and "Decree of the test" in page
    assert post(admin, "/admin/calendars/RU/exceptions/delete", {"day": "2026-12-31"}).status_code == 303
    assert db.session.query(CalendarException).count() == 0
    events = db.session.query(AuditEvent).filter_by(stream="calendar:RU").order_by(AuditEvent.seq)
    kinds = [e.kind for e in events]
    assert kinds == ["calendar_exception_set", "calendar_exception_removed"]


def test_the_admin_sets_working_hours(sign_in):
    admin = sign_in("admin")
    assert post(admin, "/admin/calendars/vn/hours", {"start": "09:30", "end": "18:00"}).status_code == 303
    row = db.session.get(BusinessCalendar, "VN")
    assert (row.work_start, row.work_end, row.updated_by) == (time(9, 30), time(18), "admin")
    assert calendars.get("VN").work_start == time(9, 30)


def test_bad_input_is_a_422_with_the_field_named_and_nothing_stored(sign_in):
    admin = sign_in("admin")
    for path, data, field in [
        ("/admin/calendars/RU/exceptions", {"day": "2026-13-01", "working": "1", "note": "x"}, "day"),
        ("/admin/calendars/RU/exceptions", {"day": "2026-05-04", "working": "maybe", "note": "x"}, "working"),
        ("/admin/calendars/RU/exceptions", {"day": "2026-05-04", "working": "0", "note": " "}, "note"),
        ("/admin/calendars/RU/hours", {"start": "18:00", "end": "09:00"}, "end"),
        ("/admin/calendars/RU/hours", {"start": "nine", "end": "18:00"}, "start"),
    ]:
        response = post(admin, path, data)
        assert response.status_code == 422, data
        assert f'data-field-error="{field}"' in response.get_data(as_text=True), data
    assert post(admin, "/admin/calendars/XX/hours", {"start": "09:00", "end": "18:00"}).status_code == 404
    assert post(admin, "/admin/calendars/RU/exceptions/delete", {"day": "2026-05-04"}).status_code == 404
    assert db.session.query(CalendarException).count() == 0
    assert db.session.query(BusinessCalendar).count() == 0


def test_anyone_but_an_admin_is_refused(sign_in):
    manager = sign_in("manager")
    assert manager.get("/admin/calendars").status_code == 403
    assert post(manager, "/admin/calendars/RU/exceptions",
                {"day": "2026-05-04", "working": "1", "note": "x"}).status_code == 403
    assert "/admin/calendars" not in manager.get("/profile").get_data(as_text=True)
