"""Parse, check, store and cache BPMN process specs.

A version's spec is parsed once, checked (restricted expressions, known helpers,
lanes), serialized once into ``process_version.spec_json`` and cached in memory by
the SHA-256 of its XML, so instances never carry their spec.
"""
import copy
import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptEngineTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.specs.MultiChoice import MultiChoice
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from . import bpmn_support, checks, drawn_data, reachability, texts, xml_safety
from .errors import DeployError
from .sandbox import compile_expression, unknown_calls
from .task_meta import is_role_key, lane_role, properties


@cache
def registry():
    """The SpiffWorkflow converter registry, built once on first use."""
    from .state import register_data_types

    reg = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    register_data_types(reg)
    return reg


@dataclass
class ParsedProcess:
    key: str
    name: str
    spec: object
    subprocess_specs: dict
    lanes: set = field(default_factory=set)
    titles: dict = field(default_factory=dict)  # {lang: name} (engine.texts)

    def spec_json(self):
        reg = registry()
        return json.dumps({
            "spec": reg.convert(self.spec),
            "subprocess_specs": {k: reg.convert(v) for k, v in self.subprocess_specs.items()},
        })


def sha256(xml):
    return hashlib.sha256(xml.encode("utf-8") if isinstance(xml, str) else xml).hexdigest()


def parse(xml, *, helpers, max_bytes, roles=None, name="diagram", checks=()):
    """Parse every executable top-level process of a BPMN document and check it.

    :param xml: the BPMN 2.0 document (bytes or str)
    :param helpers: names callable from expressions
    :param roles: if given, every lane must name one of these roles
    :param checks: more checks, ``check(task_spec) -> problems`` (see engine/checks.py)
    :returns: ``(processes, text)``: a list of :class:`ParsedProcess` and the document
        as UTF-8 text to store
    :raises DeployError: hostile or malformed XML, invalid BPMN, or any problem of
        severity ``error``, with the offending element ids
    """
    parsed, text, problems = inspect(xml, helpers=helpers, max_bytes=max_bytes, roles=roles, name=name,
                                     checks=checks)
    errors = [p for p in problems if p["severity"] == "error"]
    if errors:
        raise DeployError(f"{name} has {len(errors)} problem(s)", errors)
    return parsed, text


def inspect(xml, *, helpers, max_bytes, roles=None, name="diagram", checks=()):
    """:func:`parse` without refusing: ``(processes, text, problems)`` with errors and warnings.

    :raises DeployError: the document cannot be read at all (hostile XML, not BPMN)
    """
    root = xml_safety.parse(xml, max_bytes=max_bytes, name=name)
    text = xml_safety.as_text(xml, root)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    read = _as_spiff_reads(copy.deepcopy(root))  # the parser's reading; the stored text stays as drawn
    drawn = drawn_data.prepare(read, set(parser.DATA_STORE_CLASSES)) + bpmn_support.prepare(read)
    try:
        parser.add_bpmn_xml(read, filename=name)
        keys = _top_level_keys(parser)
        parsed = [_parse_one(parser, key) for key in keys]
    except ValidationException as error:
        element = getattr(error, "id", None) or name
        message = readable(str(error))
        raise DeployError(f"{name} is not valid BPMN: {message}",
                          [{"element": element, "message": message}, *drawn]) from None
    except SpiffWorkflowException as error:
        message = readable(str(error))
        raise DeployError(f"{name} could not be parsed: {message}",
                          [{"element": name, "message": message}, *drawn]) from None
    if not parsed:
        raise DeployError(f"{name} has no executable process", _not_executable(root, name))
    document = texts.read(root)
    for process in parsed:
        process.titles = document.titles(process.key, process.name)
    runnable = {pid for pid, pp in parser.process_parsers.items() if pp.process_executable}
    problems = drawn + reachability.check(root, runnable | set(parser.get_process_dependencies()))
    problems += [p for process in parsed for p in check(process, helpers, roles, checks)]
    return parsed, text, problems


def _not_executable(root, name):
    """What to do about a document none of whose processes may run."""
    processes = list(root.iter(f"{{{texts.BPMN}}}process"))
    if not processes:
        return [{"element": name, "message": "the file holds no bpmn:process; draw one, or export the "
                                             "process rather than only its collaboration"}]
    return [{"element": p.get("id") or name,
             "message": f"process '{p.get('name') or p.get('id')}' is marked isExecutable=\"false\" (the "
                        "default of most modelling tools); set isExecutable=\"true\" on it to run it here"}
            for p in processes]


_ELEMENT = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-fA-F]+>")
_ADDRESS = re.compile(r" (object )?at 0x[0-9a-fA-F]+")


def readable(message):
    """A parser's message without Python object addresses: ``<Element {ns}targetRef at
    0x7f…>`` reads ``bpmn:targetRef``."""
    return _ADDRESS.sub("", _ELEMENT.sub(r"bpmn:\1", message)).strip()


def _as_spiff_reads(root):
    """``root`` with what spiff-arena's own models write and SpiffWorkflow runs, though the
    BPMN schema does not allow it: ``messageRef`` on a start event (the message is its
    event definition's; one is added when the start event has none)."""
    for start in root.iter(f"{{{texts.BPMN}}}startEvent"):
        ref = start.attrib.pop("messageRef", None)
        if ref and start.find(f"{{{texts.BPMN}}}messageEventDefinition") is None:
            tag = f"{{{texts.BPMN}}}messageEventDefinition"
            start.append(start.makeelement(tag, {"messageRef": ref}))
    return root


def _top_level_keys(parser):
    executable = [pid for pid, pp in parser.process_parsers.items() if pp.process_executable]
    called = parser.get_process_dependencies()
    return [pid for pid in executable if pid not in called]


def _parse_one(parser, key):
    spec = parser.get_spec(key)
    subprocess_specs = parser.get_subprocess_specs(key)
    lanes = {ts.lane for s in (spec, *subprocess_specs.values())
             for ts in s.task_specs.values() if getattr(ts, "lane", None)}
    return ParsedProcess(key, spec.description or key, spec, subprocess_specs, lanes)


def _expressions(task_spec):
    """(mode, source, what) for each piece of code a task spec will run."""
    for cond, _ in getattr(task_spec, "cond_task_specs", []) if isinstance(task_spec, MultiChoice) else []:
        if cond is not None:
            yield "eval", cond.args[0], "condition"
    if isinstance(task_spec, ScriptEngineTask) and getattr(task_spec, "script", None):
        yield "exec", task_spec.script, "script"
    for attr in ("prescript", "postscript"):
        if getattr(task_spec, attr, None):
            yield "exec", getattr(task_spec, attr), attr
    yield from _events(task_spec)
    for attr, what in (("cardinality", "loop cardinality"), ("condition", "loop condition")):
        if isinstance(getattr(task_spec, attr, None), str):   # multi-instance and standard loops
            yield "eval", getattr(task_spec, attr), what
    yield from _parameters(task_spec)
    for name in ("dueIn", "dueInBusinessDays", "dueInBusinessHours"):
        due = properties(task_spec).get(name)
        if due:
            yield "eval", due, name


def _events(task_spec):
    """A timer's and a conditional event's expressions (each event of a multiple one)."""
    for event in checks.event_definitions(task_spec):
        if isinstance(event, TimerEventDefinition):
            yield "eval", event.expression, "timer"
        elif getattr(event, "expression", None):
            yield "eval", event.expression, "event condition"


def _parameters(task_spec):
    """A service task's parameters: each value is an expression."""
    for name, param in (getattr(task_spec, "operation_params", None) or {}).items():
        yield "eval", param.get("value") or "None", f"service parameter '{name}'"


def check(process, helpers, roles=None, extra=()):
    """Problems with one parsed process: ``[{"element", "message", "severity"}]``, empty
    when it is fine: code that does not compile or calls unknown functions, lanes that
    match no role, and :data:`engine.checks.BUILT_IN` plus ``extra`` per task spec."""
    problems = checks.process_names(process.key, process.name)
    for spec in (process.spec, *process.subprocess_specs.values()):
        if isinstance(getattr(spec, "completion_condition", None), str):   # an ad-hoc sub-process
            problems.extend(_check_code(spec.name, "eval", spec.completion_condition, "completion condition",
                                        helpers))
        for task_spec in spec.task_specs.values():
            element = checks.element_id(task_spec)
            for mode, source, what in _expressions(task_spec):
                problems.extend(_check_code(element, mode, source, what, helpers))
            for rule in (*checks.BUILT_IN, *extra):
                problems.extend(rule(task_spec))
    if roles is not None:
        for lane in sorted(process.lanes):
            if lane_role(lane) not in roles:
                problems.append(checks.problem(lane, _no_role(lane)))
    return problems


def _no_role(lane):
    """The refusal of a lane that names no role, saying how to fix it in the product."""
    key = lane_role(lane)
    if is_role_key(key):
        return (f"lane '{lane}' matches no role; an admin creates the role '{key}' on /admin/roles "
                "(or POST /api/v1/roles), or rename the lane")
    return (f"lane '{lane}' matches no role, and '{key}' cannot be one (a role's key is lower-case Latin "
            "letters, digits and underscores); rename the lane after a role, e.g. 'Finance Team' for the "
            "role finance_team")


def _check_code(element, mode, source, what, helpers):
    try:
        compile_expression(source, mode)
        missing = unknown_calls(source, mode, helpers)
    except SyntaxError as error:
        return [checks.problem(element, f"{what} does not compile: {error}")]
    if missing:
        return [checks.problem(element, f"{what} calls unknown function(s): {', '.join(missing)}")]
    return []


def start_timers(spec):
    """The timer start events of a top-level spec."""
    return [ts for ts in spec.task_specs.values()
            if isinstance(ts, StartEvent) and isinstance(ts.event_definition, TimerEventDefinition)]


class SpecCache:
    """Restored specs by (SHA-256 of the XML, process key); bounded, thread-safe.

    Versions are immutable, so the version id -> (SHA-256, key) map is cached too and
    a warm lookup touches no table.
    """

    def __init__(self, size=256):
        self.size = size
        self._items = OrderedDict()
        self._ids = {}
        self._lock = threading.Lock()

    def get(self, version_id):
        """The ``(spec, subprocess_specs)`` of process version ``version_id``."""
        from .db import db
        from .models import ProcessDefinition, ProcessVersion

        ident = self._ids.get(version_id)
        if ident is None:
            ident = tuple(db.session.query(ProcessVersion.sha256, ProcessDefinition.key)
                          .join(ProcessDefinition).filter(ProcessVersion.id == version_id).one())
            self._ids[version_id] = ident
        with self._lock:
            value = self._items.get(ident)
            if value is not None:
                self._items.move_to_end(ident)
        if value is not None:
            return value.fresh() if isinstance(value, _Private) else value
        spec_json = db.session.query(ProcessVersion.spec_json).filter_by(id=version_id).scalar()
        value = _restore(spec_json)
        if triggers(value[0]):
            value = _Private(spec_json)
        with self._lock:
            self._items[ident] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value.fresh() if isinstance(value, _Private) else value


def _restore(spec_json):
    dct = json.loads(spec_json)  # restoring changes the dict: parse it each time
    reg = registry()
    return (reg.restore(dct["spec"]),
            {k: reg.restore(v) for k, v in dct["subprocess_specs"].items()})


def triggers(spec):
    """The event-triggered processes of ``spec`` (message, signal, ... event sub-processes).

    SpiffWorkflow 3.2 connects such a process to the start of the spec the first time
    its event arrives (``BpmnStartTask.trigger_wf``): a shared spec would then start
    the event sub-process in every later case, and differ from a fresh one.
    """
    return getattr(spec.start, "trigger_specs", ())


class _Private:
    """A spec that changes as its cases run: each workflow gets its own copy."""

    def __init__(self, spec_json):
        self.spec_json = spec_json

    def fresh(self):
        return _restore(self.spec_json)
