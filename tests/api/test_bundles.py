"""Deploying several files at once through the API (multipart, a zip, an application/zip body),
what each version was deployed with, and the refusals, each naming the file."""
import hashlib
import io
import zipfile

import pytest

from engine.db import db
from engine.models import ProcessVersion
from tests.api.conftest import ROOT, error_of

BPMN = ROOT / "tests" / "bpmn"
DISCOUNT = [(name, (BPMN / "dmn" / name).read_bytes()) for name in ("discount.bpmn", "discount.dmn")]
CALLER = (BPMN / "bundle" / "caller.bpmn").read_bytes()
CHECK = (BPMN / "bundle" / "check.bpmn").read_bytes()


def multipart(*files):
    return {"data": {"file": [(io.BytesIO(data), name) for name, data in files]},
            "content_type": "multipart/form-data"}


def zipped(*files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_two_files_in_one_multipart_deploy_a_process_with_its_decision_table(api):
    response = api("owner").post("/process-definitions", **multipart(*DISCOUNT, ("notes.txt", b"x")))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    [item] = body["items"]
    assert (item["key"], item["version"], item["created"], item["pins"]) == ("dmn_discount", 1, True, None)
    assert item["files"] == [{"name": "discount.dmn", "kind": "dmn",
                              "sha256": hashlib.sha256(DISCOUNT[1][1]).hexdigest()}]
    assert body["skipped"] == ["notes.txt"]
    again = api("owner").post("/process-definitions", **multipart(*DISCOUNT))
    assert again.status_code == 200 and again.get_json()["items"][0]["created"] is False


def test_a_zip_uploaded_as_a_file_or_sent_as_the_body_deploys_every_process(api):
    archive = zipped(("model/caller.bpmn", CALLER), ("model/check.bpmn", CHECK), ("model/README.md", b"#"))
    as_file = api("owner").post("/process-definitions", **multipart(("model.zip", archive)))
    assert as_file.status_code == 201, as_file.get_json()
    assert [i["key"] for i in as_file.get_json()["items"]] == ["bundle_caller"]
    assert as_file.get_json()["skipped"] == ["README.md"]
    changed = zipped(("caller.bpmn", CALLER), ("check.bpmn", CHECK.replace(b'"v1"', b'"v2"')))
    as_body = api("admin").post("/process-definitions", data=changed, content_type="application/zip")
    assert as_body.status_code == 201, as_body.get_json()
    [item] = as_body.get_json()["items"]
    assert (item["key"], item["version"]) == ("bundle_caller", 2)
    assert [f["name"] for f in item["files"]] == ["check.bpmn"]


def test_a_callee_taken_from_what_is_deployed_shows_as_pins_and_files(api):
    api("owner").post("/process-definitions", **multipart(("check.bpmn", CHECK)))
    body = api("owner").post("/process-definitions", **multipart(("caller.bpmn", CALLER))).get_json()
    assert body["items"][0]["pins"] == {"processes": {"bundle_check": 1}}
    definition = api("auditor").get("/process-definitions/bundle_caller").get_json()
    assert definition["pins"] == {"processes": {"bundle_check": 1}}
    assert [f["name"] for f in definition["files"]] == ["check.bpmn"]
    listed = api("sales1").get("/process-definitions").get_json()["items"]
    assert {d["key"]: d["files"] for d in listed}["bundle_check"] == []


def zip_bomb():
    """30 MB of XML in a zip of some 30 KB."""
    return zipped(("big.bpmn", b"<x>" + b" " * 30_000_000 + b"</x>"))


@pytest.mark.parametrize("request_kwargs, element, message", [
    (lambda: multipart(("a.bpmn", CALLER), ("x.zip", zipped(("a.bpmn", CHECK)))),
     "a.bpmn", "two files are named a.bpmn"),
    (lambda: multipart(("notes.md", b"#"), ("picture.png", b"\x89PNG")), "upload",
     "holds no .bpmn or .dmn file"),
    (lambda: multipart(("discount.dmn", DISCOUNT[1][1])), "discount.dmn", "the upload holds no .bpmn file"),
    (lambda: {"data": zip_bomb(), "content_type": "application/zip"}, "big.bpmn",
     "big.bpmn in upload.zip takes the upload's files to more than 20,000,000 bytes"),
    (lambda: multipart(("model.zip", b"PK not really")), "model.zip", "model.zip is not a readable zip file"),
    (lambda: multipart(DISCOUNT[0], ("discount.dmn", b"<definitions")), "discount.dmn",
     "Couldn't find end of Start Tag definitions"),
    (lambda: multipart(("caller.bpmn", CALLER)), "call_check",
     "call activity 'call_check' calls process 'bundle_check', which is neither in the upload nor deployed"),
], ids=["duplicate", "nothing-to-read", "no-bpmn", "zip-bomb", "not-a-zip", "bad-dmn", "missing-callee"])
def test_an_upload_that_cannot_be_deployed_is_refused_naming_the_file(api, request_kwargs, element, message):
    error = error_of(api("owner").post("/process-definitions", **request_kwargs()), 422)
    assert error["code"] == "invalid_bpmn"
    assert any(p["element"] == element and message in p["message"] for p in error["problems"]), error
    report = api("owner").post("/process-definitions/validate", **request_kwargs())
    assert report.status_code == 200
    assert report.get_json()["valid"] is False
    assert any(p["element"] == element and message in p["message"] for p in report.get_json()["problems"])
    assert db.session.query(ProcessVersion).count() == 0


def test_validate_reads_a_bundle_and_checks_its_decision_tables(api):
    bad = DISCOUNT[1][1].replace(b"<text>0.15</text>", b"<text>rate_of(tier)</text>")
    report = api("owner").post("/process-definitions/validate",
                               **multipart(DISCOUNT[0], ("discount.dmn", bad), ("a.txt", b""))).get_json()
    assert report["valid"] is False and report["skipped"] == ["a.txt"]
    assert report["problems"] == [{
        "element": "o1_discount", "severity": "error",
        "message": "decision 'discount_decision' rule 1 output 'discount': output entry calls unknown "
                   "function(s): rate_of"}]
    assert api("owner").post("/process-definitions/validate", **multipart(*DISCOUNT)).get_json() == {
        "valid": True, "problems": [], "skipped": []}


def test_staff_and_auditors_list_and_download_a_versions_files(api):
    api("owner").post("/process-definitions", **multipart(*DISCOUNT))
    for username in ("sales1", "auditor"):
        body = api(username).get("/process-definitions/dmn_discount/versions/1/files").get_json()
        assert body["items"] == [
            {"name": "discount.bpmn", "kind": "bpmn", "main": True, "size": len(DISCOUNT[0][1]),
             "sha256": hashlib.sha256(DISCOUNT[0][1]).hexdigest()},
            {"name": "discount.dmn", "kind": "dmn", "main": False, "size": len(DISCOUNT[1][1]),
             "sha256": hashlib.sha256(DISCOUNT[1][1]).hexdigest()}]
        download = api(username).get("/process-definitions/dmn_discount/versions/1/files/discount.dmn")
        assert download.status_code == 200 and download.data == DISCOUNT[1][1]
        assert download.mimetype == "application/xml"
        assert 'filename=discount.dmn' in download.headers["Content-Disposition"]
    for path in ("/process-definitions/dmn_discount/versions/1/files/other.dmn",
                 "/process-definitions/dmn_discount/versions/2/files",
                 "/process-definitions/nope/versions/1/files/discount.dmn"):
        assert error_of(api("auditor").get(path), 404)["code"] == "not_found"
    for username in ("partner1", "customer1"):
        error_of(api(username).get("/process-definitions/dmn_discount/versions/1/files"), 403)
        error_of(api(username).get("/process-definitions/dmn_discount/versions/1/files/discount.dmn"), 403)
    error_of(api(None).get("/process-definitions/dmn_discount/versions/1/files"), 401)
