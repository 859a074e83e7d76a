"""Repairing a case with an incident over the API: read and correct its variables, retry what
failed (docs/runtime.md "Incidents"); the same checks as the case page (:mod:`web.case_repair`)."""
import engine

from .. import access, case_repair
from .common import caller, load_body, respond
from .instances import instance_view
from .registry import operation
from .schemas import (
    CaseDataSchema,
    DataCorrectionRequestSchema,
    DataCorrectionSchema,
    InstanceSchema,
    RetryRequestSchema,
)


@operation("/instances/<int:instance_id>/data", "GET", summary="Read a case's variables", tag="instances",
           response=CaseDataSchema, errors=(403, 404))
def instance_data_get(instance_id):
    """The variables the case's next steps read (the data of the tasks it waits at), its
    ``lock_version`` and its incident, for process owners and admins.

    :raise 403: not a process owner or admin  :raise 404: no such case
    """
    access.case_for(caller(), instance_id, "repair")
    data, instance = engine.case_variables(instance_id)
    return respond(CaseDataSchema, {"data": case_repair.shown(data), "lock_version": instance.lock_version,
                                    "error": instance.error})


@operation("/instances/<int:instance_id>/data", "PATCH", summary="Correct a case's variables",
           tag="instances", body=DataCorrectionRequestSchema, response=DataCorrectionSchema,
           errors=(403, 404, 409))
def instance_data_update(instance_id):
    """Sets the variables of ``set`` and removes those of ``unset`` in the data of a running
    case, as read at ``lock_version``. Nothing runs, and an incident stays until it is
    retried (``POST /instances/<id>/retry``). Audited as ``data_corrected`` with the old
    and new values and the ``reason``. Values equal to the stored ones change nothing
    (``changed: false``, nothing written).

    :raise 403: not a process owner or admin
    :raise 404: no such case
    :raise 409: the case changed since ``lock_version`` (``winner``: who changed it last), or
        has ended
    :raise 422: a name a script cannot read, a removed variable the case does not hold, data
        past the case's size limit (``fields`` names each variable)
    """
    user = caller()
    access.case_for(user, instance_id, "repair")
    body = load_body(DataCorrectionRequestSchema)
    correction = case_repair.correct(user, instance_id, values=body["set"], removed=body["unset"],
                                     reason=body["reason"], lock_version=body["lock_version"])
    instance = correction.instance or engine.case_variables(instance_id)[1]
    return respond(DataCorrectionSchema, {"changed": correction.changed, "before": correction.before,
                                          "after": correction.after, "removed": correction.removed,
                                          "instance": instance_view(instance)})


@operation("/instances/<int:instance_id>/retry", "POST",
           summary="Retry what failed in a case with an incident", tag="instances",
           body=RetryRequestSchema, response=InstanceSchema, errors=(403, 404, 409))
def instances_retry(instance_id):
    """Re-runs what failed, in one change: a parked timer fires again, engine steps left
    ready run, failed starts of other processes are queued again; then the case is checked
    for being stuck. Success clears the incident (``error`` null) with an ``incident_retried``
    event; a case that waits for a person (a task whose completion failed) is cleared and
    the task is completed again.

    :raise 403: not a process owner or admin
    :raise 404: no such case
    :raise 409: the case changed since ``lock_version`` (another retry won), has no incident,
        or was cancelled
    :raise 422: it failed again (``script_error``, ``stuck``, ...): nothing of the retry is
        stored and the incident is recorded again
    """
    user = caller()
    access.case_for(user, instance_id, "repair")
    body = load_body(RetryRequestSchema)
    instance = case_repair.retry(user, instance_id, lock_version=body["lock_version"])
    return respond(InstanceSchema, instance_view(instance))
