"""The OpenAPI document: valid in structure, and the same set of operations as the routes."""
import re

import pytest

from web.api import openapi
from web.api.registry import OPERATIONS

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")  # no token: the document is public
    assert response.status_code == 200
    return response.get_json()


def api_operations(app):
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            found |= {(path, m.lower()) for m in rule.methods if m.lower() in HTTP_METHODS}
    return found


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def resolve(document, ref):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_every_route_is_in_the_document_and_nothing_else(app, document):
    documented = {(path, method) for path, item in document["paths"].items()
                  for method in item if method in HTTP_METHODS}
    assert documented == api_operations(app)
    assert ("/api/v1/tasks/{task_id}/complete", "post") in documented


def test_the_document_has_the_openapi_3_1_structure(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "a token from POST /api/v1/auth/token"}
    schemas = document["components"]["schemas"]
    for name in ("Task", "Instance", "Definition", "HistoryEvent", "Notification", "Error", "TaskPage"):
        assert schemas[name]["type"] == "object", name
    for path, item in document["paths"].items():
        assert path.startswith("/api/v1/")
        for method, op in ((m, o) for m, o in item.items() if m in HTTP_METHODS):
            assert op["summary"] and op["operationId"] and op["responses"], (path, method)
            assert any(status.startswith("2") for status in op["responses"]), (path, method)


def test_every_reference_resolves(document):
    found = list(refs(document))
    assert len(found) > 50
    for ref in found:
        assert isinstance(resolve(document, ref), dict), ref


def test_operations_ids_are_the_route_functions_and_unique(document):
    ids = [op["operationId"] for item in document["paths"].values()
           for m, op in item.items() if m in HTTP_METHODS]
    assert len(ids) == len(set(ids)) == len(OPERATIONS)


def test_only_the_token_endpoint_and_the_document_need_no_token(document):
    public = {(path, m) for path, item in document["paths"].items() for m, op in item.items()
              if m in HTTP_METHODS and op.get("security") == []}
    assert public == {("/api/v1/auth/token", "post"), ("/api/v1/openapi.json", "get")}
    assert document["security"] == [{"bearer": []}]
    for path, item in document["paths"].items():
        for method, op in ((m, o) for m, o in item.items() if m in HTTP_METHODS):
            if (path, method) not in public:
                assert op["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}


def test_errors_are_documented_with_the_error_schema(document):
    complete = document["paths"]["/api/v1/tasks/{task_id}/complete"]["post"]
    assert {"401", "403", "404", "409", "422"} <= set(complete["responses"])
    conflict = resolve(document, complete["responses"]["409"]["$ref"])
    assert conflict["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    body = resolve(document, "#/components/schemas/ErrorBody")
    assert {"code", "message", "fields", "winner", "problems"} <= set(body["properties"])


def test_query_parameters_and_bodies_come_from_the_schemas(document):
    tasks = document["paths"]["/api/v1/tasks"]["get"]
    names = {p["name"]: p for p in tasks["parameters"]}
    assert set(names) == {"tab", "process", "due", "assignee", "q", "order", "page", "per_page"}
    assert names["tab"]["schema"]["enum"] == ["mine", "queue", "all", "done"]
    assert {"newest", "due"} <= set(names["order"]["schema"]["enum"])
    assert "`queue`" in names["order"]["description"]
    assign = document["paths"]["/api/v1/tasks/{task_id}/assign"]["post"]
    assert assign["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AssignRequest"}
    deploy = document["paths"]["/api/v1/process-definitions"]["post"]
    assert {"multipart/form-data", "application/xml"} <= set(deploy["requestBody"]["content"])
    assert "Location" in deploy["responses"]["201"]["headers"]
    instance = document["paths"]["/api/v1/instances/{instance_id}"]
    assert instance["parameters"] == [{"name": "instance_id", "in": "path", "required": True,
                                       "schema": {"type": "integer", "minimum": 0,
                                                  "maximum": 2**31 - 1}}]


def test_task_rows_document_the_leads_age_and_source(document):
    schemas = document["components"]["schemas"]
    page_items = schemas["TaskPage"]["properties"]["items"]["items"]
    assert page_items == {"$ref": "#/components/schemas/TaskRow"}
    lead = schemas["TaskRow"]["properties"]["lead"]
    assert "null" in str(lead) and "LeadArrival" in str(lead)
    arrival = schemas["LeadArrival"]
    assert set(arrival["properties"]) == {"came_in_at", "age_seconds", "source", "source_label"}
    assert "facebook" in str(arrival["properties"]["source"])
    get = document["paths"]["/api/v1/tasks/{task_id}"]["get"]["responses"]["200"]
    assert "TaskDetail" in str(get)
    assert "LeadArrival" in str(schemas["TaskDetail"]["properties"]["lead"])


def test_one_task_documents_its_form_and_data(document):
    schemas = document["components"]["schemas"]
    detail = schemas["TaskDetail"]["properties"]
    assert "TaskForm" in str(detail["form"]) and "null" in str(detail["form"])
    assert "null" in str(detail["data"])
    assert set(schemas["TaskForm"]["properties"]) == {"schema", "ui_schema"}


def test_the_case_search_documents_its_filters_and_rows(document):
    get = document["paths"]["/api/v1/instances"]["get"]
    names = {p["name"] for p in get["parameters"] if p["in"] == "query"}
    assert names == {"page", "per_page", "process", "version", "status", "incident", "started_after",
                     "started_before", "q"}
    assert {"200", "401", "422"} <= set(get["responses"])
    row = document["components"]["schemas"]["InstanceRow"]["properties"]
    assert set(row) == {"id", "process", "process_name", "version", "status", "business_key", "started_by",
                        "started_at", "ended_at", "error"}


def test_the_document_is_built_once(app, document):
    assert app.extensions["tasklane_openapi"] is not None
    assert openapi.openapi_path("/tasks/<task_id>") == "/api/v1/tasks/{task_id}"


def test_a_customer_and_the_correction_of_its_orders_are_documented(document):
    customer = document["paths"]["/api/v1/customers/{customer_id}"]["get"]
    assert customer["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CustomerDetail"}
    orders = resolve(document, "#/components/schemas/CustomerDetail")["properties"]["orders"]
    order = resolve(document, orders["items"]["$ref"])["properties"]
    assert order["amount"]["type"] == "string" and order["amount"]["format"] == "decimal"
    assert order["status"]["enum"] == ["placed", "cancelled"]
    patch = document["paths"]["/api/v1/orders/{order_id}"]["patch"]
    assert {"401", "403", "404", "409", "422"} <= set(patch["responses"])
    body = resolve(document, patch["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert body["required"] == ["version"]
    assert set(body["properties"]) == {"version", "product", "quantity", "amount", "status"}


def test_roles_are_documented_with_their_body_and_refusals(document):
    create = document["paths"]["/api/v1/roles"]["post"]
    assert {"201", "401", "403", "422"} <= set(create["responses"])
    body = resolve(document, create["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert body["required"] == ["name"] and set(body["properties"]) == {"name", "title"}
    listed = document["paths"]["/api/v1/roles"]["get"]["responses"]["200"]["content"]["application/json"]
    items = resolve(document, listed["schema"]["$ref"])["properties"]["items"]
    assert set(resolve(document, items["items"]["$ref"])["properties"]) == {"name", "title", "built_in"}
