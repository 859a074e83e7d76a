"""Process instances (cases): search them, start one, read it, read its history, send it a message."""
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import engine
from engine import pauses
from engine.db import db
from engine.errors import ConflictError, NotFoundError
from engine.inbox import COUNT_CAP
from engine.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from engine.types import utcnow

from .. import access, case_search
from ..formatting import process_names
from . import process_rules
from .common import Viewed, caller, load_body, load_query, page, paginate, respond
from .registry import operation
from .schemas import (
    HistoryPageSchema,
    InstancePageSchema,
    InstanceQuerySchema,
    InstanceSchema,
    MessageRequestSchema,
    PageQuerySchema,
    StartRequestSchema,
)


def instance_view(instance):
    """``instance`` with its open tasks and its pausable deadlines, as :class:`InstanceSchema` dumps it."""
    open_tasks = db.session.scalars(select(HumanTask).filter_by(instance_id=instance.id, state="open")
                                    .order_by(HumanTask.sort_key)).all()
    return Viewed(instance, open_tasks=open_tasks, deadlines=pauses.deadlines(instance.id, utcnow()))


@operation("/process-definitions/<key>/instances", "POST", summary="Start an instance of a process",
           tag="instances", status=201, body=StartRequestSchema, response=InstanceSchema,
           errors=(403, 404), headers={"Location": "the new instance"})
def instances_create(key):
    """Starts the latest version with ``data`` as its start data, as the process's start
    rule allows (docs/security.md): staff in its roles, never a procedure-owned process.

    :raise 403: partners, customers, auditors; a role the process does not allow; a
        process its own procedure starts (referrals, pipeline entries); a record named in
        the data the caller may not act on
    :raise 404: no process with this key
    :raise 422: invalid body, start data the start form refuses (unknown keys too), or
        the process refused the start data (``script_error``)
    """
    user = caller()
    access.check(access.is_staff(user))
    if db.session.scalar(select(ProcessDefinition.id).filter_by(key=key)) is None:
        raise NotFoundError(_("Not found."))
    rules = process_rules.start_rules(user, key)
    body = load_body(StartRequestSchema)
    process_rules.check_start_data(user, rules, body["data"])
    instance = engine.start(key, actor=user.username, data=body["data"], business_key=body["business_key"])
    if rules.start.after_start is not None:
        rules.start.after_start(instance, body["data"])
    return respond(InstanceSchema, instance_view(instance), 201,
                   {"Location": url_for("api.instances_get", instance_id=instance.id)})


@operation("/instances", "GET", summary="Search the cases the caller may see", tag="instances",
           query=InstanceQuerySchema, response=InstancePageSchema)
def instances_list():
    """The case search of the cases page (:mod:`web.case_search`), newest case first, over
    the cases the caller may see (:func:`web.access.visible_cases`: partners and customers
    only their own). ``started_after`` is included, ``started_before`` excluded.
    ``total`` counts at most 1,000 cases, as the task list does (1001: more than 1,000).

    :raise 422: an unknown parameter, a bad date-time, status, version or page size, or
        ``started_before`` not after ``started_after``
    """
    user = caller()
    query = load_query(InstanceQuerySchema)
    filters = case_search.CaseFilters(
        process=query["process"], version=query["version"], status=query["status"],
        started_after=query["started_after"], started_before=query["started_before"],
        incident=query["incident"], q=query["q"])
    statement = access.visible_cases(select(ProcessInstance).options(selectinload(ProcessInstance.version)),
                                     user).where(*case_search.clauses(filters)).order_by(ProcessInstance.id.desc())
    rows, total = paginate(statement, query, cap=COUNT_CAP)
    names = process_names(db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.key.in_({row.definition_key for row in rows}))))
    items = [Viewed(row, process_name=names.get(row.definition_key) or row.definition_key) for row in rows]
    return page(InstancePageSchema, items, total, query)


@operation("/instances/<int:instance_id>", "GET", summary="Read an instance and its open tasks",
           tag="instances", response=InstanceSchema, errors=(403, 404))
def instances_get(instance_id):
    """:raise 403: not the caller's case to see  :raise 404: no such instance"""
    return respond(InstanceSchema, instance_view(access.case_for(caller(), instance_id)))


@operation("/instances/<int:instance_id>/history", "GET", summary="Read an instance's audit trail",
           tag="instances", query=PageQuerySchema, response=HistoryPageSchema, errors=(403, 404))
def history_list(instance_id):
    """Every event in order (``seq``): who did what, when, with the data before and after.

    :raise 403: not the caller's case to see  :raise 404: no such instance
    """
    instance = access.case_for(caller(), instance_id)
    query = load_query(PageQuerySchema)
    statement = (select(AuditEvent).where(AuditEvent.stream == f"instance:{instance.id}")
                 .order_by(AuditEvent.seq))
    rows, total = paginate(statement, query)
    return page(HistoryPageSchema, rows, total, query)


@operation("/instances/<int:instance_id>/messages/<name>", "POST", summary="Send a BPMN message",
           tag="instances", body=MessageRequestSchema, response=InstanceSchema, errors=(403, 404, 409))
def messages_create(instance_id, name):
    """Delivers message ``name`` with ``payload`` to an instance waiting for it, from one
    of the senders the message declares (docs/security.md): a role, the case's referrer,
    the holder of an open task; undeclared messages: managers, admins, staff who may
    take an open task of the case, and its starter.

    :raise 403: not one of its senders, or a message only its procedure sends
    :raise 404: no such instance
    :raise 409: the instance has ended or is not waiting for this message
    :raise 422: invalid body, or a payload the message's schema refuses
    """
    user = caller()
    instance = access.get_or_404(ProcessInstance, instance_id)
    rule = process_rules.check_sender(user, instance, name)
    body = load_body(MessageRequestSchema)
    process_rules.check_payload(rule, body["payload"])
    try:
        instance = engine.send_message(instance.id, name, actor=user.username, payload=body["payload"])
    except ConflictError as error:
        raise ConflictError(_("This case is not waiting for the message '%(name)s'.", name=name)) from error
    return respond(InstanceSchema, instance_view(instance))
