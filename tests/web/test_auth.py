"""Signing in and out, login throttling, CSRF, and the language switcher in vi, en and ru."""
import re

import pytest
from babel.messages.pofile import read_po

from accounts import service
from accounts.models import User
from engine.db import db
from tests.conftest import ROOT


def csrf(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


@pytest.fixture
def rep(app, redis_conn):
    user = service.add_user("sales1", "secret-1", ["sales"], full_name="Nguyễn Văn An", locale="vi")
    db.session.commit()
    return user


def sign_in(client, username="sales1", password="secret-1", **kwargs):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf(client)}, **kwargs)


def test_login_page_speaks_the_browsers_language(client):
    assert "Tên đăng nhập" in client.get("/login", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Имя пользователя" in client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(
        as_text=True)
    assert "Username" in client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)


def test_right_password_signs_in_and_the_page_uses_the_users_language(client, rep):
    response = sign_in(client)
    assert response.status_code == 302
    page = client.get("/status").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Đăng xuất" in page


def test_wrong_password_is_refused_with_a_message(client, rep):
    response = sign_in(client, password="nope", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert "Nguyễn Văn An" not in client.get("/status").get_data(as_text=True)


def test_missing_fields_are_shown_next_to_the_form(client, rep):
    response = client.post("/login", data={"username": "", "password": "", "csrf_token": csrf(client)},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count('class="invalid-feedback field-error"') == 2


def test_a_post_without_the_csrf_token_is_refused(client, rep):
    response = client.post("/login", data={"username": "sales1", "password": "secret-1"})
    assert response.status_code == 400
    assert "Nguyễn Văn An" not in client.get("/status").get_data(as_text=True)


def test_five_failures_lock_the_username_even_for_the_right_password(client, rep):
    for _ in range(5):
        assert sign_in(client, password="wrong").status_code == 401
    locked = sign_in(client, headers={"Accept-Language": "ru"})
    assert locked.status_code == 429 and 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert "Слишком много неудачных попыток" in locked.get_data(as_text=True)


def test_a_successful_sign_in_clears_earlier_failures(client, rep):
    for _ in range(4):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302
    client.post("/logout", data={"csrf_token": csrf(client, "/status")})
    for _ in range(4):
        assert sign_in(client, password="wrong").status_code == 401
    assert sign_in(client).status_code == 302


def test_next_may_only_point_inside_the_site(client, rep):
    response = client.post("/login?next=https://evil.example/", data={
        "username": "sales1", "password": "secret-1", "csrf_token": csrf(client)})
    assert response.headers["Location"] == "/inbox"   # the landing page, not the other site


def test_sign_out_ends_the_session(client, rep):
    sign_in(client)
    assert client.post("/logout", data={"csrf_token": csrf(client, "/status")}).status_code == 302
    assert "Nguyễn Văn An" not in client.get("/status").get_data(as_text=True)


def test_language_switch_is_kept_in_the_session_and_saved_on_the_profile(client, rep):
    client.post("/language", data={"language": "ru", "csrf_token": csrf(client, "/status")})
    assert "Состояние системы" in client.get("/status").get_data(as_text=True)
    sign_in(client)
    assert "Trạng thái hệ thống" in client.get("/status").get_data(as_text=True)  # the profile says vi
    client.post("/language", data={"language": "en", "csrf_token": csrf(client, "/status")})
    db.session.expire_all()
    assert db.session.query(User).filter_by(username="sales1").one().locale == "en"
    assert "Status" in client.get("/status").get_data(as_text=True)


def test_an_unknown_language_is_refused_and_changes_nothing(client, rep):
    response = client.post("/language", data={"language": "xx", "csrf_token": csrf(client, "/status")},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Unknown language." in response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["vi", "ru", "en"])
def test_every_message_is_translated(language):
    with open(ROOT / "web" / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=language)
    template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple)
                                                                   and not all(m.string)))]
    assert missing == []
    with open(ROOT / "web" / "translations" / "messages.pot", "rb") as f:
        assert {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id} == template_ids
