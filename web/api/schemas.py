"""Marshmallow schemas of every API request and response; the OpenAPI document is built from them.

Datetimes are ISO-8601 in UTC. Request schemas refuse unknown fields (422).
"""
from datetime import timezone

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from crm.models import CLASSIFICATIONS, GENDERS, KINDS, ORDER_STATUSES, SOURCES, STATUSES
from engine.inbox import DUE_FILTERS, MAX_PER_PAGE, ORDERS, TABS
from forms import messages

from ..case_search import STATUSES as CASE_STATUSES
from ..limits import DB_INT_MAX, DB_INT_MIN

MAX_NAME = 255


class DbInteger(fields.Integer):
    """A whole number the database can store (PostgreSQL's ``integer``); past it: 422 naming
    the field, where a plain Integer let the database fail (500). Every API integer is one."""

    def __init__(self, **kwargs):
        given = kwargs.pop("validate", None)
        given = [] if given is None else [given] if callable(given) else list(given)
        bound = validate.Range(min=DB_INT_MIN, max=DB_INT_MAX, error=_l("Must be between {min} and {max}."))
        super().__init__(validate=[bound, *given], **kwargs)


class DecimalString(fields.Decimal):
    """A decimal sent as a string (``"30000000.00"``): exact, where a JSON number may not be.

    The OpenAPI document says so: ``type: string, format: decimal`` with a pattern.
    """

    def __init__(self, places=2, **kwargs):
        metadata = {"type": "string", "format": "decimal", "pattern": rf"^-?\d+\.\d{{{places}}}$",
                    **kwargs.pop("metadata", {})}
        super().__init__(places=places, as_string=True, metadata=metadata, **kwargs)


class ProblemSchema(Schema):
    element = fields.String(metadata={"description": "id of the BPMN element (or the file name)"})
    message = fields.String()
    severity = fields.String(metadata={"enum": ["error", "warning"],
                                       "description": "an error refuses a deploy; a warning does not"})


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "validation_error"})
    message = fields.String(required=True)
    field_errors = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields",
                               metadata={"description": "field (or BPMN element id) -> message"})
    winner = fields.String(metadata={"description": "409 only: who completed or holds the task"})
    problems = fields.List(fields.Nested(ProblemSchema), metadata={"description": "invalid BPMN only"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class PageQuerySchema(Schema):
    page = DbInteger(load_default=1, validate=validate.Range(min=1, error=_l("Must be at least {min}.")))
    per_page = DbInteger(load_default=25, validate=validate.Range(
        min=1, max=MAX_PER_PAGE, error=_l("Must be between {min} and {max}.")))


class PageSchema(Schema):
    total = DbInteger(required=True, metadata={"description": "rows matching, on every page"})
    page = DbInteger(required=True)
    per_page = DbInteger(required=True)


# --- tokens ---

class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name = fields.String(load_default="", validate=validate.Length(max=120),
                         metadata={"description": "what the token is for, to tell tokens apart"})
    expires_in_days = DbInteger(load_default=None, allow_none=True, validate=validate.Range(
        min=1, max=3650, error=_l("Must be between {min} and {max}.")),
        metadata={"description": "empty: the token does not expire"})


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "shown once; send as `Bearer <token>`"})
    prefix = fields.String()
    name = fields.String()
    username = fields.String(attribute="user.username")
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)


# --- process definitions ---

PINS = {"description": "what the version took from processes already deployed: "
                        '{"processes": {key: version}, "decisions": {decision id: {"process", "version"}}}; '
                        "null when nothing", "type": ["object", "null"]}


class VersionFileSchema(Schema):
    name = fields.String()
    kind = fields.String(metadata={"enum": ["bpmn", "dmn", "json"]})
    sha256 = fields.String()


LANE_ROLES = {"type": "object", "additionalProperties": {"type": "string"},
              "example": {"Finance Team": "finance"},
              "description": "lanes mapped to roles at deploy (lane name -> role key); a lane not named "
                             "here is the role its name stands for"}


class DefinitionSchema(Schema):
    key = fields.String()
    name = fields.String()
    latest_version = DbInteger()
    created_at = fields.DateTime()
    deployed_at = fields.DateTime(attribute="latest.deployed_at", allow_none=True)
    deployed_by = fields.String(attribute="latest.deployed_by", allow_none=True)
    pins = fields.Raw(attribute="latest.pins", allow_none=True, metadata=PINS)
    files = fields.List(fields.Nested(VersionFileSchema), attribute="latest.files",
                        metadata={"description": "the latest version's files besides its BPMN document"})
    lane_roles = fields.Function(lambda d: (d.latest.lane_roles if d.latest else None) or {},
                                 metadata=LANE_ROLES)


class DefinitionPageSchema(PageSchema):
    items = fields.List(fields.Nested(DefinitionSchema), required=True)


class DeployQuerySchema(Schema):
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=MAX_NAME),
                         metadata={"description": "file name, for a raw XML body (an upload has its own)"})
    lane_roles = fields.String(load_default=None, metadata={
        "description": "lanes mapped to roles, a JSON object {lane name: role key} (a multipart upload may "
                       "send it as the form field lane_roles instead)",
        "example": '{"Finance Team": "finance"}'})


class DeployedVersionSchema(Schema):
    key = fields.String(attribute="definition.key")
    name = fields.String(attribute="definition.name")
    version = DbInteger()
    created = fields.Boolean(metadata={"description": "false: the same XML was already the latest"})
    sha256 = fields.String(metadata={"description": "of the document; of every file when it has others"})
    deployed_by = fields.String()
    deployed_at = fields.DateTime()
    pins = fields.Raw(allow_none=True, metadata=PINS)
    files = fields.List(fields.Nested(VersionFileSchema),
                        metadata={"description": "the files deployed with it besides its BPMN document"})
    lane_roles = fields.Function(lambda v: v.lane_roles or {}, metadata=LANE_ROLES)


class DeploymentSchema(Schema):
    items = fields.List(fields.Nested(DeployedVersionSchema), required=True,
                        metadata={"description": "every process deployed (or found unchanged)"})
    skipped = fields.List(fields.String(), metadata={"description": "files of the upload that were not read: "
                                                                    "not .bpmn, .dmn or .json"})


class StoredFileSchema(VersionFileSchema):
    size = DbInteger(metadata={"description": "bytes (UTF-8)"})
    main = fields.Boolean(metadata={"description": "the version's own BPMN document"})


class StoredFilesSchema(Schema):
    items = fields.List(fields.Nested(StoredFileSchema), required=True)


# --- tasks ---

class TaskSchema(Schema):
    id = fields.String()
    instance_id = DbInteger()
    process = fields.String(attribute="definition_key")
    element_id = fields.String()
    title = fields.Method("localized_title", metadata={"type": "string",
                                                       "description": "in the requester's language"})
    titles = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"example": {
        "vi": "Gọi khách hàng mới", "en": "Call the new lead", "ru": "Позвонить новому клиенту"}})
    state = fields.String(metadata={"enum": ["open", "completed", "cancelled"]})
    lane = fields.String(allow_none=True)
    candidate_role = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    claimed_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True, metadata={
        "description": "null when the task has no due time, and while its deadline is paused"})
    deadline_paused = fields.Function(lambda task: task.paused_since is not None, metadata={
        "type": "boolean", "description": "another task of the case pauses this task's deadline now "
                                          "(spiff property `pausesDeadlineOf`, docs/calendars.md); "
                                          "`due_at` is null until the pause ends and the due time moves"})
    paused_since = fields.DateTime(allow_none=True, metadata={
        "description": "when the running pause of its deadline began; null when not paused"})
    priority = DbInteger()
    form_key = fields.String(allow_none=True)
    ui_form_key = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    subject_phone = fields.String(allow_none=True)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)

    def localized_title(self, task):
        return (task.titles or {}).get(get_locale().language) or task.title


class LeadArrivalSchema(Schema):
    """When the lead a task is about came in and from where (crm.arrivals): what the team
    queue shows beside a task."""
    came_in_at = fields.DateTime(required=True, metadata={
        "description": "when the lead came in (its customer record was created)"})
    age_seconds = fields.Integer(required=True, metadata={
        "description": "seconds from `came_in_at` to the moment of the answer"})
    source = fields.String(allow_none=True, metadata={"enum": list(SOURCES)})
    source_label = fields.String(allow_none=True, metadata={
        "description": "`source` in the requester's language"})


class TaskRowSchema(TaskSchema):
    lead = fields.Nested(LeadArrivalSchema, allow_none=True, metadata={
        "description": "the lead's age and source for a task of a lead's case (its lead-handling or "
                       "pipeline case); null for other tasks"})


class TaskFormSchema(Schema):
    schema = fields.Dict(required=True, metadata={
        "description": "the form's JSON Schema; dynamic choices (`options_from_task_data_var:NAME`) "
                       "resolved from the task data into `const`/`title` choices"})
    ui_schema = fields.Dict(required=True, metadata={"description": "its UI schema (`{}` when it has none)"})


class TaskDetailSchema(TaskRowSchema):
    form = fields.Nested(TaskFormSchema, allow_none=True, metadata={
        "description": "null when the task has no form"})
    data = fields.Dict(allow_none=True, metadata={
        "description": "the values the form shows, by its top-level fields: an open task's data now, "
                       "a completed task's as it was completed; null without a form"})


class TaskPageSchema(PageSchema):
    items = fields.List(fields.Nested(TaskRowSchema), required=True)


class TaskQuerySchema(PageQuerySchema):
    tab = fields.String(load_default="mine", validate=validate.OneOf(TABS))
    process = fields.String(load_default=None, validate=validate.Length(max=MAX_NAME))
    due = fields.String(load_default=None, validate=validate.OneOf(DUE_FILTERS))
    assignee = fields.String(load_default=None, validate=validate.Length(max=80),
                             metadata={"description": "a username, or `-` for unassigned"})
    q = fields.String(load_default=None, validate=validate.Length(max=200),
                      metadata={"description": "customer name or phone number"})
    order = fields.String(load_default=None, validate=validate.OneOf(ORDERS), metadata={
        "description": "`newest` (the task that opened last first) or `due` (priority, due time, "
                       "age); default: `newest` for the `queue` tab, `due` for `mine` and `all`; "
                       "`done` is always last completed first"})


class AssignRequestSchema(Schema):
    username = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=80),
                             metadata={"description": "null puts the task back in its queue"})


class CompleteRequestSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict,
                       metadata={"description": "the task's form fields (validated by its form)"})


# --- instances ---

class DeadlineSchema(Schema):
    """A deadline of the case that other tasks may pause (engine/pauses.py)."""
    element_id = fields.String(metadata={"description": "the user task whose deadline it is"})
    state = fields.String(metadata={"enum": ["running", "paused", "ended"], "description":
                                    "`ended`: its task closed with no request open"})
    due_at = fields.DateTime(allow_none=True, metadata={"description": "null while paused"})
    paused = fields.Boolean()
    paused_since = fields.DateTime(allow_none=True)
    paused_seconds = fields.Float(metadata={"description": "time paused so far, the running pause "
                                                           "included: working time of `calendar`, or "
                                                           "wall time when `calendar` is null"})
    started_at = fields.DateTime()
    calendar = fields.String(allow_none=True, metadata={"description": "the business calendar (`RU`, "
                                                                      "`VN`); null: wall time (`dueIn`)"})


class InstanceSchema(Schema):
    id = DbInteger()
    process = fields.String(attribute="definition_key")
    version = DbInteger(attribute="version.version")
    status = fields.String(metadata={"enum": list(CASE_STATUSES)})
    business_key = fields.String(allow_none=True)
    started_by = fields.String()
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    error = fields.String(allow_none=True,
                          metadata={"description": "the incident's message; null without one"})
    lock_version = DbInteger(metadata={
        "description": "changes with every change of the case; a correction or a retry names the one it "
                       "was made on (409 when the case changed meanwhile)"})
    open_tasks = fields.List(fields.Nested(TaskSchema))
    deadlines = fields.List(fields.Nested(DeadlineSchema), metadata={
        "description": "the deadlines other tasks of the case may pause, by element id, kept while "
                       "their task is closed (a deal shows its analysis deadline paused while the "
                       "analysis waits for documents); empty for a process that pauses none"})


class InstanceQuerySchema(PageQuerySchema):
    process = fields.String(load_default=None, validate=validate.Length(min=1, max=MAX_NAME),
                            metadata={"description": "a process key"})
    version = DbInteger(load_default=None,
                        validate=validate.Range(min=1, error=_l("Must be at least {min}.")),
                        metadata={"description": "a version number (of any process, unless `process`)"})
    status = fields.String(load_default=None, validate=validate.OneOf(CASE_STATUSES))
    incident = fields.Boolean(load_default=None, metadata={
        "description": "`true`: only cases with an incident (`error` set); `false`: only cases without"})
    started_after = fields.AwareDateTime(load_default=None, default_timezone=timezone.utc, error_messages={
        "invalid": _l("Enter a valid date and time.")}, metadata={
        "description": "ISO 8601 date-time; cases started at or after it (UTC when no offset is given)"})
    started_before = fields.AwareDateTime(load_default=None, default_timezone=timezone.utc, error_messages={
        "invalid": _l("Enter a valid date and time.")}, metadata={
        "description": "ISO 8601 date-time; cases started before it (UTC when no offset is given)"})
    q = fields.String(load_default=None, validate=validate.Length(max=200), metadata={
        "description": "customer name or phone number, as the case search page finds them"})

    @validates_schema
    def _range(self, data, **kwargs):
        after, before = data.get("started_after"), data.get("started_before")
        if after is not None and before is not None and before <= after:
            raise ValidationError(messages.end_before_start(), "started_before")


class InstanceRowSchema(Schema):
    id = DbInteger()
    process = fields.String(attribute="definition_key")
    process_name = fields.String(metadata={"description": "in the requester's language"})
    version = DbInteger(attribute="version.version")
    status = fields.String(metadata={"enum": list(CASE_STATUSES)})
    business_key = fields.String(allow_none=True)
    started_by = fields.String()
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    error = fields.String(allow_none=True,
                          metadata={"description": "the incident's message; null without one"})


class InstancePageSchema(PageSchema):
    items = fields.List(fields.Nested(InstanceRowSchema), required=True)


class StartRequestSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": "start data"})
    business_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_NAME))


class MessageRequestSchema(Schema):
    payload = fields.Raw(load_default=None, allow_none=True,
                         metadata={"description": "any JSON; lands in the data named by the catch event"})


class RetryRequestSchema(Schema):
    lock_version = DbInteger(required=True, metadata={"description": "the case's `lock_version` as read"})


class CaseDataSchema(Schema):
    data = fields.Dict(keys=fields.String(), metadata={
        "description": "the case's variables as its next steps read them (the data of the tasks it "
                       "waits at)"})
    lock_version = DbInteger()
    error = fields.String(allow_none=True,
                          metadata={"description": "the incident's message; null without one"})


class DataCorrectionRequestSchema(Schema):
    set = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "variables to set: `{name: JSON value}`; a name is one a script can read "
                       "(`total_amount`, not `2fast` or `class`)"})
    unset = fields.List(fields.String(), load_default=list, metadata={"description": "variables to remove"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                           metadata={"description": "why, kept in the audit event"})
    lock_version = DbInteger(required=True, metadata={"description": "the case's `lock_version` as read"})


class DataCorrectionSchema(Schema):
    changed = fields.Boolean(
        metadata={"description": "false: every value was the one stored; nothing written"})
    before = fields.Dict(keys=fields.String(),
                         metadata={"description": "the old values of the variables set"})
    after = fields.Dict(keys=fields.String(), metadata={"description": "the variables set"})
    removed = fields.List(fields.String())
    instance = fields.Nested(InstanceSchema)


class TaskCompletionSchema(Schema):
    task = fields.Nested(TaskSchema, required=True)
    instance = fields.Nested(InstanceSchema, required=True)


class HistoryEventSchema(Schema):
    seq = DbInteger()
    kind = fields.String(metadata={"example": "task_completed"})
    actor = fields.String()
    at = fields.DateTime()
    task_id = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    data_before = fields.Raw(allow_none=True)
    data_after = fields.Raw(allow_none=True)
    details = fields.Raw(allow_none=True)
    hash = fields.String(metadata={"description": "SHA-256 chaining this event to the one before"})


class HistoryPageSchema(PageSchema):
    items = fields.List(fields.Nested(HistoryEventSchema), required=True)


# --- notifications ---

class NotificationQuerySchema(PageQuerySchema):
    unread = fields.Boolean(load_default=False, metadata={"description": "only notifications not read yet"})


class NotificationSchema(Schema):
    id = DbInteger()
    title = fields.String()
    body = fields.String()
    link = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    params = fields.Raw(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationPageSchema(PageSchema):
    items = fields.List(fields.Nested(NotificationSchema), required=True)


# --- leads ---

class LeadRequestSchema(Schema):
    """Shape only: crm.records.LeadSchema reads the values with the shared input fields
    (forms.inputs), every bad field at once; checking the phone here would hide the others."""

    name = fields.String(required=True, validate=validate.Length(max=MAX_NAME))
    phone = fields.String(required=True, validate=validate.Length(max=40),
                          metadata={"description": "as dialled; old 11-digit VN mobiles are converted",
                                    "example": "0912 345 678"})
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_NAME))
    source = fields.String(load_default="api", validate=validate.OneOf(SOURCES))
    owner = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80),
                          metadata={"description": "an active sales user; empty: round robin"})
    classification = fields.String(load_default=None, allow_none=True,
                                   validate=validate.OneOf(CLASSIFICATIONS))
    gender = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(GENDERS))
    birthday = fields.String(load_default=None, allow_none=True, metadata={
        "format": "date", "description": "ISO 2026-11-22 (forms.inputs.Day, years 1900-2999)"})


class CustomerSchema(Schema):
    id = DbInteger()
    kind = fields.String(metadata={"enum": list(KINDS)})
    name = fields.String()
    phone = fields.String(metadata={"example": "+84912345678"})
    email = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    birthday = fields.Date(allow_none=True)
    source = fields.String(metadata={"enum": list(SOURCES)})
    classification = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(STATUSES)})
    created_at = fields.DateTime()
    created_by = fields.String()
    first_contact_at = fields.DateTime(allow_none=True)
    instance_id = DbInteger(allow_none=True)


class OrderSchema(Schema):
    id = DbInteger()
    customer_id = DbInteger()
    product = fields.String(metadata={"example": "Liệu trình chăm sóc da 10 buổi"})
    quantity = DbInteger(metadata={"example": 1})
    amount = DecimalString(places=2, metadata={"description": "a decimal string, in the currency beside it",
                                               "example": "4500000.00"})
    currency = fields.String(metadata={"description": "ISO 4217 code of the amount", "example": "VND"})
    status = fields.String(metadata={"enum": list(ORDER_STATUSES)})
    created_at = fields.DateTime()
    created_by = fields.String(metadata={"description": "username of who made it (the step's author)"})
    instance_id = DbInteger(allow_none=True, metadata={"description": "the case that made it"})
    version = DbInteger(metadata={"description": "send it back with a correction (PATCH); 1 when made, "
                                                 "one more at each correction"})
    updated_at = fields.DateTime(allow_none=True, metadata={"description": "the last correction"})
    updated_by = fields.String(allow_none=True, metadata={"description": "who made the last correction"})


class CustomerDetailSchema(CustomerSchema):
    orders = fields.List(fields.Nested(OrderSchema), required=True,
                         metadata={"description": "the customer's orders, newest first"})


class OrderPatchSchema(Schema):
    """Checked by crm.orders (forms.inputs fields, every bad field at once); a field left out stays."""

    version = DbInteger(required=True, metadata={
        "description": "the order's version you read; another has corrected it since: 409"})
    product = fields.Raw(metadata={"type": "string", "description": "1 to 200 characters"})
    quantity = fields.Raw(metadata={"type": "integer", "minimum": 1, "maximum": 1000000})
    amount = fields.Raw(metadata={"type": ["number", "string"], "example": "4500000.00", "description": (
        "in the order's currency (forms.inputs.Money): a JSON number, a decimal string, or digits "
        "grouped as people type them; not negative")})
    status = fields.Raw(metadata={"enum": list(ORDER_STATUSES), "description": "cancelled cancels the order; "
                                                                               "placed undoes a cancel"})


class LeadSchema(Schema):
    customer = fields.Nested(CustomerSchema, required=True)
    instance = fields.Nested(InstanceSchema, required=True)
    duplicates = fields.List(fields.Nested(CustomerSchema), required=True,
                             metadata={"description": "earlier customers with the same phone (not merged)"})


class RejectedRowSchema(Schema):
    row_number = DbInteger(metadata={"description": "as in the spreadsheet; the header is row 1"})
    values = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    errors = fields.Dict(keys=fields.String(), values=fields.String())


class DuplicateRowSchema(Schema):
    row_number = DbInteger()
    customer_id = DbInteger()
    duplicate_of = fields.List(DbInteger())


class ImportReportSchema(Schema):
    imported = fields.List(DbInteger(), required=True,
                           metadata={"description": "ids of the new customers"})
    rejected = fields.List(fields.Nested(RejectedRowSchema), required=True)
    duplicates = fields.List(fields.Nested(DuplicateRowSchema), required=True)
