"""The modeler's bundles (issue 14): opening several files, a zip or a folder, and
validating, previewing and deploying them as one bundle (web/modeler_bundle.py)."""
import io
import json
import re
import zipfile

import pytest

import engine
from engine import bundles
from engine.db import db
from engine.models import ProcessVersion
from tests.conftest import BPMN
from tests.web.test_modeler import LEAD_XML, lead_deployed, send, token  # noqa: F401

FOLDER = BPMN / "modeler_bundle"
FOLDER_FILES = sorted(FOLDER.iterdir())


def upload(client, path, pairs, lang=None):
    """POST ``pairs`` of (file name, bytes) as ``file`` parts, as the modeler page does."""
    headers = {"X-CSRFToken": token(client), "Accept": "application/json"}
    if lang:
        headers["Accept-Language"] = lang
    return client.post(path, data={"file": [(io.BytesIO(data), name) for name, data in pairs]},
                       content_type="multipart/form-data", headers=headers)


def folder(**changed):
    """The test folder's files as (name, bytes), with ``changed`` contents by name
    (``order_discount_dmn`` for order_discount.dmn)."""
    replaced = {name.replace("_bpmn", ".bpmn").replace("_dmn", ".dmn"): data
                for name, data in changed.items()}
    return [(p.name, replaced.get(p.name, p.read_bytes())) for p in FOLDER_FILES]


def zipped(pairs):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in pairs:
            archive.writestr(f"price-an-order/{name}", data)
    return buffer.getvalue()


def versions():
    return db.session.query(ProcessVersion).count()


def config(html):
    return json.loads(re.search(r'id="modeler-config">(.*?)</script>', html, re.S).group(1))


@pytest.mark.parametrize("pairs", [folder(), [("price-an-order.zip", zipped(folder()))]],
                         ids=["files", "zip"])
def test_opened_files_come_back_as_text_with_the_primary_diagram_first(sign_in, pairs):
    response = upload(sign_in("owner"), "/processes/files", pairs)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["primary"] == "order.bpmn"
    assert [(f["name"], f["kind"]) for f in body["files"]] == [
        ("order.bpmn", "bpmn"), ("order-approval-schema.json", "json"), ("order_discount.dmn", "dmn"),
        ("order_review.bpmn", "bpmn"), ("process_model.json", "json")]
    assert body["files"][2]["text"] == (FOLDER / "order_discount.dmn").read_text(encoding="utf-8")
    assert body["skipped"] == ["README.md"]
    assert versions() == 0


def test_the_primary_diagram_is_the_one_no_other_file_calls(sign_in):
    pairs = [(name, data) for name, data in folder() if name in ("order_review.bpmn", "order.bpmn",
                                                                 "order_discount.dmn")]
    pairs.sort(key=lambda pair: pair[0] != "order_review.bpmn")  # the callee comes first
    assert upload(sign_in("owner"), "/processes/files", pairs).json["primary"] == "order.bpmn"


def test_among_uncalled_diagrams_the_one_process_model_json_names_is_primary(sign_in):
    lead = ("lead_handling.bpmn", LEAD_XML.encode())
    model = ("process_model.json", json.dumps({"primary_file_name": "order.bpmn"}).encode())
    order = ("order.bpmn", (FOLDER / "order.bpmn").read_bytes())
    client = sign_in("owner")
    assert upload(client, "/processes/files", [lead, order]).json["primary"] == "lead_handling.bpmn"
    assert upload(client, "/processes/files", [lead, order, model]).json["primary"] == "order.bpmn"


@pytest.mark.parametrize("pairs, message", [
    ([], "Choose at least one file."),
    ([("README.md", b"# notes")], "None of these files is a BPMN diagram (.bpmn)."),
    ([("order_discount.dmn", (FOLDER / "order_discount.dmn").read_bytes())],
     "None of these files is a BPMN diagram (.bpmn)."),
    ([("x.bpmn", b"<a/>"), ("x.bpmn", b"<b/>")], "Two files are named x.bpmn."),
    ([("model.zip", b"not a zip")], "The zip file cannot be read."),
], ids=["nothing", "no-diagram", "only-dmn", "same-name", "bad-zip"])
def test_files_that_cannot_be_opened_are_a_422_with_the_reason(sign_in, pairs, message):
    client = sign_in("owner")
    for path in ("/processes/files", "/processes/validate", "/processes/deploy/preview", "/processes/deploy"):
        response = upload(client, path, pairs)
        assert response.status_code == 422, (path, response.json)
        assert message in response.json["error"]["message"]
    assert versions() == 0


def test_the_reason_speaks_the_owner_language(sign_in):
    from accounts.models import User

    db.session.query(User).filter_by(username="owner").one().locale = "ru"
    db.session.commit()
    response = upload(sign_in("owner"), "/processes/files", [("model.zip", b"not a zip")])
    assert response.status_code == 422
    assert response.json["error"]["message"] == "Zip-файл не читается."


@pytest.mark.parametrize("username", ["sales1", "auditor", "manager"])
def test_only_process_owners_and_admins_open_files(sign_in, username):
    assert upload(sign_in(username), "/processes/files", folder()).status_code == 403


def test_validate_checks_every_file_of_the_bundle(sign_in):
    client = sign_in("owner")
    body = upload(client, "/processes/validate", folder()).json
    assert body["valid"] is True, body
    broken = (FOLDER / "order_discount.dmn").read_bytes().replace(b"<decisionTable ", b"<decisionTabl ")
    body = upload(client, "/processes/validate", folder(order_discount_dmn=broken)).json
    assert body["valid"] is False
    assert [p["element"] for p in body["problems"] if p["severity"] == "error"] == ["order_discount.dmn"]
    renamed = (FOLDER / "order.bpmn").read_bytes().replace(b">order_discount<", b">order_rebate<")
    body = upload(client, "/processes/validate", folder(order_bpmn=renamed)).json
    errors = [p for p in body["problems"] if p["severity"] == "error"]
    assert [p["element"] for p in errors] == ["decide_discount"] and "order_rebate" in errors[0]["message"]


def test_the_bundle_previews_and_deploys_with_every_file_and_again_changes_nothing(sign_in):
    client = sign_in("owner")
    preview = upload(client, "/processes/deploy/preview", folder()).json
    assert preview["processes"] == [{"key": "bundle_order", "latest": None, "new": True, "unchanged": False}]
    assert preview["deployable"] is True and versions() == 0
    response = upload(client, "/processes/deploy", folder())
    assert response.status_code == 200, response.json
    assert response.json["versions"] == [{"key": "bundle_order", "version": 1, "created": True}]
    version = db.session.query(ProcessVersion).one()
    assert version.source_name == "order.bpmn"
    assert sorted(f.name for f in version.files) == [
        "order-approval-schema.json", "order_discount.dmn", "order_review.bpmn", "process_model.json"]
    again = upload(client, "/processes/deploy/preview", folder()).json
    assert (again["deployable"], again["processes"][0]["unchanged"]) == (False, True)
    assert upload(client, "/processes/deploy", folder()).json["versions"][0]["created"] is False


def test_an_edited_decision_table_makes_a_new_version_that_keeps_the_other_files(sign_in):
    client = sign_in("owner")
    upload(client, "/processes/deploy", folder())
    edited = (FOLDER / "order_discount.dmn").read_bytes().replace(b"<text>10</text>", b"<text>15</text>")
    preview = upload(client, "/processes/deploy/preview", folder(order_discount_dmn=edited)).json
    assert preview["processes"][0]["unchanged"] is False
    assert upload(client, "/processes/deploy", folder(order_discount_dmn=edited)).json["versions"] == [
        {"key": "bundle_order", "version": 2, "created": True}]
    case = engine.start("bundle_order", actor="owner", data={"amount": 1200})
    assert engine.case_data(case.id)["discount"] == 15


def test_the_editor_of_a_process_deployed_with_files_carries_them(sign_in, lead_deployed):  # noqa: F811
    engine.deploy(bundles.from_files(folder()), actor="owner", name="order.bpmn")
    db.session.commit()
    client = sign_in("owner")
    bundle = config(client.get("/processes/bundle_order/edit").get_data(as_text=True))["bundle"]
    assert bundle["primary"] == "order.bpmn"
    assert {f["name"]: f["kind"] for f in bundle["files"]} == {
        "order-approval-schema.json": "json", "order_discount.dmn": "dmn", "order_review.bpmn": "bpmn",
        "process_model.json": "json"}
    review = next(f for f in bundle["files"] if f["name"] == "order_review.bpmn")
    assert review["text"] == (FOLDER / "order_review.bpmn").read_text(encoding="utf-8")
    # a process deployed as one diagram has no other files: the page edits it alone, as before
    assert config(client.get("/processes/lead_handling/edit").get_data(as_text=True))["bundle"] is None


def test_a_deploy_from_the_editor_sends_the_edited_diagram_with_the_version_files(sign_in):
    """What modeler_files.js sends for a process whose version has files: its diagram,
    edited, and the files as they came."""
    engine.deploy(bundles.from_files(folder()), actor="owner", name="order.bpmn")
    db.session.commit()
    client = sign_in("owner")
    bundle = config(client.get("/processes/bundle_order/edit").get_data(as_text=True))["bundle"]
    primary = (FOLDER / "order.bpmn").read_text(encoding="utf-8").replace("Decide the discount",
                                                                          "Pick a discount")
    pairs = [(bundle["primary"], primary.encode())]
    pairs += [(f["name"], f["text"].encode()) for f in bundle["files"]]
    assert upload(client, "/processes/deploy", pairs).json["versions"][0]["version"] == 2
    db.session.expire_all()
    latest = db.session.query(ProcessVersion).filter_by(version=2).one()
    assert "Pick a discount" in latest.bpmn_xml
    assert len(latest.files) == 4


def test_a_diagram_past_the_page_limit_is_still_previewed(sign_in, app):
    """The preview reads what validate and deploy read: a diagram up to the diagram limit
    (it had the 1 MB limit of any page before bundles)."""
    assert app.config["TASKLANE_MAX_REQUEST_BYTES"] < 1_200_000 < app.config["TASKLANE_MAX_BPMN_BYTES"]
    padded = LEAD_XML.replace("<bpmn:collaboration", f"<!-- {'x' * 1_200_000} -->\n<bpmn:collaboration", 1)
    response = send(sign_in("owner"), "/processes/deploy/preview?name=lead_handling.bpmn", padded)
    assert response.status_code == 200 and response.json["valid"] is True


def test_the_bundle_routes_take_a_whole_bundle_and_a_draft_stays_one_diagram(app):
    from web import limits

    with app.test_request_context():
        for endpoint in ("modeler.modeler_files_open", "modeler.modeler_validate",
                         "modeler.modeler_deploy_preview", "modeler.modeler_deploy"):
            assert limits.body_limit(endpoint) > bundles.MAX_TOTAL_BYTES
        assert limits.body_limit("modeler.modeler_draft_save") == (
            2 * app.config["TASKLANE_MAX_BPMN_BYTES"] + limits.ENVELOPE)
