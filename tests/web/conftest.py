"""Fixtures for page tests: the demo users, a signed-in client, cases to look at."""
import re

import pytest
from flask import g

import engine
from accounts import service
from engine.db import db
from engine.models import HumanTask
from tests.conftest import ONE_BACKEND, built_database, deploy_file, seed


def csrf(client, path="/login"):
    """The CSRF token of ``client``'s session.

    The test app keeps one app context across requests, so Flask-WTF's per-request
    cache in ``g`` would hand one client's token to the next: drop it first.
    """
    g.pop("csrf_token", None)
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def post(client, path, data=None, **kwargs):
    """POST a form with a fresh CSRF token, as a browser would."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf(client, "/profile")}, **kwargs)


@pytest.fixture
def users(app, redis_conn):
    seed("demo-users", lambda: service.ensure_demo_users("demo"))


@pytest.fixture
def sign_in(app, users):
    """``sign_in(username)``: a test client signed in as that demo user."""
    def open_session(username):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": "demo",
                                               "csrf_token": csrf(client)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return open_session


@pytest.fixture
def two_lanes(app, users):
    """``start(name, phone)``: a case of tests/bpmn/two_lanes.bpmn; returns its first task row."""
    seed("web-two-lanes", lambda: deploy_file("two_lanes.bpmn"))

    def start(name="Nguyễn Văn An", phone="+84901234567", actor="manager"):
        instance = engine.start("two_lanes", actor=actor, data={"name": name, "phone": phone})
        return db.session.query(HumanTask).filter_by(instance_id=instance.id, state="open").one()
    return start


@pytest.fixture
def lead(app, users):
    """A lead-handling case (bpmn/lead_handling.bpmn, with its form); returns its call task."""
    from tests.conftest import ROOT

    seed("web-lead-handling", lambda: engine.deploy(
        (ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner", name="lead_handling.bpmn",
        roles=service.role_names()))
    instance = engine.start("lead_handling", actor="manager", data={
        "name": "Trần Thị Mai", "phone": "+84912345678", "source": "website", "owner": "sales1"})
    return db.session.query(HumanTask).filter_by(instance_id=instance.id, state="open").one()


@pytest.fixture(params=ONE_BACKEND)
def database_url(request, tmp_path):
    """Page and API tests run on one backend (tests/conftest.py ONE_BACKEND)."""
    yield from built_database(request.param, tmp_path)
