"""Whatever raw SpiffWorkflow runs, Tasklane runs with the same result (DESIGN.md, issue 14).

Every scenario of every diagram of the sweep (``tests/bpmn/construct_*.bpmn`` and their
tables, or the folder named by ``TASKLANE_DIFF_DIR``; see :mod:`tests.differential.plan`)
runs twice with the same inputs: on raw SpiffWorkflow in memory (the reference), and
through Tasklane's runtime, saved to the database at every wait and restored by another
OS process for the next step (:mod:`tests.differential.sweep`). The end states and the end
data must be equal (:mod:`tests.differential.outcome`). docs/runtime.md "Differential test"
says how to sweep another folder.
"""
import dataclasses
import fcntl
import json
import os
import uuid

import pytest
import redis

from tests.conftest import HAS_PG, fresh_database, lose_redis_data

from . import outcome, plan, reference, sweep

SCENARIOS = plan.scenarios()


def _param(scenario):
    marks = [pytest.mark.xfail(reason=scenario.xfail, strict=True)] if scenario.xfail else []
    return pytest.param(scenario, id=scenario.id, marks=marks)


@pytest.fixture(scope="module")
def references():
    """``{scenario id: (outcome, steps)}`` on raw SpiffWorkflow."""
    return {scenario.id: reference.run(scenario) for scenario in SCENARIOS}


@pytest.fixture(scope="module")
def tasklane(references, redis_url, tmp_path_factory):
    """The sweep through Tasklane (a :class:`~tests.differential.sweep.Result`), on
    ``DATABASE_URL`` (PostgreSQL) if set, else a SQLite file the step processes share.

    Under pytest-xdist the module's tests may run on both workers; the first to need the
    sweep runs it and leaves its result in the run's shared temporary folder for the other.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _sweep(references, redis_url, tmp_path_factory)
    shared = tmp_path_factory.getbasetemp().parent   # one per test run, shared by its workers
    saved = shared / "differential-sweep.json"
    with open(shared / "differential-sweep.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # released when the file closes
        if not saved.exists():
            saved.write_text(json.dumps(dataclasses.asdict(_sweep(references, redis_url, tmp_path_factory))))
        return sweep.Result(**json.loads(saved.read_text()))


def _sweep(references, redis_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("differential")
    databases = fresh_database("postgresql" if HAS_PG else "sqlite", folder)
    url = next(databases)
    prefix = f"diff-{uuid.uuid4().hex[:8]}"
    settings = {"TASKLANE_ENV": "testing", "TASKLANE_INSTANCE_DIR": str(folder / "instance"),
                "TASKLANE_DATABASE_URL": url, "TASKLANE_REDIS_URL": redis_url,
                "TASKLANE_QUEUE_PREFIX": prefix, "TASKLANE_SECRET_KEY": "test", "TASKLANE_TEST_HOOKS": True}
    cases = {scenario.id: (scenario, references[scenario.id][1]) for scenario in SCENARIOS}
    try:
        return sweep.run(cases, settings, folder)
    finally:
        with redis.Redis.from_url(redis_url) as conn:
            lose_redis_data(conn, prefix)   # the timer jobs the steps' commits scheduled
        next(databases, None)


def _unmet(ended, expect):
    """What of ``expect`` (a scenario's ``expect`` keys) an outcome ``ended`` does not meet,
    as a message, or ``None``."""
    failed_at = ended["failed"] and ended["failed"]["step"]
    if failed_at != expect.get("failed_at"):
        return f"failed at step {failed_at}: {ended['failed']}"
    if "completed" in expect and ended["completed"] is not expect["completed"]:
        return f"completed is {ended['completed']}; waiting {ended['waiting']}"
    missing = [element for element in expect.get("ran", ()) if element not in ended["ran"]]
    if missing:
        return f"never completed {missing}; it ran {sorted(ended['ran'])}"
    reached = [element for element in expect.get("not_ran", ()) if element in ended["ran"]]
    if reached:
        return f"completed {reached}, which this scenario must not reach"
    if "waiting" in expect and sorted({w.split()[0] for w in ended["waiting"]}) != sorted(expect["waiting"]):
        return f"waits for {ended['waiting']}"
    data = ended["data"]["workflow"]
    wrong = {key: data.get(key) for key, value in expect.get("data", {}).items() if data.get(key) != value
             or (value is None and key in data)}
    return f"ended with {wrong}, not {expect['data']}" if wrong else None


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_each_scenario_reaches_what_it_is_written_for_on_raw_spiffworkflow(scenario, references):
    raw, _steps = references[scenario.id]
    unmet = _unmet(raw, scenario.expect)
    assert unmet is None, f"raw SpiffWorkflow {unmet}"


@pytest.mark.parametrize("scenario", [_param(s) for s in SCENARIOS])
def test_tasklane_ends_each_scenario_as_raw_spiffworkflow_ends_it(scenario, references, tasklane):
    raw, _steps = references[scenario.id]
    ended = tasklane.outcomes[scenario.id]
    if scenario.tasklane:   # Tasklane goes further than raw SpiffWorkflow on purpose
        expect = {k: v for k, v in scenario.tasklane.items() if k != "because"}
        unmet = _unmet(ended, expect)
        assert unmet is None, f"Tasklane {unmet} ({scenario.tasklane['because']})"
        assert outcome.diff(raw, ended), "raw SpiffWorkflow now ends as Tasklane does: drop 'tasklane'"
        return
    difference = outcome.diff(raw, ended)
    if difference:
        pytest.fail(f"{scenario.id} ended differently on Tasklane (saved and restored in another "
                    f"process at every wait) than on raw SpiffWorkflow:\n{difference}", pytrace=False)


def test_every_step_restores_in_another_process_what_the_step_before_saved(tasklane):
    for case_id, processes in tasklane.processes.items():
        same = [n for n in range(1, len(processes)) if processes[n] == processes[n - 1]]
        assert not same, f"{case_id}: phases {same} ran in the process of the phase before"
    assert len({pid for processes in tasklane.processes.values() for pid in processes}) == 2


def test_the_comparison_tells_two_different_paths_apart():
    """The sweep can fail: one path's outcome against another's differs, and the difference
    names what each ran."""
    runs = {s.name: reference.run(s)[0]
            for s in plan.scenarios(plan.DEFAULT_FOLDER, "construct_exclusive_default.bpmn")}
    difference = outcome.diff(runs["small"], runs["default"])
    assert "auto_approve" in difference and "manual_review" in difference
    assert outcome.diff(runs["small"], runs["small"]) == ""
