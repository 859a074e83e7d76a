"""The admin pages of loan referrals (seed 000, issue 6): finance companies, their loan
products, commission policies, the companies each consultant serves, and the procedure's
settings. Commission payouts: web/referrals/payouts.py.

:raise 403: anyone but an admin (every page of the blueprint)
:raise 404: no such company, product, policy or consultant
:raise 422: invalid input (nothing stored; every problem shown next to its field)
"""
from datetime import datetime, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.durations import after
from engine.errors import ValidationError
from processes.referrals import admin as lending_admin
from processes.referrals import consultants
from processes.referrals import settings as referral_settings
from processes.referrals.models import (
    CommissionPolicy,
    FinanceCompany,
    LoanProduct,
    business_today,
    domain_currency,
)
from processes.referrals.referrals import commission_policy
from web import access

bp = Blueprint("lending_admin", __name__, url_prefix="/lending/admin")


@bp.before_request
@login_required
def _admins_only():
    # One check for the whole blueprint, so a page added later cannot forget it.
    access.check("admin" in access.roles(current_user), _("Only an admin may manage loan referrals."))


def _invalid(error, render, **context):
    flash(_("Please correct the marked fields."), "error")
    return render(errors=error.fields, status=422, **context)


def _checked(name):
    return request.form.get(name) == "on"


# Finance companies ------------------------------------------------------------------------------

def _companies_page(*, errors=None, values=None, editing=None, status=200):
    return render_template("lending_admin/companies.html", companies=lending_admin.companies(),
                           errors=errors or {}, values=values or {}, editing=editing,
                           currency=domain_currency()), status


@bp.get("/companies")
def company_index():
    return _companies_page()


@bp.post("/companies")
def company_create():
    return _save_company(None)


@bp.post("/companies/<int:company_id>")
def company_update(company_id):
    return _save_company(access.get_or_404(FinanceCompany, company_id))


def _save_company(company):
    values = request.form.to_dict()
    values["active"] = _checked("active") if company is not None else True
    editing = company.id if company is not None else "new"
    try:
        saved = lending_admin.save_company(values, actor=current_user.username, company=company)
    except ValidationError as error:
        return _invalid(error, _companies_page, values=values, editing=editing)
    flash(_("Finance company %(name)s saved.", name=saved.name), "success")
    return redirect(url_for(".company_index"))


# Loan products --------------------------------------------------------------------------------

@bp.get("/products")
def product_index():
    """The products of the first company (the page switches between companies)."""
    first = next(iter(lending_admin.companies()), None)
    if first is None:
        return render_template("lending_admin/products.html", company=None, companies=[], products=[],
                               errors={}, values={}, editing=None, currency=domain_currency())
    return redirect(url_for(".product_list", company_id=first.id))


def _products_page(company, *, errors=None, values=None, editing=None, status=200):
    return render_template("lending_admin/products.html", company=company,
                           companies=lending_admin.companies(), products=lending_admin.products(company.id),
                           errors=errors or {}, values=values or {}, editing=editing,
                           currency=domain_currency()), status


@bp.get("/companies/<int:company_id>/products")
def product_list(company_id):
    return _products_page(access.get_or_404(FinanceCompany, company_id))


@bp.post("/companies/<int:company_id>/products")
def product_create(company_id):
    return _save_product(access.get_or_404(FinanceCompany, company_id), None)


@bp.post("/products/<int:product_id>")
def product_update(product_id):
    product = access.get_or_404(LoanProduct, product_id)
    return _save_product(product.company, product)


def _save_product(company, product):
    values = request.form.to_dict()
    values["active"] = _checked("active") if product is not None else True
    editing = product.id if product is not None else "new"
    company_id = company.id
    try:
        saved = lending_admin.save_product(values, actor=current_user.username, company_id=company_id,
                                           product=product)
    except ValidationError as error:
        company = access.get_or_404(FinanceCompany, company_id)
        return _invalid(error, lambda **kw: _products_page(company, **kw), values=values, editing=editing)
    flash(_("Loan product %(name)s saved.", name=saved.name), "success")
    return redirect(url_for(".product_list", company_id=company_id))


# Commission policies --------------------------------------------------------------------------

@bp.get("/policies")
def policy_index():
    """Every product with the commission in force today."""
    today = business_today()
    rows = [(product, commission_policy(product.id, today)) for product in lending_admin.products()]
    return render_template("lending_admin/policies.html", rows=rows, today=today)


def _policies_page(product, *, errors=None, values=None, editing=None, status=200):
    today = business_today()
    rows = lending_admin.policies(product.id)
    in_force = commission_policy(product.id, today)
    return render_template(
        "lending_admin/product_policies.html", product=product, policies=rows, today=today,
        in_force_id=in_force.id if in_force else None,
        used=lending_admin.used_policy_ids([p.id for p in rows]),
        errors=errors or {}, values=values or {}, editing=editing,
                           currency=domain_currency()), status


@bp.get("/products/<int:product_id>/policies")
def policy_list(product_id):
    return _policies_page(access.get_or_404(LoanProduct, product_id))


@bp.post("/products/<int:product_id>/policies")
def policy_create(product_id):
    product = access.get_or_404(LoanProduct, product_id)
    values = request.form.to_dict()
    try:
        lending_admin.add_policy(product_id, values, actor=current_user.username)
    except ValidationError as error:
        product = access.get_or_404(LoanProduct, product_id)
        return _invalid(error, lambda **kw: _policies_page(product, **kw), values=values, editing="new")
    flash(_("Commission policy of %(name)s added.", name=product.name), "success")
    return redirect(url_for(".policy_list", product_id=product_id))


@bp.post("/policies/<int:policy_id>/end")
def policy_end(policy_id):
    product_id = access.get_or_404(CommissionPolicy, policy_id).product_id
    values = request.form.to_dict()
    try:
        lending_admin.end_policy(policy_id, values.get("valid_to"), actor=current_user.username)
    except ValidationError as error:
        return _policy_refused(product_id, error, values, policy_id)
    flash(_("The commission policy ends on the day you set."), "success")
    return redirect(url_for(".policy_list", product_id=product_id))


@bp.post("/policies/<int:policy_id>/delete")
def policy_delete(policy_id):
    product_id = access.get_or_404(CommissionPolicy, policy_id).product_id
    try:
        lending_admin.delete_policy(policy_id, actor=current_user.username)
    except ValidationError as error:
        return _policy_refused(product_id, error, {}, policy_id)
    flash(_("The commission policy was deleted."), "success")
    return redirect(url_for(".policy_list", product_id=product_id))


def _policy_refused(product_id, error, values, policy_id):
    product = access.get_or_404(LoanProduct, product_id)
    if "policy" in error.fields:      # used: the reason is the whole message, not a field's
        flash(error.fields["policy"], "error")
        return _policies_page(product, status=422)
    return _invalid(error, lambda **kw: _policies_page(product, **kw), values=values, editing=policy_id)


# Consultants ----------------------------------------------------------------------------------

def _consultants_page(*, errors=None, values=None, editing=None, status=200):
    people = consultants.consultants()
    return render_template("lending_admin/consultants.html", people=people,
                           served=lending_admin.served([p.username for p in people]),
                           companies=lending_admin.companies(), errors=errors or {}, values=values or {},
                           editing=editing), status


@bp.get("/consultants")
def consultant_index():
    return _consultants_page()


@bp.post("/consultants/<username>")
def consultant_update(username):
    values = {"phone": request.form.get("phone", ""), "companies": request.form.getlist("companies")}
    try:
        lending_admin.save_consultant(username, values, actor=current_user.username)
    except ValidationError as error:
        return _invalid(error, _consultants_page, values=values, editing=username)
    flash(_("Consultant %(name)s saved.", name=username), "success")
    return redirect(url_for(".consultant_index"))


# Procedure settings ---------------------------------------------------------------------------

def _readable(values):
    """Each duration in words ("2 hours"), next to the ISO 8601 text the admin edits."""
    probe = datetime(2026, 1, 1, tzinfo=timezone.utc)
    words = {}
    for key in referral_settings.DURATIONS:
        try:
            words[key] = format_timedelta(after(probe, values[key]) - probe, threshold=1.1)
        except ValueError:
            words[key] = ""
    return words


def _settings_page(*, errors=None, values=None, status=200):
    stored = referral_settings.current()
    return render_template("lending_admin/settings.html", values={**stored, **(values or {})},
                           readable=_readable(stored), errors=errors or {}), status


@bp.get("/settings")
def settings_show():
    return _settings_page()


@bp.post("/settings")
def settings_update():
    values = {key: request.form.get(key, "") for key in referral_settings.current()}
    try:
        referral_settings.save(values, actor=current_user.username)
    except ValidationError as error:
        return _invalid(error, _settings_page, values=values)
    flash(_("Settings saved."), "success")
    return redirect(url_for(".settings_show"))
