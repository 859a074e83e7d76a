"""The deploy check that a diagram's user tasks name forms that exist and can be shown.

Registered with the engine by ``processes.init_app`` (:func:`engine.register_check`),
so a deploy, the API's validate call and the modeler's Validate button all refuse a
user task whose form file is missing or is not a JSON Schema Tasklane can render.
A user task without a form is allowed (it shows a Complete button) but warned about.
"""
import json

from jsonschema import SchemaError
from jsonschema.validators import validator_for
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from engine.checks import element_id, problem
from engine.errors import NotFoundError
from engine.task_meta import form_keys

from .definitions import exists
from .fields import build


def check_user_task(task_spec):
    """:returns: the problems of one task spec's form (none for other kinds of task)"""
    if not isinstance(task_spec, UserTask):
        return []
    element = element_id(task_spec)
    form_key, ui_key = form_keys(task_spec)
    if not form_key:
        return [problem(element, "user task has no form (formJsonSchemaFilename): it will only offer "
                                 "a Complete button", "warning")]
    missing = next((key for key in (form_key, ui_key) if key and not exists(key)), None)
    if missing:
        return [problem(element, f"form file '{missing}.json' does not exist in forms/definitions")]
    return _renders(element, form_key, ui_key)


def _renders(element, form_key, ui_key):
    # build() resolves dynamic choices (options_from_task_data_var:) without task data, as
    # empty choices: the marker alone is not a JSON Schema, the resolved form is.
    try:
        form = build(form_key, ui_key)
        validator_for(form.schema).check_schema(form.schema)
    except SchemaError as error:
        return [problem(element, f"form '{form_key}.json' is not a valid JSON Schema: {error.message}")]
    except (NotFoundError, ValueError, TypeError, KeyError, json.JSONDecodeError) as error:
        return [problem(element, f"form '{form_key}.json' cannot be shown: {error}")]
    return []
