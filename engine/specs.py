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
from SpiffWorkflow.dmn.specs import BusinessRuleTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.specs.MultiChoice import MultiChoice
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from . import (
    bpmn_support,
    bundles,
    checks,
    collaborations,
    decisions,
    drawn_data,
    events,
    lanes,
    pauses,
    reachability,
    resolution,
    texts,
    unsupported,
    xml_safety,
)
from .errors import DeployError
from .sandbox import compile_expression, unknown_calls
from .task_meta import properties


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
    source: str = "diagram"  # the file holding the process
    text: str = ""  # that file, as stored in ``process_version.bpmn_xml``
    files: tuple = ()  # the deploy's other files (:class:`engine.bundles.BundleFile`)
    pins: dict = None  # what was taken from deployed versions (engine.resolution.pins)
    lane_roles: dict = field(default_factory=dict)  # {lane: role} of its lanes, given at deploy

    @property
    def sha256(self):
        """The version's digest: of its document alone, or of every file it was deployed with;
        with its lane mapping when it has one (the same XML mapped anew is a new version)."""
        if not self.files:
            digest = sha256(self.text)
        else:
            lines = sorted(f"{f.name}\0{f.sha256}" for f in self.files)
            digest = sha256("\n".join([f"{self.source}\0{sha256(self.text)}", *lines]))
        if not self.lane_roles:
            return digest
        return sha256(f"{digest}\nlane_roles\0{json.dumps(self.lane_roles, sort_keys=True)}")

    def spec_json(self):
        reg = registry()
        return json.dumps({
            "spec": reg.convert(self.spec),
            "subprocess_specs": {k: reg.convert(v) for k, v in self.subprocess_specs.items()},
        })


def sha256(xml):
    return hashlib.sha256(xml.encode("utf-8") if isinstance(xml, str) else xml).hexdigest()


def parse(source, *, helpers, max_bytes, roles=None, name="diagram", checks=(), lane_roles=None):
    """Parse every executable top-level process of a BPMN document, or of a bundle, and check it.

    :param source: the BPMN 2.0 document (bytes or str), or a :class:`engine.bundles.Bundle`
        of BPMN, DMN and JSON files (a call activity may call a process of another file, a
        business rule task a decision of a DMN file)
    :param helpers: names callable from expressions
    :param roles: if given, every lane must be mapped to, or name, one of these roles
    :param checks: more checks, ``check(task_spec) -> problems``, or ``check(task_spec,
        context)`` when marked :func:`engine.checks.with_context` (see engine/checks.py)
    :param lane_roles: ``{lane name: role key}`` for lanes not named after their role
        (engine/lanes.py); each process keeps the entries of its own lanes
    :returns: a list of :class:`ParsedProcess`
    :raises DeployError: hostile or malformed XML, invalid BPMN, a ``lane_roles`` that is
        not a mapping of names, or any problem of severity ``error``, with the offending
        element ids
    """
    parsed, problems = inspect(source, helpers=helpers, max_bytes=max_bytes, roles=roles, name=name,
                               checks=checks, lane_roles=lane_roles)
    errors = [p for p in problems if p["severity"] == "error"]
    if errors:
        raise DeployError(f"{name} has {len(errors)} problem(s)", errors)
    return parsed


# No DMN schema for SpiffWorkflow to validate with (an empty map means its own): engine.decisions
# validates each DMN file when it is read.
_DMN_CHECKED = {"validated by engine.decisions.read": None}


class _Parser(SpiffBpmnParser):
    """SpiffWorkflow's parser, remembering the decision each business rule task runs (its
    spec keeps the table only)."""

    def __init__(self):
        super().__init__(validator=VALIDATOR, dmn_schemas=_DMN_CHECKED)
        self.decision_of = {}  # id(decision table) -> decision id

    def get_engine(self, decision_ref, node):
        found = super().get_engine(decision_ref, node)
        self.decision_of[id(found.decision_table)] = decision_ref
        return found


def inspect(source, *, helpers, max_bytes, roles=None, name="diagram", checks=(), lane_roles=None):
    """:func:`parse` without refusing: ``(processes, problems)`` with errors and warnings
    (a ``lane_roles`` entry for a lane the diagram does not have is a warning).

    A call activity or business rule task calling what no file of ``source`` holds is
    resolved against what is deployed (engine/resolution.py).

    :raises DeployError: a file cannot be read at all (hostile XML, not BPMN or DMN), or
        calls a process or decision neither uploaded nor deployed, or ``lane_roles`` is not
        a mapping of lane names to strings
    """
    lane_roles = lanes.normalized(lane_roles)
    bundle = source if isinstance(source, bundles.Bundle) else bundles.single(source, name)
    roots, problems = _roots(bundle, max_bytes)
    bundle = resolution.resolve(bundle, roots, max_bytes=max_bytes)
    borrowed = bundle.borrowed_names()
    documents = {f.name: (roots[f.name], xml_safety.as_text(f.data, roots[f.name]))
                 for f in bundle.of_kind(bundles.BPMN)}
    parser = _Parser()
    reads, drawn = {}, []
    for file_name, (root, _text) in documents.items():
        read = reads[file_name] = _as_spiff_reads(copy.deepcopy(root))  # the stored text stays as drawn
        found = drawn_data.prepare(read, set(parser.DATA_STORE_CLASSES)) + bpmn_support.prepare(read)
        drawn += [] if file_name in borrowed else found
    try:
        for file_name, read in reads.items():
            parser.add_bpmn_xml(read, filename=file_name)
        for file in bundle.of_kind(bundles.DMN):
            parser.add_dmn_xml(roots[file.name], filename=file.name)
        tables = decisions.parse(parser, {d: p.filename for d, p in parser.dmn_parsers.items()})
        parsed = [_parse_one(parser, key) for key in _top_level_keys(parser, documents, borrowed)]
    except ValidationException as error:
        element = getattr(error, "id", None) or getattr(error, "file_name", None) or name
        message = readable(str(error))
        raise DeployError(f"{name} is not valid BPMN: {message}",
                          [{"element": element, "message": message}, *drawn]) from None
    except SpiffWorkflowException as error:
        message = readable(str(error))
        raise DeployError(f"{name} could not be parsed: {message}",
                          [{"element": name, "message": message}, *drawn]) from None
    if not parsed:
        raise DeployError(f"{name} has no executable process",
                          [p for file_name, (root, _text) in documents.items() if file_name not in borrowed
                           for p in _not_executable(root, name)])
    for process in parsed:
        root, process.text = documents[process.source]
        process.titles = texts.read(root).titles(process.key, process.name)
        _pin(process, bundle, parser.decision_of)
        process.lane_roles = lanes.kept(process.lanes, lane_roles)
    runnable = {pid for pid, pp in parser.process_parsers.items() if pp.process_executable}
    runnable |= set(parser.get_process_dependencies())
    problems += drawn
    problems += [p for file_name, (root, _text) in documents.items() if file_name not in borrowed
                 for p in reachability.check(root, runnable)]
    problems += [p for decision in tables.values() for p in decisions.problems(decision, helpers)]
    problems += [p for file_name, (root, _text) in documents.items() if file_name not in borrowed
                 for p in unsupported.check(root)]
    problems += [p for process in parsed for p in check(process, helpers, roles, checks)]
    problems += lanes.unknown({lane for process in parsed for lane in process.lanes}, lane_roles)
    return parsed, problems


def _roots(bundle, max_bytes):
    """``({file name: root}, warnings)`` of the bundle's BPMN and DMN files, each read with care."""
    roots, warnings = {}, []
    for file in bundle.of_kind(bundles.BPMN):
        roots[file.name] = xml_safety.parse(file.data, max_bytes=max_bytes, name=file.name)
    if not roots:
        message = "the upload holds no .bpmn file: a .dmn file is deployed with the process that calls it"
        raise DeployError(message, [{"element": bundle.name, "message": message}])
    for file in bundle.of_kind(bundles.DMN):
        roots[file.name], found = decisions.read(file, max_bytes=max_bytes)
        warnings.extend(found)
    return roots, warnings


def _pin(process, bundle, decision_of):
    """Set the files ``process`` is deployed with: the upload's other files and, of the files
    taken from deployed versions, those of the callees and decisions it calls (its ``pins``)."""
    called = {decision_of.get(id(ts.dmnEngine.decision_table))
              for spec in (process.spec, *process.subprocess_specs.values())
              for ts in spec.task_specs.values() if isinstance(ts, BusinessRuleTaskMixin)}
    used = [b for b in bundle.borrowed
            if b.key in (process.subprocess_specs if b.kind == "processes" else called)]
    taken, kept = bundle.borrowed_names(), {name for b in used for name in b.files}
    process.files = tuple(f for f in bundle.files if f.name != process.source
                          and (f.name not in taken or f.name in kept))
    process.pins = resolution.pins(used)


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


def _top_level_keys(parser, documents, borrowed=()):
    """What deploys as a process: each executable process no call activity calls and no
    talking collaboration runs (engine/collaborations.py), and each such collaboration;
    none of a file taken from a deployed version.

    :returns: ``[(key, Collaboration or None, file name)]``
    """
    executable = [pid for pid, pp in parser.process_parsers.items()
                  if pp.process_executable and pp.filename not in borrowed]
    called = parser.get_process_dependencies()
    together = [(collaboration, file_name) for file_name, (root, _text) in documents.items()
                if file_name not in borrowed
                for collaboration in collaborations.talking(root, set(executable))]
    pooled = {pid for collaboration, _file in together for pid in collaboration.processes}
    return ([(pid, None, parser.process_parsers[pid].filename) for pid in executable
             if pid not in called and pid not in pooled]
            + [(collaboration.key, collaboration, file_name) for collaboration, file_name in together])


def _parse_one(parser, key_and_collaboration):
    key, collaboration, source = key_and_collaboration
    if collaboration is None:
        spec, subprocess_specs = parser.get_spec(key), parser.get_subprocess_specs(key)
        name = spec.description or key
    else:
        spec, subprocess_specs = parser.get_collaboration(key)
        name = collaboration.name or key
    lanes = {ts.lane for s in (spec, *subprocess_specs.values())
             for ts in s.task_specs.values() if getattr(ts, "lane", None)}
    return ParsedProcess(key, name, spec, subprocess_specs, lanes, source=source)


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
    yield from _event_expressions(task_spec)
    for attr, what in (("cardinality", "loop cardinality"), ("condition", "loop condition")):
        if isinstance(getattr(task_spec, attr, None), str):   # multi-instance and standard loops
            yield "eval", getattr(task_spec, attr), what
    yield from _parameters(task_spec)
    for name in ("dueIn", "dueInBusinessDays", "dueInBusinessHours"):
        due = properties(task_spec).get(name)
        if due:
            yield "eval", due, name


def _event_expressions(task_spec):
    """Timers and event conditions, those an event-based gateway holds for its events too."""
    for event in events.definitions(task_spec):
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
    match no role (under ``process.lane_roles``: :func:`engine.lanes.problems`), and
    :data:`engine.checks.BUILT_IN` plus ``extra`` per task spec (those marked
    :func:`engine.checks.with_context` see the files deployed with the process)."""
    problems = checks.process_names(process.key, process.name)
    context = checks.Context(process.files)
    for spec in (process.spec, *process.subprocess_specs.values()):
        if isinstance(getattr(spec, "completion_condition", None), str):   # an ad-hoc sub-process
            problems.extend(_check_code(spec.name, "eval", spec.completion_condition, "completion condition",
                                        helpers))
        for task_spec in spec.task_specs.values():
            element = checks.element_id(task_spec)
            for mode, source, what in _expressions(task_spec):
                problems.extend(_check_code(element, mode, source, what, helpers))
            for rule in (*checks.BUILT_IN, *extra):
                problems.extend(checks.run(rule, task_spec, context))
    problems.extend(pauses.problems((process.spec, *process.subprocess_specs.values())))
    problems.extend(lanes.problems(process.lanes, process.lane_roles, roles))
    return problems


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
