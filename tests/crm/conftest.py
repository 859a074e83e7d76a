"""Fixtures for crm tests: sales users and the shipped lead-handling diagram."""
import pytest

import engine
from accounts import service
from tests.conftest import ROOT, seed


@pytest.fixture
def ctx(app):
    """A request context: messages are translated for a request's locale (English here)."""
    with app.test_request_context():
        yield app


@pytest.fixture
def sales(ctx):
    """Active sales users sales1..sales3, an inactive one, and a manager."""
    def build():
        for name in ("sales1", "sales2", "sales3"):
            service.add_user(name, "secret-1", ["sales"])
        service.add_user("gone", "secret-1", ["sales"]).active = False
        service.add_user("boss", "secret-1", ["manager"])

    seed("crm-sales", build)


@pytest.fixture
def deployed(sales):
    seed("crm-lead-handling", lambda: engine.deploy(
        (ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner", name="lead_handling.bpmn",
        roles=service.role_names()))
