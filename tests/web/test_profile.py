"""The profile: name, language and time zone; times shown in the user's zone."""
from accounts.models import User
from engine.db import db
from tests.web.conftest import post


def test_a_user_moves_to_moscow_time_and_russian(sign_in):
    client = sign_in("sales1")
    response = post(client, "/profile", {"full_name": "Nguyễn Văn An", "locale": "ru",
                                         "timezone": "Europe/Moscow"})
    assert response.status_code == 302
    user = db.session.query(User).filter_by(username="sales1").one()
    db.session.refresh(user)
    assert (user.locale, user.timezone) == ("ru", "Europe/Moscow")
    assert "Профиль" in client.get("/profile").get_data(as_text=True)


def test_an_unknown_time_zone_is_refused_and_nothing_changes(sign_in):
    client = sign_in("sales1")
    response = post(client, "/profile", {"full_name": "X", "locale": "en", "timezone": "Mars/Olympus"})
    assert response.status_code == 422
    user = db.session.query(User).filter_by(username="sales1").one()
    db.session.refresh(user)
    assert user.timezone == "Asia/Ho_Chi_Minh" and user.full_name == "Nguyễn Văn An"
