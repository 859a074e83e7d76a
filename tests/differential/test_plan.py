"""The sweep can be pointed at another folder, whose diagrams need no table."""
import json
import shutil

import pytest

from . import plan, reference


def test_another_folder_is_swept_whole_and_a_diagram_without_a_table_runs_auto(tmp_path, monkeypatch):
    shutil.copy(plan.DEFAULT_FOLDER / "construct_event_gateway.bpmn", tmp_path / "offer.bpmn")
    monkeypatch.setenv(plan.FOLDER_VARIABLE, str(tmp_path))
    [scenario] = plan.scenarios()
    assert (scenario.id, scenario.steps) == ("offer-auto", None)
    outcome, steps = reference.run(scenario)
    # the offer task, then (nothing ready, no message coming) the gateway's three-day timer
    assert [next(iter(step)) for step in steps] == ["complete", "advance", "complete"]
    assert steps[0]["complete"] == "send_offer" and steps[2]["complete"] == "chase"
    assert 3 * 86400 <= plan.seconds(steps[1]["advance"]) <= 3 * 86400 + 2
    assert outcome["completed"] and outcome["ran"]["chased_end"] == 1


def test_the_glob_narrows_another_folder(tmp_path, monkeypatch):
    for name in ("a.bpmn", "b.bpmn"):
        shutil.copy(plan.DEFAULT_FOLDER / "construct_manual_task.bpmn", tmp_path / name)
    monkeypatch.setenv(plan.FOLDER_VARIABLE, str(tmp_path))
    monkeypatch.setenv(plan.GLOB_VARIABLE, "b*.bpmn")
    assert [s.id for s in plan.scenarios()] == ["b-auto"]


@pytest.mark.parametrize(("table", "complaint"), [
    ({"scenarios": {"x": {"steps": [{"complete": "a", "advance": "PT1H"}]}}}, "names one of"),
    ({"scenarios": {"x": {"steps": [{"advance": "P1M"}]}}}, "days, hours"),
    ({"scenarios": {"x": {"step": []}}}, "unknown keys"),
])
def test_a_malformed_table_is_refused_naming_its_file(tmp_path, table, complaint):
    shutil.copy(plan.DEFAULT_FOLDER / "construct_manual_task.bpmn", tmp_path / "x.bpmn")
    (tmp_path / "x.json").write_text(json.dumps(table))
    with pytest.raises(ValueError, match=complaint) as refused:
        plan.scenarios(tmp_path, "*.bpmn")
    assert "x.json" in str(refused.value)
