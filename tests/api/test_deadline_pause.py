"""A task's paused deadline through the API (issue 15): ``deadline_paused`` and ``paused_since``
on a task, in the inbox and on the case's ``deadlines``, and the new due time after the pause."""
from datetime import datetime, timedelta

import engine
from accounts import service
from engine import testclock
from tests.api.conftest import open_tasks
from tests.conftest import ROOT, seed
from tests.engine.helpers import test_hooks

PARALLEL = (ROOT / "tests" / "bpmn" / "deadline_pause_parallel.bpmn").read_text(encoding="utf-8").replace(
    '<spiffworkflow:property name="dueInBusinessDays" value="2" />',
    '<spiffworkflow:property name="dueIn" value="&quot;PT4H&quot;" />').replace(
    '<spiffworkflow:property name="businessCalendar" value="RU" />', "")


def start(users):
    seed("api-deadline-pause", lambda: engine.deploy(PARALLEL, actor="owner", name="p.bpmn",
                                                     roles=service.role_names()))
    case = engine.start("deadline_pause_parallel", actor="manager")
    return case.id, open_tasks(case.id)["analysis"]


def body(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_task_shows_its_deadline_paused_while_the_request_is_open_and_its_new_due_time_after(api, users):
    case_id, task = start(users)
    manager = api("manager")
    shown = body(manager.get(f"/tasks/{task.id}"))
    assert (shown["deadline_paused"], shown["paused_since"]) == (False, None)
    first_due = shown["due_at"]
    assert first_due is not None

    assert manager.post(f"/instances/{case_id}/messages/documents_requested", json={}).status_code == 200
    shown = body(manager.get(f"/tasks/{task.id}"))
    assert shown["deadline_paused"] is True and shown["due_at"] is None and shown["paused_since"]
    [row] = [t for t in body(manager.get("/tasks?tab=all"))["items"] if t["id"] == task.id]
    assert (row["deadline_paused"], row["due_at"], row["paused_since"]) == (True, None, shown["paused_since"])
    [deadline] = body(manager.get(f"/instances/{case_id}"))["deadlines"]
    assert (deadline["element_id"], deadline["state"], deadline["paused"], deadline["due_at"]) == (
        "analysis", "paused", True, None)
    assert deadline["calendar"] is None

    with test_hooks():
        testclock.move_clock(timedelta(hours=2), instance_id=case_id)   # two hours of waiting for the partner
    upload = open_tasks(case_id)["upload_documents"]
    done = manager.post(f"/tasks/{upload.id}/complete", json={"data": {}})
    assert done.status_code == 200, done.get_data(as_text=True)
    [deadline] = done.get_json()["instance"]["deadlines"]
    paused = timedelta(seconds=deadline["paused_seconds"])
    assert deadline["state"] == "running" and paused >= timedelta(hours=2)
    shown = body(manager.get(f"/tasks/{task.id}"))
    assert (shown["deadline_paused"], shown["paused_since"]) == (False, None)
    assert shown["due_at"] == deadline["due_at"]
    # the clock moved two hours on while the request was open: those two hours are given back
    given_back = open_tasks(case_id)["analysis"].due_at - datetime.fromisoformat(first_due)
    assert timedelta(0) <= given_back < timedelta(seconds=5)


def test_a_task_of_a_process_that_pauses_nothing_is_never_paused(api, two_lanes):
    call = two_lanes()
    shown = body(api("manager").get(f"/tasks/{call.id}"))
    assert (shown["deadline_paused"], shown["paused_since"]) == (False, None)
    assert body(api("manager").get(f"/instances/{call.instance_id}"))["deadlines"] == []
