"""Repairing a case with an incident: correcting its data and retrying what failed, from its
page (process owners and admins, ``CASE`` "repair") and through the API (web/api/repair.py),
both through :func:`correct` and :func:`retry` (docs/runtime.md "Incidents").

:raise 403: not a process owner or admin
:raise 404: no such case
:raise 409: the case changed since it was read (another retry won), has no incident, or has ended
:raise 422: data that is not a JSON object of variables; a retry that failed again (the
    incident is recorded again)
"""
import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import engine
from accounts.service import full_names
from engine import repair
from engine.errors import ConflictError, IncidentError, ValidationError

from . import access
from .cases import case_show
from .errors import incident_message
from .limits import db_int

bp = Blueprint("case_repair", __name__)
MAX_REASON = 2000


def problem_messages():
    return {"not_a_name": _("Not a name a script can read: letters, digits and underscores, not starting "
                            "with a digit, and not a Python keyword such as 'class'."),
            "unknown": _("The case holds no such variable."),
            "too_large": _("The case's data would grow past its size limit.")}


def shown(data):
    """``data`` as JSON values, as the form and the API show it (a date as its ISO text)."""
    return json.loads(json.dumps(data, default=str))


def correct(user, instance_id, *, values, removed=(), reason=None, lock_version):
    """Correct the case's variables as ``user``; see :func:`engine.correct_data`.

    :raises ConflictError: changed meanwhile (naming by whom) or ended, translated
    :raises ValidationError: a bad name or too much data, per variable, translated
    """
    try:
        return engine.correct_data(instance_id, actor=user.username, lock_version=lock_version,
                                   values=values, removed=removed, reason=reason)
    except repair.DataCorrectionError as error:
        texts = problem_messages()
        raise ValidationError(_("Some variables cannot be stored."),
                              fields={name: texts[code] for name, code in error.problems.items()}) from error
    except ConflictError as error:
        raise _translated(error) from error


def retry(user, instance_id, *, lock_version):
    """Retry what failed in the case as ``user``; see :func:`engine.retry`.

    :raises ConflictError: changed meanwhile, no incident, or cancelled, translated
    :raises IncidentError: it failed again (marked ``retried`` for the message)
    """
    try:
        return engine.retry(instance_id, actor=user.username, lock_version=lock_version)
    except ConflictError as error:
        raise _translated(error) from error
    except IncidentError as error:
        error.retried = True
        raise


def _translated(error):
    if isinstance(error, repair.CaseChangedError):
        name = full_names({error.winner}).get(error.winner, error.winner) if error.winner else "?"
        return ConflictError(_("This case has changed since you opened it (last by %(name)s). Reload it and "
                               "try again.", name=name), winner=error.winner)
    if isinstance(error, repair.NoIncidentError):
        return ConflictError(_("This case has no incident to retry."))
    if isinstance(error, repair.CaseEndedError):
        return ConflictError(_("This case has ended: its data can no longer be corrected, and a cancelled "
                               "case is not retried."))
    return error


def _case(instance_id):
    return access.case_for(current_user, instance_id, "repair")


def _form(instance, data, *, text=None, reason="", errors=None, status=200):
    text = json.dumps(shown(data), ensure_ascii=False, indent=2, sort_keys=True) if text is None else text
    return render_template("cases/data_edit.html", instance=instance, text=text, reason=reason,
                           errors=errors or {}, lock_version=instance.lock_version), status


@bp.get("/cases/<int:instance_id>/data")
@login_required
def case_data_edit(instance_id):
    """The case's variables as JSON, to correct. :raise 409: the case has ended"""
    _case(instance_id)
    data, instance = engine.case_variables(instance_id)
    if instance.status != "running":
        raise _translated(repair.CaseEndedError(instance.status))
    return _form(instance, data)


@bp.post("/cases/<int:instance_id>/data")
@login_required
def case_data_update(instance_id):
    """:raise 422: not a JSON object, a bad name  :raise 409: changed meanwhile, or ended"""
    _case(instance_id)
    data, instance = engine.case_variables(instance_id)
    text, reason = request.form.get("data", ""), request.form.get("reason", "").strip()[:MAX_REASON]
    try:
        lock_version = _lock_version()
        wanted = _object(text)
        current = shown(data)
        correction = correct(current_user, instance.id, values={k: v for k, v in wanted.items()
                                                                if k not in current or current[k] != v},
                             removed=[k for k in current if k not in wanted], reason=reason or None,
                             lock_version=lock_version)
    except ValidationError as error:
        flash(error.message, "error")
        return _form(instance, data, text=text, reason=reason, errors=error.fields, status=422)
    except ConflictError as error:
        flash(error.message, "error")
        data, instance = engine.case_variables(instance_id)
        return _form(instance, data, reason=reason, status=409)
    flash(_("The case's data was corrected.") if correction.changed else _("The case's data is unchanged."),
          "success")
    return redirect(url_for("cases.case_show", instance_id=instance.id))


def _lock_version():
    """The ``lock_version`` the form was shown with. :raises ValidationError: none"""
    value = request.form.get("lock_version", type=db_int)
    if value is None:
        raise ValidationError(_("The form is incomplete. Reload the case and try again."),
                              fields={"lock_version": _("This field is required.")})
    return value


def _object(text):
    """:raises ValidationError: not JSON, or not an object"""
    try:
        value = json.loads(text)
    except ValueError as error:
        message = _("This is not valid JSON (line %(line)s, column %(column)s).",
                    line=getattr(error, "lineno", 1), column=getattr(error, "colno", 1))
        raise ValidationError(message, fields={"data": message}) from error
    if not isinstance(value, dict):
        message = _("Write the variables as one JSON object: {\"name\": value, ...}.")
        raise ValidationError(message, fields={"data": message})
    return value


@bp.post("/cases/<int:instance_id>/retry")
@login_required
def case_retry(instance_id):
    """:raise 409: changed meanwhile, no incident, or cancelled  :raise 422: it failed again"""
    _case(instance_id)
    try:
        retry(current_user, instance_id, lock_version=_lock_version())
    except ValidationError as error:
        flash(error.message, "error")
        return case_show(instance_id), 422
    except ConflictError as error:
        flash(error.message, "error")
        return case_show(instance_id), 409
    except IncidentError as error:
        flash(incident_message(error), "error")
        return case_show(instance_id), 422
    flash(_("The case was retried and goes on."), "success")
    return redirect(url_for("cases.case_show", instance_id=instance_id))
