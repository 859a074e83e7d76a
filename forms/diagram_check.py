"""The deploy check that a diagram's user tasks name forms that exist and can be shown.

Registered with the engine by ``processes.init_app`` (:func:`engine.register_check`),
so a deploy, the API's validate call and the modeler's Validate button all refuse a
user task whose form file is missing or is not a JSON Schema Tasklane can render.

A form is looked for where a case will read it (:class:`forms.definitions.Source`): among
the JSON files deployed with the diagram (the bundle: a spiff-arena model folder, a form
edited in the browser), then in ``forms/definitions``. A deployed file a task names must
be a JSON object, and the schema a valid JSON Schema; the refusal names the file. JSON
files no task names travel with the version unchecked (a spiff-arena folder holds
``process_model.json`` and unit-test files); docs/forms.md says why. A user task without
a form is allowed (it shows a Complete button) but warned about, and so is a UI schema
file beside the task's form that the task does not name.
"""
import json

from jsonschema import SchemaError
from jsonschema.validators import validator_for
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from engine import bundles
from engine.checks import Context, element_id, problem, with_context
from engine.errors import NotFoundError
from engine.task_meta import form_keys

from .definitions import UI_SUFFIX, Source, file_name
from .fields import build

SPIFF_SCHEMA_SUFFIX = "-schema"  # spiff-arena's "call-schema.json" beside "call-uischema.json"


@with_context
def check_user_task(task_spec, context=Context()):  # noqa: B008 - an immutable default
    """:returns: the problems of one task spec's form (none for other kinds of task)"""
    if not isinstance(task_spec, UserTask):
        return []
    element = element_id(task_spec)
    form_key, ui_key = form_keys(task_spec)
    if not form_key:
        return [problem(element, "user task has no form (formJsonSchemaFilename): it will only offer "
                                 "a Complete button", "warning")]
    source = Source({f.name: f.text() for f in context.files if f.kind == bundles.JSON})
    missing = next((key for key in (form_key, ui_key) if key and not source.exists(key)), None)
    if missing:
        return [problem(element, f"form file '{file_name(missing)}' is neither among the files deployed "
                                 "with the diagram nor in forms/definitions")]
    unreadable = [found for key in (form_key, ui_key) if key for found in _unreadable(element, source, key)]
    if unreadable:
        return unreadable
    return _renders(element, source, form_key, ui_key) + _unnamed_ui(element, source, form_key, ui_key)


def _where(source, key):
    name = source.deployed_name(key)
    return f"'{name}'" if name else f"'{file_name(key)}' (forms/definitions)"


def _unreadable(element, source, key):
    """A deployed file that is not a JSON object, named as it was uploaded."""
    name = source.deployed_name(key)
    if name is None:
        return []
    try:
        value = json.loads(source.files[name])
    except ValueError as error:
        return [problem(element, f"form file '{name}' is not JSON: {error}")]
    if not isinstance(value, dict):
        return [problem(element, f"form file '{name}' is not a JSON object")]
    return []


def _renders(element, source, form_key, ui_key):
    # build() resolves dynamic choices (options_from_task_data_var:) without task data, as
    # empty choices: the marker alone is not a JSON Schema, the resolved form is.
    where = _where(source, form_key)
    try:
        form = build(form_key, ui_key, source=source)
        validator_for(form.schema).check_schema(form.schema)
    except SchemaError as error:
        return [problem(element, f"form {where} is not a valid JSON Schema: {error.message}")]
    except (NotFoundError, ValueError, TypeError, KeyError, AttributeError) as error:
        return [problem(element, f"form {where} cannot be shown: {error}")]
    return []


def _unnamed_ui(element, source, form_key, ui_key):
    """A UI schema deployed beside the form (``x-uischema.json`` by ``x-schema.json``, or
    ``x-uischema.json`` by ``x.json``) that the task does not name is not used: say so."""
    if ui_key:
        return []
    stem = form_key.removesuffix(".json")
    names = {f"{stem}{UI_SUFFIX}.json"}
    if stem.endswith(SPIFF_SCHEMA_SUFFIX):
        names.add(f"{stem.removesuffix(SPIFF_SCHEMA_SUFFIX)}{UI_SUFFIX}.json")
    found = sorted(name for name in names if name in source.files)
    return [problem(element, f"'{name}' is deployed beside the form, but the task names no UI schema "
                             "(formUiSchemaFilename), so it is not used", "warning") for name in found]
