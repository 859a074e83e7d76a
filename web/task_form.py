"""What a task's form shows, for the task page (web/tasks.py) and ``GET /api/v1/tasks/<id>``
alike: the values in it, and the task data its dynamic choices are read from.

An open task shows its data now; a completed one what was entered when it was
completed, with its choices as they were offered then (from the task's
``task_completed`` audit event). A cancelled task shows nothing.
"""
import engine
import forms
from engine.db import db
from engine.models import AuditEvent
from forms.dynamic_options import resolve


def shown(task):
    """``(values, task_data)``: what the form of ``task`` shows, and where its choices come from.

    :raises ConflictError: completed meanwhile (read without a lock)
    """
    if task.state == "open":
        data = engine.task_data(task.id)
        return data, data
    event = db.session.query(AuditEvent).filter_by(
        task_id=task.id, kind="task_completed").order_by(AuditEvent.id.desc()).first()
    return ((event.data_after or {}), (event.data_before or {})) if event else ({}, {})


def document(task):
    """``{"form": {"schema", "ui_schema"}, "data": {...}}`` of ``task`` for an API client, or
    ``{"form": None, "data": None}`` when it has no form (or its form file is gone). The form
    is the one the task's case reads: its version's file, else the shipped one
    (:func:`forms.of_task`).

    ``schema`` is the form's JSON Schema with its dynamic choices resolved from the task
    data (ordinary ``const``/``title`` choices; ``x-options-from-task-data`` still names the
    variable); ``data`` holds the form's own fields only (its top-level ``properties``), so
    the variables behind the choices and the rest of the case's data stay out.
    """
    source = forms.of_task(task)
    if not task.form_key or not source.exists(task.form_key):
        return {"form": None, "data": None}
    values, seen = shown(task)
    schema = resolve(source.load(task.form_key), seen)
    ui = source.load_ui(task.ui_form_key) if task.ui_form_key and source.exists(task.ui_form_key) else {}
    names = schema.get("properties") or {}
    return {"form": {"schema": schema, "ui_schema": ui},
            "data": {name: value for name, value in values.items() if name in names}}
