"""Process tables: definitions and versions, instances, and their projections.

An instance row holds the serialized workflow (without its spec, which is stored
once per version) and a ``lock_version`` counter. Human tasks, timers, outbox
rows and audit events are projections written in the same transaction.
"""
from sqlalchemy import Index, UniqueConstraint

from .db import db
from .types import UTCDateTime, utcnow


class ProcessDefinition(db.Model):
    __tablename__ = "process_definition"
    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(255), unique=True, nullable=False)
    name = db.Column(db.String(255), nullable=False)
    # {lang: name} of the latest version (engine.texts); ``name`` is the plain BPMN name
    titles = db.Column(db.JSON)
    latest_version = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class ProcessVersion(db.Model):
    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("definition_id", "version"),)
    id = db.Column(db.Integer, primary_key=True)
    definition_id = db.Column(db.ForeignKey("process_definition.id"), nullable=False, index=True)
    version = db.Column(db.Integer, nullable=False)
    bpmn_xml = db.deferred(db.Column(db.Text, nullable=False))
    sha256 = db.Column(db.String(64), nullable=False, index=True)
    spec_json = db.deferred(db.Column(db.Text, nullable=False))
    source_name = db.Column(db.String(255))
    deployed_by = db.Column(db.String(80), nullable=False)
    deployed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    # {lane name: role key} given at deploy, for lanes not named after a role
    lane_roles = db.Column(db.JSON)
    # what the version was resolved against at deploy: {"processes": {key: version number}}
    # for callees taken from processes already deployed
    pins = db.Column(db.JSON)
    definition = db.relationship(ProcessDefinition, lazy="joined")
    files = db.relationship("VersionFile", lazy="select", order_by="VersionFile.name",
                            cascade="all, delete-orphan")


class VersionFile(db.Model):
    """A file deployed with a version besides its BPMN document: another BPMN file (called
    processes), a DMN file (decision tables), a JSON file (forms). Pinned: a case reads the
    files of the version it runs on."""

    __tablename__ = "version_file"
    __table_args__ = (UniqueConstraint("version_id", "name"),)
    id = db.Column(db.Integer, primary_key=True)
    version_id = db.Column(db.ForeignKey("process_version.id"), nullable=False, index=True)
    name = db.Column(db.String(255), nullable=False)
    kind = db.Column(db.String(10), nullable=False)  # engine.bundles: bpmn | dmn | json
    content = db.deferred(db.Column(db.Text, nullable=False))
    sha256 = db.Column(db.String(64), nullable=False)


class ProcessInstance(db.Model):
    __tablename__ = "process_instance"
    id = db.Column(db.Integer, primary_key=True)
    version_id = db.Column(db.ForeignKey("process_version.id"), nullable=False, index=True)
    definition_key = db.Column(db.String(255), nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False, default="running", index=True)
    business_key = db.Column(db.String(255), index=True)
    state = db.Column(db.Text, nullable=False)
    lock_version = db.Column(db.Integer, nullable=False, default=1)
    started_by = db.Column(db.String(80), nullable=False)
    started_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    ended_at = db.Column(UTCDateTime)
    error = db.Column(db.Text)
    version = db.relationship(ProcessVersion, lazy="select")
    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(db.Model):
    """What an inbox queries: one row per user task that was ever READY.

    ``subject`` and ``subject_phone`` name the customer the case is about (read from
    the task data, see :func:`engine.task_meta.subject`); ``search_text`` is their
    lower-case, accent-free form with the phone's digits, for the inbox search.
    ``sort_key`` orders the inbox (higher priority first, then earliest due, then
    oldest) as one ascending string, so that one plain index serves every tab.
    """

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_queue", "state", "candidate_role", "assignee", "sort_key"),
        Index("ix_human_task_mine", "state", "assignee", "sort_key"),
        Index("ix_human_task_order", "state", "sort_key"),
        Index("ix_human_task_done_by", "completed_by", "state", "completed_at"),
    )
    id = db.Column(db.String(36), primary_key=True)  # the SpiffWorkflow task id
    instance_id = db.Column(db.ForeignKey("process_instance.id"), nullable=False, index=True)
    definition_key = db.Column(db.String(255), nullable=False, default="", index=True)
    element_id = db.Column(db.String(255), nullable=False)
    title = db.Column(db.String(500), nullable=False)
    titles = db.Column(db.JSON, nullable=False, default=dict)
    lane = db.Column(db.String(255))
    candidate_role = db.Column(db.String(80))
    assignee = db.Column(db.String(80))
    claimed_at = db.Column(UTCDateTime)
    due_at = db.Column(UTCDateTime)  # null while its deadline is paused (engine/pauses.py)
    due_notified_at = db.Column(UTCDateTime)
    paused_since = db.Column(UTCDateTime)  # set while another task of the case pauses its deadline
    priority = db.Column(db.Integer, nullable=False, default=0)
    form_key = db.Column(db.String(255))
    ui_form_key = db.Column(db.String(255))
    instructions = db.Column(db.Text)  # spiff's instructionsForEndUser, the fallback
    instructions_texts = db.Column(db.JSON)  # {lang: Markdown} (engine.texts)
    subject = db.Column(db.String(255))
    subject_phone = db.Column(db.String(32))
    search_text = db.Column(db.String(500))
    sort_key = db.Column(db.String(80), nullable=False, default="")
    state = db.Column(db.String(20), nullable=False, default="open")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    completed_at = db.Column(UTCDateTime)
    completed_by = db.Column(db.String(80))


class CaseDeadline(db.Model):
    """The deadline of one user task (BPMN element) of a case that other tasks may pause
    (spiff property ``pausesDeadlineOf``, engine/pauses.py): it outlives the task, so a task
    of the element that opens again after the pause takes the deadline on.

    ``base_due_at`` is the due time computed when the deadline started; ``paused_seconds``
    the time paused so far, working time of ``calendar`` (wall time when ``calendar`` is
    null); ``paused_since`` is set while a pause runs. ``state``: ``running``, ``paused``,
    or ``ended`` (the element's task closed with no pause open: the next one starts afresh).
    """

    __tablename__ = "case_deadline"
    __table_args__ = (UniqueConstraint("instance_id", "element_id"),)
    id = db.Column(db.Integer, primary_key=True)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), nullable=False, index=True)
    element_id = db.Column(db.String(255), nullable=False)
    started_at = db.Column(UTCDateTime, nullable=False)
    base_due_at = db.Column(UTCDateTime, nullable=False)
    calendar = db.Column(db.String(40))
    paused_seconds = db.Column(db.Float, nullable=False, default=0.0)
    paused_since = db.Column(UTCDateTime)
    pauses = db.Column(db.Integer, nullable=False, default=0)  # how many pauses began
    state = db.Column(db.String(20), nullable=False, default="running")


class Comment(db.Model):
    """A note a person left on a case, or on one task of it."""

    __tablename__ = "comment"
    id = db.Column(db.Integer, primary_key=True)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), nullable=False, index=True)
    task_id = db.Column(db.String(36), index=True)
    author = db.Column(db.String(80), nullable=False)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class AttachmentBlob(db.Model):
    """File contents, stored once per SHA-256 in the database (transactional, shared by nodes)."""

    __tablename__ = "attachment_blob"
    sha256 = db.Column(db.String(64), primary_key=True)
    data = db.deferred(db.Column(db.LargeBinary, nullable=False))
    size = db.Column(db.Integer, nullable=False)


class Attachment(db.Model):
    """A file attached to a case (by upload in a task form or on the case page)."""

    __tablename__ = "attachment"
    id = db.Column(db.Integer, primary_key=True)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), nullable=False, index=True)
    task_id = db.Column(db.String(36))
    field = db.Column(db.String(255))
    filename = db.Column(db.String(255), nullable=False)
    content_type = db.Column(db.String(120), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.ForeignKey("attachment_blob.sha256"), nullable=False)
    uploaded_by = db.Column(db.String(80), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class Timer(db.Model):
    """A timer the database owns; rq jobs only wake it up on time.

    ``instance_id`` is set for timers inside an instance; a timer start event of a
    deployed version has only ``version_id`` and starts a new instance when it fires.
    """

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_pending_due", "state", "due_at"),)
    id = db.Column(db.Integer, primary_key=True)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), index=True)
    version_id = db.Column(db.ForeignKey("process_version.id"))
    task_id = db.Column(db.String(36))
    element_id = db.Column(db.String(255), nullable=False)
    kind = db.Column(db.String(20), nullable=False)  # intermediate | boundary | start
    due_at = db.Column(UTCDateTime, nullable=False)
    cycle = db.Column(db.JSON)  # start timers: {"remaining": n or -1, "seconds": s}
    state = db.Column(db.String(20), nullable=False, default="pending")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    fired_at = db.Column(UTCDateTime)
    enqueued = db.Column(db.Integer, nullable=False, default=0)


class Outbox(db.Model):
    """A message to send after commit; ``state`` goes pending -> sending -> sent once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_created", "state", "created_at"),)
    id = db.Column(db.Integer, primary_key=True)
    instance_id = db.Column(db.ForeignKey("process_instance.id"), index=True)
    channel = db.Column(db.String(20), nullable=False)  # in_app | email | sms
    recipient = db.Column(db.String(255), nullable=False)
    subject = db.Column(db.String(500), nullable=False, default="")
    body = db.Column(db.Text, nullable=False, default="")
    link = db.Column(db.String(500))
    kind = db.Column(db.String(40))  # a known kind is shown translated: see web/bell.py
    params = db.Column(db.JSON)
    state = db.Column(db.String(20), nullable=False, default="pending")
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.Text)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = db.Column(UTCDateTime)


class Notification(db.Model):
    """The in-app bell: what an outbox row of channel ``in_app`` becomes."""

    __tablename__ = "notification"
    id = db.Column(db.Integer, primary_key=True)
    outbox_id = db.Column(db.ForeignKey("outbox.id"), unique=True)
    username = db.Column(db.String(80), nullable=False, index=True)
    title = db.Column(db.String(500), nullable=False)
    body = db.Column(db.Text, nullable=False, default="")
    link = db.Column(db.String(500))
    kind = db.Column(db.String(40))
    params = db.Column(db.JSON)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    read_at = db.Column(UTCDateTime)


class MailMessage(db.Model):
    """Mail kept in the development mailbox when no SMTP server is configured."""

    __tablename__ = "mail_message"
    id = db.Column(db.Integer, primary_key=True)
    outbox_id = db.Column(db.ForeignKey("outbox.id"), unique=True)
    channel = db.Column(db.String(20), nullable=False)
    recipient = db.Column(db.String(255), nullable=False)
    subject = db.Column(db.String(500), nullable=False, default="")
    body = db.Column(db.Text, nullable=False, default="")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class AuditEvent(db.Model):
    """Append-only. Each event's ``hash`` covers its fields and the previous hash of its stream."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("stream", "seq"),)
    id = db.Column(db.Integer, primary_key=True)
    stream = db.Column(db.String(120), nullable=False)
    seq = db.Column(db.Integer, nullable=False)
    instance_id = db.Column(db.Integer, index=True)
    task_id = db.Column(db.String(36))
    element_id = db.Column(db.String(255))
    kind = db.Column(db.String(40), nullable=False)
    actor = db.Column(db.String(80), nullable=False)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    data_before = db.Column(db.JSON)
    data_after = db.Column(db.JSON)
    details = db.Column(db.JSON)
    prev_hash = db.Column(db.String(64), nullable=False)
    hash = db.Column(db.String(64), nullable=False)


class AuditStream(db.Model):
    """The head of each audit chain, so that a deleted last event is detected too."""

    __tablename__ = "audit_stream"
    stream = db.Column(db.String(120), primary_key=True)
    seq = db.Column(db.Integer, nullable=False)
    hash = db.Column(db.String(64), nullable=False)


class PeriodicRun(db.Model):
    """One occurrence of a declared periodic job (engine/periodic.py).

    The job's name and scheduled time are the occurrence's idempotency key (unique);
    ``state`` goes pending -> running -> done | failed through conditional updates.
    """

    __tablename__ = "periodic_run"
    __table_args__ = (UniqueConstraint("job", "scheduled_at"), Index("ix_periodic_run_state", "state"))
    id = db.Column(db.Integer, primary_key=True)
    job = db.Column(db.String(100), nullable=False)
    scheduled_at = db.Column(UTCDateTime, nullable=False)
    state = db.Column(db.String(20), nullable=False, default="pending")
    attempts = db.Column(db.Integer, nullable=False, default=0)
    started_at = db.Column(UTCDateTime)
    finished_at = db.Column(UTCDateTime)
    outcome = db.Column(db.String(500))
    error = db.Column(db.Text)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


from . import calendar_models, drafts  # noqa: E402,F401 - register their tables with the metadata
