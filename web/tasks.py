"""One task: its form, instructions and comments; completing it.

:raise 403: the user may not see (or work) the task
:raise 404: no such task
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

import engine
import forms
from engine import comments, texts
from engine.db import db
from engine.errors import NotFoundError, ValidationError
from engine.models import Comment, HumanTask, ProcessDefinition, ProcessInstance
from engine.types import utcnow
from forms import instructions
from forms.phone import reader_region

from . import access, case_data, task_actions, task_form

bp = Blueprint("tasks", __name__)


def region():
    """Phone numbers without a country code are read in the region of a place that speaks
    the reader's language (Russian numbers for Russian readers), else the default place's."""
    return reader_region()


def _page(task, *, values=None, errors=None, status=200):
    data, seen = task_form.shown(task)
    form, source = None, forms.of_task(task)
    if task.form_key and source.exists(task.form_key):
        form = forms.describe(task.form_key, task.ui_form_key, locale=str(get_locale()),
                              values=data if values is None else values, errors=errors,
                              timezone=current_user.timezone, task_data=seen, source=source)
    definition = db.session.query(ProcessDefinition).filter_by(key=task.definition_key).first()
    notes = db.session.query(Comment).filter_by(task_id=task.id).order_by(Comment.id).all()
    return render_template(
        "tasks/show.html", task=task, form=form, data=data, definition=definition,
        instructions=_instructions(task, data),
        comments=notes, may_work=task.state == "open" and access.may_take(current_user, task),
        may_comment=access.may_see_case(current_user, task.instance_id, "comment"),
        missing_form=bool(task.form_key) and form is None, now=utcnow()), status


def _instructions(task, data):
    """The task's instructions in the reader's language (engine.texts), filled in from
    ``data`` as people read it (web/case_data.py)."""
    text = texts.localized(task.instructions_texts, get_locale(), task.instructions)
    if not text:
        return ""
    shown = case_data.for_instructions(db.session.get(ProcessInstance, task.instance_id), data)
    return instructions.render(text, shown, get_locale().language)


@bp.get("/tasks/<task_id>")
@login_required
def task_show(task_id):
    return _page(access.task_for(current_user, task_id))


@bp.post("/tasks/<task_id>")
@login_required
def task_complete(task_id):
    """Validate the form and complete the task; on to the user's next task in the case.

    Who may complete it, and each refusal, is the API's rule (:mod:`web.task_actions`).

    :raise 422: invalid input (shown next to the fields; nothing stored)
    :raise 403: not the user's to complete (naming its holder when someone holds it)
    :raise 409: completed by someone else (naming them) or cancelled
    """
    task = task_actions.checked(current_user, task_id, "complete")
    try:
        data = task_actions.attempt(task.id, lambda: _validated(task))   # its data may move on meanwhile
        task_actions.complete(current_user, task, data)
    except ValidationError as error:
        flash(_("Please correct the marked fields."), "error")
        return _page(task, values=request.form, errors=error.fields, status=422)
    flash(_("Task completed."), "success")
    following = _next_task(task.instance_id)
    if following is not None:
        return redirect(url_for("tasks.task_show", task_id=following.id))
    return redirect(url_for("inbox.inbox_index"))


def _validated(task):
    if not task.form_key:
        return {}
    source = forms.of_task(task)
    if not source.exists(task.form_key):
        raise NotFoundError(_("The form of this task is missing; tell the process owner."))
    return forms.validate(task.form_key, task.ui_form_key, formdata=request.form, files=request.files,
                          locale=str(get_locale()), timezone=current_user.timezone, region=region(),
                          task_data=engine.task_data(task.id), source=source)


def _next_task(instance_id):
    """The open task of this case the user should do next, if they may take one."""
    candidates = db.session.query(HumanTask).filter_by(instance_id=instance_id, state="open") \
        .order_by(HumanTask.sort_key).all()
    return next((t for t in candidates if access.may_take(current_user, t)), None)


@bp.post("/tasks/<task_id>/comments")
@login_required
def task_comment_create(task_id):
    """:raise 422: empty comment"""
    task = access.task_for(current_user, task_id)
    access.case_for(current_user, task.instance_id, "comment")
    comments.add(task.instance_id, request.form.get("body"), actor=current_user.username,
                 task_id=task.id)
    flash(_("Comment added."), "success")
    return redirect(url_for("tasks.task_show", task_id=task.id) + "#comments")
