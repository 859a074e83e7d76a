"""Notifications: only the caller's own, newest first, unread filter, paging."""
from datetime import timedelta

import pytest

from engine.db import db
from engine.models import Notification
from engine.types import utcnow
from tests.api.conftest import error_of


@pytest.fixture
def bells(users):
    now = utcnow()
    rows = [
        Notification(username="sales2", title="Old", body="read already", link="/tasks/a",
                     kind="task_assigned", params={"by": "manager"}, created_at=now - timedelta(hours=2),
                     read_at=now),
        Notification(username="sales2", title="New", body="", created_at=now - timedelta(minutes=1)),
        Notification(username="sales1", title="Not yours", created_at=now),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_a_user_reads_their_own_notifications_newest_first(api, bells):
    body = api("sales2").get("/notifications").get_json()
    assert [n["title"] for n in body["items"]] == ["New", "Old"] and body["total"] == 2
    old = body["items"][1]
    assert old["kind"] == "task_assigned" and old["params"] == {"by": "manager"} and old["link"] == "/tasks/a"
    # in the bell's wording (sales2 reads English), not the stored one
    assert old["body"] == "manager assigned this task to you."
    assert old["read_at"].endswith("+00:00") and body["items"][0]["read_at"] is None


def test_unread_leaves_out_what_was_read_and_paging_works(api, bells):
    unread = api("sales2").get("/notifications?unread=true").get_json()
    assert [n["title"] for n in unread["items"]] == ["New"] and unread["total"] == 1
    second = api("sales2").get("/notifications?per_page=1&page=2").get_json()
    assert [n["title"] for n in second["items"]] == ["Old"] and second["total"] == 2


def test_someone_with_no_notifications_gets_an_empty_page(api, bells):
    assert api("partner1").get("/notifications").get_json() == {"items": [], "total": 0, "page": 1,
                                                                  "per_page": 25}


def test_notifications_refuse_bad_parameters_and_missing_tokens(api, bells):
    assert set(error_of(api("sales2").get("/notifications?unread=perhaps"), 422)["fields"]) == {"unread"}
    error_of(api(None).get("/notifications"), 401)


def test_marking_one_read_answers_it_and_keeps_the_first_moment(api, bells):
    new = bells[1]
    first = api("sales2").post(f"/notifications/{new.id}/read")
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["id"] == new.id and body["title"] == "New" and body["read_at"].endswith("+00:00")
    again = api("sales2").post(f"/notifications/{new.id}/read").get_json()
    assert again["read_at"] == body["read_at"]
    assert api("sales2").get("/notifications?unread=true").get_json()["total"] == 0
    old = db.session.get(Notification, bells[0].id)
    assert old.read_at is not None   # already read before: untouched


def test_nobody_marks_another_users_notification(api, bells):
    theirs = bells[2]
    error_of(api("sales2").post(f"/notifications/{theirs.id}/read"), 404)
    error_of(api("sales2").post("/notifications/999999/read"), 404)
    error_of(api(None).post(f"/notifications/{theirs.id}/read"), 401)
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_marking_all_read_touches_only_the_callers(api, bells):
    assert api("sales2").post("/notifications/read").status_code == 204
    db.session.expire_all()
    assert db.session.get(Notification, bells[1].id).read_at is not None
    assert db.session.get(Notification, bells[2].id).read_at is None
    assert api("sales1").get("/notifications?unread=true").get_json()["total"] == 1
