"""A deadline that pauses while another task of the case is open (issue 15, engine/pauses.py).

Two shapes of the broker's "the analyst asks the partner for more documents":
``deadline_pause_loop.bpmn`` (the analysis completes with "more_documents", the partner's
upload opens, then the analysis again) and ``deadline_pause_parallel.bpmn`` (the analysis
stays open; the request comes by a non-interrupting message on its boundary, and a request
unanswered for three days is withdrawn by an interrupting timer).

Business time is only exact from a known moment, so the tests that expect exact due times
set the moment the engine's units of work read as now (``engine.unit.utcnow`` and, for a
start, ``engine.runtime.utcnow``: the :class:`Clock` below); the engine restores each case
from the database at every call, as ever. The tests of wall-time deadlines and of timers
run on the real clock moved by the test clock hook (engine/testclock.py), never by sleeping.
"""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import assignment, deadlines, inbox, metrics, pauses, runtime, testclock, unit
from engine.db import db
from engine.errors import DeployError
from engine.models import CaseDeadline, HumanTask
from engine.types import utcnow
from tests.conftest import ROOT
from tests.engine.helpers import audit_kinds, fire_when_due, instance, open_tasks, pending_timers, test_hooks

MSK = ZoneInfo("Europe/Moscow")
BPMN = ROOT / "tests" / "bpmn"
LOOP, PARALLEL = "deadline_pause_loop", "deadline_pause_parallel"


def msk(day, hour, minute=0, month=10, year=2025):
    return datetime(year, month, day, hour, minute, tzinfo=MSK)


FRIDAY_SIX = msk(17, 18)           # Friday 17 October 2025, 18:00 in Moscow
TUESDAY_SIX = msk(21, 18)          # two business days later


class Clock:
    """What the engine's units of work read as now."""

    def __init__(self, moment):
        self.now = moment

    def __call__(self):
        return self.now.astimezone(timezone.utc)

    def at(self, moment):
        self.now = moment
        return moment


@pytest.fixture
def clock(monkeypatch):
    moment = Clock(FRIDAY_SIX)
    monkeypatch.setattr(unit, "utcnow", moment)      # a change of a case
    monkeypatch.setattr(runtime, "utcnow", moment)   # a case's start
    return moment


def diagram(key, wall_due=None):
    """The diagram's XML; ``wall_due`` (e.g. ``"PT4H"``) replaces its business-day due by a
    ``dueIn`` of wall time."""
    xml = (BPMN / f"{key}.bpmn").read_text(encoding="utf-8")
    if wall_due:
        xml = xml.replace('<spiffworkflow:property name="dueInBusinessDays" value="2" />',
                          f'<spiffworkflow:property name="dueIn" value="&quot;{wall_due}&quot;" />')
        xml = xml.replace('<spiffworkflow:property name="businessCalendar" value="RU" />', "")
    return xml


def start(key, wall_due=None):
    engine.deploy(diagram(key, wall_due), actor="owner", name=f"{key}.bpmn")
    return engine.start(key, actor="partner1").id


def analysis(case_id):
    return open_tasks(case_id).get("analysis")


def finish(case_id, element, outcome=None, actor="analyst1"):
    task = open_tasks(case_id)[element]
    engine.complete_task(task.id, actor=actor, data={"outcome": outcome} if outcome else {})
    return task.id


def uploads(case_id):
    db.session.expire_all()
    return db.session.query(HumanTask).filter_by(instance_id=case_id, element_id="upload_documents",
                                                 state="open").order_by(HumanTask.created_at).all()


def ledger(case_id):
    db.session.expire_all()
    return db.session.query(CaseDeadline).filter_by(instance_id=case_id, element_id="analysis").one()


def ask_for_documents(case_id):
    engine.send_message(case_id, "documents_requested", actor="analyst1")


def deadline(case_id, now):
    [found] = pauses.deadlines(case_id, now)
    return found


# --- the loop shape: the analysis closes, the upload opens, the analysis opens again ---

def test_a_deal_posted_on_friday_at_six_is_due_on_tuesday_at_six(app, clock):
    case_id = start(LOOP)
    task = analysis(case_id)
    assert task.due_at == TUESDAY_SIX and task.paused_since is None
    assert ledger(case_id).calendar == "RU"


def test_the_analysis_opened_after_the_upload_keeps_its_deadline_plus_the_working_time_paused(app, clock):
    case_id = start(LOOP)
    clock.at(msk(20, 10))                       # Monday 10:00: more documents, please
    first = finish(case_id, "analysis", "more_documents")
    assert "analysis" not in open_tasks(case_id) and len(uploads(case_id)) == 1
    closed = db.session.get(HumanTask, first)
    assert (closed.state, closed.due_at, closed.paused_since) == ("completed", TUESDAY_SIX, None)
    paused = deadline(case_id, msk(20, 12))
    assert (paused["paused"], paused["due_at"], paused["paused_since"]) == (True, None, msk(20, 10))
    assert paused["paused_seconds"] == 2 * 3600  # two working hours so far, at noon

    clock.at(msk(20, 15))                       # Monday 15:00: the partner uploads them
    finish(case_id, "upload_documents", actor="partner1")
    again = analysis(case_id)
    assert again.id != first
    # 5 working hours paused: Tuesday 18:00 (the end of its day) + 5 h = Wednesday 14:00
    assert (again.due_at, again.paused_since) == (msk(22, 14), None)

    clock.at(msk(21, 17))                       # Tuesday 17:00: another request, over the night
    finish(case_id, "analysis", "more_documents")
    clock.at(msk(22, 10))                       # Wednesday 10:00: 1 h on Tuesday + 1 h on Wednesday
    finish(case_id, "upload_documents", actor="partner1")
    assert analysis(case_id).due_at == msk(22, 16)
    entry = ledger(case_id)
    assert (entry.pauses, entry.paused_seconds, entry.state) == (2, 7 * 3600, "running")

    clock.at(msk(22, 15))
    finish(case_id, "analysis", "done")
    assert instance(case_id).status == "completed"
    assert ledger(case_id).state == "ended"
    kinds = [k for k in audit_kinds(case_id) if k.startswith("deadline_")]
    assert kinds == ["deadline_paused", "deadline_resumed"] * 2


def test_a_request_answered_over_the_weekend_moves_nothing(app, clock):
    case_id = start(LOOP)
    clock.at(msk(17, 18, 30))                   # Friday 18:30, after hours
    finish(case_id, "analysis", "more_documents")
    clock.at(msk(18, 12))                       # Saturday noon
    finish(case_id, "upload_documents", actor="partner1")
    assert analysis(case_id).due_at == TUESDAY_SIX
    assert ledger(case_id).paused_seconds == 0


def test_another_round_without_a_request_starts_a_new_deadline(app, clock):
    case_id = start(LOOP)
    clock.at(msk(20, 12))                       # Monday noon: a second look, nothing asked
    finish(case_id, "analysis", "second_look")
    assert analysis(case_id).due_at == msk(22, 12)
    entry = ledger(case_id)
    assert (entry.started_at, entry.base_due_at, entry.pauses) == (msk(20, 12), msk(22, 12), 0)


def test_the_deadline_runs_between_the_uploads_end_and_the_analysis_opening_again(app, clock):
    """A step between the upload and the analysis (here a message: the documents checked)."""
    xml = diagram(LOOP).replace(
        '<bpmn:sequenceFlow id="f5" sourceRef="upload_documents" targetRef="to_analysis" />',
        '<bpmn:sequenceFlow id="f5" sourceRef="upload_documents" targetRef="checked" />'
        '<bpmn:intermediateCatchEvent id="checked"><bpmn:incoming>f5</bpmn:incoming>'
        '<bpmn:outgoing>f8</bpmn:outgoing><bpmn:messageEventDefinition id="checked_message" '
        'messageRef="Message_checked" /></bpmn:intermediateCatchEvent>'
        '<bpmn:sequenceFlow id="f8" sourceRef="checked" targetRef="to_analysis" />').replace(
        "<bpmn:incoming>f5</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming>",
        "<bpmn:incoming>f8</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming>").replace(
        "<bpmn:process ", '<bpmn:message id="Message_checked" name="documents_checked" /><bpmn:process ')
    engine.deploy(xml, actor="owner", name=f"{LOOP}.bpmn")
    case_id = engine.start(LOOP, actor="partner1").id
    clock.at(msk(20, 10))
    finish(case_id, "analysis", "more_documents")
    clock.at(msk(20, 15))
    finish(case_id, "upload_documents", actor="partner1")
    running = deadline(case_id, msk(20, 16))
    assert (running["state"], running["paused"], running["due_at"]) == ("running", False, msk(22, 14))
    clock.at(msk(20, 17))
    engine.send_message(case_id, "documents_checked", actor="analyst1")
    assert analysis(case_id).due_at == msk(22, 14)   # 10:00-15:00 paused; 15:00-17:00 counted


def test_the_deadline_and_its_pause_survive_a_fresh_parse_of_the_version(app, clock):
    """Each call restores the case from the database; here the spec is parsed again too,
    as another process (a worker) would."""
    case_id = start(LOOP)
    clock.at(msk(20, 10))
    finish(case_id, "analysis", "more_documents")
    engine.get_runtime().spec_cache = type(engine.get_runtime().spec_cache)()
    clock.at(msk(20, 11))
    finish(case_id, "upload_documents", actor="partner1")
    assert analysis(case_id).due_at == msk(22, 10)   # 1 working hour paused: Wednesday 10:00


def test_a_case_moved_to_a_version_that_pauses_keeps_the_deadline_its_analysis_had(app, clock):
    without = diagram(LOOP).replace('<spiffworkflow:property name="pausesDeadlineOf" value="analysis" />', "")
    engine.deploy(without, actor="owner", name=f"{LOOP}.bpmn")
    case_id = engine.start(LOOP, actor="partner1").id
    [(version, _status)] = engine.deploy(diagram(LOOP), actor="owner", name=f"{LOOP}.bpmn")
    clock.at(msk(20, 9))
    [moved] = engine.migrate([case_id], version, actor="owner")
    assert moved.status == "migrated", moved.reasons
    clock.at(msk(20, 10))
    finish(case_id, "analysis", "more_documents")
    clock.at(msk(20, 15))
    finish(case_id, "upload_documents", actor="partner1")
    assert analysis(case_id).due_at == msk(22, 14)
    assert (ledger(case_id).started_at, ledger(case_id).calendar) == (FRIDAY_SIX, "RU")


# --- the parallel shape: the analysis stays open, paused, while requests are open ---

def test_the_open_analysis_shows_paused_while_a_request_is_open_and_is_never_overdue(app, clock):
    case_id = start(PARALLEL)
    assignment.claim(analysis(case_id).id, actor="analyst1")
    clock.at(msk(20, 10))
    ask_for_documents(case_id)
    task = analysis(case_id)
    assert (task.due_at, task.paused_since) == (None, msk(20, 10))
    later = msk(23, 12).astimezone(timezone.utc)   # Thursday: long past the first due time
    assert deadlines.warn_near(24 * 60, now=later) == []
    window = metrics.Window(PARALLEL, later - timedelta(days=7), later, now=later)
    assert metrics.overdue(window)["total"] == 0
    viewer = inbox.Viewer("analyst1", frozenset(), sees_all=True)
    assert inbox.overdue_count(viewer, later) == 0
    paused = inbox.page(viewer, inbox.Filters(tab="all", due="none"), later)[0]
    assert [t.element_id for t in paused] == ["upload_documents"]   # "no due time" is not "paused"
    clock.at(msk(23, 12))
    finish(case_id, "upload_documents", actor="partner1")
    # paused from Monday 10:00 to Thursday 12:00: 8 + 9 + 9 + 3 working hours
    task = analysis(case_id)
    assert (task.due_at, task.paused_since) == (msk(27, 11), None)
    assert metrics.overdue(window)["total"] == 0 and inbox.overdue_count(viewer, later) == 0


OVERLAPPING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://t">
  <bpmn:message id="m" name="ask_again" />
  <bpmn:process id="overlapping" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="analysis"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="dueInBusinessDays" value="2" />
      <spiffworkflow:property name="businessCalendar" value="RU" /></spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="first_asked">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition id="m1" messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:parallelGateway id="both"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:outgoing>f6</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="statements"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="pausesDeadlineOf" value="analysis" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="second_asked">
      <bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f8</bpmn:outgoing>
      <bpmn:messageEventDefinition id="m2" messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="balance_sheet"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="pausesDeadlineOf" value="analysis" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>f8</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e1"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e3"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f1" sourceRef="split" targetRef="analysis" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="first_asked" />
    <bpmn:sequenceFlow id="f3" sourceRef="analysis" targetRef="e1" />
    <bpmn:sequenceFlow id="f4" sourceRef="first_asked" targetRef="both" />
    <bpmn:sequenceFlow id="f5" sourceRef="both" targetRef="statements" />
    <bpmn:sequenceFlow id="f6" sourceRef="both" targetRef="second_asked" />
    <bpmn:sequenceFlow id="f7" sourceRef="statements" targetRef="e2" />
    <bpmn:sequenceFlow id="f8" sourceRef="second_asked" targetRef="balance_sheet" />
    <bpmn:sequenceFlow id="f9" sourceRef="balance_sheet" targetRef="e3" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_overlapping_requests_make_one_pause_from_the_first_opening_to_the_last_closing(app, clock):
    engine.deploy(OVERLAPPING, actor="owner", name="overlapping.bpmn")
    case_id = engine.start("overlapping", actor="partner1").id
    clock.at(msk(20, 10))                       # Monday 10:00: the bank statements, please
    engine.send_message(case_id, "ask_again", actor="analyst1")
    clock.at(msk(21, 12))                       # Tuesday 12:00: and the balance sheet
    engine.send_message(case_id, "ask_again", actor="analyst1")
    clock.at(msk(21, 14))
    finish(case_id, "statements", actor="partner1")
    assert analysis(case_id).paused_since == msk(20, 10)
    clock.at(msk(22, 11))                       # Wednesday 11:00: the last one answered
    finish(case_id, "balance_sheet", actor="partner1")
    # 8 h on Monday, 9 on Tuesday, 2 on Wednesday: Tuesday 18:00 + 19 working hours
    task = analysis(case_id)
    assert (task.due_at, task.paused_since) == (msk(24, 10), None)
    assert ledger(case_id).pauses == 1


def test_the_analysis_completed_while_paused_keeps_its_due_time_with_the_pause_so_far(app, clock):
    case_id = start(PARALLEL)
    clock.at(msk(20, 10))
    ask_for_documents(case_id)
    clock.at(msk(20, 12))
    done = finish(case_id, "analysis")
    row = db.session.get(HumanTask, done)
    assert (row.state, row.due_at, row.paused_since) == ("completed", msk(22, 11), None)
    clock.at(msk(20, 16))
    finish(case_id, "upload_documents", actor="partner1")
    assert instance(case_id).status == "completed"
    assert deadline(case_id, msk(20, 17))["state"] == "ended"   # the analysis is done, not coming back


def test_a_pause_ends_when_a_boundary_timer_withdraws_the_request_and_warnings_follow_the_new_time(app):
    case_id = start(PARALLEL, wall_due="PT4H")
    task = analysis(case_id)
    assignment.claim(task.id, actor="analyst1")
    opened_due = task.due_at
    assert opened_due - task.created_at == timedelta(hours=4)
    with test_hooks():
        testclock.move_clock(timedelta(hours=3, minutes=30), instance_id=case_id)
    assert analysis(case_id).due_at == opened_due - timedelta(hours=3, minutes=30)
    assert [r.recipient for r in deadlines.warn_near(60)] == ["analyst1"]   # due in 30 minutes
    ask_for_documents(case_id)
    assert (analysis(case_id).due_at, deadlines.warn_near(24 * 60)) == (None, [])
    [request] = uploads(case_id)
    assert fire_when_due(pending_timers(case_id)["request_expired"]) == "fired"   # 3 days on
    db.session.expire_all()
    assert db.session.get(HumanTask, request.id).state == "cancelled"
    task = analysis(case_id)
    left = task.due_at - utcnow()
    assert timedelta(minutes=29) < left <= timedelta(minutes=30) and task.paused_since is None
    paused = timedelta(seconds=ledger(case_id).paused_seconds)
    assert timedelta(days=3) < paused < timedelta(days=3, minutes=1)
    assert task.due_notified_at is None
    assert [r.recipient for r in deadlines.warn_near(60)] == ["analyst1"]      # warned again
    assert audit_kinds(case_id).count("clock_moved") >= 3


# --- deploy ---

def pausing(target, on="userTask", due='<spiffworkflow:property name="dueIn" value="&quot;PT1H&quot;" />'):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://t">
  <bpmn:process id="paused" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="analysis"><bpmn:extensionElements><spiffworkflow:properties>{due}
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:{on} id="request"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="pausesDeadlineOf" value="{target}" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:{on}>
    <bpmn:scriptTask id="note"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:script>noted = True</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end1"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end2"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f1" sourceRef="split" targetRef="analysis" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="request" />
    <bpmn:sequenceFlow id="f3" sourceRef="analysis" targetRef="note" />
    <bpmn:sequenceFlow id="f4" sourceRef="request" targetRef="end2" />
    <bpmn:sequenceFlow id="f5" sourceRef="note" targetRef="end1" />
  </bpmn:process>
</bpmn:definitions>
"""


def refusals(xml):
    found = engine.validate(xml, name="p.bpmn")
    return [(p["element"], p["message"]) for p in found if p["severity"] == "error"]


@pytest.mark.parametrize("xml, fragment", [
    (pausing("analyss"), "'request' pauses the deadline of 'analyss', which is not an element of this"),
    (pausing("note"), "'request' pauses the deadline of 'note', which is not a user task"),
    (pausing("analysis", due=""), "'request' pauses the deadline of 'analysis', which has none"),
    (pausing("request"), "'request' names itself"),
    (pausing("analysis", on="manualTask").replace("bpmn:manualTask", "bpmn:scriptTask"), "not a user task"),
])
def test_a_pause_of_a_deadline_that_cannot_be_paused_is_refused_naming_both_tasks(app, xml, fragment):
    [(element, message)] = refusals(xml)
    assert element == "request" and message.startswith("pausesDeadlineOf") and fragment in message
    with pytest.raises(DeployError):
        engine.deploy(xml, actor="owner", name="p.bpmn")


def test_the_diagrams_of_both_shapes_deploy_and_a_task_may_pause_several_deadlines(app):
    assert refusals(diagram(LOOP)) == [] and refusals(diagram(PARALLEL)) == []
    assert refusals(pausing("analysis, analysis")) == []


def test_a_parallel_request_opened_with_the_analysis_pauses_it_from_the_start(app, clock):
    engine.deploy(pausing("analysis"), actor="owner", name="p.bpmn")
    case_id = engine.start("paused", actor="t").id
    task = analysis(case_id)
    assert (task.due_at, task.paused_since) == (None, FRIDAY_SIX)
    clock.at(msk(17, 19, 30))
    finish(case_id, "request", actor="partner1")
    assert analysis(case_id).due_at == msk(17, 20, 30)   # wall time (dueIn): 1 h + 1.5 h paused
