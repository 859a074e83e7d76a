"""Bearer tokens: issuing one for a password, the throttle shared with the sign-in page,
and every way a token stops working."""
import re
import threading
import time
from datetime import timedelta

from flask import current_app
from werkzeug.security import generate_password_hash

from accounts import tokens
from accounts.models import ApiToken, User
from engine.db import db
from engine.types import utcnow
from tests.api.conftest import PASSWORD, Caller, error_of


def ask_token(client, **body):
    return client.post("/api/v1/auth/token", json={"username": "sales1", "password": PASSWORD, **body})


def test_a_right_password_gives_a_token_that_opens_the_api(client, users):
    response = ask_token(client, name="website intake")
    assert response.status_code == 200
    body = response.get_json()
    assert body["token"].startswith("tl_") and body["username"] == "sales1"
    assert body["name"] == "website intake" and body["expires_at"] is None
    assert body["prefix"] == body["token"][:11]
    assert Caller(client, f"Bearer {body['token']}").get("/tasks").status_code == 200


def test_only_the_tokens_hash_is_stored(client, users):
    token = ask_token(client).get_json()["token"]
    row = db.session.query(ApiToken).one()
    assert row.token_hash == tokens.digest(token) and token not in (row.token_hash, row.prefix)


def test_a_token_may_be_given_a_lifetime(client, users):
    body = ask_token(client, expires_in_days=30).get_json()
    expires = body["expires_at"]
    assert expires.endswith("+00:00")
    row = db.session.query(ApiToken).one()
    assert timedelta(days=29, hours=23) < row.expires_at - utcnow() <= timedelta(days=30)


def test_a_wrong_password_is_refused_with_401(client, users):
    error = error_of(ask_token(client, password="wrong"), 401)
    assert error["code"] == "unauthorized" and error["message"] == "Wrong username or password."
    assert error_of(ask_token(client, username="nobody"), 401)["code"] == "unauthorized"


def test_an_inactive_user_gets_no_token(client, users):
    users["sales1"].active = False
    db.session.commit()
    error_of(ask_token(client), 401)


def test_missing_or_mistyped_fields_are_named(client, users):
    error = error_of(client.post("/api/v1/auth/token", json={"username": 7}), 422)
    assert error["fields"] == {"username": "Not a valid string.", "password": "This field is required."}
    error = error_of(ask_token(client, expires_in_days=0, scope="all"), 422)
    assert set(error["fields"]) == {"expires_in_days", "scope"}
    assert error["fields"]["scope"] == "Unknown field."


def test_five_failures_lock_the_username_for_the_api_and_the_sign_in_page(client, users):
    for _ in range(5):
        error_of(ask_token(client, password="wrong"), 401)
    locked = ask_token(client)
    error = error_of(locked, 429)
    assert error["code"] == "too_many_attempts" and "15 minutes" in error["message"]
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    html = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    page = client.post("/login", data={"username": "sales1", "password": PASSWORD, "csrf_token": csrf})
    assert page.status_code == 429


def test_an_unknown_user_takes_as_long_and_gets_the_same_answer_as_a_wrong_password(client, users):
    slow = "pbkdf2:sha256:150000"  # a hash that takes long enough to measure (tests use a cheap one)
    current_app.config["TASKLANE_PASSWORD_HASH"] = slow
    users["sales1"].password_hash = generate_password_hash(PASSWORD, method=slow)
    db.session.commit()

    def timed(username):
        started = time.perf_counter()
        response = ask_token(client, username=username, password="wrong")
        return time.perf_counter() - started, response.status_code, response.get_json()

    known = [timed("sales1") for _ in range(3)]
    unknown = [timed(f"nobody{n}") for n in range(3)]
    assert {(status, str(body)) for _, status, body in known + unknown} == {(401, str(known[0][2]))}
    assert min(t for t, _, _ in unknown) > 0.6 * min(t for t, _, _ in known), (known, unknown)


def test_one_guess_at_each_of_many_user_names_is_stopped_per_address(client, users):
    limit = current_app.config["TASKLANE_LOGIN_ADDRESS_LIMIT"]
    for _ in range(limit + 2):  # right passwords never use up the address's attempts (an office's NAT)
        assert ask_token(client).status_code == 200
    statuses = [ask_token(client, username=f"guess{n}", password="x").status_code for n in range(15)]
    assert statuses == [401] * limit + [429] * (15 - limit)
    locked = ask_token(client)
    error_of(locked, 429)
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    elsewhere = client.post("/api/v1/auth/token", json={"username": "guess99", "password": "x"},
                            environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert elsewhere.status_code == 401


def test_forty_parallel_wrong_passwords_get_at_most_five_checked(app, users):
    start, statuses = threading.Barrier(40), []

    def guess():
        client = app.test_client()
        start.wait()
        statuses.append(client.post("/api/v1/auth/token", json={"username": "sales1", "password": "x"},
                                    environ_base={"REMOTE_ADDR": f"10.0.1.{len(statuses)}"}).status_code)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 5 + [429] * 35


def test_failures_on_the_sign_in_page_count_for_the_api_too(client, users):
    html = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    for _ in range(5):
        assert client.post("/login", data={"username": "sales1", "password": "x",
                                           "csrf_token": csrf}).status_code == 401
    error_of(ask_token(client), 429)


def test_without_a_token_the_api_answers_401_with_a_bearer_challenge(api):
    response = api(None).get("/tasks")
    error = error_of(response, 401)
    assert error["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="tasklane"'


def test_an_unknown_token_or_another_scheme_is_refused(api):
    response = api(None, "Bearer tl_not-a-real-token").get("/tasks")
    error_of(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    error_of(api(None, "Basic c2FsZXMxOnNlY3JldC0x").get("/tasks"), 401)
    error_of(api(None, "Bearer ").get("/tasks"), 401)


def test_a_revoked_token_stops_working_and_the_users_other_tokens_do_not(api):
    first, second = api("sales1"), api("sales1")
    assert first.delete("/auth/token").status_code == 204
    error_of(first.get("/tasks"), 401)
    assert second.get("/tasks").status_code == 200


def test_an_expired_token_stops_working(client, users):
    _row, token = tokens.issue(users["sales1"], expires_at=utcnow() - timedelta(seconds=1))
    db.session.commit()
    error_of(Caller(client, f"Bearer {token}").get("/tasks"), 401)


def test_a_deactivated_users_tokens_stop_working(api, users):
    caller = api("sales1")
    assert caller.get("/tasks").status_code == 200
    db.session.get(User, users["sales1"].id).active = False
    db.session.commit()
    error_of(caller.get("/tasks"), 401)


def test_the_session_cookie_of_the_pages_does_not_open_the_api(client, users):
    with client.session_transaction() as session:
        session["_user_id"] = str(users["manager"].id)
        session["_fresh"] = True
    error_of(client.get("/api/v1/tasks"), 401)


def test_the_api_takes_posts_without_a_csrf_token(api, two_lanes):
    task = two_lanes()
    assert api("sales1").post(f"/tasks/{task.id}/claim").status_code == 200
