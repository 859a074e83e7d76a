"""The referrer's portal (seed 000, issue 6): a partner's home, the referral form, their
referrals with status and history, cross-sell answers, commissions. Mobile first.

Only users with the ``partner`` role open it, and each sees only their own referrals:
every read goes through processes.referrals.views / processes.referrals.referrals.own with the signed-in
username, so another referrer's referral is a 404, never a 403 that confirms it exists.

:raise 403: any user without the partner role
:raise 404: no such referral of theirs
:raise 409: the customer already has a referral in progress; a cross-sell request no longer open
:raise 422: invalid fields (nothing stored)
"""
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.models import User
from engine.db import db
from engine.errors import ConflictError, ValidationError
from processes.referrals import helpers as referral_process
from processes.referrals import referrals
from processes.referrals import views as referral_views
from processes.referrals.models import CUSTOMER_STATUSES, STATES, Referral, domain_currency
from web import access

from . import portal_forms, portal_texts

bp = Blueprint("portal", __name__, url_prefix="/portal")
LATEST = 5


def partner_required(view):
    """Signed in with the partner role. :raise 403: any other user"""
    @login_required
    @wraps(view)
    def checked(*args, **kwargs):
        access.check("partner" in access.roles(current_user))
        return view(*args, **kwargs)
    return checked


def _me():
    return current_user.username


def _labels():
    return {"state": portal_forms.state_labels(), "status": portal_forms.status_labels(),
            "cross_sell": portal_forms.cross_sell_labels(), "result": portal_forms.result_labels(),
            "progress": portal_forms.progress_labels()}


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


@bp.get("")
@partner_required
def portal_home():
    counts = referral_views.counts_of(_me())
    return render_template("portal/home.html", counts=counts, total=sum(counts.values()),
                           requests=referral_views.open_requests(_me()),
                           latest=referral_views.referrals_of(_me(), limit=LATEST),
                           earnings=referral_views.earnings(_me()), labels=_labels())


@bp.get("/referrals/new")
@partner_required
def referral_new():
    return _form_page({"consultant": "auto"})


def _form_page(values, errors=None, status=200):
    catalogue = portal_forms.companies()
    company = portal_forms.active_company(values.get("company_id"))
    if company is None and len(catalogue) == 1:
        company = catalogue[0][0]
    return render_template("portal/new.html", values=values, errors=errors or {}, catalogue=catalogue,
                           company=company, stars=portal_forms.stars(company), statuses=CUSTOMER_STATUSES,
                           labels=_labels(), currency=domain_currency()), status


@bp.post("/referrals/new")
@partner_required
def referral_create():
    """Store the referral and ask for its case (processes.referrals.helpers.submit_referral).

    :raise 422: invalid fields, each with its message  :raise 409: the customer has one in progress
    """
    data, form_errors = portal_forms.submission(request.form)
    try:
        if form_errors:   # the form's own checks, reported together with crm's
            try:
                referrals.clean(data)
            except ValidationError as error:
                form_errors = {**error.fields, **form_errors}
            raise ValidationError(_("Some fields are not valid."), fields=form_errors)
        row = referral_process.submit_referral(data, actor=_me())
    except ValidationError as error:
        db.session.rollback()
        return _form_page(request.form, portal_forms.field_errors(error.fields), 422)
    except ConflictError as error:
        db.session.rollback()
        return _form_page(request.form, {"phone": error.message}, 409)
    flash(_("Referral sent: %(name)s. We are finding the right consultant.", name=row.customer_name),
          "success")
    return redirect(url_for("portal.referral_show", referral_id=row.id))


@bp.get("/referrals")
@partner_required
def referral_index():
    """The referrer's referrals, newest first, a page of ``referral_views.PAGE`` at a time
    (``?page=``, from 1; a page past the end is simply empty)."""
    state = request.args.get("state")
    state = state if state in STATES else None
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    rows = referral_views.referrals_of(_me(), state=state, limit=referral_views.PAGE + 1,
                                       offset=(page - 1) * referral_views.PAGE)
    return render_template("portal/index.html", rows=rows[:referral_views.PAGE], state=state, states=STATES,
                           page=page, more=len(rows) > referral_views.PAGE,
                           counts=referral_views.counts_of(_me()), labels=_labels())


@bp.get("/referrals/<int:referral_id>")
@partner_required
def referral_show(referral_id):
    """:raise 404: not one of the signed-in referrer's referrals"""
    row = referrals.own(_me(), referral_id)
    events = referral_views.history(row)
    consultant = (db.session.query(User).filter_by(username=row.consultant).one_or_none()
                  if row.consultant else None)
    return render_template("portal/show.html", referral=row, steps=portal_texts.steps(events),
                           adjusted=portal_texts.adjustments(events), consultant=consultant,
                           commission=referral_views.commission_of(row), labels=_labels())


@bp.post("/referrals/<int:referral_id>/cross-sell")
@partner_required
def cross_sell_answer(referral_id):
    """Allow (``approved=yes``) or refuse (``no``) the consultant's cross-sell request.

    :raise 404: not one of the referrer's referrals
    :raise 409: no open request (JSON callers; a browser is sent back with the message)
    :raise 422: ``approved`` is neither yes nor no
    """
    referrals.own(_me(), referral_id)
    approved = {"yes": True, "no": False}.get(request.form.get("approved"))
    if approved is None:
        raise ValidationError(_("Answer yes or no."), fields={"approved": _("Answer yes or no.")})
    back = _safe_back(request.form.get("next")) or url_for("portal.referral_show", referral_id=referral_id)
    try:
        row = referral_process.answer_cross_sell(referral_id, approved, actor=_me())
    except ConflictError as error:
        db.session.rollback()
        if _wants_json():
            raise
        flash(error.message, "error")
        return redirect(back)
    if _wants_json():
        return jsonify(id=row.id, cross_sell_state=row.cross_sell_state)
    flash(_("Thank you: the consultant may offer %(product)s.", product=row.cross_sell_product.name)
          if approved else _("Thank you: the consultant will not offer another product."), "success")
    return redirect(back)


def _safe_back(target):
    """Only a path of this portal, never another site."""
    parts = urlsplit(target or "")
    ok = target and not parts.scheme and not parts.netloc and target.startswith("/portal")
    return target if ok else None


@bp.get("/commissions")
@partner_required
def commission_index():
    earnings = referral_views.earnings(_me())
    ids = {row.referral_id for row in earnings.rows}
    names = dict(db.session.query(Referral.id, Referral.customer_name).filter(Referral.id.in_(ids),
                                                                               Referral.referrer == _me()))
    return render_template("portal/commissions.html", earnings=earnings, names=names)


@bp.get("/stars")
@partner_required
def star_index():
    """The suggested consultants of ``company_id``: the form's fragment, or JSON when asked."""
    company = portal_forms.active_company(request.args.get("company_id"))
    stars = portal_forms.stars(company)
    if _wants_json():
        return jsonify(items=[{"username": s.username, "full_name": s.full_name, "phone": s.phone,
                               "rate_percent": round(s.rate * 100), "median_days": s.median_days,
                               "load": s.load} for s in stars])
    return render_template("portal/_stars.html", company=company, stars=stars,
                           values={"consultant": request.args.get("consultant", "auto")}, errors={})
