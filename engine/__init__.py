"""The process runtime on SpiffWorkflow.

Public API (each function works on the current Flask app's runtime and database):
:func:`deploy`, :func:`start`, :func:`complete_task`, :func:`send_message`,
:func:`cancel`, :func:`fire_timer`, :func:`correct_data`, :func:`retry`, :func:`register_helper`,
:func:`on_commit`, :func:`begin`.
Each change commits its own transaction and refuses to run over changes its caller left
uncommitted; :func:`begin` makes one transaction of the caller's rows and new cases.
No Flask request, template or blueprint is used below this package.
"""
from flask import current_app

from . import deploy as _deploy
from . import reading as _reading
from . import runtime as _runtime
from . import transaction as _transaction
from .db import db
from .runtime import Runtime

__all__ = ["db", "init_app", "deploy", "deploy_shipped", "deploy_preview", "validate", "register_check",
           "begin", "start", "complete_task", "send_message", "cancel", "fire_timer", "register_helper",
           "register_operator", "on_commit", "get_runtime", "task_data", "case_data", "start_outline",
           "case_variables", "correct_data", "retry"]


def init_app(app):
    from . import db as db_module

    db_module.init_app(app)
    _transaction.watch()
    memory_mb = app.config.get("TASKLANE_SCRIPT_MEMORY_MB", 256)
    app.extensions["tasklane_runtime"] = Runtime(
        script_timeout=app.config.get("TASKLANE_SCRIPT_TIMEOUT_SECONDS", 2.0),
        max_case_bytes=app.config.get("TASKLANE_MAX_CASE_BYTES", 1_000_000),
        script_memory_bytes=memory_mb * 2**20 if memory_mb else None)


def get_runtime():
    return current_app.extensions["tasklane_runtime"]


def register_helper(name, function):
    """Make ``function`` callable as ``name`` in gateway conditions and scripts."""
    get_runtime().register_helper(name, function)


def on_commit(hook):
    """Call ``hook(timers, outbox_rows)`` after each commit that created either."""
    get_runtime().on_commit(hook)


def deploy(source, *, actor, name="diagram", roles=None, lane_roles=None):
    """Deploy a BPMN document or a bundle (engine/bundles.py), its lanes mapped to roles by
    ``lane_roles`` (engine/lanes.py); see :func:`engine.deploy.deploy`."""
    return _deploy.deploy(get_runtime(), source, actor=actor, name=name, roles=roles, lane_roles=lane_roles,
                          max_bytes=current_app.config.get("TASKLANE_MAX_BPMN_BYTES", 2_000_000))


def deploy_shipped(xml, *, actor, name, roles=None):
    """Deploy a shipped diagram file unless the owner's newer version should stay; see
    :func:`engine.deploy.deploy_shipped`."""
    return _deploy.deploy_shipped(get_runtime(), xml, actor=actor, name=name, roles=roles,
                                  max_bytes=current_app.config.get("TASKLANE_MAX_BPMN_BYTES", 2_000_000))


def validate(source, *, name="diagram", roles=None, lane_roles=None):
    """The problems deploying ``source`` would meet, and warnings; see :func:`engine.deploy.validate`."""
    return _deploy.validate(get_runtime(), source, name=name, roles=roles, lane_roles=lane_roles,
                            max_bytes=current_app.config.get("TASKLANE_MAX_BPMN_BYTES", 2_000_000))


def deploy_preview(source, *, name="diagram", roles=None, lane_roles=None):
    """What deploying ``source`` would change, storing nothing; see :func:`engine.preview.preview`."""
    from . import preview

    return preview.preview(get_runtime(), source, name=name, roles=roles, lane_roles=lane_roles,
                                  max_bytes=current_app.config.get("TASKLANE_MAX_BPMN_BYTES", 2_000_000))


def register_operator(name, operator):
    """Make ``operator(params, data) -> result`` what service tasks naming ``name`` call."""
    get_runtime().register_operator(name, operator)


def register_check(check):
    """Check every task of a diagram being deployed or validated: ``check(task_spec) -> problems``,
    or ``check(task_spec, context)`` when marked :func:`engine.checks.with_context` (it sees the
    files deployed with the diagram)."""
    get_runtime().register_check(check)


def begin():
    """A block whose rows commit together with the cases ``start`` begins in it; see
    :func:`engine.transaction.begin`::

        with engine.begin():
            db.session.add(customer)
            db.session.flush()
            engine.start("lead_handling", actor=actor, data={"customer_id": customer.id})
    """
    return _transaction.begin(get_runtime())


def start(key, *, actor, data=None, business_key=None, version=None):
    """Start an instance; see :func:`engine.runtime.start`."""
    return _runtime.start(get_runtime(), key, actor=actor, data=data, business_key=business_key,
                          version=version)


def start_outline(key):
    """The roles of a process's lanes and its start event's form; see :func:`engine.starting.outline`."""
    from . import starting

    return starting.outline(get_runtime(), key)


def complete_task(task_id, *, actor, data=None):
    """Complete a READY user task; see :func:`engine.runtime.complete_task`."""
    return _runtime.complete_task(get_runtime(), task_id, actor=actor, data=data)


def send_message(instance_id, name, *, actor, payload=None, claim=None):
    """Deliver a BPMN message (once, with ``claim``); see :func:`engine.runtime.send_message`."""
    return _runtime.send_message(get_runtime(), instance_id, name, actor=actor, payload=payload,
                                 claim=claim)


def cancel(instance_id, *, actor, reason=None):
    """Cancel a running instance; see :func:`engine.runtime.cancel`."""
    return _runtime.cancel(get_runtime(), instance_id, actor=actor, reason=reason)


def fire_timer(timer_id):
    """Fire a due timer once; see :func:`engine.runtime.fire_timer`."""
    return _runtime.fire_timer(get_runtime(), timer_id)


def case_variables(instance_id):
    """``(data, instance)``: what :func:`correct_data` corrects; see :func:`engine.repair.variables`."""
    from . import repair

    return repair.variables(get_runtime(), instance_id)


def correct_data(instance_id, *, actor, lock_version, values=None, removed=(), reason=None):
    """Set or remove variables of a running case; see :func:`engine.repair.correct_data`."""
    from . import repair

    return repair.correct_data(get_runtime(), instance_id, actor=actor, lock_version=lock_version,
                               values=values, removed=removed, reason=reason)


def retry(instance_id, *, actor, lock_version):
    """Re-run what failed in a case with an incident; see :func:`engine.repair.retry`."""
    from . import repair

    return repair.retry(get_runtime(), instance_id, actor=actor, lock_version=lock_version).instance


def task_data(task_id):
    """What a user task sees now; see :func:`engine.reading.task_data`."""
    return _reading.task_data(get_runtime(), task_id)


def case_data(instance_id):
    """A case's current data; see :func:`engine.reading.case_data`."""
    return _reading.case_data(get_runtime(), instance_id)


def version_forms(version_id):
    """The forms a version's tasks name; see :func:`engine.reading.version_forms`."""
    return _reading.version_forms(get_runtime(), version_id)


def version_diff(version_a, version_b):
    """Elements added, removed and changed between two versions; see :func:`engine.versions.diff`."""
    from . import versions

    return versions.diff(get_runtime(), version_a, version_b)


def redeploy(version, *, actor):
    """Deploy an old version again as the newest; see :func:`engine.versions.redeploy`."""
    from . import versions

    return versions.redeploy(get_runtime(), version, actor=actor)


def migration_dry_run(from_version, to_version):
    """Which running cases could move, and why not; see :func:`engine.migration.dry_run`."""
    from . import migration

    return migration.dry_run(get_runtime(), from_version, to_version)


def migrate(instance_ids, to_version, *, actor, from_version=None):
    """Move running cases to another version; see :func:`engine.migration.migrate`."""
    from . import migration

    return migration.migrate(get_runtime(), instance_ids, to_version, actor=actor, from_version=from_version)
