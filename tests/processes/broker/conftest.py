"""Fixtures of the broker tests."""
import pytest

import engine
from processes.broker import edo
from tests.conftest import deploy_file


@pytest.fixture
def edo_app(app):
    """The app with the ЭДО operators, the contract diagram, and a counterparty that answers
    only when a test says so."""
    for name, operator in edo.OPERATORS.items():
        engine.register_operator(name, operator)
    app.config.update(TASKLANE_EDO_DEV_DELIVER_SECONDS=0.0, TASKLANE_EDO_DEV_SIGN_SECONDS=0.0)
    deploy_file("edo_contract.bpmn")
    return app
