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
    html = client.get("/profile").get_data(as_text=True)
    assert "Профиль" in html
    assert '<div class="form-text" data-zone-words>Россия (Москва)</div>' in html   # the zone in words
    assert 'value="Asia/Ho_Chi_Minh" label="Вьетнам"' in html


def test_an_unknown_time_zone_is_refused_and_nothing_changes(sign_in):
    client = sign_in("sales1")
    response = post(client, "/profile", {"full_name": "X", "locale": "en", "timezone": "Mars/Olympus"})
    assert response.status_code == 422
    user = db.session.query(User).filter_by(username="sales1").one()
    db.session.refresh(user)
    assert user.timezone == "Asia/Ho_Chi_Minh" and user.full_name == "Nguyễn Văn An"


def test_a_token_made_on_the_profile_opens_the_api_until_revoked(sign_in, app):
    import re

    client = sign_in("sales1")
    html = post(client, "/profile/tokens", {"name": "website"}).get_data(as_text=True)
    token = re.search(r"data-new-token>([^<]+)<", html).group(1)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/tasks", headers=headers).status_code == 200
    token_id = re.search(r"/profile/tokens/(\d+)/revoke", html).group(1)
    post(client, f"/profile/tokens/{token_id}/revoke")
    assert api.get("/api/v1/tasks", headers=headers).status_code == 401
