"""Every operation of the OpenAPI document, fed generated input by schemathesis with a
partner's, a sales rep's and an admin's token: no 500, and every answer as documented.

The document is loaded from the app itself (WSGI, no server). The run is bounded and
reproducible: a few derandomized examples per operation and caller, no deadline.
"""
from decimal import Decimal

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

import engine
from accounts import service
from crm.models import Order
from engine.db import db
from tests.api.conftest import LEAD, ROOT
from tests.referral_data import catalogue, deploy_procedure, referral_form

CALLERS = ("partner1", "sales1", "admin")
EXAMPLES = 4
CHECKS = [not_a_server_error, response_schema_conformance]
LAST = "auth_token_delete"  # revokes the token it is called with


@pytest.fixture
def seeded(users, two_lanes):
    """A case with an open task, a prospect with an order, a referral: the path parameters every operation is
    called with, so that requests reach real objects (ids past them are 404s, tested elsewhere)."""
    from processes.leads import entry as leads
    from processes.pipeline import prospects as pipeline
    from processes.referrals import helpers as procedure

    shop = catalogue()
    deploy_procedure()
    for name in ("lead_handling", "prospect_pipeline"):
        engine.deploy((ROOT / "bpmn" / f"{name}.bpmn").read_bytes(), actor="owner", name=f"{name}.bpmn",
                      roles=service.role_names())
    person = {"name": LEAD["name"], "phone": LEAD["phone"], "owner": "sales1"}
    customer = leads.create_lead(person, actor="manager", source="referral").customer
    pipeline.enter(customer.id, actor="sales1")
    order = Order(customer_id=customer.id, product="Liệu trình", amount=Decimal("4500000"),
                  created_by="sales1", instance_id=customer.instance_id)
    db.session.add(order)
    db.session.commit()
    call = two_lanes()
    referral = procedure.submit_referral(referral_form(shop.cash_loan), actor="partner1")
    db.session.commit()
    return {"task_id": call.id, "instance_id": call.instance_id, "customer_id": customer.id,
            "order_id": order.id, "referral_id": referral.id, "key": "api_two_lanes", "a": 1, "b": 1,
            "number": 1}


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    return sorted(found, key=lambda op: op.definition.raw.get("operationId") == LAST)


def _run(operation, authorization, seeded):
    known = {name: value for name, value in seeded.items() if "{" + name + "}" in operation.path}

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(case=operation.as_strategy(path_parameters=known or None))
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
                _run(operation, tokens[name], seeded)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported together below
                failures.append(f"{operation.label} as {name}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
