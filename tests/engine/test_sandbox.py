"""Gateway conditions and script tasks run in a sandbox: escapes are refused at deploy
(with the element id) and again when code runs; registered helpers and ordinary Python
(comprehensions, f-strings, dict writes) work; a time limit stops runaway scripts."""
import subprocess
import sys
import time
from datetime import datetime, timezone
from xml.sax.saxutils import escape

import pytest

import engine
from engine.db import db
from engine.errors import DeployError, ScriptError
from engine.models import AuditEvent, ProcessDefinition, ProcessVersion
from engine.sandbox import MAX_RANGE, RestrictedEnvironment, ScriptTimeoutError
from processes.common import HELPERS
from tests.conftest import BPMN, ROOT

from .helpers import audit_kinds, complete, data, instance, open_tasks, outbox_rows

SCRIPT = "result = value * 2"
CONDITION = "result == 20"
TIME_LIMIT = 0.5

# (code, what the deploy refusal says, what running it anyway raises)
ESCAPES = [
    pytest.param('__import__("os")', '"__import__" is an invalid variable name', SyntaxError,
                 id="__import__"),
    pytest.param("().__class__.__base__.__subclasses__()", '"__subclasses__" is an invalid attribute name',
                 SyntaxError, id="subclasses-walk"),
    pytest.param('open("/etc/passwd")', "calls unknown function(s): open", NameError, id="open"),
    pytest.param("value.__dict__", '"__dict__" is an invalid attribute name', SyntaxError,
                 id="dunder-attribute"),
    pytest.param('getattr(value, "__class__")', "calls unknown function(s): getattr", NameError,
                 id="getattr"),
    pytest.param('eval("1 + 1")', "Eval calls are not allowed", SyntaxError, id="eval"),
    pytest.param('exec("x = 1")', "Exec calls are not allowed", SyntaxError, id="exec"),
    pytest.param('compile("1", "<s>", "eval")', "calls unknown function(s): compile", NameError,
                 id="compile"),
]


@pytest.fixture
def settings(settings):
    return {**settings, "TASKLANE_SCRIPT_TIMEOUT_SECONDS": TIME_LIMIT}


def diagram(script=SCRIPT, condition=CONDITION):
    xml = (BPMN / "sandbox_script.bpmn").read_text()
    return xml.replace(SCRIPT, escape(script)).replace(CONDITION, escape(condition))


def deploy_diagram(script=SCRIPT, condition=CONDITION):
    return engine.deploy(diagram(script, condition), actor="owner", name="sandbox_script.bpmn")


def refusal(script=SCRIPT, condition=CONDITION):
    """The DeployError for a diagram, after checking that nothing was stored."""
    with pytest.raises(DeployError) as refused:
        deploy_diagram(script, condition)
    assert db.session.query(ProcessDefinition).count() == 0
    return refused.value


def waiting_at_enter(script, start_data=None):
    """Deploy ``script``, start an instance and return its id; it waits at the user task."""
    deploy_diagram(script)
    return engine.start("sandbox_script", actor="sales1", data=start_data).id


@pytest.mark.parametrize(("source", "message", "_raised"), ESCAPES)
def test_deploy_refuses_a_script_that_escapes_the_sandbox(app, source, message, _raised):
    refused = refusal(script=f"escaped = {source}")
    assert [p["element"] for p in refused.problems] == ["script"]
    assert message in refused.problems[0]["message"]
    assert refused.problems[0]["message"].startswith("script ")


@pytest.mark.parametrize(("source", "message", "_raised"), ESCAPES)
def test_deploy_refuses_a_gateway_condition_that_escapes_the_sandbox(app, source, message, _raised):
    refused = refusal(condition=f"{source} == 1")
    assert [p["element"] for p in refused.problems] == ["decide"]
    assert message in refused.problems[0]["message"]
    assert refused.problems[0]["message"].startswith("condition ")


@pytest.mark.parametrize(("source", "_message", "raised"), ESCAPES)
def test_the_sandbox_refuses_the_same_escapes_when_code_runs(source, _message, raised):
    sandbox = RestrictedEnvironment(HELPERS, TIME_LIMIT)
    with pytest.raises(raised):
        sandbox.evaluate(source, {"value": 10})
    with pytest.raises(raised):
        sandbox.execute(f"escaped = {source}", {"value": 10})


def test_deploy_names_the_element_and_the_unknown_function(app):
    refused = refusal(script="result = frobnicate(value)")
    assert refused.problems == [
        {"element": "script", "message": "script calls unknown function(s): frobnicate", "severity": "error"}]
    assert "script: script calls unknown function(s): frobnicate" in str(refused)


def test_deploy_names_the_gateway_whose_condition_does_not_compile(app):
    refused = refusal(condition="result ===")
    assert [p["element"] for p in refused.problems] == ["decide"]
    assert refused.problems[0]["message"].startswith("condition does not compile: ")
    assert "decide: condition does not compile" in str(refused)


def test_deploy_lists_every_problem_of_the_diagram_at_once(app):
    refused = refusal(script="result = frobnicate(value)", condition="result ===")
    assert sorted(p["element"] for p in refused.problems) == ["decide", "script"]
    assert refused.message == "sandbox_script.bpmn has 2 problem(s)"


def test_deploy_refuses_an_import_statement(app):
    refused = refusal(script="import os\nresult = 20")
    assert [p["element"] for p in refused.problems] == ["script"]


@pytest.mark.parametrize(("script", "message"), [
    pytest.param("reader = open\nresult = reader('/etc/passwd')", "name 'open' is not defined",
                 id="aliased-open"),
    pytest.param("result = '{0.__class__}'.format(value)", "format*() methods of `str` is not safe",
                 id="str-format"),
    pytest.param("result = list(range(10**9))", f"range() of more than {MAX_RANGE} items", id="huge-range"),
])
def test_code_refused_while_running_raises_script_error_and_stores_only_the_incident(app, script, message):
    instance_id = waiting_at_enter(script)
    with pytest.raises(ScriptError) as failed:
        complete(instance_id, "enter", {"value": 10})
    assert failed.value.element == "script"
    assert message in failed.value.message
    assert_only_an_incident(instance_id, message)


def assert_only_an_incident(instance_id, message):
    """The failed change left nothing behind but the incident on the case."""
    assert list(open_tasks(instance_id)) == ["enter"]
    assert audit_kinds(instance_id) == ["instance_started", "event_passed", "incident"]
    assert message in instance(instance_id).error


def test_endless_loop_is_stopped_by_the_time_limit_and_stores_only_the_incident(app):
    instance_id = waiting_at_enter("while True:\n    pass")
    began = time.monotonic()
    with pytest.raises(ScriptError) as failed:
        complete(instance_id, "enter", {"value": 10})
    assert TIME_LIMIT <= time.monotonic() - began < TIME_LIMIT + 5
    assert failed.value.element == "script"
    assert f"script ran longer than {TIME_LIMIT:g} s and was stopped" in failed.value.message
    assert_only_an_incident(instance_id, "script ran longer than")


def test_time_limit_stops_a_loop_and_removes_its_tracer():
    sandbox = RestrictedEnvironment({}, 0.2)
    tracer = sys.gettrace()
    with pytest.raises(ScriptTimeoutError):
        sandbox.execute("count = 0\nwhile True:\n    count += 1", {})
    assert sys.gettrace() is tracer
    assert sandbox.evaluate("sum(range(10))", {}) == 45


CHILD = """
import sys
from engine.sandbox import RestrictedEnvironment
try:
    RestrictedEnvironment({}, 0.3).execute(sys.argv[1], {})
except Exception as error:
    print(type(error).__name__)
"""


@pytest.mark.parametrize(("script", "stopped_by"), [
    ("while True: pass", "ScriptTimeoutError"),
    ("x = 9**9**9", "LimitError"),  # refused before CPython starts a computation it cannot pause
], ids=["one-line-loop", "huge-power"])
def test_time_limit_stops_code_that_emits_no_line_events(script, stopped_by):
    # In a child process: if the limit fails, the loop must not hang the test run.
    try:
        result = subprocess.run([sys.executable, "-c", CHILD, script], cwd=ROOT, capture_output=True,
                                text=True, timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{script!r} was still running after 5 s with a 0.3 s limit")
    assert result.stdout.strip() == stopped_by


def test_range_is_limited_in_size():
    sandbox = RestrictedEnvironment({}, TIME_LIMIT)
    assert len(sandbox.evaluate(f"range({MAX_RANGE})", {})) == MAX_RANGE
    with pytest.raises(ValueError, match="range"):
        sandbox.evaluate("range(10**9)", {})
    with pytest.raises(ValueError, match="range"):
        sandbox.evaluate("range(0, 10**9, 2)", {})


def test_scripts_can_call_every_registered_helper(app):
    script = "\n".join([
        'notify("manager", "New lead " + name, "Please call", "/tasks")',
        'send_email("an@example.test", "Welcome", "Hello " + name)',
        'send_sms("+84901234567", "Your code is 1234")',
        "stamp = now_iso()",
        'due = in_hours(2, "2026-01-01T08:00:00+00:00")',
        "result = value * 2",
    ])
    instance_id = waiting_at_enter(script, start_data={"name": "An"})
    before = datetime.now(timezone.utc)
    complete(instance_id, "enter", {"value": 10})
    assert instance(instance_id).status == "completed"
    assert [(r.channel, r.recipient, r.subject, r.body, r.link, r.instance_id) for r in outbox_rows()] == [
        ("in_app", "manager", "New lead An", "Please call", "/tasks", instance_id),
        ("email", "an@example.test", "Welcome", "Hello An", None, instance_id),
        ("sms", "+84901234567", "", "Your code is 1234", None, instance_id),
    ]
    result = data(instance_id)
    assert before <= datetime.fromisoformat(result["stamp"]) <= datetime.now(timezone.utc)
    assert result["due"] == "2026-01-01T10:00:00+00:00"


def test_gateway_conditions_can_call_helpers(app):
    deploy_diagram(condition='in_hours(1, "2026-01-01T00:00:00+00:00") == "2026-01-01T01:00:00+00:00"')
    instance_id = engine.start("sandbox_script", actor="sales1").id
    complete(instance_id, "enter", {"value": 1})
    ended = db.session.query(AuditEvent.element_id).filter_by(instance_id=instance_id, kind="event_passed")
    assert [e for (e,) in ended] == ["start", "end_high"]


def test_comprehensions_f_strings_and_item_writes_work_in_scripts(app):
    script = "\n".join([
        "squares = [n * n for n in range(value)]",
        "scores = {person['name']: person['score'] for person in people}",
        "label = f'{len(squares)} squares, best score {max(scores.values())}'",
        "totals = {}",
        "totals['sum'] = sum(squares)",
        "totals['count'] = len(squares)",
        "people[0]['score'] = 99",
        "result = 20",
    ])
    people = [{"name": "An", "score": 3}, {"name": "Bình", "score": 5}]
    instance_id = waiting_at_enter(script, start_data={"people": people})
    complete(instance_id, "enter", {"value": 4})
    result = data(instance_id)
    assert result["squares"] == [0, 1, 4, 9]
    assert result["scores"] == {"An": 3, "Bình": 5}
    assert result["label"] == "4 squares, best score 5"
    assert result["totals"] == {"sum": 14, "count": 4}
    assert result["people"][0] == {"name": "An", "score": 99}


def test_task_data_may_not_shadow_a_helper(app):
    instance_id = waiting_at_enter("result = 20")
    with pytest.raises(ScriptError) as failed:
        complete(instance_id, "enter", {"value": 1, "notify": "yes"})
    assert "overwrites the helper function(s) ['notify']" in failed.value.message
    assert list(open_tasks(instance_id)) == ["enter"]


def test_a_helper_is_not_traced_line_by_line_but_still_stopped_at_its_calls():
    def untraced():
        """True when this helper's frame runs without a line tracer (database work stays fast)."""
        return sys._getframe().f_trace is None

    def step(n):
        return n + 1

    def busy(seconds):
        """Works in many small Python calls, as database code does."""
        end, n = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            n = step(n)
        return n

    context = {}
    RestrictedEnvironment({"untraced": untraced}, TIME_LIMIT).execute("quiet = untraced()", context)
    assert context["quiet"] is True
    began = time.monotonic()
    with pytest.raises(ScriptTimeoutError):
        RestrictedEnvironment({"busy": busy}, 0.2).execute("n = busy(5)", {})
    assert time.monotonic() - began < 2


@pytest.mark.parametrize(("script", "message"), [
    ("class Lead:\n    pass\nresult = 1", "class statements are not allowed in scripts"),
    ("try:\n    result = 1\nexcept:\n    result = 2", "a bare 'except:' is not allowed"),
    ("raise SystemExit", '"SystemExit" is not allowed in scripts'),
], ids=["class", "bare-except", "system-exit"])
def test_deploy_refuses_what_cannot_run_in_a_script_naming_the_element(app, script, message):
    refused = refusal(script=script)
    assert [p["element"] for p in refused.problems] == ["script"]
    assert message in refused.problems[0]["message"]


@pytest.mark.parametrize(("script", "message"), [
    ("class Lead:\n    pass", "class statements are not allowed in scripts"),
    ("raise NameError('no such lead')", "no such lead"),
], ids=["class-statement", "odd-name-error"])
def test_a_script_stored_before_the_rules_fails_as_a_script_error_not_a_crash(app, script, message):
    instance_id = waiting_at_enter(SCRIPT)
    version = db.session.get(ProcessVersion, instance(instance_id).version_id)
    version.spec_json = version.spec_json.replace(SCRIPT, script.replace("\n", "\\n"))
    db.session.commit()
    engine.get_runtime().spec_cache = type(engine.get_runtime().spec_cache)()  # as a fresh worker
    with pytest.raises(ScriptError) as failed:
        complete(instance_id, "enter", {"value": 10})
    assert failed.value.element == "script" and message in failed.value.message
    assert_only_an_incident(instance_id, message)
