"""Deployed processes (issue 5): the list, one process's versions, a diff between two
versions, deploying an old version again, and moving running cases between versions.

Process owners, admins, managers and auditors read; process owners and admins deploy
again and migrate (see docs/versions.md).

:raise 403: other roles; readers on the changing pages and posts
:raise 404: no such process or version
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

import engine
from engine import versions
from engine.db import db
from engine.errors import NotFoundError
from engine.models import ProcessDefinition, ProcessInstance, ProcessVersion

from . import access

bp = Blueprint("processes", __name__)
READERS = frozenset({"process_owner", "admin", "auditor", "manager"})
MAX_BATCH = 500

WHAT = {
    "name": _l("name"), "type": _l("type"), "script": _l("script"), "condition": _l("condition"),
    "timer": _l("timer"), "event": _l("event"), "lane": _l("lane"), "incoming": _l("incoming flows"),
    "outgoing": _l("outgoing flows"), "documentation": _l("documentation"), "form": _l("form"),
    "property": _l("property"), "instructions": _l("instructions"), "other": _l("other"),
}
# SpiffWorkflow's task-spec class names (engine.versions diff elements' "type") as a reader says them.
TYPES = {
    "UserTask": _l("User task"), "ManualTask": _l("Manual task"), "ScriptTask": _l("Script task"),
    "ServiceTask": _l("Service task"), "BusinessRuleTask": _l("Business rule task"),
    "SendTask": _l("Send task"),
    "ReceiveTask": _l("Receive task"), "NoneTask": _l("Task"), "CallActivity": _l("Call activity"),
    "SubWorkflowTask": _l("Sub-process"), "TransactionSubprocess": _l("Transaction"),
    "EventSubprocess": _l("Event sub-process"), "StartEvent": _l("Start event"), "EndEvent": _l("End event"),
    "IntermediateCatchEvent": _l("Intermediate catch event"),
    "IntermediateThrowEvent": _l("Intermediate throw event"), "BoundaryEvent": _l("Boundary event"),
    "ExclusiveGateway": _l("Exclusive gateway"), "ParallelGateway": _l("Parallel gateway"),
    "InclusiveGateway": _l("Inclusive gateway"), "EventBasedGateway": _l("Event-based gateway"),
}
REASONS = {
    "task_missing": _l("It waits at “%(name)s” (%(element)s), which the new version does not have."),
    "type_changed": _l("It waits at “%(name)s” (%(element)s), which has another type in the new version."),
    "history_missing": _l("It still holds the finished step %(element)s, "
                          "which the new version does not have."),
    "subprocess_missing": _l("It is inside the called process %(element)s, "
                             "which the new version does not have."),
    "not_running": _l("The case is no longer running."),
    "already_there": _l("The case is already on this version."),
    "moved": _l("The case was moved to another version meanwhile."),
    "other_process": _l("The case belongs to another process."),
}


def _check_reader():
    access.check(bool(access.roles(current_user) & READERS))


def _check_deployer():
    access.check(access.may_deploy(current_user))


def _definition(key):
    definition = db.session.scalar(select(ProcessDefinition).filter_by(key=key))
    if definition is None:
        raise NotFoundError(_("Not found."))
    return definition


def _version(key, number):
    try:
        return versions.version_of(key, int(number))
    except (NotFoundError, TypeError, ValueError):
        raise NotFoundError(_("Not found.")) from None


def explain(outcome_reason):
    """A reason a case cannot move, in the reader's language."""
    template = REASONS.get(outcome_reason["code"])
    if template is None:
        return outcome_reason["message"]
    return str(template) % {"name": outcome_reason.get("name") or outcome_reason.get("element"),
                            "element": outcome_reason.get("element")}


def _link(endpoint, **values):
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


@bp.get("/processes")
@login_required
def process_index():
    _check_reader()
    definitions = db.session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key)).all()
    counts = {}
    for key, status, n in db.session.execute(
            select(ProcessInstance.definition_key, ProcessInstance.status, func.count())
            .group_by(ProcessInstance.definition_key, ProcessInstance.status)):
        counts.setdefault(key, {})[status] = n
    return render_template("processes/index.html", definitions=definitions, counts=counts,
                           new_link=_link("modeler.modeler_new") if access.may_deploy(current_user) else None)


@bp.get("/processes/<key>")
@login_required
def process_show(key):
    _check_reader()
    definition = _definition(key)
    rows = db.session.scalars(select(ProcessVersion).filter_by(definition_id=definition.id)
                              .order_by(ProcessVersion.version.desc())).all()
    running = dict(db.session.execute(
        select(ProcessInstance.version_id, func.count()).where(
            ProcessInstance.definition_key == key, ProcessInstance.status == "running")
        .group_by(ProcessInstance.version_id)).all())
    may_change = access.may_deploy(current_user)
    return render_template(
        "processes/show.html", definition=definition, versions=rows, running=running, may_change=may_change,
        modeler_link=_link("modeler.modeler_edit", key=key) if may_change else None,
        dashboard_link=_link("dashboard.dashboard_index", process=key))


@bp.get("/processes/<key>/diff")
@login_required
def process_diff(key):
    _check_reader()
    definition = _definition(key)
    a, b = _version(key, request.args.get("a")), _version(key, request.args.get("b"))
    return render_template("processes/diff.html", definition=definition, a=a, b=b,
                           diff=engine.version_diff(a, b), what=WHAT, types=TYPES)


@bp.post("/processes/<key>/versions/<int:number>/redeploy")
@login_required
def process_redeploy(key, number):
    _check_deployer()
    version, created = engine.redeploy(_version(key, number), actor=current_user.username)
    if created:
        flash(_("Version %(old)d was deployed again as version %(new)d.", old=number, new=version.version),
              "success")
    else:
        flash(_("Version %(num)d is already the latest; nothing changed.", num=number), "success")
    return redirect(url_for("processes.process_show", key=key))


def _pair(key):
    values = request.form if request.method == "POST" else request.args
    source, target = _version(key, values.get("from")), _version(key, values.get("to"))
    return source, target


@bp.get("/processes/<key>/migrate")
@login_required
def process_migrate_check(key):
    """The dry run: which running cases of ``from`` can move to ``to``, and why the others cannot."""
    _check_deployer()
    definition = _definition(key)
    source, target = _pair(key)
    if source.id == target.id:
        flash(_("Choose two different versions."), "error")
        return redirect(url_for("processes.process_show", key=key))
    outcomes = engine.migration_dry_run(source, target)
    return render_template("processes/migrate.html", definition=definition, source=source, target=target,
                           outcomes=outcomes, explain=explain)


@bp.post("/processes/<key>/migrate")
@login_required
def process_migrate(key):
    """Move the chosen cases; the result page lists each case's outcome."""
    _check_deployer()
    definition = _definition(key)
    source, target = _pair(key)
    ids = sorted({int(v) for v in request.form.getlist("instance_id") if v.isdigit()})[:MAX_BATCH]
    if not ids:
        flash(_("Choose at least one case to move."), "error")
        return redirect(url_for("processes.process_migrate_check", key=key, **{"from": source.version,
                                                                                 "to": target.version}))
    outcomes = engine.migrate(ids, target, actor=current_user.username, from_version=source)
    moved = sum(1 for o in outcomes if o.status == "migrated")
    return render_template("processes/migrated.html", definition=definition, source=source, target=target,
                           outcomes=outcomes, moved=moved, explain=explain, labels=_statuses())


def _statuses():
    return {"migrated": _("Moved"), "refused": _("Not moved"), "failed": _("Failed"),
            "movable": _("Can move")}

