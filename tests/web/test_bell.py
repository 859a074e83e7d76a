"""The bell: unread count in the header, translated entries, read when opened."""
import re

from engine.db import db
from engine.models import Notification
from tests.web.conftest import post


def notify(username, **kwargs):
    row = Notification(username=username, title=kwargs.pop("title", "Gọi khách hàng"), **kwargs)
    db.session.add(row)
    db.session.commit()
    return row


def test_the_header_counts_unread_notifications(sign_in):
    notify("sales1")
    notify("sales1")
    notify("sales2")
    html = sign_in("sales1").get("/inbox").get_data(as_text=True)
    assert 'data-unread="2"' in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(sign_in):
    row = notify("sales1", link="/inbox?tab=queue")
    client = sign_in("sales1")
    response = client.get(f"/notifications/{row.id}")
    assert response.headers["Location"] == "/inbox?tab=queue"
    db.session.expire_all()
    assert db.session.get(Notification, row.id).read_at is not None
    assert "data-unread" not in client.get("/inbox").get_data(as_text=True)


def test_a_notification_never_redirects_to_another_site(sign_in):
    row = notify("sales1", link="https://evil.example/")
    assert sign_in("sales1").get(f"/notifications/{row.id}").headers["Location"] == "/notifications"


def test_someone_elses_notification_is_not_marked_read(sign_in):
    row = notify("sales2")
    sign_in("sales1").get(f"/notifications/{row.id}")
    db.session.expire_all()
    assert db.session.get(Notification, row.id).read_at is None


def test_an_assignment_is_shown_in_the_readers_language(sign_in):
    notify("sales1", kind="task_assigned", title="Call",
           params={"titles": {"vi": "Gọi khách", "ru": "Позвонить", "en": "Call"}, "by": "manager"})
    client = sign_in("sales1")
    html = client.get("/notifications").get_data(as_text=True)
    assert "Gọi khách" in html
    post(client, "/language", {"language": "ru"})
    assert "Позвонить" in client.get("/notifications").get_data(as_text=True)


def test_mark_all_read(sign_in):
    notify("sales1")
    client = sign_in("sales1")
    post(client, "/notifications/read")
    assert db.session.query(Notification).filter_by(read_at=None).count() == 0


def test_every_list_of_notifications_shows_the_newest_first_though_rows_came_in_out_of_order(sign_in):
    """Issue 13 ("partner2's list is out of order"): the order is the moment made, then the
    id (engine.notifications.NEWEST_FIRST), on the bell's page, the user's own page and the API."""
    from datetime import timedelta

    from accounts import tokens
    from accounts.models import User
    from engine.types import utcnow

    now = utcnow()
    # inserted oldest-id first, but made: middle, newest, oldest; two made in the same instant
    middle = notify("partner2", title="middle", created_at=now - timedelta(hours=2))
    newest = notify("partner2", title="newest", created_at=now - timedelta(minutes=1))
    oldest = notify("partner2", title="oldest", created_at=now - timedelta(days=3))
    twin = notify("partner2", title="twin", created_at=now - timedelta(hours=2))
    expected = [newest.id, twin.id, middle.id, oldest.id]
    client = sign_in("partner2")
    for path in ("/notifications", "/me"):
        html = client.get(path).get_data(as_text=True)
        shown = [int(found) for found in re.findall(r'data-note="(\d+)"', html)]
        assert shown == expected, path
    _row, token = tokens.issue(db.session.query(User).filter_by(username="partner2").one())
    db.session.commit()
    items = client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [item["id"] for item in items["items"]] == expected


def test_a_call_back_bell_writes_the_number_as_its_reader_does(sign_in):
    notify("sales1", kind="callback_due", title="Trần Thị Mai +84362345678",
           params={"name": "Trần Thị Mai", "phone": "+84362345678"})
    client = sign_in("sales1")
    assert "0362 345 678" in client.get("/notifications").get_data(as_text=True)
    post(client, "/language", {"language": "ru"})   # a Russian reader's place is the brokerage's, in Russia
    html = client.get("/notifications").get_data(as_text=True)
    assert "+84 362 345 678" in html and "+84362345678" not in html
