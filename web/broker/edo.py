"""The ЭДО page (processes/broker/edo/): the documents sent for signature, where each stands
and whether its case was told; with the development adapter, the simulated counterparty's
buttons (deliver, sign, reject with a reason), which tell the case at once.

:raise 403: anyone but the broker team and admins (every route)
:raise 404: a button when the adapter is not the development one; an unknown document
:raise 409: the simulated counterparty answered that document already
:raise 422: a rejection without a reason (the page again, the field named; nothing stored)
"""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from engine.db import db
from engine.errors import ValidationError
from processes.broker.edo import adapter, development, sync
from processes.broker.edo.models import EdoDocument

from .. import access

bp = Blueprint("broker_edo", __name__, url_prefix="/broker/edo", template_folder="templates")
TEAM = frozenset({"broker_analyst", "broker_lead", "admin"})
STATES = {"queued": _l("Queued"), "sending": _l("Sending"), "sent": _l("Sent"), "delivered": _l("Delivered"),
          "signed": _l("Signed"), "rejected": _l("Rejected"), "failed": _l("Not delivered")}


@bp.before_request
@login_required
def _team_only():
    access.check(bool(access.roles(current_user) & TEAM), _("Only the broker team may open EDO documents."))


def _simulated():
    return adapter.current().name == development.NAME


def _page(*, status=200, errors=None, changed=None):
    return render_template("broker_edo/index.html", documents=sync.documents(), states=STATES,
                           simulated=_simulated(), errors=errors or {}, changed=changed), status


@bp.get("")
def document_index():
    return _page(changed=request.args.get("changed", type=int))


def _answer(document_id, act):
    """Play the counterparty on document ``document_id``, tell its case, back to the list."""
    row = db.session.get(EdoDocument, document_id)
    if not _simulated() or row is None or row.sent_id is None:
        abort(404)
    act(row.sent_id)
    sync.refresh(document_id)
    return redirect(url_for(".document_index", changed=document_id), 303)


@bp.post("/<int:document_id>/deliver")
def document_deliver(document_id):
    return _answer(document_id, development.deliver)


@bp.post("/<int:document_id>/sign")
def document_sign(document_id):
    return _answer(document_id, development.sign)


@bp.post("/<int:document_id>/reject")
def document_reject(document_id):
    reason = request.form.get("reason", "")
    try:
        return _answer(document_id, lambda sent_id: development.reject(sent_id, reason))
    except ValidationError:
        db.session.rollback()
        return _page(status=422, errors={document_id: _("Write the counterparty's reason.")})
