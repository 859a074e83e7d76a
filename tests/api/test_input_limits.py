"""No 500 for bad input over the API (issue 11, section 6): integers past the database's
range, NUL characters, deep JSON, large bodies, long names each get a 4xx naming the field."""

from engine.db import db
from engine.models import ProcessVersion
from tests.api.conftest import error_of
from tests.api.test_pipeline import customer, deployed  # noqa: F401 - the fixture

PAST_INT = 2**31
NAMED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def multipart(content, name="leads.csv"):
    """A multipart body of one file, as bytes: the test client then spools nothing to disk."""
    body = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="' + name.encode()
            + b'"\r\nContent-Type: text/csv\r\n\r\n' + content + b"\r\n--x--\r\n")
    return {"data": body, "content_type": "multipart/form-data; boundary=x"}


def nested(depth):
    value = "leaf"
    for _ in range(depth):
        value = {"a": value}
    return value


def test_integers_past_the_databases_range_are_a_422_naming_the_field_and_ids_in_a_path_a_404(api):
    manager = api("manager")
    for method, path, body, field in [
        ("POST", "/prospects", {"customer_id": PAST_INT}, "customer_id"),
        ("GET", f"/tasks?page={PAST_INT}", None, "page"),
        ("GET", f"/process-definitions?page={10**30}", None, "page"),
        ("GET", f"/notifications?per_page=5&page={2**62}", None, "page"),
    ]:
        assert field in error_of(manager.open(method, path, json=body), 422)["fields"], path
    for path in (f"/instances/{PAST_INT}", f"/instances/{10**30}/history",
                 f"/process-definitions/k/versions/{PAST_INT}/diff/1"):
        assert error_of(manager.get(path), 404)["code"] == "not_found", path


def test_a_nul_character_or_json_nested_past_the_limit_is_a_422_naming_the_field(api, two_lanes):
    lead = {"name": "Trần\x00Mai", "phone": "0912345678", "source": "website"}
    assert error_of(api("manager").post("/leads", json=lead), 422)["fields"] == {
        "name": "Must not contain the NUL character."}
    token = error_of(api(None).post("/auth/token", json={"username": "a\x00", "password": "x"}), 422)
    assert set(token["fields"]) == {"username"}
    assert set(error_of(api("sales1").get("/tasks?q=a%00b"), 422)["fields"]) == {"q"}
    for path in ("/tasks/%00x", "/process-definitions/a%00b"):  # a NUL in a path: nothing is there
        assert error_of(api("admin").get(path), 404)["code"] == "not_found"
    task = two_lanes()
    shallow = error_of(api("sales1").post(f"/tasks/{task.id}/complete", json={"data": nested(40)}), 422)
    assert list(shallow["fields"]) == ["data" + ".a" * 31]
    raw = '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}"
    deep = api("sales1").post(f"/tasks/{task.id}/complete", data=raw, content_type="application/json")
    assert list(error_of(deep, 422)["fields"]) == ["body"]


def test_a_body_past_the_limit_is_a_413_in_the_error_shape_and_an_import_may_be_larger(api):
    big = {"name": "x" * 1_100_000, "phone": "0912345678"}
    assert error_of(api("manager").post("/leads", json=big), 413)["code"] == "too_large"
    csv = "name,phone\n" + "Trần Thị Mai,0912345678\n" * 60_000  # 1.5 MB: over the plain limit
    response = api("manager").post("/leads/import", **multipart(csv.encode()))
    assert error_of(response, 422)["fields"]  # read and refused for its rows, not for its size
    huge = b"name,phone\n" + b"a,0912345678\n" * 500_000  # 6.5 MB: refused before it is read
    response = api("manager").post("/leads/import", **multipart(huge))
    assert error_of(response, 413)["code"] == "too_large"


def test_a_partner_moving_a_prospect_is_a_403(api, deployed):  # noqa: F811 - the fixture
    from processes.pipeline import prospects as pipeline

    customer_id = customer()
    pipeline.enter(customer_id, actor="sales1")
    body = {"stage": "first_meeting", "note": "Gặp tại văn phòng"}
    response = api("partner1").post(f"/prospects/{customer_id}/stage", json=body)
    assert error_of(response, 403)["code"] == "forbidden"


def test_a_process_name_too_long_is_refused_naming_it_and_a_file_name_too_long_is_shortened(api, users):
    xml = NAMED.format(key="long_name", name="N" * 300)
    owner = api("owner")
    report = owner.post("/process-definitions/validate", data=xml, content_type="application/xml").get_json()
    assert not report["valid"]
    assert [p["element"] for p in report["problems"]] == ["long_name"]
    assert "300 characters" in report["problems"][0]["message"]
    refused = error_of(owner.post("/process-definitions", data=xml, content_type="application/xml"), 422)
    assert list(refused["fields"]) == ["long_name"]
    task_id = "t" * 300  # a user task's id is stored in the inbox: 255 characters at most
    task = NAMED.format(key="long_task", name="Long task").replace(
        '<bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>',
        f'<bpmn:userTask id="{task_id}"><bpmn:incoming>f1</bpmn:incoming></bpmn:userTask>').replace(
        'targetRef="end"', f'targetRef="{task_id}"')
    report = owner.post("/process-definitions/validate", data=task, content_type="application/xml").get_json()
    assert [p["element"] for p in report["problems"] if p["severity"] == "error"] == ["t" * 255]
    xml = NAMED.format(key="short_name", name="Short").encode()  # a 5,000-character file name: shortened
    response = api("owner").post("/process-definitions", **multipart(xml, name="d" * 5000 + ".bpmn"))
    assert response.status_code == 201, response.get_data(as_text=True)
    stored = db.session.query(ProcessVersion).one().source_name
    assert len(stored) == 255 and stored.endswith("d.bpmn")


def test_money_is_declared_as_decimal_strings_in_the_openapi_document(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name, field in (("Earnings", "earned"), ("LoanProduct", "min_amount"), ("Referral", "amount"),
                        ("Commission", "rate_percent")):
        declared = schemas[name]["properties"][field]
        assert declared["type"] == "string" and declared["format"] == "decimal", (name, field)
        assert declared["pattern"].startswith("^-?\\d+\\.")
