"""Cases (process instances): a list, and one case with its tasks, data, timeline,
comments and attachments.

:raise 403: the user may not see the case
:raise 404: no such case or attachment
"""
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

import engine
from engine import attachments, comments, inbox
from engine.db import db
from engine.errors import ValidationError
from engine.models import Attachment, AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from engine.types import utcnow
from forms import uploads

from . import access, timeline

bp = Blueprint("cases", __name__)
PER_PAGE = 25


def _visible(query):
    """Only the cases the user may see (managers and auditors see every case)."""
    user = current_user
    if access.is_manager(user) or access.is_auditor(user):
        return query
    mine = or_(HumanTask.assignee == user.username, HumanTask.completed_by == user.username)
    if access.is_staff(user):
        mine = or_(mine, HumanTask.candidate_role.in_(sorted(access.roles(user))))
    involved = select(HumanTask.instance_id).where(mine)
    return query.where(or_(ProcessInstance.started_by == user.username, ProcessInstance.id.in_(involved)))


@bp.get("/cases")
@login_required
def case_index():
    status = request.args.get("status") or None
    needle = (request.args.get("q") or "").strip()[:100]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query = _visible(select(ProcessInstance))
    if status in ("running", "completed", "cancelled", "error"):
        query = query.where(ProcessInstance.status == status)
    if needle:
        matching = select(HumanTask.instance_id).where(*inbox.search_clauses(needle))
        query = query.where(ProcessInstance.id.in_(matching))
    cases = db.session.scalars(query.order_by(ProcessInstance.id.desc())
                               .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    names = {d.key: d.name for d in db.session.query(ProcessDefinition)}
    subjects = _subjects([c.id for c in cases])
    return render_template("cases/index.html", cases=cases[:PER_PAGE], more=len(cases) > PER_PAGE,
                           page=page, status=status, q=needle, names=names, subjects=subjects)


def _subjects(ids):
    rows = db.session.query(HumanTask.instance_id, HumanTask.subject, HumanTask.subject_phone) \
        .filter(HumanTask.instance_id.in_(ids), HumanTask.subject.is_not(None)).all() if ids else []
    return {row.instance_id: (row.subject, row.subject_phone) for row in rows}


@bp.get("/cases/<int:instance_id>")
@login_required
def case_show(instance_id):
    instance = access.case_for(current_user, instance_id)
    tasks = db.session.query(HumanTask).filter_by(instance_id=instance_id) \
        .order_by(HumanTask.created_at.desc()).all()
    events = db.session.query(AuditEvent).filter_by(stream=f"instance:{instance_id}") \
        .order_by(AuditEvent.seq).all()
    return render_template(
        "cases/show.html", instance=instance, tasks=tasks, data=engine.case_data(instance_id),
        definition=db.session.query(ProcessDefinition).filter_by(key=instance.definition_key).first(),
        timeline=timeline.entries(events, tasks), comments=comments.of_case(instance_id),
        files=db.session.query(Attachment).filter_by(instance_id=instance_id).order_by(Attachment.id).all(),
        may_take=lambda t: access.may_take(current_user, t), now=utcnow(),
        read_only=not access.is_staff(current_user) and not access.is_manager(current_user)
        and instance.started_by != current_user.username)


@bp.post("/cases/<int:instance_id>/comments")
@login_required
def case_comment_create(instance_id):
    """:raise 422: empty or too long"""
    instance = access.case_for(current_user, instance_id)
    access.check(not (access.is_auditor(current_user) and not access.is_staff(current_user)))
    comments.add(instance.id, request.form.get("body"), actor=current_user.username)
    flash(_("Comment added."), "success")
    return redirect(url_for("cases.case_show", instance_id=instance_id) + "#comments")


@bp.post("/cases/<int:instance_id>/attachments")
@login_required
def case_attachment_create(instance_id):
    """:raise 422: no file, a refused type, or too large"""
    instance = access.case_for(current_user, instance_id)
    access.check(not (access.is_auditor(current_user) and not access.is_staff(current_user)))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError(_("Choose a file first."), fields={"file": _("This field is required.")})
    try:
        stored = uploads.from_storage(upload, uploads.allowed_kinds({}), uploads.max_bytes({}),
                                      str(get_locale()))
    except uploads.UploadError as error:
        raise ValidationError(error.message, fields={"file": error.message}) from error
    attachments.attach(instance.id, stored, actor=current_user.username)
    flash(_("File attached."), "success")
    return redirect(url_for("cases.case_show", instance_id=instance_id) + "#files")


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment_show(attachment_id):
    """The file, always as a download (never rendered inline in our origin)."""
    row, data = attachments.read(attachment_id)
    access.case_for(current_user, row.instance_id)
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = _disposition(row.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def _disposition(filename):
    ascii_name = filename.encode("ascii", "ignore").decode() or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"

