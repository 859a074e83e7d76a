"""The commissions an admin pays referrers (seed 000, issue 6): filter by state and
referrer, mark one paid.

:raise 403: anyone but an admin
:raise 404: no such commission
:raise 409: the commission was paid already (the page names who paid it; nothing changes)
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import ConflictError
from processes.referrals import payouts as lending_payouts
from processes.referrals.models import COMMISSION_STATES, domain_currency
from web import access
from web.limits import db_int

bp = Blueprint("lending_payouts", __name__, url_prefix="/lending/admin")


@bp.before_request
@login_required
def _admins_only():
    access.check("admin" in access.roles(current_user), _("Only an admin may manage loan referrals."))


def _filters(source):
    state = source.get("state") if source.get("state") in COMMISSION_STATES else None
    referrer = (source.get("referrer") or "").strip()[:80] or None
    return {"state": state, "referrer": referrer}


def _page(filters, page=1, status=200):
    rows, more = lending_payouts.commissions(page=page, **filters)
    return render_template("lending_admin/commissions.html", commissions=rows, more=more, page=page,
                           filters=filters, query={k: v for k, v in filters.items() if v},
                           total=lending_payouts.total(**filters), currency=domain_currency(),
                           referrers=lending_payouts.referrers(), states=COMMISSION_STATES), status


@bp.get("/commissions")
def commission_index():
    return _page(_filters(request.args), max(1, request.args.get("page", 1, type=db_int) or 1))


@bp.post("/commissions/<int:commission_id>/paid")
def commission_pay(commission_id):
    filters = _filters(request.form)
    try:
        paid = lending_payouts.mark_paid(commission_id, actor=current_user.username)
    except ConflictError as error:
        flash(error.message, "error")
        return _page(filters, status=409)
    flash(_("Commission of referral %(id)s marked paid.", id=paid.referral_id), "success")
    return redirect(url_for(".commission_index", **{k: v for k, v in filters.items() if v}))
