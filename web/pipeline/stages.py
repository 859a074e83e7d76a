"""Pipeline stages, named and ordered by an admin (seed 004: "stage names configurable").

:raise 403: anyone but an admin
:raise 422: a stage that is not valid (nothing stored; every problem shown)
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.models import STAGE_KINDS, Stage
from engine.db import db
from engine.errors import ValidationError
from processes.pipeline import stages
from web import access

from .pages import kind_labels

bp = Blueprint("stages", __name__)


def _check_admin():
    access.check("admin" in access.roles(current_user), _("Only an admin may change the pipeline's stages."))


def _page(*, errors=None, values=None, editing=None, status=200):
    rows = stages.ordered(include_inactive=True)
    return render_template("pipeline/stages.html", stages=rows, kinds=STAGE_KINDS, kind_labels=kind_labels(),
                           errors=errors or {}, values=values or {}, editing=editing,
                           next_position=stages.next_position()), status


@bp.get("/pipeline/stages")
@login_required
def stage_index():
    _check_admin()
    return _page()


@bp.post("/pipeline/stages")
@login_required
def stage_create():
    _check_admin()
    return _save(None)


@bp.post("/pipeline/stages/<int:stage_id>")
@login_required
def stage_update(stage_id):
    _check_admin()
    return _save(access.get_or_404(Stage, stage_id))


def _save(stage):
    values = request.form.to_dict()
    values["active"] = request.form.get("active") == "on" if stage is not None else True
    try:
        saved = stages.save(values, stage=stage)
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        flash(_("Please correct the marked fields."), "error")
        return _page(errors=error.fields, values=values, editing=stage.id if stage else "new", status=422)
    flash(_("Stage %(name)s saved.", name=saved.name_vi), "success")
    return redirect(url_for("stages.stage_index"))
