"""Our company's requisites and the document settings the templates read as ``company``:
the name, ИНН, КПП, ОГРН, address, bank account, who signs, the VAT rate ("Без НДС" unless
a rate is set), the payment term and the service line of acts and invoices.

Stored one row a key (``broker_paperwork_setting``), changed together on the requisites
page, checked all at once (control digits of ИНН, ОГРН and the accounts against the БИК),
audited in the stream ``broker:paperwork``. A document is not issued while a requisite it
needs is empty (:func:`missing`).
"""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine import audit
from engine.db import db
from engine.errors import ValidationError
from engine.models import AuditStream
from engine.types import utcnow
from forms import messages

from ..inn import inn_kind, ogrn_kind
from .models import PaperworkSetting

STREAM = "broker:paperwork"
VAT_RATES = ("", "0", "5", "7", "10", "20", "22")
# key -> (label, longest text, needed to issue a document)
FIELDS = {
    "name": (_l("Full company name"), 300, True),
    "short_name": (_l("Short company name"), 160, True),
    "inn": (_l("ИНН"), 12, True),
    "kpp": (_l("КПП"), 9, False),
    "ogrn": (_l("ОГРН / ОГРНИП"), 15, True),
    "address": (_l("Legal address"), 300, True),
    "bank": (_l("Bank"), 200, True),
    "bik": (_l("БИК"), 9, True),
    "account": (_l("Settlement account"), 20, True),
    "corr_account": (_l("Correspondent account"), 20, True),
    "signatory": (_l("Signs (full name)"), 120, True),
    "signatory_title": (_l("Signatory's position"), 120, True),
    "basis": (_l("Acts on the basis of (genitive)"), 200, True),
    "accountant": (_l("Chief accountant (full name)"), 120, False),
    "phone": (_l("Phone"), 40, False),
    "email": (_l("E-mail"), 120, False),
    "city": (_l("City of the contract"), 80, True),
    "vat_rate": (_l("VAT rate"), 2, False),
    "vat_basis": (_l("Why without VAT"), 200, False),
    "payment_days": (_l("Days to pay an invoice (banking days)"), 2, True),
    "service_name": (_l("Service line of acts and invoices"), 300, True),
    "fee_percent": (_l("Our fee (percent of the approved loan)"), 7, False),
}
DEFAULTS = {"basis": "Устава", "city": "г. Москва", "payment_days": "5", "vat_rate": "",
            "service_name": "Услуги по подбору кредитного продукта и сопровождению получения "
                            "кредита (займа)"}
# What a preview shows until the requisites are filled in: plainly a sample.
SAMPLE = {
    "name": "Общество с ограниченной ответственностью «Образец Брокер»",
    "short_name": "ООО «Образец Брокер»", "inn": "7701234560", "kpp": "770101001",
    "ogrn": "1027700000008", "address": "125009, г. Москва, ул. Тверская, д. 1, офис 1",
    "bank": "ПАО «Образец Банк», г. Москва", "bik": "044525999",
    "account": "40702810600000000001", "corr_account": "30101810600000000999",
    "signatory": "Иванов Иван Иванович", "signatory_title": "Генеральный директор",
    "accountant": "Петрова Мария Сергеевна", "phone": "+7 495 000-00-00", "email": "docs@example.ru",
}
DIGITS = re.compile(r"\d+")


def current():
    """Every requisite: ``{key: text}``, the default (or ``""``) for one never set."""
    stored = {row.key: row.value for row in db.session.query(PaperworkSetting)}
    return {key: stored.get(key, DEFAULTS.get(key, "")) for key in FIELDS}


def for_documents():
    """The requisites a document shows: those set, and the sample's for those that are not
    (a preview before the requisites are filled in; :func:`missing` stops an issue)."""
    values = current()
    return {key: value or SAMPLE.get(key, "") for key, value in values.items()}


def missing():
    """The labels of the requisites a document needs that are empty."""
    values = current()
    return [str(label) for key, (label, _length, needed) in FIELDS.items() if needed and not values[key]]


def account_key_ok(prefix, account):
    """The Bank of Russia's control key of a 20-digit account: weights 7, 1, 3 over the
    three digits of ``prefix`` (from the БИК) and the account; the sum ends in 0."""
    digits = prefix + account
    return sum(int(d) * (7, 1, 3)[i % 3] % 10 for i, d in enumerate(digits)) % 10 == 0


def _digits_problem(value, lengths):
    if not DIGITS.fullmatch(value) or len(value) not in lengths:
        return _("Enter %(lengths)s digits.", lengths=_(" or ").join(str(n) for n in lengths))
    return None


def _check_digits(values, errors):
    checks = {"inn": ((10, 12), lambda value: inn_kind(value) is not None,
                      lambda: _("The control digits of this ИНН do not match.")),
              "ogrn": ((13, 15), lambda value: ogrn_kind(value) is not None,
                       lambda: _("The control digit of this ОГРН does not match.")),
              "bik": ((9,), lambda v: v.startswith("04"), lambda: _("A Russian БИК starts with 04.")),
              "kpp": ((9,), lambda v: True, None), "account": ((20,), lambda v: True, None),
              "corr_account": ((20,), lambda v: v.startswith("301"),
                               lambda: _("A correspondent account starts with 301."))}
    for key, (lengths, valid, message) in checks.items():
        if values[key] and key not in errors:
            problem = _digits_problem(values[key], lengths)
            if problem is None and not valid(values[key]):
                problem = message()
            if problem:
                errors[key] = problem


def _check_accounts(values, errors):
    """Each account against the БИК (its three last digits; the correspondent account: 0 and
    its fifth and sixth)."""
    bik = values["bik"] if "bik" not in errors else ""
    keys = {"account": (bik[-3:], lambda: _("The account does not match the БИК (control key).")),
            "corr_account": ("0" + bik[4:6],
                             lambda: _("The correspondent account does not match the БИК (control key)."))}
    for key, (prefix, message) in keys.items():
        if bik and values[key] and key not in errors and not account_key_ok(prefix, values[key]):
            errors[key] = message()


def _check(values):
    """``{key: message}`` of every requisite that is not valid."""
    errors = {key: messages.too_long(length) for key, (_label, length, _needed) in FIELDS.items()
              if len(values[key]) > length}
    _check_digits(values, errors)
    _check_accounts(values, errors)
    if values["vat_rate"] not in VAT_RATES:
        errors["vat_rate"] = messages.not_allowed()
    days = values["payment_days"]
    if days and not (days.isdigit() and 1 <= int(days) <= 90):
        errors["payment_days"] = _("Enter a whole number from 1 to 90.")
    fee = values["fee_percent"]
    if fee and not _percent(fee):
        errors["fee_percent"] = _("Enter a percentage above 0 and up to 100, at most three decimals.")
    if values["email"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", values["email"]):
        errors["email"] = messages.email()
    return errors


def _percent(text):
    """Whether ``text`` is a percentage above 0 and up to 100 with at most three decimals."""
    if not re.fullmatch(r"\d{1,3}(\.\d{1,3})?", text):
        return False
    return 0 < float(text) <= 100


def save(values, *, actor):
    """Store the requisites given in ``values`` (others keep theirs), audited as
    ``paperwork_requisites_changed``; returns them all.

    :raises ValidationError: every field that is not valid; nothing is stored
    """
    before = current()
    given = {key: str(value).strip() for key, value in (values or {}).items() if key in FIELDS}
    merged = {**before, **given}
    errors = _check(merged)
    if errors:
        db.session.rollback()
        raise ValidationError(messages.form_invalid(), fields=errors)
    changed = {key: value for key, value in merged.items() if before[key] != value}
    if changed:
        # Two people saving at once would both read the stream's head and fork its chain:
        # the head's row lock makes the second wait for the first.
        db.session.get(AuditStream, STREAM, with_for_update=True)
        for key, value in changed.items():
            row = db.session.get(PaperworkSetting, key) or PaperworkSetting(key=key)
            row.value, row.updated_by, row.updated_at = value, actor, utcnow()
            db.session.add(row)
        audit.append(STREAM, "paperwork_requisites_changed", actor=actor,
                     data_before={k: before[k] for k in changed}, data_after=changed)
    db.session.commit()
    return current()
