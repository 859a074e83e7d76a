"""Deploying a form from the editor with the processes that show it (docs/forms.md "Forms travel
with the process").

Each chosen process gets a new version: its latest version's diagram and files, with the
form (and its UI schema) as edited replacing the file of that name or joining them
(:func:`forms.usage.bundle_with_form`). The review shows, per process, what the deploy
would change, as the modeler's does, and the problems the deploy check finds; the deploy
itself is an ordinary deploy (checked, audited as ``version_deployed``). Cases already
running keep the form of the version they started on.

:raise 403: anyone but a process owner or an admin
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import engine
from accounts import service
from engine.errors import ConflictError, DeployError, ValidationError
from forms import usage

from ..processes import TYPES, WHAT
from .editor import bp, check_owner, posted, texts


def _plans(editor):
    """``[(version, bundle)]``: the latest version of each chosen process, and what deploying the
    form with it deploys.

    :raise ValidationError: no process chosen, or one that is not deployed
    """
    latest = {u.key: u.version for u in editor.uses} | {v.definition.key: v for v in editor.others}
    if not editor.chosen:
        raise ValidationError(_("Choose at least one process to deploy the form with."))
    unknown = sorted(editor.chosen - set(latest))
    if unknown:
        raise ValidationError(_("These processes are not deployed: %(keys)s", keys=", ".join(unknown)))
    return [(latest[key], usage.bundle_with_form(latest[key], editor.key, editor.schema, editor.ui_key,
                                                 editor.ui))
            for key in sorted(editor.chosen)]


def _reviewed(version, bundle):
    """``(previews, problems)`` of deploying ``bundle`` over ``version``'s process."""
    try:
        return engine.deploy_preview(bundle, name=bundle.name, roles=service.role_names(),
                                     lane_roles=version.lane_roles)
    except DeployError as error:
        return [], [{"severity": "error", **p} for p in error.problems]


@bp.post("/forms/<key>/deploy/preview")
@login_required
def form_deploy_preview(key):
    """The review of deploying the posted form with the chosen processes (an HTML fragment for
    the editor; a refusal is shown in its place, with HTTP 200)."""
    check_owner()
    editor = posted(key)
    try:
        texts(editor)
        plans = _plans(editor)
    except ValidationError as error:
        return render_template("formeditor/_deploy_preview.html", error=error.message, reviews=[])
    named = {u.key for u in editor.uses}
    reviews = [(version, version.definition.key in named, *_reviewed(version, bundle))
               for version, bundle in plans]
    valid = not any(p["severity"] == "error" for *_head, problems in reviews for p in problems)
    deployable = valid and any(not p.unchanged for *_head, previews, _problems in reviews for p in previews)
    return render_template("formeditor/_deploy_preview.html", error=None, reviews=reviews, editor=editor,
                           valid=valid, deployable=deployable, what=WHAT, types=TYPES)


@bp.post("/forms/<key>/deploy")
@login_required
def form_deploy(key):
    """Deploy the posted form with the chosen processes, a new version of each; back to the editor.

    :raise 409: a chosen process got a newer version since the review (naming who deployed it);
        the editor is shown again with the texts as posted
    :raise 422: invalid JSON, no process chosen, or the deploy check refuses (its problems shown)
    """
    check_owner()
    editor = posted(key)
    try:
        texts(editor)
        plans = _plans(editor)
        _check_reviewed(plans)
        _check_valid(editor, plans)
    except ConflictError as error:
        return _again(editor, error.message, 409)
    except ValidationError as error:
        return _again(editor, error.message, 422)
    deployed = []
    for version, bundle in plans:
        deployed += engine.deploy(bundle, actor=current_user.username, name=bundle.name,
                                  roles=service.role_names(), lane_roles=version.lane_roles)
    for version, created in deployed:
        if created:
            flash(_("%(process)s: version %(number)d deployed with the form.", process=version.definition.key,
                    number=version.version), "success")
        else:
            flash(_("%(process)s: nothing changed; version %(number)d stays.", process=version.definition.key,
                    number=version.version), "info")
    first = plans[0][0].definition.key
    process = first if first in {u.key for u in editor.uses} else None
    return redirect(url_for("formeditor.form_edit", key=key, process=process))


def _check_reviewed(plans):
    """:raise ConflictError: a process has a newer version than the one the owner reviewed"""
    for version, _bundle in plans:
        reviewed = request.form.get(f"based_on-{version.definition.key}", type=int)
        if reviewed is not None and reviewed != version.version:
            raise ConflictError(_(
                "%(process)s has a new version %(number)d, deployed by %(who)s after your review; review "
                "the deploy again.", process=version.definition.key, number=version.version,
                who=version.deployed_by), winner=version.deployed_by)


def _check_valid(editor, plans):
    """:raise ValidationError: the deploy check refuses a bundle (``editor.refusals`` says why)"""
    for version, bundle in plans:
        problems = engine.validate(bundle, name=bundle.name, roles=service.role_names(),
                                   lane_roles=version.lane_roles)
        errors = [p for p in problems if p["severity"] == "error"]
        if errors:
            editor.refusals.append((version.definition.key, errors))
    if editor.refusals:
        raise ValidationError(_("The form was not deployed: the deploy check refused it."))


def _again(editor, message, status):
    editor.error = message
    return render_template("formeditor/edit.html", **editor.context()), status
