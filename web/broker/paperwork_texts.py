"""The fields a document template may name, as the template editor lists them (the names
are processes/broker/paperwork/context.py's; the descriptions are for the team)."""
from flask_babel import lazy_gettext as _l

FIELDS = (
    ("number", _l("The document's number, e.g. А-2026-0001 (Д for a contract, С for an invoice)")),
    ("date_text", _l("The document's date in words: 7 декабря 2026 г.")),
    ("date_short", _l("The document's date in figures: 07.12.2026")),
    ("title", _l("The kind of document: Договор, Акт, Счёт")),
    ("amount_text", _l("The amount with its currency: 1 234 567,89 ₽")),
    ("amount_number", _l("The amount without currency, for tables: 1 234 567,89")),
    ("amount_words", _l("The amount in words: Один миллион … рублей 89 копеек")),
    ("fee_percent", _l("The fee as a percentage of the loan, when the contract sets it so (2,5)")),
    ("vat.line", _l("The VAT line: Без НДС, or В том числе НДС 22 %: … ₽")),
    ("vat.included, vat.rate, vat.amount", _l("Whether VAT is included, its rate and amount")),
    ("services", _l("The service lines: for line in services — line.n, line.name, line.quantity_text, "
                    "line.unit, line.price_text, line.amount_text")),
    ("company.name, company.short_name", _l("Our company's full and short name")),
    ("company.inn, company.kpp, company.ogrn, company.address", _l("Our company's registration and address")),
    ("company.bank, company.bik, company.account, company.corr_account", _l("Our bank account")),
    ("company.signatory, company.signatory_title, company.basis, company.accountant",
     _l("Who signs for us, their position, on what basis; the chief accountant")),
    ("company.signatory_short, company.accountant_short, client.signatory_short",
     _l("The signatories' names with initials: Иванов И. И.")),
    ("company.city, company.payment_days, company.phone, company.email",
     _l("The contract's city, days to pay an invoice, our contacts")),
    ("client.name, client.inn, client.kpp, client.ogrn, client.address", _l("The client company")),
    ("client.bank, client.bik, client.account, client.corr_account", _l("The client's bank account")),
    ("client.signatory, client.signatory_title, client.basis, client.email, client.phone",
     _l("Who signs for the client, and the client's contacts")),
    ("deal.id, deal.product, deal.purpose, deal.lender, deal.term_months", _l("The deal")),
    ("deal.loan_amount_text, deal.loan_amount_words", _l("The loan amount wanted, in figures and in words")),
    ("contract.number, contract.date_text", _l("The contract an act or an invoice is issued under")),
    ("edo", _l("Whether the client exchanges documents through ЭДО (true or false)")),
    ("extra", _l("Further values the deal passes: extra.get('name', '')")),
    ("|money |number |date |short_date |words", _l("Filters: {{ deal.loan_amount|words }} writes any amount "
                                                  "in words")),
)


def fields():
    return FIELDS
