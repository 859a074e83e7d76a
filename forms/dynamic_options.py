"""spiff-arena's dynamic choices: ``"anyOf": ["options_from_task_data_var:NAME"]``.

A property written so takes its choices from the task data variable ``NAME``: a list
of ``{"value": <const>, "label": <text>}`` objects, or of plain strings and numbers
(the value is its own label). :func:`resolve` turns the marker into ordinary
``const``/``title`` choices before the field tree is built, so ``describe`` shows a
select and ``validate`` refuses a value that is not offered.
"""
import math

from .jsonvalues import plain_json

PREFIX = "options_from_task_data_var:"
# Written beside the resolved choices so that a field whose variable was missing or
# malformed (and so has no choices) is still a choice field, with its own message.
MARKER = "x-options-from-task-data"
CHOICE_KEYWORDS = ("anyOf", "oneOf")


def variable(items):
    """``NAME`` when ``items`` (an ``anyOf``/``oneOf`` value) is ``["options_from_task_data_var:NAME"]``."""
    if isinstance(items, list) and len(items) == 1 and isinstance(items[0], str) \
            and items[0].startswith(PREFIX) and items[0][len(PREFIX):].strip():
        return items[0][len(PREFIX):].strip()
    return None


def resolve(schema, task_data=None):
    """A copy of ``schema`` with each dynamic ``anyOf``/``oneOf`` replaced by the choices in ``task_data``.

    ``schema`` itself is never changed (parts without a marker are shared, not copied).
    A variable that is missing or not a list of choices leaves the property without
    choices; :data:`MARKER` still names the variable.

    :param task_data: the task's data (a dict); ``None`` when there is none (the form
        editor's preview, the deploy check)
    """
    return _resolve(schema, task_data if isinstance(task_data, dict) else {})


def source(schema):
    """The task data variable the choices of a field schema (or of its array ``items``) come from."""
    if not isinstance(schema, dict):
        return None
    items = schema.get("items")
    name = schema.get(MARKER) or (items.get(MARKER) if isinstance(items, dict) else None)
    return name if isinstance(name, str) else None


def options(value):
    """``[{"const": .., "title": ..}]`` from a task data variable; ``None`` unless a list of choices."""
    if not isinstance(value, list):
        return None
    found = [_option(item) for item in value]
    return None if any(o is None for o in found) else found


def _option(item):
    if _scalar(item):
        return {"const": item, "title": str(item)}
    if not isinstance(item, dict) or "value" not in item:
        return None
    value, label = item["value"], item.get("label")
    if value is None or not plain_json(value):
        return None
    # without a label the field shows the value as it travels in the form
    return {"const": value} if label is None else {"const": value, "title": str(label)}


def _scalar(item):
    if isinstance(item, float):
        return math.isfinite(item)
    return isinstance(item, str | int) and not isinstance(item, bool)


def _resolve(node, task_data):
    if isinstance(node, list):
        resolved = [_resolve(item, task_data) for item in node]
        return node if all(a is b for a, b in zip(resolved, node, strict=True)) else resolved
    if not isinstance(node, dict):
        return node
    resolved, changed = {}, False
    for key, value in node.items():
        name = variable(value) if key in CHOICE_KEYWORDS else None
        if name is None:
            resolved[key] = _resolve(value, task_data)
            changed = changed or resolved[key] is not value
            continue
        changed = True
        resolved[MARKER] = name
        choices = options(task_data.get(name))
        if choices:
            resolved[key] = choices
    return resolved if changed else node
