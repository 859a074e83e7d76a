"""What an admin sets up for loan referrals (seed 000, issue 6): finance companies, their
loan products, the referrer's commission policies and the companies each consultant serves.

Every function checks all fields at once (nothing is stored on bad input), writes, audits
the change in the stream ``lending:admin`` and commits. Companies and products are never
deleted, only deactivated: referrals and commissions keep pointing at them. A commission
policy that a commission was recorded under is never changed; see docs/referrals.md.
"""
import re

from flask_babel import gettext as _
from marshmallow import ValidationError as MarshmallowError
from marshmallow import validates_schema

from accounts.models import User
from engine import audit
from engine.db import db
from engine.errors import NotFoundError, ValidationError
from engine.models import AuditStream
from forms import inputs, messages

from . import consultants
from .models import DOMAIN, Commission, CommissionPolicy, ConsultantCompany, FinanceCompany, LoanProduct

STREAM = "lending:admin"
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
NAME_MAX = 200
TERM_MAX = 600


def _log(kind, *, actor, before=None, after=None):
    # Two admins saving at one moment would both read the stream's head and fork the chain;
    # taking the head's row lock first makes the second one wait for the first.
    db.session.get(AuditStream, STREAM, with_for_update=True)
    audit.append(STREAM, kind, actor=actor, data_before=before, data_after=after)


def _refuse(errors):
    db.session.rollback()
    raise ValidationError(messages.form_invalid(), fields=errors)


def _check(schema, values):
    """What ``schema`` reads from ``values``. :raises ValidationError: every field at once, rolled back"""
    loaded, errors = inputs.load(schema, values if isinstance(values, dict) else {})
    if errors:
        _refuse(errors)
    return loaded


def _code_message():
    return _("Use lower-case letters, digits and _ (at most 40), starting with a letter.")


def _months_message():
    return _("Enter a whole number of months from 1 to %(max)d.", max=TERM_MAX)


class _Named(inputs.InputSchema):
    """A company's or product's code (new ones only), name and active flag."""

    code = inputs.Text(required=True, lower=True, pattern=CODE, max_length=40, message=_code_message,
                       missing_message=_code_message)
    name = inputs.Text(required=True, max_length=NAME_MAX)
    active = inputs.Flag(load_default=True)

    def __init__(self, *, taken=None, **kwargs):
        super().__init__(**kwargs)
        self.taken = taken   # (code -> whether it is taken, its message) for a new one

    @validates_schema(skip_on_field_errors=False)
    def _code_free(self, data, **kwargs):
        if self.taken is not None and "code" in data and self.taken[0](data["code"]):
            raise MarshmallowError(self.taken[1](), "code")


class CompanySchema(_Named):
    pass


class ProductSchema(_Named):
    """A loan product: the amounts (the referrals' currency) and terms (months) it lends."""

    min_amount = inputs.Money(domain=DOMAIN, positive=True, required=True)
    max_amount = inputs.Money(domain=DOMAIN, positive=True, required=True)
    min_term_months = inputs.Whole(1, TERM_MAX, required=True, message=_months_message,
                                   missing_message=_months_message)
    max_term_months = inputs.Whole(1, TERM_MAX, required=True, message=_months_message,
                                   missing_message=_months_message)

    @validates_schema(skip_on_field_errors=False)
    def _amounts_ordered(self, data, **kwargs):
        low, high = (data[key].value if key in data else None for key in ("min_amount", "max_amount"))
        if _above(low, high):
            raise MarshmallowError(_("The largest amount must not be below the smallest."), "max_amount")

    @validates_schema(skip_on_field_errors=False)
    def _terms_ordered(self, data, **kwargs):
        if _above(data.get("min_term_months"), data.get("max_term_months")):
            raise MarshmallowError(_("The longest term must not be below the shortest."), "max_term_months")


# A commission policy: its rate and the days it is in force (both included; no end: open).
PolicySchema = inputs.RatePeriodSchema


# Finance companies ------------------------------------------------------------------------------

def companies():
    """Every finance company, active ones first, by name."""
    return db.session.query(FinanceCompany).order_by(FinanceCompany.active.desc(), FinanceCompany.name).all()


def save_company(values, *, actor, company=None):
    """Create a company (``code``, ``name``) or change one (``name``, ``active``; the code
    stays, it names the company in referrals' history).

    :raises ValidationError: with ``fields``; nothing is stored
    """
    def taken(code):
        return db.session.query(FinanceCompany.id).filter_by(code=code).first() is not None

    schema = CompanySchema(taken=(taken, lambda: _("A finance company with this code exists.")))
    loaded = _check(schema if company is None else CompanySchema(exclude=("code",)), values)
    code = loaded["code"] if company is None else company.code
    name, active = loaded["name"], loaded["active"]
    before = None if company is None else {"name": company.name, "active": company.active}
    if company is None:
        company = FinanceCompany(code=code)
        db.session.add(company)
    company.name, company.active = name, active
    db.session.flush()
    _log("company_created" if before is None else "company_changed", actor=actor, before=before,
         after={"id": company.id, "code": code, "name": name, "active": active})
    db.session.commit()
    return company


# Loan products --------------------------------------------------------------------------------

def products(company_id=None):
    """Loan products (of ``company_id`` when given), active ones first, by name."""
    query = db.session.query(LoanProduct).join(LoanProduct.company)
    if company_id is not None:
        query = query.filter(LoanProduct.company_id == company_id)
    return query.order_by(FinanceCompany.name, LoanProduct.active.desc(), LoanProduct.name).all()


def _above(low, high):
    return low is not None and high is not None and low > high


def save_product(values, *, actor, company_id=None, product=None):
    """Create a product of ``company_id`` or change ``product``: ``code`` (new ones only,
    unique within the company), ``name``, amounts (the referrals' currency) and terms
    (months) it lends, ``active``.

    :raises NotFoundError: no such company
    :raises ValidationError: with ``fields``; nothing is stored
    """
    company_id = product.company_id if product is not None else company_id
    if company_id is None or db.session.get(FinanceCompany, company_id) is None:
        raise NotFoundError(_("Not found."))

    def taken(code):
        return db.session.query(LoanProduct.id).filter_by(company_id=company_id, code=code).first() \
            is not None

    schema = ProductSchema(taken=(taken, lambda: _("This company has a product with this code.")))
    loaded = _check(schema if product is None else ProductSchema(exclude=("code",)), values)
    code = loaded["code"] if product is None else product.code
    name, active = loaded["name"], loaded["active"]
    # The amounts' currency (loaded[...].currency) is the referrals' place's; stored with
    # them once loan products have a currency column.
    limits = {key: loaded[key].value for key in ("min_amount", "max_amount")}
    limits.update({key: loaded[key] for key in ("min_term_months", "max_term_months")})
    before = None if product is None else _product_record(product)
    if product is None:
        product = LoanProduct(company_id=company_id, code=code)
        db.session.add(product)
    product.name, product.active = name, active
    for key, value in limits.items():
        setattr(product, key, value)
    db.session.flush()
    _log("product_created" if before is None else "product_changed", actor=actor, before=before,
         after=_product_record(product))
    db.session.commit()
    return product


def _product_record(product):
    return {"id": product.id, "company_id": product.company_id, "code": product.code, "name": product.name,
            "min_amount": str(product.min_amount), "max_amount": str(product.max_amount),
            "min_term_months": product.min_term_months, "max_term_months": product.max_term_months,
            "active": product.active}


# Commission policies --------------------------------------------------------------------------

def policies(product_id):
    """The product's commission policies, latest starting first."""
    return (db.session.query(CommissionPolicy).filter_by(product_id=product_id)
            .order_by(CommissionPolicy.valid_from.desc(), CommissionPolicy.id.desc()).all())


def used_policy_ids(policy_ids):
    """Which of ``policy_ids`` a commission was recorded under."""
    if not policy_ids:
        return set()
    return {row[0] for row in db.session.query(Commission.policy_id).filter(
        Commission.policy_id.in_(list(policy_ids))).distinct()}


def add_policy(product_id, values, *, actor):
    """A new commission policy of the product: ``rate_percent`` (0 < rate <= 100),
    ``valid_from``, ``valid_to`` (optional, not before ``valid_from``). Policies may overlap:
    on a day covered by several, the latest starting one is in force.

    :raises NotFoundError: no such product
    :raises ValidationError: with ``fields``; nothing is stored
    """
    product = db.session.get(LoanProduct, product_id)
    if product is None:
        raise NotFoundError(_("Not found."))
    loaded = _check(PolicySchema(), values)
    rate, valid_from, valid_to = loaded["rate_percent"], loaded["valid_from"], loaded.get("valid_to")
    policy = CommissionPolicy(product_id=product.id, rate_percent=rate, valid_from=valid_from,
                              valid_to=valid_to, created_by=actor)
    db.session.add(policy)
    db.session.flush()
    _log("commission_policy_created", actor=actor, after=_policy_record(policy))
    db.session.commit()
    return policy


def _unused_policy(policy_id):
    """The policy, locked so no commission is recorded under it while it changes.

    :raises NotFoundError: no such policy
    :raises ValidationError: a commission was recorded under it
    """
    policy = db.session.get(CommissionPolicy, policy_id, with_for_update=True)
    if policy is None:
        db.session.rollback()
        raise NotFoundError(_("Not found."))
    if used_policy_ids([policy.id]):
        message = _("Commissions were recorded under this policy, so it stays as it is. "
                    "Add a new policy from the day the change applies: from that day on it is in force.")
        db.session.rollback()
        raise ValidationError(message, fields={"policy": message})
    return policy


def end_policy(policy_id, valid_to, *, actor):
    """Set the last day of a policy no commission was recorded under.

    :raises ValidationError: the day is missing or before the first day, or the policy was used
    """
    policy = _unused_policy(policy_id)
    schema = PolicySchema(first=policy.valid_from, only=("valid_to",))
    schema.fields["valid_to"].required = True
    day = _check(schema, {"valid_to": valid_to})["valid_to"]
    before = _policy_record(policy)
    policy.valid_to = day
    _log("commission_policy_ended", actor=actor, before=before, after=_policy_record(policy))
    db.session.commit()
    return policy


def delete_policy(policy_id, *, actor):
    """Delete a policy no commission was recorded under (one entered by mistake).

    :raises ValidationError: the policy was used
    """
    policy = _unused_policy(policy_id)
    before = _policy_record(policy)
    db.session.delete(policy)
    _log("commission_policy_deleted", actor=actor, before=before)
    db.session.commit()


def _policy_record(policy):
    return {"id": policy.id, "product_id": policy.product_id, "rate_percent": str(policy.rate_percent),
            "valid_from": policy.valid_from.isoformat(),
            "valid_to": policy.valid_to.isoformat() if policy.valid_to else None}


# Consultants ----------------------------------------------------------------------------------

def served(usernames):
    """``{username: {company_id, ...}}``: the companies each consultant serves."""
    rows = db.session.query(ConsultantCompany).filter(ConsultantCompany.username.in_(list(usernames))).all()
    result = {name: set() for name in usernames}
    for row in rows:
        result[row.username].add(row.company_id)
    return result


def save_consultant(username, values, *, actor):
    """The finance companies an active consultant serves (``companies``: ids) and their phone
    (``phone``: normalised; blank clears it; no two active consultants share one).

    :raises NotFoundError: no active consultant of that name
    :raises ValidationError: with ``fields``; nothing is stored
    """
    user = next((person for person in consultants.consultants() if person.username == username), None)
    if user is None:
        raise NotFoundError(_("Not found."))
    loaded = _check(ConsultantSchema(user), values)
    company_ids, phone = loaded["companies"], loaded.get("phone")
    before = {"phone": user.phone, "companies": sorted(served([username])[username])}
    user.phone = phone
    db.session.query(ConsultantCompany).filter_by(username=username).delete()
    db.session.add_all(ConsultantCompany(username=username, company_id=cid) for cid in sorted(company_ids))
    after = {"phone": phone, "companies": sorted(company_ids)}
    if after != before:
        _log("consultant_changed", actor=actor, before={"username": username, **before},
             after={"username": username, **after})
    db.session.commit()
    return user


class CompanyIds(inputs.InputField):
    """Ids of finance companies, each one that exists."""

    def _deserialize(self, value, attr, data, **kwargs):
        raw = value if isinstance(value, list | tuple | set) else [value]
        try:
            wanted = {int(item) for item in raw}
        except (TypeError, ValueError):
            wanted = None
        known = {row[0] for row in db.session.query(FinanceCompany.id)}
        if wanted is None or not wanted <= known:
            inputs.fail(_("Choose finance companies from the list."))
        return wanted


class ConsultantSchema(inputs.InputSchema):
    """The companies a consultant serves and their phone (blank: none; no two active
    consultants share one)."""

    companies = CompanyIds(load_default=set)
    phone = inputs.Phone(domain=DOMAIN, load_default=None)

    def __init__(self, user, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    @validates_schema(skip_on_field_errors=False)
    def _phone_free(self, data, **kwargs):
        if not data.get("phone"):
            return
        names = [person.username for person in consultants.consultants()]
        holder = db.session.query(User.username).filter(
            User.phone == data["phone"], User.id != self.user.id, User.username.in_(names)).first()
        if holder is not None:
            raise MarshmallowError(_("Consultant %(name)s has this phone number.", name=holder[0]), "phone")
