"""Fixtures of the broker tests."""
import pytest

from tests.conftest import deploy_file


@pytest.fixture
def edo_app(app):
    """The app (the broker domain registers the ЭДО operators) with the contract diagram, and
    a counterparty that answers only when a test says so."""
    app.config.update(TASKLANE_EDO_DEV_DELIVER_SECONDS=0.0, TASKLANE_EDO_DEV_SIGN_SECONDS=0.0)
    deploy_file("edo_contract.bpmn")
    return app
