"""What a diagram must satisfy beyond its expressions compiling (issue 5's "validate").

Each check takes a parsed task spec and returns problems ``{"element", "message",
"severity"}``; ``error`` refuses a deploy, ``warning`` is shown in the editor only.
Layers above register their own checks (a user task's form must exist: the forms
package) with :meth:`engine.runtime.Runtime.register_check`. A check marked
:func:`with_context` is called ``check(task_spec, context)`` and sees, in the
:class:`Context`, the other files deployed with the process (a user task's form file
travels in the same bundle).
"""
import ast
from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway

from . import events
from .calendars import names as calendar_names
from .task_meta import form_keys, properties, titles

MAX_KEY = 255     # process id and name, element id, lane, form key (columns of String(255))
MAX_TITLE = 500   # a user task's title (human_task.title)
MAX_ROLE = 80     # the role a lane names (human_task.candidate_role)


@dataclass(frozen=True)
class Context:
    """What a check sees besides the task spec: ``files``, the :class:`engine.bundles.BundleFile`
    s deployed with the process (the bundle's files other than the process's own document;
    none for a document deployed alone)."""

    files: tuple = ()

    def file(self, name):
        """The deployed file called ``name``, or ``None``."""
        return next((f for f in self.files if f.name == name), None)


def with_context(check):
    """Mark ``check`` as one called ``check(task_spec, context)`` (a :class:`Context`)."""
    check.takes_context = True
    return check


def run(check, task_spec, context):
    """The problems ``check`` finds in ``task_spec``; it gets ``context`` if it asks for it."""
    if getattr(check, "takes_context", False):
        return check(task_spec, context)
    return check(task_spec)


def problem(element, message, severity="error"):
    return {"element": element, "message": message, "severity": severity}


def element_id(task_spec):
    return getattr(task_spec, "bpmn_id", None) or task_spec.name


def literal(expression):
    """The value of ``expression`` when it is a constant (``"PT24H"``), else ``None``."""
    try:
        value = ast.literal_eval(str(expression).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value


def timer(task_spec):
    """A timer whose expression is a constant must parse as what its kind needs; an
    expression (``callback_at``) is only known when the case runs."""
    return [p for event in events.definitions(task_spec) if isinstance(event, TimerEventDefinition)
            for p in _timer(task_spec, event)]


def _timer(task_spec, event):
    value = literal(event.expression)
    if value is None:
        return []
    if not isinstance(value, str):
        return [problem(element_id(task_spec), f"timer: {event.expression} is not an ISO 8601 text")]
    try:
        if isinstance(event, TimeDateEventDefinition):
            TimerEventDefinition.get_datetime(value)
        elif isinstance(event, DurationTimerEventDefinition):
            TimerEventDefinition.parse_iso_duration(value)
        elif isinstance(event, CycleTimerEventDefinition):
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises a bare Exception on a bad duration
        kind = {TimeDateEventDefinition: "a date-time such as 2026-12-01T09:00:00+07:00",
                DurationTimerEventDefinition: "a duration such as PT24H",
                CycleTimerEventDefinition: "a cycle such as R3/PT1H"}.get(type(event), "ISO 8601")
        return [problem(element_id(task_spec), f"timer: '{value}' is not {kind}")]
    return []


def due_in(task_spec):
    """``dueIn`` (a user task's due time) must be a duration when it is a constant."""
    raw = properties(task_spec).get("dueIn")
    value = literal(raw) if raw else None
    if value is None:
        return []
    try:
        TimerEventDefinition.parse_iso_duration(str(value))
    except Exception:  # noqa: BLE001 - see timer()
        return [problem(element_id(task_spec), f"dueIn: '{value}' is not a duration such as PT15M or P1D")]
    return []


def business_due(task_spec):
    """``dueInBusinessDays`` (a whole number) and ``dueInBusinessHours`` (a number), when
    constants, are zero or more; ``businessCalendar`` names a known calendar; and a task
    has either them or ``dueIn``, not both (docs/calendars.md)."""
    props = properties(task_spec)
    element = element_id(task_spec)
    found = []
    for name, whole in (("dueInBusinessDays", True), ("dueInBusinessHours", False)):
        raw = props.get(name)
        value = literal(raw) if raw else None
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (
                whole and value != int(value)):
            kind = "a whole number of days" if whole else "a number of hours"
            found.append(problem(element, f"{name}: '{raw}' is not {kind}, zero or more (e.g. 2)"))
    business = props.get("dueInBusinessDays") or props.get("dueInBusinessHours")
    if business and props.get("dueIn"):
        found.append(problem(element, "dueIn and a business-time due are both set: keep one"))
    name = props.get("businessCalendar")
    if name and name.upper() not in calendar_names():
        found.append(problem(element, f"businessCalendar: '{name}' is not a calendar; known: "
                             f"{', '.join(calendar_names())}"))
    return found


def gateway(task_spec):
    """An exclusive gateway with several ways out and no default flow: an error when no flow
    can ever be taken (every condition a constant false), else a warning unless its
    conditions cannot all be false (one constant ``True``, or a condition and its
    negation). SpiffWorkflow runs such a gateway; a case whose data meets no condition
    stops there with an incident, which the warning tells the owner about."""
    if not isinstance(task_spec, ExclusiveGateway) or len(task_spec.outputs) < 2:
        return []
    if task_spec.default_task_spec is not None:
        return []
    sources = [cond.args[0] for cond, _ in task_spec.cond_task_specs if cond is not None]
    conditions = {_normal(source) for source in sources}
    if "True" in conditions or any(_normal(f"not ({c})") in conditions for c in conditions):
        return []
    if sources and all(literal(source) is not None and not literal(source) for source in sources):
        return [problem(element_id(task_spec), "exclusive gateway: every condition is always false, so no "
                        "flow can be taken: correct a condition or mark one flow as default")]
    return [problem(element_id(task_spec), "exclusive gateway has no default flow; when no condition "
                    "holds the case stops with an incident: mark one flow as default", severity="warning")]


def _normal(source):
    try:
        return ast.unparse(ast.parse(str(source).strip(), mode="eval"))
    except (SyntaxError, ValueError, RecursionError):
        return str(source).strip()


def too_long(what, value, limit):
    return f"{what} is {len(value):,} characters long; at most {limit} are stored"


def process_names(key, name):
    """A process's id and name fit their columns: validate reports it, deploy refuses it."""
    return [problem(key[:MAX_KEY], too_long(f"process {what}", value, MAX_KEY))
            for what, value in (("id", key), ("name", name or "")) if len(value) > MAX_KEY]


def lengths(task_spec):
    """What the inbox stores of a task (element id, lane, titles, form keys) fits its columns."""
    element = element_id(task_spec)
    found = []
    if len(element) > MAX_KEY:
        found.append(problem(element[:MAX_KEY], too_long("element id", element, MAX_KEY)))
    lane = getattr(task_spec, "lane", None) or ""
    if len(lane) > MAX_KEY:  # the role it stands for is checked with the deploy's mapping (engine/lanes.py)
        found.append(problem(element[:MAX_KEY], too_long("lane", lane, MAX_KEY)))
    if getattr(task_spec, "manual", False):
        found += [problem(element[:MAX_KEY], too_long(f"title ({locale})", title, MAX_TITLE))
                  for locale, title in titles(task_spec).items() if len(title or "") > MAX_TITLE]
        found += [problem(element[:MAX_KEY], too_long("form file name", key, MAX_KEY))
                  for key in form_keys(task_spec) if len(key or "") > MAX_KEY]
    return found


BUILT_IN = (timer, due_in, business_due, gateway, lengths)
