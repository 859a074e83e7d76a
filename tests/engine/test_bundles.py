"""Deploying several files at once (engine/bundles.py): reading an upload or a zip, a call
activity to a process of another file, and a case keeping the files it started with."""
import io
import zipfile
from pathlib import Path

import pytest

import engine
from engine import bundles
from engine.errors import DeployError
from engine.models import ProcessVersion

from .helpers import complete, instance

FOLDER = Path(__file__).resolve().parents[1] / "bpmn" / "bundle"


def files(**changed):
    pairs = {p.name: p.read_bytes() for p in sorted(FOLDER.glob("*.bpmn"))}
    pairs.update({k.replace("_", "."): v for k, v in changed.items()})
    return list(pairs.items())


def zipped(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_is_read_as_its_files_by_base_name_leaving_other_kinds_out():
    bundle = bundles.from_files([("model.zip", zipped(
        [("group/model/" + name, data) for name, data in files()]
        + [("group/model/README.md", b"# notes"), ("__MACOSX/._caller.bpmn", b"junk"),
           ("group/model/.DS_Store", b"junk"), ("group/model/form-schema.json", b"{}")]))])
    assert [(f.name, f.kind) for f in bundle.files] == [
        ("caller.bpmn", "bpmn"), ("check.bpmn", "bpmn"), ("form-schema.json", "json")]
    assert bundle.skipped == ("README.md",)


@pytest.mark.parametrize("upload, message", [
    ([("a/x.bpmn", b"<a/>"), ("b/x.bpmn", b"<b/>")], "two files are named x.bpmn"),
    ([("notes.md", b"# notes")], "holds no .bpmn or .dmn file"),
    ([("model.zip", b"not a zip")], "not a readable zip file"),
])
def test_an_upload_that_cannot_be_a_bundle_is_refused_with_the_reason(upload, message):
    with pytest.raises(DeployError, match=message):
        bundles.from_files(upload)


def test_a_zip_is_inflated_no_further_than_the_limit():
    bomb = zipped([("big.bpmn", b"<x>" + b" " * 5_000_000 + b"</x>")])
    assert len(bomb) < 100_000
    with pytest.raises(DeployError, match="more than 1,000,000 bytes"):
        bundles.from_zip(bomb, max_total=1_000_000)


def test_a_call_activity_runs_the_process_of_another_file_of_the_bundle(app):
    deployed = engine.deploy(bundles.from_files(files()), actor="owner")
    (version, created), = deployed
    assert (version.definition.key, created, version.source_name) == ("bundle_caller", True, "caller.bpmn")
    assert [(f.name, f.kind) for f in version.files] == [("check.bpmn", "bpmn")]
    case = engine.start("bundle_caller", actor="sales1")
    complete(case.id, "sign")
    assert instance(case.id).status == "completed"


def test_the_same_bundle_again_changes_nothing_and_a_changed_callee_makes_a_version(app):
    (first, _), = engine.deploy(bundles.from_files(files()), actor="owner")
    (again, created), = engine.deploy(bundles.from_files(files()), actor="owner")
    assert (again.id, created) == (first.id, False)
    check_v2 = (FOLDER / "check.bpmn").read_bytes().replace(b'"v1"', b'"v2"')
    (second, created), = engine.deploy(bundles.from_files(files(check_bpmn=check_v2)), actor="owner")
    assert created and second.version == 2 and second.bpmn_xml == first.bpmn_xml


def test_a_case_keeps_the_callee_it_started_with(app):
    engine.deploy(bundles.from_files(files()), actor="owner")
    old_case = engine.start("bundle_caller", actor="sales1")
    check_v2 = (FOLDER / "check.bpmn").read_bytes().replace(b'"v1"', b'"v2"')
    engine.deploy(bundles.from_files(files(check_bpmn=check_v2)), actor="owner")
    new_case = engine.start("bundle_caller", actor="sales1")
    for case in (old_case, new_case):
        complete(case.id, "sign")
    assert engine.case_data(old_case.id)["checked_by"] == "v1"
    assert engine.case_data(new_case.id)["checked_by"] == "v2"
    assert {v.version for v in ProcessVersion.query} == {1, 2}
