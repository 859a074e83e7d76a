"""The outside sweep (``python -m tests.differential.outside``): bundles, results per file, the
checks on Tasklane's messages, and a folder that is not there. With ``TASKLANE_OUTSIDE_DIR``
(folders separated by ``:``) it sweeps those too and fails on a 500-like crash or a message
that shows a class name or names nothing (docs/runtime.md "Outside diagrams")."""
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import BPMN

from . import outside


def _folder(tmp_path):
    for path in [BPMN / "callees" / "outer.bpmn", BPMN / "bundle" / "caller.bpmn",
                 BPMN / "bundle" / "check.bpmn", BPMN / "incident_words.bpmn"]:
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_a_folder_that_is_not_there_is_skipped_with_a_line_saying_so(tmp_path):
    said = []
    assert outside.sweep_folders([tmp_path / "absent"], log=said.append) == {}
    assert said == [f"skipped {tmp_path / 'absent'}: no such folder"]
    assert outside.main([str(tmp_path / "absent")]) == 0


def test_a_diagram_is_deployed_with_the_files_of_what_it_calls_transitively(tmp_path):
    folder = _folder(tmp_path)
    index = outside.Index(folder)
    assert {p.name for p in index.bundle(folder / "outer.bpmn")} == {"caller.bpmn", "check.bpmn"}
    assert index.bundle(folder / "check.bpmn") == ()


def test_a_message_showing_a_class_name_or_naming_nothing_is_faulted(tmp_path):
    diagram = BPMN / "incident_words.bpmn"
    good = {"kind": {"message": "share: a division by zero: check the divisor before dividing"}}
    assert outside.message_faults(good, diagram, ()) == []
    bad = {"kind": {"message": "could not run (ZeroDivisionError) at 0x7f3a2b1c9d00"}}
    assert outside.message_faults(bad, diagram, ()) == [
        "shows an object address", "shows exception class names ['ZeroDivisionError']",
        "names no element or file"]


def test_the_sweep_tells_per_file_what_each_side_did(tmp_path, redis_url, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    rows = {row["file"]: row for row in outside.sweep_folders([_folder(tmp_path)])[tmp_path.name]}
    name = tmp_path.name
    outer = rows[f"{name}/outer.bpmn"]
    assert outer["bundle"] == ["caller.bpmn", "check.bpmn"]
    assert (outer["raw"], outer["tasklane"], outer["same"]) == ("completed", "completed", True)
    words = rows[f"{name}/incident_words.bpmn"]   # no start data: 'answer' is not defined
    assert (words["raw"], words["tasklane"], words["same"]) == ("error", "incident", True)
    assert words["message_faults"] == []
    done = [r for r in rows.values() if r["raw"] == "completed"]
    same = [r for r in done if r["tasklane"] == "completed" and r["same"]]
    text = outside.summary({name: list(rows.values())})
    assert text.splitlines()[1].split()[:4] == [name, "4", str(len(done)), str(len(same))]


@pytest.mark.skipif(not os.environ.get("TASKLANE_OUTSIDE_DIR"),
                    reason="TASKLANE_OUTSIDE_DIR names no folders")
def test_outside_diagrams_never_crash_and_every_message_names_what_failed(redis_url, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    folders = [Path(p) for p in os.environ["TASKLANE_OUTSIDE_DIR"].split(os.pathsep) if p]
    rows = [row for found in outside.sweep_folders(folders).values() for row in found]
    crashes = [(r["file"], r["tasklane_error"]) for r in rows if r["tasklane"] == "crash"]
    faults = [(r["file"], r["message_faults"], r["tasklane_error"]) for r in rows if r.get("message_faults")]
    assert not crashes and not faults, (crashes, faults)
