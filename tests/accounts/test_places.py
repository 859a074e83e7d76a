"""Where a user works until they choose: the default place's zone (engine/places.py)."""
from accounts import service
from engine import inbox
from engine.db import db


def test_a_user_created_with_no_zone_gets_the_default_places_zone(app):
    assert service.add_user("sales1", "secret-1", ["sales"]).timezone == "Asia/Ho_Chi_Minh"
    app.config["TASKLANE_ZONE"] = "Asia/Bangkok"
    bangkok = service.add_user("sales2", "secret-1", ["sales"])
    db.session.commit()
    assert bangkok.timezone == "Asia/Bangkok"
    chosen = service.add_user("sales3", "secret-1", ["sales"])
    chosen.timezone = "Europe/Moscow"
    db.session.commit()
    assert chosen.timezone == "Europe/Moscow"


def test_an_inbox_viewer_without_a_zone_reads_days_in_the_default_places_zone(app):
    assert inbox.Viewer(username="sales1", roles=frozenset({"sales"})).timezone == "Asia/Ho_Chi_Minh"
    app.config["TASKLANE_ZONE"] = "Europe/Moscow"
    assert inbox.Viewer(username="sales1", roles=frozenset({"sales"})).timezone == "Europe/Moscow"
