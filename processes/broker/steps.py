"""The twelve steps of a deal by number, named in the reader's language (seed 002)."""
from flask_babel import lazy_gettext as _l

NAMES = {
    1: _l("Client found"),
    2: _l("Service presented"),
    3: _l("Documents"),
    4: _l("Pre-check"),
    5: _l("Deal posted"),
    6: _l("Analysis"),
    7: _l("Agreement with the client"),
    8: _l("Contract details"),
    9: _l("Contract"),
    10: _l("Credit support"),
    11: _l("Completion"),
    12: _l("Commission"),
}

# What the pre-check's decision table answers (bpmn/broker_deal/broker_precheck.dmn), by code.
STOP_FACTORS = {
    "young_business": _l("The business is younger than 12 months."),
    "arrears": _l("The client has overdue debts (arrears over 30 days)."),
    "court_cases": _l("The client is a defendant in court cases over the limit."),
    "tax_debt": _l("The client has a tax debt."),
    "negative_turnover": _l("The client's turnover fell over the last 12 months."),
    "bankruptcy": _l("The client is in bankruptcy or liquidation."),
}


def name(step):
    """The step's name in the current language (``""`` for a number out of 1-12)."""
    text = NAMES.get(step)
    return str(text) if text is not None else ""


def reason(code):
    """A stop-factor's sentence in the current language (the code itself when unknown: a
    row the team added to the table without a text here)."""
    text = STOP_FACTORS.get(code)
    return str(text) if text is not None else code
