"""Where a domain does business: its time zone, region, language and currency.

The values are settings (tasklane/config.py: ``TASKLANE_ZONE``, ``TASKLANE_REGION``,
``TASKLANE_LANGUAGE``, ``TASKLANE_CURRENCY`` for the default place, ``TASKLANE_PLACES``
for a domain's own, e.g. the brokerage in Moscow with roubles). Product code asks
:func:`place` instead of writing a zone name, a region code or a currency: one rule in
one place, and a deployment in another country changes settings, not code.
"""
from dataclasses import dataclass
from zoneinfo import ZoneInfo

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
