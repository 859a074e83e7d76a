"""Human tasks: the inbox, one task, completing one (claims are in :mod:`web.api.assignment`)."""
from flask_babel import gettext as _

import engine
import forms
from crm import arrivals
from engine import inbox
from engine.db import db
from engine.models import HumanTask
from engine.types import utcnow
from forms import phone_search
from forms.phone import reader_region

from .. import access, task_actions, task_form
from ..customers import labels
from ..i18n import user_zone
from .common import Viewed, caller, load_body, load_query, page, respond
from .instances import instance_view
from .registry import operation
from .schemas import (
    CompleteRequestSchema,
    TaskCompletionSchema,
    TaskDetailSchema,
    TaskPageSchema,
    TaskQuerySchema,
)

# A form may carry several files as data-URLs (up to 10 MB each, a third more in base64).


@operation("/tasks", "GET", summary="The inbox: tasks of one tab, filtered and paged", tag="tasks",
           query=TaskQuerySchema, response=TaskPageSchema, errors=(403,))
def tasks_list():
    """Tabs as in the inbox: ``mine`` (assigned to the caller), ``queue`` (unassigned tasks
    of the caller's roles), ``all`` (every open task: managers and admins), ``done``
    (completed by the caller). ``order``: ``newest`` (the queue's default: fresh leads first)
    or ``due`` (priority, due time, age: the other tabs' default); ``done`` last completed first.

    :raise 403: tab ``all`` for anyone but managers and admins
    """
    user = caller()
    query = load_query(TaskQuerySchema)
    viewer = access.viewer(user)
    if query["tab"] == "all":
        access.check(viewer.sees_all, _("Only managers see every task."))
    filters = inbox.Filters(tab=query["tab"], process=query["process"], due=query["due"],
                            assignee=query["assignee"], search=query["q"],
                            phone=phone_search.read(query["q"], reader_region()), page=query["page"],
                            per_page=query["per_page"], order=query["order"])
    now = utcnow()
    rows, total = inbox.page(viewer, filters, now)
    return page(TaskPageSchema, with_leads(rows, now), total, query)


def with_leads(rows, now):
    """Each task with ``lead``: the age and source of the lead its case is about, as the team
    queue shows them (:mod:`crm.arrivals`), or ``None``."""
    found, names = arrivals.of_cases(row.instance_id for row in rows), labels()["source"]

    def lead(row):
        if row.instance_id not in found:
            return None
        came_in, source = found[row.instance_id]
        return {"came_in_at": came_in, "age_seconds": max(0, int((now - came_in).total_seconds())),
                "source": source, "source_label": names.get(source, source) if source else None}

    return [Viewed(row, lead=lead(row)) for row in rows]


@operation("/tasks/<task_id>", "GET", summary="Read a task and its form", tag="tasks",
           response=TaskDetailSchema, errors=(403, 404, 409))
def tasks_get(task_id):
    """With ``lead`` as in the list, and the task's ``form`` (its JSON Schema, dynamic
    choices resolved from the task data, and UI schema) with the ``data`` it shows
    (:mod:`web.task_form`, as the task page shows them).

    :raise 403: not a task the caller may see  :raise 404: no such task
    :raise 409: completed by someone else while its data was read (``winner``); read it again
    """
    task = access.task_for(caller(), task_id)
    [row] = with_leads([task], utcnow())
    return respond(TaskDetailSchema, Viewed(row, **task_form.document(task)))


def _form_data(user, task, data):
    """``data`` checked and typed by the task's form, if it has one.

    :raise 422: ``fields`` names every invalid or unknown field
    """
    if not task.form_key:
        return data
    return forms.validate(task.form_key, task.ui_form_key, json=data, locale=user.locale or "en",
                          timezone=user_zone(user), task_data=engine.task_data(task.id),
                          source=forms.of_task(task))


@operation("/tasks/<task_id>/complete", "POST", summary="Complete a task with its form data",
           tag="tasks", body=CompleteRequestSchema, response=TaskCompletionSchema, errors=(403, 404, 409))
def tasks_complete(task_id):
    """``{"data": {...}}`` is validated by the task's form (``form_key``); a task without
    a form takes any object. An unassigned task may be completed by anyone of its team,
    who becomes ``completed_by``.

    Managers and admins may complete any task, also one someone else holds (``TASK``
    "work" in docs/security.md); the page answers as this route does (:mod:`web.task_actions`).

    :raise 403: another team's task, or held by someone else (``fields.assignee``)
    :raise 409: already completed (``winner``: by whom)
    :raise 422: invalid form data (``fields``: field -> message)
    """
    user = caller()
    task = task_actions.checked(user, task_id, "complete")
    data = _form_data(user, task, load_body(CompleteRequestSchema)["data"])
    instance = task_actions.complete(user, task, data)
    task = db.session.get(HumanTask, task_id)
    return respond(TaskCompletionSchema, {"task": task, "instance": instance_view(instance)})
