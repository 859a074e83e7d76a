"""Referrers sign themselves up at /register: checks, the partner role only, throttling,
the setting that turns it off, and two registrations racing for one username. The page
does not tell which user names or phones exist (docs/security.md)."""
import re

import pytest
from flask import current_app, g

from accounts import service
from accounts.models import User
from engine.db import db
from engine.errors import ConflictError, ValidationError
from engine.models import AuditEvent
from tests.conftest import HAS_PG
from tests.engine.helpers import race
from web.referrals import signup

from .conftest import csrf

GOOD = {"full_name": "Trần Văn Giới", "phone": "0162 123 4567", "email": "gioi@example.test",
        "username": "tran.gioi", "password": "long-enough-1", "confirm": "long-enough-1", "language": "vi"}


def register(client, headers=None, environ_base=None, **changes):
    """POST the form as ``client``; Flask-Login keeps the request's user in ``g``, which the
    test app shares between requests (tests/web/conftest.py ``csrf``): forget it first."""
    g.pop("_login_user", None)
    data = {**GOOD, **changes, "csrf_token": csrf(client, "/register")}
    return client.post("/register", data=data, headers=headers or {"Accept-Language": "en"},
                       environ_base=environ_base or {})


def users_named(username):
    db.session.expire_all()
    return db.session.query(User).filter_by(username=username).all()


NEUTRAL = "If these details are new, your account is created: sign in with them."


def test_a_referrer_signs_up_and_signs_in_with_the_new_account(client, users):
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page  # the language chosen on the form
    assert re.search(r'alert-success flash"[^>]*>[^<]*Nếu', page)  # the neutral message, in Vietnamese
    [user] = users_named("tran.gioi")
    assert user.role_names == {"partner"}
    assert user.phone == "+84321234567"  # the old 0162 prefix mapped to today's 032
    assert (user.full_name, user.email, user.locale) == ("Trần Văn Giới", "gioi@example.test", "vi")
    assert service.check_password(user, "long-enough-1")
    signed_in = client.post("/login", data={"username": "tran.gioi", "password": "long-enough-1",
                                            "csrf_token": csrf(client)})
    assert signed_in.headers["Location"] == "/portal"
    assert client.get("/portal").status_code == 200
    [event] = db.session.query(AuditEvent).filter_by(stream="user:tran.gioi").all()
    assert (event.kind, event.actor) == ("user_registered", "tran.gioi")
    assert event.data_after["roles"] == ["partner"] and event.data_after["phone"] == "+84321234567"
    assert not any("password" in key for key in event.data_after)
    assert "long-enough-1" not in str(event.data_after)


def test_every_bad_field_is_reported_at_once_and_nothing_is_stored(client, users):
    response = register(client, full_name="  ", phone="12", email="not-an-address", username="Ab",
                        password="short", confirm="other", language="de")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count('class="invalid-feedback field-error"') == 6
    for message in ("This field is required.", "Enter a valid phone number.", "Enter a valid e-mail address.",
                    "Use 3 to 40 characters", "Use 8 to 200 characters.", "Choose vi, en or ru."):
        assert message in page
    assert db.session.query(User).count() == len(service.DEMO_USERS)


def test_mismatched_confirmation_and_the_username_as_password_are_refused(client, users):
    page = register(client, confirm="long-enough-2").get_data(as_text=True)
    assert "The passwords do not match." in page
    response = register(client, password="Tran.Gioi", confirm="Tran.Gioi")
    assert response.status_code == 422
    assert "The password may not be the username." in response.get_data(as_text=True)
    assert users_named("tran.gioi") == []


def test_a_full_name_longer_than_120_characters_is_refused(client, users):
    response = register(client, full_name="A" * 121)
    assert response.status_code == 422 and "Enter at most 120 characters." in response.get_data(as_text=True)


def outcome(response, client):
    """What a visitor learns from a registration: status, where it leads, and the page there."""
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    message = re.search(r'alert-success flash"[^>]*>([^<]*)<', page)
    return response.status_code, response.headers["Location"], message and message.group(1)


@pytest.mark.parametrize("username", ["sales1", "Sales1", "MAI.TRAN", "mai.tran"])
def test_a_taken_username_gets_the_same_answer_as_a_new_one_and_nothing_is_stored(client, users, username):
    service.add_user("Mai.Tran", "whatever", ["sales"])
    db.session.commit()
    new = current_app.test_client()
    created = outcome(register(new, username="quite.new", phone="0901000001", language="en"), new)
    taken = outcome(register(client, username=username, language="en"), client)
    assert taken == created and NEUTRAL in taken[2]
    assert db.session.query(User).count() == len(service.DEMO_USERS) + 2
    assert db.session.query(User).filter_by(username=username).count() <= 1


def test_a_phone_another_active_user_has_gets_the_same_answer_and_nothing_is_stored(client, users):
    holder = db.session.query(User).filter_by(username="sales1").one()
    holder.phone = "+84321234567"
    db.session.commit()
    new = current_app.test_client()
    created = outcome(register(new, username="quite.new", phone="0901000001", language="en"), new)
    taken = outcome(register(client, phone="+84 32 123 4567", language="en"), client)
    assert taken == created
    assert users_named("tran.gioi") == []
    holder.active = False
    db.session.commit()
    register(client)
    assert len(users_named("tran.gioi")) == 1


def test_posting_roles_still_makes_only_a_partner(client, users):
    response = register(client, roles="admin", role="admin", is_demo="1")
    assert response.status_code == 302
    [user] = users_named("tran.gioi")
    assert user.role_names == {"partner"} and not user.is_demo


def test_the_messages_speak_the_visitors_language(client, users):
    response = register(client, headers={"Accept-Language": "ru"}, username="")
    assert response.status_code == 422
    assert "Имя пользователя" in response.get_data(as_text=True)


def test_registrations_from_one_address_are_limited(client, users, redis_conn):
    for n in range(signup.MAX_PER_IP):
        fresh = current_app.test_client()
        assert register(fresh, username=f"ref{n}", phone=f"090100000{n}").status_code == 302
    response = register(current_app.test_client(), username="ref9", phone="0901000009")
    assert response.status_code == 429
    assert "Too many registrations from this address. Try again in 60 minutes." in response.get_data(
        as_text=True)
    assert 3500 < int(response.headers["Retry-After"]) <= 3600
    assert users_named("ref9") == []
    elsewhere = register(current_app.test_client(), username="ref9", phone="0901000009",
                         environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert elsewhere.status_code == 302 and len(users_named("ref9")) == 1


def test_refused_registrations_use_up_the_limit_too(client, users, redis_conn):
    for _ in range(signup.MAX_PER_IP):
        assert register(client, password="short").status_code == 422
    assert register(client).status_code == 429
    assert users_named("tran.gioi") == []


def test_a_post_without_the_csrf_token_is_refused(client, users):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert users_named("tran.gioi") == []


def test_a_signed_in_user_is_sent_to_their_landing_page(sign_in):
    partner = sign_in("partner1")
    assert partner.get("/register", follow_redirects=True).request.path == "/portal"
    manager = sign_in("manager")
    assert manager.get("/register", follow_redirects=True).request.path == "/inbox"
    token = csrf(manager, "/profile")
    assert manager.post("/register", data={**GOOD, "csrf_token": token}).status_code == 302
    assert users_named("tran.gioi") == []


def test_the_sign_in_page_links_to_registration(client):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "New referrer?" in page and 'href="/register"' in page


@pytest.fixture
def signup_off(settings):
    return {**settings, "TASKLANE_PARTNER_SIGNUP": False}


def test_with_the_setting_off_the_pages_are_gone_and_not_linked(signup_off, redis_url):
    from tasklane.app import create_app

    app = create_app(signup_off)
    with app.app_context():
        db.create_all()
        client = app.test_client()
        assert client.get("/register").status_code == 404
        assert client.post("/register", data={**GOOD, "csrf_token": csrf(client)}).status_code == 404
        page = client.get("/login").get_data(as_text=True)
        assert "/register" not in page and "New referrer?" not in page
        assert db.session.query(User).count() == 0
        db.session.remove()
        db.engine.dispose()


@pytest.mark.skipif(not HAS_PG, reason="the race is run on PostgreSQL (DATABASE_URL)")
def test_two_processes_registering_one_username_end_with_one_user(app, settings, users):
    def register_racer(actor):
        data = {**GOOD, "username": "racer", "phone": f"09010000{actor[-2:]}"}
        try:
            with current_app.test_request_context():  # messages in the default language
                user = signup.register(data)
        except ValidationError as error:
            raise ConflictError("refused", winner=repr(error.fields)) from None
        if user is None:
            raise ConflictError("refused", winner="taken")

    outcomes = race(settings, ["a-11", "b-22", "c-33", "d-44"], register_racer)
    assert sorted(result for _, result, _ in outcomes) == ["conflict"] * 3 + ["won"], outcomes
    assert {winner for _, result, winner in outcomes if result == "conflict"} == {"taken"}
    db.session.expire_all()
    assert len(users_named("racer")) == 1
