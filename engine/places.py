"""Where a domain does business: its time zone, region, language and currency.

The values are settings (tasklane/config.py: ``TASKLANE_ZONE``, ``TASKLANE_REGION``,
``TASKLANE_LANGUAGE``, ``TASKLANE_CURRENCY`` for the default place, ``TASKLANE_PLACES``
for a domain's own, e.g. the brokerage in Moscow with roubles). Product code asks
:func:`place` instead of writing a zone name, a region code or a currency: one rule in
one place, and a deployment in another country changes settings, not code.
"""
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency
from flask import current_app

FIELDS = ("zone", "region", "language", "currency")


@dataclass(frozen=True)
class Place:
    zone: str        # IANA time zone, e.g. the one TASKLANE_ZONE names
    region: str      # ISO 3166 country: phone numbers, the business calendar, holidays
    language: str    # the language of what the domain writes to people outside (SMS, portal)
    currency: str    # ISO 4217 code of amounts that name none

    @property
    def tz(self):
        return ZoneInfo(self.zone)


def place(domain=None):
    """The :class:`Place` of ``domain``: its entry of ``TASKLANE_PLACES`` over the default
    place; ``None`` (or a domain without an entry) is the default place. Needs an app.
    """
    config = current_app.config
    values = {name: config[f"TASKLANE_{name.upper()}"] for name in FIELDS}
    values.update(config["TASKLANE_PLACES"].get(domain or "", {}))
    return Place(**values)


def zones():
    """Every zone a configured place names, the default place's first."""
    config = current_app.config
    found = [config["TASKLANE_ZONE"], *(values.get("zone") for values in config["TASKLANE_PLACES"].values())]
    return tuple(dict.fromkeys(zone for zone in found if zone))


def regions():
    """Every region a configured place names, the default place's first (phone numbers
    written without a country code are tried in these)."""
    config = current_app.config
    others = (values.get("region") for values in config["TASKLANE_PLACES"].values())
    found = [config["TASKLANE_REGION"], *others]
    return tuple(dict.fromkeys(region for region in found if region))


def region_of_language(language):
    """The region of the first configured place whose language is ``language`` (a Russian
    reader's numbers are Russian where a place speaks Russian), else the default place's."""
    config = current_app.config
    if config["TASKLANE_LANGUAGE"] != language:
        for domain in config["TASKLANE_PLACES"]:
            if place(domain).language == language:
                return place(domain).region
    return config["TASKLANE_REGION"]


def format_money(amount, currency, locale):
    """``amount`` of ``currency`` as ``locale`` writes money, by Babel (CLDR): the symbol,
    separators and digits of the currency, and no decimals for a currency without a minor
    unit (examples in docs/places.md). One rule for the pages
    (web/formatting.py, the reader's locale) and for texts sent to people outside the web
    (SMS, portal texts: the place's language).

    :param amount: a number, a numeric string, ``None`` or ``""`` (shown as ``""``); other
        text is shown as it is rather than failing a page
    :param currency: ISO 4217 code, e.g. a money row's ``currency`` or ``place(domain).currency``
    :param locale: ``vi``, ``en``, ``ru`` or a Babel locale
    """
    if amount is None or amount == "":
        return ""
    try:
        number = Decimal(str(amount))
    except ArithmeticError:
        return str(amount)
    return format_currency(number, currency, locale=str(locale), currency_digits=True)
