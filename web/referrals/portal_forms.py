"""The referral form of the referrer's portal: the catalogue it offers, the labels it shows,
and the posted fields turned into what :func:`processes.referrals.helpers.submit_referral` takes.

The checks themselves are crm's (processes.referrals.referrals.clean); this module only adds what the
form alone knows: the product must belong to the company chosen above it, and a
suggested consultant must be one of that company's consultants.
"""
from flask_babel import gettext as _
from flask_babel import pgettext
from marshmallow import ValidationError as MarshmallowError
from marshmallow import fields as mfields
from marshmallow import validates_schema

from engine.db import db
from engine.types import db_int
from forms import inputs
from processes.referrals import consultants, referrals
from processes.referrals.models import FinanceCompany, LoanProduct

STAR_PREFIX = "star:"


def status_labels():
    """The customer's situations (seed 000, step 4) in the reader's language."""
    return {
        "salaried": _("Salaried employee"),
        "self_employed": _("Self-employed"),
        "business_owner": _("Business owner"),
        "freelancer": _("Freelancer"),
        "retired": _("Retired"),
        "other": _("Other"),
    }


def state_labels():
    """A referral's state; "failed" has its own context, as the bare word elsewhere means an error."""
    return {"in_progress": _("In progress"), "disbursed": _("Disbursed"),
            "failed": pgettext("referral state", "Failed")}


def cross_sell_labels():
    return {
        "started": _("Another product is being offered"),
        "requested": _("Waiting for your answer"),
        "approved": _("You allowed it"),
        "refused": _("You refused it"),
        "expired": _("Expired without an answer"),
    }


def result_labels():
    return {"disbursed": _("Disbursed"), "rejected": _("Rejected"), "not_eligible": _("Not eligible")}


def progress_labels():
    """The steps the consultant reports on the way (processes.referrals.models.PROGRESS)."""
    return {"contacted": _("The consultant contacted and advised the customer"),
            "submitted": _("The file was submitted to the finance company")}


def companies():
    """Active finance companies with their active products: ``[(company, [product, ...])]``."""
    grouped = {}
    for product in referrals.offered_products():
        grouped.setdefault(product.company, []).append(product)
    return list(grouped.items())


def active_company(raw):
    """The active finance company whose id is ``raw``, or ``None``."""
    try:
        company = db.session.get(FinanceCompany, db_int(raw))
    except (TypeError, ValueError):
        return None
    return company if company is not None and company.active else None


def stars(company):
    """The suggested star consultants of ``company`` (none without a company)."""
    return consultants.stars(company.id) if company is not None else []


class CompanyField(inputs.InputField):
    """An active finance company, by id."""

    def _deserialize(self, value, attr, data, **kwargs):
        company = active_company(value)
        if company is None:
            inputs.fail(_company_message())
        return company


def _company_message():
    return _("Choose a finance company from the list.")


class ChoicesSchema(inputs.InputSchema):
    """What only the form knows: the product belongs to the company chosen above it, and a
    suggested consultant (``star:<phone>``) is one of that company's."""

    company = CompanyField(data_key="company_id", required=True, missing_message=_company_message)
    product = mfields.Raw(data_key="product_id", load_default=None)
    consultant = mfields.String(load_default="auto")

    @validates_schema(skip_on_field_errors=False)
    def _product_of_company(self, data, **kwargs):
        product, company = _product(data.get("product")), data.get("company")
        if company is not None and product is not None and product.company_id != company.id:
            raise MarshmallowError(_("Choose a loan product of the chosen finance company."), "product_id")

    @validates_schema(skip_on_field_errors=False)
    def _suggested(self, data, **kwargs):
        choice, company = data.get("consultant", ""), data.get("company")
        if choice.startswith(STAR_PREFIX):
            known = {standing.phone for standing in consultants.ranking(company.id)} if company else set()
            if choice[len(STAR_PREFIX):] not in known:
                raise MarshmallowError(_("Choose one of the suggested consultants."), "consultant")


def submission(form):
    """``(data, errors)``: the posted form as :func:`processes.referrals.helpers.submit_referral`
    takes it, and the problems only the form can see (checked with crm's, not instead).
    The amount goes as typed: crm reads it with the shared money field."""
    data = {
        "customer_name": form.get("customer_name", ""),
        "phone": form.get("phone", ""),
        "national_id": form.get("national_id", ""),
        "product_id": form.get("product_id", ""),
        "customer_status": form.get("customer_status") or None,
        "amount": form.get("amount", ""),
        "term_months": (form.get("term_months") or "").strip(),
        "cross_sell_consent": {"yes": True, "no": False}.get(form.get("cross_sell_consent")),
    }
    _values, errors = inputs.load(ChoicesSchema(), form)
    _consultant(form.get("consultant", "auto"), form.get("consultant_phone", ""), data)
    return data, errors


def _product(raw):
    try:
        return db.session.get(LoanProduct, db_int(raw))
    except (TypeError, ValueError):
        return None


def _consultant(choice, typed_phone, data):
    """``auto`` (the system chooses), ``star:<phone>`` (a suggested one), or ``phone`` (typed)."""
    if choice.startswith(STAR_PREFIX):
        data.update(consultant_choice="star", consultant_phone=choice[len(STAR_PREFIX):])
    elif choice == "phone":
        data.update(consultant_choice="phone", consultant_phone=typed_phone.strip())
    else:
        data["consultant_choice"] = "auto"


def field_errors(errors):
    """crm's field names as the form's: the consultant's choice and phone sit in one group."""
    shown = dict(errors or {})
    if "consultant_choice" in shown:
        shown.setdefault("consultant", shown.pop("consultant_choice"))
    return shown
