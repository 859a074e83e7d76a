"""The admin's pages of the partners' commissions (issue 15, step 12): the commission
policies (the rate per credit product or for every product, with the days it is in force:
list, add, end) and the payouts (commissions earned and paid with totals, mark one paid).

:raise 403: anyone but an admin
:raise 404: no such policy or commission
:raise 409: the commission was paid already (the page names who paid it; nothing changes)
:raise 422: a policy refused (every field named; an overlap names the policy it overlaps)
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import ConflictError, ValidationError
from processes.broker import commission_policies, commissions, deals
from processes.broker.commission_models import COMMISSION_STATES, DEFAULT_RATE, CommissionPolicy
from processes.broker.models import domain_currency
from web import access
from web.limits import db_int

bp = Blueprint("broker_commissions", __name__, url_prefix="/broker/admin", template_folder="templates")


@bp.before_request
@login_required
def _admins_only():
    access.check("admin" in access.roles(current_user), _("Only an admin may manage partners' commissions."))


def _product_name(product):
    lang = str(get_locale() or "ru")[:2]
    return getattr(product, f"name_{lang}", None) or product.name_ru


def _policies_page(*, errors=None, values=None, editing=None, status=200):
    today = commissions.today()
    rows = commission_policies.policies()
    in_force = {p.id for p in rows if p.valid_from <= today and (p.valid_to is None or p.valid_to >= today)}
    return render_template(
        "broker_commissions/policies.html", policies=rows, today=today, in_force=in_force,
        used=commission_policies.last_used([p.id for p in rows]), products=deals.products(),
        product_name=_product_name, default_rate=DEFAULT_RATE, errors=errors or {}, values=values or {},
        editing=editing), status


def _refused(error, values, editing):
    flash(_("Please correct the marked fields."), "error")
    return _policies_page(errors=error.fields, values=values, editing=editing, status=422)


@bp.get("/commission-policies")
def policy_index():
    return _policies_page()


@bp.post("/commission-policies")
def policy_create():
    values = request.form.to_dict()
    try:
        commission_policies.add_policy(values, actor=current_user.username)
    except ValidationError as error:
        return _refused(error, values, "new")
    flash(_("Commission policy added."), "success")
    return redirect(url_for(".policy_index"))


@bp.post("/commission-policies/<int:policy_id>/end")
def policy_end(policy_id):
    access.get_or_404(CommissionPolicy, policy_id)
    values = request.form.to_dict()
    try:
        commission_policies.end_policy(policy_id, values, actor=current_user.username)
    except ValidationError as error:
        return _refused(error, values, policy_id)
    flash(_("The commission policy ends on the day you set."), "success")
    return redirect(url_for(".policy_index"))


def _filters(source):
    state = source.get("state") if source.get("state") in COMMISSION_STATES else None
    partner = (source.get("partner") or "").strip()[:80] or None
    return {"state": state, "partner": partner}


def _payouts_page(filters, page=1, status=200):
    per_page = commissions.PER_PAGE
    rows, total = commissions.listed(limit=per_page, offset=(page - 1) * per_page, **filters)
    return render_template(
        "broker_commissions/commissions.html", commissions=rows, more=total > page * per_page, page=page,
        filters=filters, query={k: v for k, v in filters.items() if v}, currency=domain_currency(),
        totals=commissions.totals(partner=filters["partner"]), partners=commissions.partners(),
        states=COMMISSION_STATES), status


@bp.get("/commissions")
def commission_index():
    return _payouts_page(_filters(request.args), max(1, request.args.get("page", 1, type=db_int) or 1))


@bp.post("/commissions/<int:commission_id>/paid")
def commission_pay(commission_id):
    filters = _filters(request.form)
    try:
        paid = commissions.mark_paid(commission_id, actor=current_user.username)
    except ConflictError as error:
        flash(error.message, "error")
        return _payouts_page(filters, status=409)
    flash(_("Commission on deal %(id)s marked paid.", id=paid.deal_id), "success")
    return redirect(url_for(".commission_index", **{k: v for k, v in filters.items() if v}))
