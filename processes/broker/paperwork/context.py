"""What a document's template reads: the caller's plain context, checked and completed.

The caller (the deal's helper, a preview) gives a plain dict (:data:`CLIENT`, :data:`DEAL`,
:data:`CONTRACT` keys nested, and ``date``, ``amount``, ``fee_percent``, ``services``,
``edo``, ``extra`` at the top; docs/broker.md "Documents" lists them). :func:`build` checks
it, fills every key the templates may name (so a template that names an unknown field is
refused when it is uploaded, not when a document is issued), adds our requisites as
``company``, the number, and the formatted forms: ``amount_text`` (1 234 567,89 ₽),
``amount_words``, ``date_text`` (7 декабря 2026 г.), the VAT line.
"""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

from engine.errors import ValidationError

from . import formats, words
from .words import CENT

CLIENT = ("name", "inn", "kpp", "ogrn", "address", "bank", "bik", "account", "corr_account",
          "signatory", "signatory_title", "basis", "email", "phone")
DEAL = ("id", "product", "loan_amount", "term_months", "purpose", "lender")
CONTRACT = ("number", "date")
# What a document of each kind cannot be issued without.
REQUIRED = {"contract": ("client.name", "client.inn"),
            "act": ("client.name", "client.inn", "amount"),
            "invoice": ("client.name", "client.inn", "amount")}
TITLES = {"contract": "Договор", "act": "Акт", "invoice": "Счёт"}
MAX_SERVICES = 50
MAX_EXTRA = 50
MAX_TEXT = 1000


def _text(value):
    return "" if value is None else str(value).strip()[:MAX_TEXT]


def _group(given, keys):
    given = given if isinstance(given, dict) else {}
    return {key: _text(given.get(key)) for key in keys}


class _Checker:
    """Collects ``{field: message}`` while the context is read; raises them all at once."""

    def __init__(self):
        self.errors = {}

    def amount(self, name, value, *, positive=False):
        if value is None or value == "":
            return None
        try:
            amount = words.to_amount(value)
        except ValueError:
            self.errors[name] = _("Enter an amount of zero or more in roubles.")
            return None
        if positive and amount <= 0:
            self.errors[name] = _("Enter an amount of more than zero.")
        return amount

    def day(self, name, value):
        try:
            return formats.to_date(value)
        except ValueError:
            self.errors[name] = _("Enter a date as YYYY-MM-DD.")
            return None


def _services(checker, given, default_name, amount):
    if given in (None, "", []):
        if amount is None:
            return []
        return [{"name": default_name, "quantity": Decimal(1), "unit": "усл.", "price": amount,
                 "amount": amount}]
    if not isinstance(given, list) or len(given) > MAX_SERVICES:
        checker.errors["services"] = _("Give at most %(count)d service lines.", count=MAX_SERVICES)
        return []
    lines = []
    for index, line in enumerate(given, start=1):
        line = line if isinstance(line, dict) else {}
        name = _text(line.get("name"))
        if not name:
            checker.errors[f"services.{index}.name"] = _("Name the service.")
        quantity = checker.amount(f"services.{index}.quantity", line.get("quantity") or 1, positive=True)
        price = checker.amount(f"services.{index}.price", line.get("price"), positive=True)
        total = checker.amount(f"services.{index}.amount", line.get("amount"))
        if total is None and quantity is not None and price is not None:
            total = (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append({"name": name, "quantity": quantity, "unit": _text(line.get("unit")) or "усл.",
                      "price": price, "amount": total})
    return lines


def _vat(company, amount):
    rate = company.get("vat_rate", "")
    if rate == "":
        basis = company.get("vat_basis", "")
        line = f"Без НДС ({basis})" if basis else "Без НДС"
        return {"included": False, "rate": "", "amount": None, "amount_text": "", "line": line}
    tax = (amount * Decimal(rate) / (100 + Decimal(rate))).quantize(CENT, rounding=ROUND_HALF_UP) \
        if amount is not None else None
    text = formats.money(tax) if tax is not None else ""
    return {"included": True, "rate": rate, "amount": tax, "amount_text": text,
            "line": f"В том числе НДС {rate} %" + (f": {text}" if text else "")}


def _decorate_services(lines):
    return [{**line, "n": n, "quantity_text": f"{line['quantity'].normalize():f}".replace(".", ",")
             if line["quantity"] is not None else "",
             "price_text": formats.number(line["price"]), "amount_text": formats.number(line["amount"])}
            for n, line in enumerate(lines, start=1)]


def _extra(checker, given):
    if given in (None, ""):
        return {}
    if not isinstance(given, dict) or len(given) > MAX_EXTRA:
        checker.errors["extra"] = _("Give at most %(count)d extra fields.", count=MAX_EXTRA)
        return {}
    return {str(key)[:60]: _text(value) for key, value in given.items()}


def build(kind, given, *, number, company, today):
    """The context of a ``kind`` document numbered ``number``.

    :param given: the caller's plain dict
    :param company: our requisites (:func:`.requisites.for_documents`)
    :param today: the document's date when ``given`` names none (the brokerage's today)
    :raises ValidationError: ``fields`` names each value that is missing or not valid
    """
    given = given if isinstance(given, dict) else {}
    checker = _Checker()
    client, deal, contract = (_group(given.get("client"), CLIENT), _group(given.get("deal"), DEAL),
                              _group(given.get("contract"), CONTRACT))
    day = checker.day("date", given.get("date")) or today
    contract_day = checker.day("contract.date", contract["date"])
    loan = checker.amount("deal.loan_amount", deal["loan_amount"])
    amount = checker.amount("amount", given.get("amount"), positive=kind != "contract")
    fee_percent = checker.amount("fee_percent", given.get("fee_percent"))
    if fee_percent is not None and fee_percent > 100:
        checker.errors["fee_percent"] = _("Enter a percentage from 0 to 100.")
    basis = f" по договору № {contract['number']}" if contract["number"] else ""
    basis += f" от {formats.long_date(contract_day)}" if contract["number"] and contract_day else ""
    lines = _services(checker, given.get("services"), company.get("service_name", "") + basis, amount)
    if lines and all(line["amount"] is not None for line in lines):
        total = sum((line["amount"] for line in lines), Decimal(0))
        if amount is None:
            amount = total
        elif total != amount:
            checker.errors["services"] = _("The service lines add up to %(total)s, not %(amount)s.",
                                           total=formats.money(total), amount=formats.money(amount))
    values = {"client": client, "amount": amount}
    for path in REQUIRED[kind]:
        group, _dot, key = path.rpartition(".")
        value = values[group][key] if group else values[key]
        if value in (None, "") and path not in checker.errors:
            checker.errors[path] = _("Required for this document.")
    if checker.errors:
        raise ValidationError(_("The document's data is not complete or not valid."), fields=checker.errors)
    company = {**company, "signatory_short": formats.initials(company.get("signatory")),
               "accountant_short": formats.initials(company.get("accountant"))}
    client = {**client, "signatory_short": formats.initials(client["signatory"])}
    return {
        "kind": kind, "title": TITLES[kind], "number": number, "date": day, "year": day.year,
        "date_text": formats.long_date(day), "date_short": formats.short_date(day),
        "company": company, "client": client,
        "deal": {**deal, "loan_amount": loan, "loan_amount_text": formats.money(loan),
                 "loan_amount_words": words.amount_in_words(loan) if loan is not None else ""},
        "contract": {**contract, "date": contract_day, "date_text": formats.long_date(contract_day)},
        "amount": amount, "amount_text": formats.money(amount), "amount_number": formats.number(amount),
        "amount_words": words.amount_in_words(amount) if amount is not None else "",
        "fee_percent": f"{fee_percent.normalize():f}".replace(".", ",") if fee_percent is not None else "",
        "vat": _vat(company, amount), "services": _decorate_services(lines),
        "edo": bool(given.get("edo")), "extra": _extra(checker, given.get("extra")),
    }


def sample(today):
    """A plausible deal for previews and for checking an uploaded template."""
    return {
        "date": today.isoformat(),
        "client": {"name": "Общество с ограниченной ответственностью «Ромашка»", "inn": "5001122339",
                   "kpp": "500101001", "ogrn": "1157746123457",
                   "address": "141400, Московская обл., г. Химки, ул. Ленина, д. 10",
                   "bank": "АО «Пример Банк», г. Москва", "bik": "044525999",
                   "account": "40702810600000000001", "corr_account": "30101810600000000999",
                   "signatory": "Петров Пётр Петрович", "signatory_title": "Генеральный директор",
                   "basis": "Устава", "email": "info@romashka.example", "phone": "+7 916 000-00-00"},
        "deal": {"id": "1001", "product": "Кредит на пополнение оборотных средств",
                 "loan_amount": "50000000", "term_months": "36", "purpose": "Пополнение оборотных средств",
                 "lender": "ПАО «Пример Банк»"},
        "contract": {"number": "Д-2026-0001", "date": today.isoformat()},
        "amount": "1234567.89", "fee_percent": "2.5", "edo": True, "extra": {},
    }
