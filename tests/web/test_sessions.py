"""Sessions end on the server: sign-out, a password change on the profile, a reset by an
admin; the cookies' flags; the security headers of every page (docs/security.md)."""
import re

from flask import g

from accounts import service, tokens
from accounts.models import ApiToken, User
from engine.db import db
from engine.models import AuditEvent

from .conftest import csrf
from .conftest import post as post_form


def copy_of(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def post(client, path, data, **kwargs):
    g.pop("_login_user", None)  # the test app shares ``g`` between requests (conftest.csrf)
    return post_form(client, path, data, **kwargs)


def opens_inbox(client):
    g.pop("_login_user", None)  # the test app shares ``g`` between requests (conftest.csrf)
    return client.get("/inbox").status_code == 200


def user(username):
    db.session.expire_all()
    return db.session.query(User).filter_by(username=username).one()


def change_password(client, current="demo", new="a-new-secret", confirm=None):
    return post(client, "/profile/password", {"current_password": current, "new_password": new,
                                               "confirm": new if confirm is None else confirm},
                headers={"Accept-Language": "en"})


def test_sign_out_ends_the_session_on_the_server_so_a_copied_cookie_opens_nothing(app, sign_in):
    laptop, phone = sign_in("sales1"), sign_in("sales1")
    copy = copy_of(app, laptop)
    assert opens_inbox(copy)
    assert post(laptop, "/logout", {}).status_code == 302
    assert not opens_inbox(laptop) and not opens_inbox(copy)
    assert copy.get("/inbox").headers["Location"].startswith("/login")
    assert not opens_inbox(phone)  # sign-out ends the user's sessions on every device
    assert opens_inbox(sign_in("sales1"))  # signing in again works


def test_a_password_change_keeps_this_device_signed_in_and_ends_the_others(app, sign_in):
    laptop, phone = sign_in("owner"), sign_in("owner")
    token = tokens.issue(user("owner"), name="website")[1]
    db.session.commit()
    response = change_password(laptop)
    assert response.status_code == 302
    assert "You are signed out on your other devices." in laptop.get("/profile").get_data(as_text=True)
    assert opens_inbox(laptop) and not opens_inbox(phone)
    assert service.check_password(user("owner"), "a-new-secret")
    assert not service.check_password(user("owner"), "demo")
    assert tokens.verify(token) is not None  # the user's own tokens stay; the profile lists them
    [event] = db.session.query(AuditEvent).filter_by(stream="user:owner", kind="password_changed").all()
    assert event.actor == "owner" and "a-new-secret" not in str(event.data_after)


def test_a_password_change_needs_the_current_password_and_a_good_new_one(sign_in):
    client = sign_in("owner")
    for current, new, confirm, message in [
            ("wrong", "a-new-secret", None, "The current password is not right."),
            ("demo", "short", None, "Field must be between 8 and 200 characters long."),
            ("demo", "a-new-secret", "another-one", "The passwords do not match."),
            ("demo", "Owner", None, "The password may not be the username.")]:
        response = change_password(client, current, new, confirm)
        assert response.status_code == 422 and message in response.get_data(as_text=True), message
    assert service.check_password(user("owner"), "demo") and opens_inbox(client)


def test_an_admin_resets_a_password_shown_once_which_ends_the_users_sessions_and_tokens(app, sign_in):
    rep = sign_in("sales1")
    token = tokens.issue(user("sales1"), name="telephony")[1]
    db.session.commit()
    admin = sign_in("admin")
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert 'data-user-row="sales1"' in listing and 'href="/admin/users"' in listing  # linked in the header
    reset = f"/admin/users/{user('sales1').id}/password"
    short = post(admin, reset, {"password": "short"})
    assert short.status_code == 422 and "Use 8 to 200 characters." in short.get_data(as_text=True)
    assert opens_inbox(rep) and service.check_password(user("sales1"), "demo")
    response = post(admin, reset, {"password": "handed-over-1"})
    assert response.status_code == 200
    assert re.search(r"data-new-password>handed-over-1<", response.get_data(as_text=True))
    assert "handed-over-1" not in admin.get("/admin/users").get_data(as_text=True)
    assert not opens_inbox(rep) and opens_inbox(admin)
    assert service.check_password(user("sales1"), "handed-over-1")
    assert tokens.verify(token) is None
    assert db.session.query(ApiToken).filter(ApiToken.revoked_at.is_(None)).count() == 0
    [event] = db.session.query(AuditEvent).filter_by(stream="user:sales1", kind="password_reset").all()
    assert event.actor == "admin" and event.data_after["api_tokens_revoked"] == 1
    assert "handed-over-1" not in str(event.data_after)
    own = post(admin, f"/admin/users/{user('admin').id}/password", {"password": "admin-new-1"})
    assert own.status_code == 200
    assert opens_inbox(admin)  # the admin's own reset keeps this browser signed in


def test_only_an_admin_may_list_users_or_reset_a_password(sign_in):
    manager = sign_in("manager")
    assert manager.get("/admin/users").status_code == 403
    reset = f"/admin/users/{user('sales1').id}/password"
    assert post(manager, reset, {"password": "taken-over-1"}).status_code == 403
    assert 'href="/admin/users"' not in manager.get("/inbox").get_data(as_text=True)
    assert service.check_password(user("sales1"), "demo")


def test_every_answer_carries_the_security_headers_and_the_cookie_works_over_http(client, users):
    for path in ("/login", "/register", "/static/tasklane.css", "/api/v1/openapi.json", "/no-such-page"):
        with client.get(path) as response:
            headers = response.headers
        policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'", path
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'", path
        assert "unsafe" not in policy["style-src"], path
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert "Strict-Transport-Security" not in headers, path  # testing runs on plain http
    cookie = set_cookie_of(client.post("/login", data={"username": "sales1", "password": "demo",
                                                       "csrf_token": csrf(client)}), "session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def set_cookie_of(response, name):
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))


def test_in_production_cookies_are_secure_and_pages_ask_for_https(settings, redis_conn):
    from tasklane.app import create_app

    app = create_app({**settings, "TASKLANE_ENV": "production"})
    with app.app_context():
        db.create_all()
        service.add_user("sales1", "secret-1", ["sales"])
        db.session.commit()
        client = app.test_client()
        https = "https://localhost"  # the test client keeps Secure cookies for https only
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                          client.get("/login", base_url=https).get_data(as_text=True)).group(1)
        response = client.post("/login", base_url=https, headers={"Referer": f"{https}/login"},
                               data={"username": "sales1", "password": "secret-1", "csrf_token": token})
        assert response.status_code == 302
        cookie = set_cookie_of(response, "session")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert (app.config["REMEMBER_COOKIE_SECURE"], app.config["REMEMBER_COOKIE_SAMESITE"]) == (True, "Lax")
        db.session.remove()
        db.engine.dispose()
