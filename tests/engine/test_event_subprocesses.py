"""Event sub-processes (message, timer, signal, escalation, error; interrupting or not)
end as raw SpiffWorkflow ends them, with the case saved and restored on a spec read
fresh from its JSON after every step, as a different worker would.

SpiffWorkflow 3.2 connects an event-triggered process to its spec's start when the
event arrives; a cached spec shared by cases would start the event sub-process in
every later case (engine.specs.SpecCache gives such processes a copy per case).
"""
import json

import pytest
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

import engine
from engine import specs, state

from .helpers import complete, instance, open_tasks

DEFINITIONS = {
    "message": '<bpmn:messageEventDefinition messageRef="m_note" />',
    "signal": '<bpmn:signalEventDefinition signalRef="s_note" />',
    "escalation": '<bpmn:escalationEventDefinition escalationRef="e_note" />',
    "error": '<bpmn:errorEventDefinition errorRef="x_note" />',
    "timer": ('<bpmn:timerEventDefinition><bpmn:timeDuration>"PT0S"</bpmn:timeDuration>'
              '</bpmn:timerEventDefinition>'),
}


def diagram(kind, interrupting):
    """start -> work -> (throw) -> after -> end, and an event sub-process started by
    ``kind``: handle -> its end. Errors end the main flow with an error end event."""
    key = f"evsp_{kind}_{'int' if interrupting else 'non'}"
    throws = kind in ("signal", "escalation", "error")
    if kind == "error":
        main = ('<bpmn:endEvent id="throw"><bpmn:incoming>f2</bpmn:incoming>'
                f'{DEFINITIONS[kind]}</bpmn:endEvent>')
    elif throws:
        main = ('<bpmn:intermediateThrowEvent id="throw"><bpmn:incoming>f2</bpmn:incoming>'
                f'<bpmn:outgoing>f3</bpmn:outgoing>{DEFINITIONS[kind]}</bpmn:intermediateThrowEvent>'
                '<bpmn:userTask id="after"><bpmn:incoming>f3</bpmn:incoming>'
                '<bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>'
                '<bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>'
                '<bpmn:sequenceFlow id="f3" sourceRef="throw" targetRef="after" />'
                '<bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end" />')
    else:
        main = ('<bpmn:endEvent id="throw"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>')
    xml = f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_{key}"
    targetNamespace="http://tasklane.test/bpmn">
  <bpmn:message id="m_note" name="note" />
  <bpmn:signal id="s_note" name="note" />
  <bpmn:escalation id="e_note" name="note" escalationCode="note" />
  <bpmn:error id="x_note" name="note" errorCode="note" />
  <bpmn:process id="{key}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    {main}
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="throw" />
    <bpmn:subProcess id="on_note" triggeredByEvent="true">
      <bpmn:startEvent id="note_start" isInterrupting="{str(interrupting).lower()}">
        <bpmn:outgoing>g1</bpmn:outgoing>{DEFINITIONS[kind]}</bpmn:startEvent>
      <bpmn:userTask id="handle">
        <bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="note_end"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="note_start" targetRef="handle" />
      <bpmn:sequenceFlow id="g2" sourceRef="handle" targetRef="note_end" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>'''
    return xml, key


def _parsed(xml, key):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml.encode())
    return parser.get_spec(key), parser.get_subprocess_specs(key)


def _fresh(spec_json):
    """The spec as a worker that never ran this process reads it."""
    registry = specs.registry()
    dct = json.loads(spec_json)
    return (registry.restore(dct["spec"]),
            {k: registry.restore(v) for k, v in dct["subprocess_specs"].items()})


def _run(xml, key, *, saved, message_at=0):
    """Complete ready user tasks in name order; the message ``note`` arrives before step
    ``message_at``. With ``saved``, every step restores the saved case on a fresh spec."""
    spec, subprocess_specs = _parsed(xml, key)
    registry = specs.registry()
    spec_json = specs.ParsedProcess(key, key, spec, subprocess_specs).spec_json()
    if saved:
        spec, subprocess_specs = _fresh(spec_json)
    script_engine = PythonScriptEngine()
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
    note = next(ts.event_definition for ts in subprocess_specs["on_note"].bpmn_start_events)
    path = []
    for step in range(30):
        if step == message_at and "message" in key:
            workflow.send_event(BpmnEvent(note, {}))
        workflow.refresh_timers()
        workflow.do_engine_steps()
        if saved:
            saved_state = state.dump(workflow, registry)
            workflow = state.load(saved_state, *_fresh(spec_json), registry, script_engine)
        ready = sorted(workflow.get_tasks(state=TaskState.READY, manual=True),
                       key=lambda t: t.task_spec.name)
        if workflow.completed or not ready:
            break
        task = ready[0]
        path.append(task.task_spec.name)
        task.data[task.task_spec.name] = step
        task.run()
    end = max(workflow.tasks.values(), key=lambda t: t.last_state_change).data
    return workflow.completed, path, end


CASES = [(kind, interrupting) for kind in DEFINITIONS for interrupting in (True, False)
         if not (kind == "error" and not interrupting)]


@pytest.mark.parametrize(("kind", "interrupting"), CASES,
                         ids=[f"{k}-{'interrupting' if i else 'non-interrupting'}" for k, i in CASES])
def test_event_subprocess_ends_as_raw_spiffworkflow_ends_it(kind, interrupting):
    xml, key = diagram(kind, interrupting)
    raw = _run(xml, key, saved=False)
    assert "handle" in raw[1], f"raw SpiffWorkflow never started the {kind} event sub-process"
    assert _run(xml, key, saved=True) == raw


@pytest.fixture
def message_evsp(app):
    xml, key = diagram("message", False)
    engine.deploy(xml.encode(), actor="test", name=f"{key}.bpmn")
    return key


def test_an_event_subprocess_started_in_one_case_does_not_start_in_the_next(message_evsp):
    first = engine.start(message_evsp, actor="sales1")
    engine.send_message(first.id, "note", actor="sales1")
    assert set(open_tasks(first.id)) == {"work", "handle"}
    second = engine.start(message_evsp, actor="sales1")
    assert set(open_tasks(second.id)) == {"work"}
    complete(second.id, "work")
    assert instance(second.id).status == "completed"
    complete(first.id, "handle")
    complete(first.id, "work")
    assert instance(first.id).status == "completed"


def test_the_cached_spec_of_an_event_triggered_process_is_never_changed(message_evsp):
    runtime = engine.get_runtime()
    first = engine.start(message_evsp, actor="sales1")
    version_id = instance(first.id).version_id
    before = [s.name for s in runtime.spec_cache.get(version_id)[0].start.outputs]
    engine.send_message(first.id, "note", actor="sales1")
    assert [s.name for s in runtime.spec_cache.get(version_id)[0].start.outputs] == before
