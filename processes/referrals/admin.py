"""What an admin sets up for loan referrals (seed 000, issue 6): finance companies, their
loan products, the referrer's commission policies and the companies each consultant serves.

Every function checks all fields at once (nothing is stored on bad input), writes, audits
the change in the stream ``lending:admin`` and commits. Companies and products are never
deleted, only deactivated: referrals and commissions keep pointing at them. A commission
policy that a commission was recorded under is never changed; see docs/referrals.md.
"""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from accounts.models import User
from crm import phones
from engine import audit
from engine.db import db
from engine.errors import NotFoundError, ValidationError
from engine.models import AuditStream
from forms import messages

from . import consultants
from .models import (
    Commission,
    CommissionPolicy,
    ConsultantCompany,
    FinanceCompany,
    LoanProduct,
    domain_region,
)

STREAM = "lending:admin"
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
NAME_MAX = 200
# Whole VND, digits alone or grouped by three with a space, comma or dot: "70.000.000".
VND = re.compile(r"^\d{1,3}([ .,]\d{3})+$|^\d+$")
AMOUNT_MAX = Decimal(10) ** 15
TERM_MAX = 600
RATE_PLACES = 3


def _log(kind, *, actor, before=None, after=None):
    # Two admins saving at one moment would both read the stream's head and fork the chain;
    # taking the head's row lock first makes the second one wait for the first.
    db.session.get(AuditStream, STREAM, with_for_update=True)
    audit.append(STREAM, kind, actor=actor, data_before=before, data_after=after)


def _refuse(errors):
    db.session.rollback()
    raise ValidationError(messages.form_invalid(), fields=errors)


def _flag(value):
    return value in (True, "true", "on", "1", 1, "yes")


def _code(raw, errors):
    code = str(raw or "").strip().lower()
    if not CODE.match(code):
        errors["code"] = _("Use lower-case letters, digits and _ (at most 40), starting with a letter.")
    return code


def _name(raw, errors):
    name = str(raw or "").strip()
    if not name:
        errors["name"] = messages.required()
    elif len(name) > NAME_MAX:
        errors["name"] = messages.too_long(NAME_MAX)
    return name


def _vnd(raw, field, errors):
    text = str(raw or "").strip()
    if not VND.match(text):
        errors[field] = _("Enter a whole amount in VND, such as 10000000 or 10,000,000.")
        return None
    amount = Decimal(re.sub(r"\D", "", text))
    if not 0 < amount < AMOUNT_MAX:
        errors[field] = _("Enter an amount greater than zero.") if amount <= 0 else messages.maximum(
            f"{AMOUNT_MAX - 1:,.0f}")
        return None
    return amount


def _months(raw, field, errors):
    text = str(raw or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= TERM_MAX:
        errors[field] = _("Enter a whole number of months from 1 to %(max)d.", max=TERM_MAX)
        return None
    return int(text)


def _day(raw, field, errors, *, required):
    text = str(raw or "").strip()
    if not text:
        if required:
            errors[field] = messages.required()
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = messages.date()
        return None


def _rate(raw, errors):
    text = str(raw or "").strip().replace(" ", "").rstrip("%")
    if "," in text and "." not in text:
        text = text.replace(",", ".")   # 1,5 is how Vietnamese and Russian write 1.5
    try:
        rate = Decimal(text)
        if not rate.is_finite():
            raise InvalidOperation(text)
    except InvalidOperation:
        errors["rate_percent"] = messages.number()
        return None
    if not 0 < rate <= 100:
        errors["rate_percent"] = _("Enter a rate greater than 0 and at most 100 (percent).")
    elif rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        errors["rate_percent"] = _("Enter at most %(digits)d digits after the decimal separator.",
                                   digits=RATE_PLACES)
    return rate


# Finance companies ------------------------------------------------------------------------------

def companies():
    """Every finance company, active ones first, by name."""
    return db.session.query(FinanceCompany).order_by(FinanceCompany.active.desc(), FinanceCompany.name).all()


def save_company(values, *, actor, company=None):
    """Create a company (``code``, ``name``) or change one (``name``, ``active``; the code
    stays, it names the company in referrals' history).

    :raises ValidationError: with ``fields``; nothing is stored
    """
    errors = {}
    code = _code(values.get("code"), errors) if company is None else company.code
    if company is None and "code" not in errors and db.session.query(FinanceCompany.id).filter_by(
            code=code).first() is not None:
        errors["code"] = _("A finance company with this code exists.")
    name = _name(values.get("name"), errors)
    active = _flag(values.get("active", True))
    if errors:
        _refuse(errors)
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


def _limits(values, errors):
    limits = {key: _vnd(values.get(key), key, errors) for key in ("min_amount", "max_amount")}
    terms = ("min_term_months", "max_term_months")
    limits.update({key: _months(values.get(key), key, errors) for key in terms})
    if _above(limits["min_amount"], limits["max_amount"]):
        errors["max_amount"] = _("The largest amount must not be below the smallest.")
    if _above(limits["min_term_months"], limits["max_term_months"]):
        errors["max_term_months"] = _("The longest term must not be below the shortest.")
    return limits


def _above(low, high):
    return low is not None and high is not None and low > high


def save_product(values, *, actor, company_id=None, product=None):
    """Create a product of ``company_id`` or change ``product``: ``code`` (new ones only,
    unique within the company), ``name``, amounts (VND) and terms (months) it lends, ``active``.

    :raises NotFoundError: no such company
    :raises ValidationError: with ``fields``; nothing is stored
    """
    company_id = product.company_id if product is not None else company_id
    if company_id is None or db.session.get(FinanceCompany, company_id) is None:
        raise NotFoundError(_("Not found."))
    errors = {}
    code = _code(values.get("code"), errors) if product is None else product.code
    if product is None and "code" not in errors and db.session.query(LoanProduct.id).filter_by(
            company_id=company_id, code=code).first() is not None:
        errors["code"] = _("This company has a product with this code.")
    name = _name(values.get("name"), errors)
    limits = _limits(values, errors)
    active = _flag(values.get("active", True))
    if errors:
        _refuse(errors)
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
    errors = {}
    rate = _rate(values.get("rate_percent"), errors)
    valid_from = _day(values.get("valid_from"), "valid_from", errors, required=True)
    valid_to = _day(values.get("valid_to"), "valid_to", errors, required=False)
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = _("The last day must not be before the first day.")
    if errors:
        _refuse(errors)
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
    errors = {}
    day = _day(valid_to, "valid_to", errors, required=True)
    if day is not None and day < policy.valid_from:
        errors["valid_to"] = _("The last day must not be before the first day.")
    if errors:
        _refuse(errors)
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
    errors = {}
    company_ids = _company_ids(values.get("companies") or [], errors)
    phone = _consultant_phone(user, values.get("phone"), errors)
    if errors:
        _refuse(errors)
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


def _company_ids(raw, errors):
    raw = raw if isinstance(raw, list | tuple | set) else [raw]
    try:
        wanted = {int(value) for value in raw}
    except (TypeError, ValueError):
        wanted = None
    known = {row[0] for row in db.session.query(FinanceCompany.id)}
    if wanted is None or not wanted <= known:
        errors["companies"] = _("Choose finance companies from the list.")
        return set()
    return wanted


def _consultant_phone(user, raw, errors):
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        phone = phones.normalize(text, domain_region())
    except ValidationError as error:
        errors["phone"] = error.fields.get("phone") or error.message
        return None
    holder = db.session.query(User.username).filter(User.phone == phone, User.id != user.id).filter(
        User.username.in_([person.username for person in consultants.consultants()])).first()
    if holder is not None:
        errors["phone"] = _("Consultant %(name)s has this phone number.", name=holder[0])
    return phone
