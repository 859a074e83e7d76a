"""Every operation of the OpenAPI document, fed generated input by schemathesis with a
partner's, a sales rep's and an admin's token: no 500, and every answer as documented.

The document is loaded from the app itself (WSGI, no server). The run is bounded and
reproducible: a few derandomized examples per operation and caller, no deadline.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

import engine
from accounts import service
from engine.db import db
from tests.api.conftest import LEAD, ROOT, open_tasks
from tests.referral_data import catalogue, deploy_procedure, referral_form

CALLERS = ("partner1", "sales1", "admin")
EXAMPLES = 4
CHECKS = [not_a_server_error, response_schema_conformance]
LAST = "auth_token_delete"  # revokes the token it is called with


@pytest.fixture
def seeded(users, two_lanes):
    """Cases, a lead, a prospect stage list and a referral for the generated requests to meet."""
    shop = catalogue()
    deploy_procedure()
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    engine.start("lead_handling", actor="manager", data=LEAD)
    call = two_lanes()
    from processes import referral as procedure

    procedure.submit_referral(referral_form(shop.cash_loan), actor="partner1")
    db.session.commit()
    return open_tasks(call.instance_id)


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    return sorted(found, key=lambda op: op.definition.raw.get("operationId") == LAST)


def _run(operation, authorization):
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(case=operation.as_strategy())
    def check(case):
        try:
            case.call_and_validate(headers={"Authorization": authorization}, checks=CHECKS)
        finally:
            db.session.rollback()  # the test shares the requests' session: an error must not leak

    check()


def test_no_operation_answers_500_or_outside_its_documented_schema(app, api, seeded):
    failures = []
    tokens = {name: api(name).headers["Authorization"] for name in CALLERS}
    for operation in _operations(app):
        for name in CALLERS:
            try:
                _run(operation, tokens[name])
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported together below
                failures.append(f"{operation.label} as {name}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
