"""Fixtures for API tests: users of every role with a bearer token each, and cases to work on.

``api("sales1").post("/tasks/<id>/claim")`` calls ``/api/v1/tasks/<id>/claim`` with
sales1's token; ``api(None)`` sends no token.
"""
import pytest

import engine
from accounts import service, tokens
from accounts.models import User
from engine.db import db
from engine.models import HumanTask
from tests.conftest import ONE_BACKEND, ROOT, built_database, seed

PASSWORD = "secret-1"  # noqa: S105 - a test password
ROLES = {
    "sales1": ["sales"], "sales2": ["sales"], "manager": ["manager", "sales"], "owner": ["process_owner"],
    "admin": ["admin"], "auditor": ["auditor"], "partner1": ["partner"], "customer1": ["customer"],
}
LOCALES = {"sales1": "vi", "partner1": "ru"}
LEAD = {"name": "Trần Thị Mai", "phone": "+84912345678", "source": "website", "owner": "sales1"}
TWO_LANES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://t">
  <bpmn:process id="api_two_lanes" name="Call, then approve" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="Lane_sales" name="sales"><bpmn:flowNodeRef>call</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="Lane_manager" name="manager"><bpmn:flowNodeRef>approve</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="call" name="Call the customer">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="title_vi" value="Gọi khách hàng" />
        <spiffworkflow:property name="title_ru" value="Позвонить клиенту" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="approve" name="Approve">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="approve" />
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def users(app, redis_conn):
    """One user per role (see ``ROLES``), password ``PASSWORD``; returns them by username."""
    def build():
        for name, roles in ROLES.items():
            service.add_user(name, PASSWORD, roles, full_name=name.title(), locale=LOCALES.get(name, "en"))

    seed("api-users", build)
    made = {user.username: user for user in db.session.query(User).filter(User.username.in_(ROLES))}
    return {name: made[name] for name in ROLES}


class Caller:
    """Requests to ``/api/v1`` with one user's token (or none, or a given header)."""

    def __init__(self, client, authorization):
        self.client = client
        self.headers = {"Authorization": authorization} if authorization else {}

    def open(self, method, path, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.open("POST", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.open("DELETE", path, **kwargs)


@pytest.fixture
def api(client, users):
    """``api(username)``: a :class:`Caller` with a fresh token of that user; ``api(None)``: no token."""
    def caller(username, authorization=None):
        if username is not None:
            _row, token = tokens.issue(db.session.query(User).filter_by(username=username).one())
            db.session.commit()
            authorization = f"Bearer {token}"
        return Caller(client, authorization)
    return caller


def open_tasks(instance_id):
    db.session.expire_all()
    return {t.element_id: t for t in db.session.query(HumanTask).filter_by(instance_id=instance_id,
                                                                           state="open")}


@pytest.fixture
def two_lanes(users):
    """``start()``: a case with an open ``call`` task (lane sales); its ``approve`` is lane manager."""
    seed("api-two-lanes", lambda: engine.deploy(TWO_LANES, actor="owner", name="two_lanes.bpmn",
                                                roles=service.role_names()))

    def start(actor="manager"):
        instance = engine.start("api_two_lanes", actor=actor, data={"name": "Nguyễn Văn An"})
        return open_tasks(instance.id)["call"]
    return start


@pytest.fixture
def approval(two_lanes):
    """The ``approve`` task (lane manager) of a new case."""
    call = two_lanes()
    engine.complete_task(call.id, actor="sales1")
    return open_tasks(call.instance_id)["approve"]


@pytest.fixture
def lead(users):
    """A lead-handling case (bpmn/lead_handling.bpmn, with its form); returns its call task."""
    seed("api-lead-handling", lambda: engine.deploy(
        (ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner", name="lead_handling.bpmn",
        roles=service.role_names()))
    instance = engine.start("lead_handling", actor="manager", data=LEAD)
    return open_tasks(instance.id)["call_lead"]


def error_of(response, status):
    """The ``error`` object of a response, after checking its status and shape."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
    return body["error"]


@pytest.fixture(params=ONE_BACKEND)
def database_url(request, tmp_path):
    """Page and API tests run on one backend (tests/conftest.py ONE_BACKEND)."""
    yield from built_database(request.param, tmp_path)
