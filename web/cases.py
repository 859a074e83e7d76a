"""Cases (process instances): a list, and one case with its tasks, data, timeline,
comments and attachments.

:raise 403: the user may not see the case
:raise 404: no such case or attachment
"""
from datetime import datetime, time, timedelta, timezone
from io import BytesIO
from urllib.parse import quote

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError as MarshmallowError
from marshmallow import validates_schema
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import engine
from engine import attachments, comments, pauses
from engine.db import db
from engine.errors import ValidationError
from engine.models import (
    Attachment,
    AuditEvent,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
)
from engine.types import utcnow
from forms import inputs, uploads

from . import access, case_data, case_diagram, case_export, case_search, timeline
from .formatting import process_name, process_names
from .limits import db_int

bp = Blueprint("cases", __name__)
PER_PAGE = 25


STATUSES = case_search.STATUSES


def _utc_midnight(day):
    """The start of ``day`` in the reader's zone, as a UTC datetime."""
    return get_timezone().localize(datetime.combine(day, time())).astimezone(timezone.utc)  # pytz


class CaseSearchSchema(inputs.InputSchema):
    """The checked fields of the case search: status, version number, and the days the cases
    started on (a range by the shared rule, both included, in the reader's zone)."""

    status = inputs.Choice(STATUSES, load_default=None, message=lambda: _("Choose a status from the list."))
    version = inputs.Whole(0, 999_999_999, load_default=None,  # 9 digits: within the column
                           message=lambda: _("A version is a whole number."))
    first = inputs.Day(data_key="from", load_default=None)
    last = inputs.Day(data_key="to", load_default=None)

    @validates_schema(skip_on_field_errors=False)
    def _range(self, data, **kwargs):
        if message := inputs.day_range(data.get("first"), data.get("last")):
            raise MarshmallowError(message, "to")


def search_filters(args):
    """``(clauses, values, errors)`` of the case search form; bad input only fills ``errors``."""
    values = {name: (args.get(name) or "").strip()[:100]
              for name in ("q", "process", "version", "status", "from", "to", "actor", "incident")}
    found, errors = inputs.load(CaseSearchSchema(), values)
    first, last = found.get("first"), found.get("last")
    filters = case_search.CaseFilters(
        process=values["process"] or None, version=found.get("version"), status=found.get("status"),
        started_after=_utc_midnight(first) if first else None,
        started_before=_utc_midnight(last + timedelta(days=1)) if last else None,
        actor=values["actor"] or None, incident=True if values["incident"] else None, q=values["q"] or None)
    return case_search.clauses(filters), values, errors


@bp.get("/cases")
@login_required
def case_index():
    """The case list and search (docs/audit.md). :raise 422: a bad filter, named on the form"""
    page = max(1, request.args.get("page", 1, type=db_int) or 1)
    clauses, values, errors = search_filters(request.args)
    listed = select(ProcessInstance).options(selectinload(ProcessInstance.version))
    cases = [] if errors else db.session.scalars(
        access.visible_cases(listed, current_user)
        .where(*clauses).order_by(ProcessInstance.id.desc())
        .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    definitions = sorted(db.session.query(ProcessDefinition).all(), key=process_name)
    names = process_names(definitions)
    html = render_template("cases/index.html", cases=cases[:PER_PAGE], more=len(cases) > PER_PAGE,
                           page=page, values=values, subjects=_subjects([c.id for c in cases]),
                           errors=errors, names=names, definitions=definitions,
                           query={k: v for k, v in values.items() if v})
    return html, 422 if errors else 200


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
    data = engine.case_data(instance_id)
    labels = case_data.labels(instance, data)
    rows, technical = case_data.shown(data, labels, current_user)
    now = utcnow()
    return render_template(
        "cases/show.html", instance=instance, tasks=tasks, rows=rows, technical=technical,
        definition=db.session.query(ProcessDefinition).filter_by(key=instance.definition_key).first(),
        timeline=timeline.entries(events, tasks, case_diagram.names(instance, str(get_locale())),
                                  lambda found: case_data.changes(found, labels)),
        comments=comments.of_case(instance_id),
        files=db.session.query(Attachment).filter_by(instance_id=instance_id).order_by(Attachment.id).all(),
        may_take=lambda t: access.may_take(current_user, t), now=now,
        deadlines=pauses.deadlines(instance_id, now), deadline_names=_task_names(tasks),
        read_only=not access.may_see_case(current_user, instance, "comment"),
        may_repair=access.may_see_case(current_user, instance, "repair"))


def _task_names(tasks):
    """``{element id: name in the reader's language}`` of a case's tasks (the deadlines' names)."""
    lang = str(get_locale())
    return {t.element_id: (t.titles or {}).get(lang) or t.title for t in reversed(tasks)}


@bp.get("/cases/<int:instance_id>/diagram.json")
@login_required
def case_diagram_show(instance_id):
    """``{xml, completed, taken_flows, waiting}`` for the viewer (web/case_diagram.py)."""
    return jsonify(case_diagram.state(access.case_for(current_user, instance_id), str(get_locale())))


@bp.get("/cases/<int:instance_id>/elements/<element_id>/events")
@login_required
def case_element_events(instance_id, element_id):
    """An HTML fragment: the audit events of one diagram element, oldest first."""
    instance = access.case_for(current_user, instance_id)
    events = db.session.query(AuditEvent).filter_by(
        stream=f"instance:{instance.id}", element_id=element_id[:255]).order_by(AuditEvent.seq).all()
    tasks = db.session.query(HumanTask).filter_by(instance_id=instance.id).all()
    names = case_diagram.names(instance, str(get_locale()))
    labels = case_data.labels(instance, engine.case_data(instance.id))
    return render_template("cases/_element_events.html", name=names.get(element_id) or element_id,
                           timeline=timeline.entries(events, tasks, names,
                                                     lambda found: case_data.changes(found, labels)))


@bp.get("/cases/<int:instance_id>/timeline.<any(csv, xlsx):fmt>")
@login_required
def case_timeline_export(instance_id, fmt):
    """Every audit event of the case as CSV or XLSX (docs/audit.md)."""
    instance = access.case_for(current_user, instance_id)
    events = case_diagram.events_of(instance.id)
    name = f"case-{instance.id}-timeline.{fmt}"
    if fmt == "csv":
        content, mimetype = case_export.to_csv(events), "text/csv; charset=utf-8"
    else:
        title = _("Case %(key)s #%(id)s", key=instance.definition_key, id=instance.id)
        content, mimetype = case_export.to_xlsx(events, title), case_export.XLSX
    return send_file(BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.get("/cases/<int:instance_id>/verify")
@login_required
def case_audit_verify(instance_id):
    """Check the hash chain of the case's audit trail. A GET: it reads and changes nothing.

    htmx gets the result as a fragment; a plain request goes back to the case with it.
    """
    instance = access.case_for(current_user, instance_id)
    result = case_export.verify(instance.id)
    if request.headers.get("HX-Request"):
        return render_template("cases/_verify.html", result=result)
    flash(result["message"], "success" if result["intact"] else "danger")
    return redirect(url_for("cases.case_show", instance_id=instance.id) + "#audit")


@bp.post("/cases/<int:instance_id>/comments")
@login_required
def case_comment_create(instance_id):
    """:raise 422: empty or too long"""
    instance = access.case_for(current_user, instance_id, "comment")
    comments.add(instance.id, request.form.get("body"), actor=current_user.username)
    flash(_("Comment added."), "success")
    return redirect(url_for("cases.case_show", instance_id=instance_id) + "#comments")


@bp.post("/cases/<int:instance_id>/attachments")
@login_required
def case_attachment_create(instance_id):
    """:raise 422: no file, a refused type, or too large"""
    instance = access.case_for(current_user, instance_id, "attach")
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
    return download(row, data)


def download(row, data):
    """A stored file as a download (never rendered inline in our origin)."""
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = _disposition(row.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def _disposition(filename):
    ascii_name = filename.encode("ascii", "ignore").decode() or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"

