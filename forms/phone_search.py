"""A search box's text read as a phone number: what a stored E.164 number must contain.

Every search that may be given a phone (the inbox and ``GET /tasks``, the case search,
``/leads``, the pipeline and ``GET /prospects``, the referrals list) asks :func:`read`, so
a number finds its customer however it is written (docs/crm.md "Phone numbers"):

- a whole number, in any form :func:`forms.phone.normalise` accepts (``0166 234 5678``,
  ``+84 362 345 678``, ``84362345678``, ``036.234.5678``, ``8 912 345-67-89``): its E.164;
- part of a number, of at least :data:`MIN_DIGITS` digits: the digits as typed (a piece from
  anywhere in the number, ``2345678``), and where it begins like a number's beginning, that
  beginning written as E.164 writes it: ``+``/``00`` dropped, a leading ``0`` (``8`` in
  Russia) read as the trunk prefix and replaced by the country code, an old Vietnamese
  11-digit prefix replaced by today's (``0166 234`` looks for ``8436234``).

Text with letters, or longer than a phone number is ever written, is not a number: the
search looks for names only. Digits fewer than :data:`MIN_DIGITS` find no number (too many
numbers share them).
"""
import re
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import false, or_

from engine.places import place, regions

from .phone import MAX_LENGTH, OLD_MOBILE_PREFIXES, RENUMBERED_REGION, normalise

MIN_DIGITS = 6
# Digits and the signs people write numbers with: "0912 345 678", "+84-912.345.678", "(8) 912/345".
PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
_RENUMBERED_CODE = str(phonenumbers.country_code_for_region(RENUMBERED_REGION))
# Old prefixes without their trunk "0" ("166" -> "36"), as they follow the country code.
_OLD_SIGNIFICANT = {old[1:]: new[1:] for old, new in OLD_MOBILE_PREFIXES.items()}


@dataclass(frozen=True)
class PhoneSearch:
    """What a search text means as a phone number.

    ``e164``: the whole number, when the text is one (else ``None``); ``fragments``: digit
    strings, any one of which found inside a stored number's E.164 digits is a match
    (the whole number's own digits for a whole number; empty: too few digits to look for).
    """

    e164: str
    fragments: tuple

    def condition(self, column):
        """A SQL condition: ``column`` (E.164, or text holding a number's E.164 digits such
        as ``human_task.search_text``) contains one of the fragments."""
        if not self.fragments:
            return false()
        return or_(*(column.contains(fragment) for fragment in self.fragments))


def read(text, region=None):
    """``text`` as a phone search, or ``None`` when it does not read as a phone number.

    :param region: ISO 3166 region of a number written without a country code, tried first
        (then the other configured places'); ``None``: the default place's (needs an app)
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > MAX_LENGTH or not PHONE_LIKE.match(text):
        return None
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) < MIN_DIGITS:
        return PhoneSearch(None, ())
    try:
        whole = normalise(text, region)
    except ValueError:
        return PhoneSearch(None, _fragments(text.startswith("+"), digits, region))
    return PhoneSearch(whole, (whole[1:],))


def _fragments(international, digits, region):
    """The digit strings a part of a number looks for (see the module's docstring)."""
    if international or digits.startswith("00"):
        return (_modern(digits[0 if international else 2:]),)
    found = [] if digits.startswith("0") else [digits]
    for candidate in dict.fromkeys([region or place().region, *regions()]):
        trunk = phonenumbers.PhoneMetadata.metadata_for_region(candidate).national_prefix
        if trunk and digits.startswith(trunk):
            found.append(_modern(str(phonenumbers.country_code_for_region(candidate)) + digits[len(trunk):]))
    if not digits.startswith("0"):
        found.append(_modern(digits))   # "84166..." is "+84 166..." written without its "+"
    return _broadest(found)


def _modern(digits):
    """E.164 digits with an old Vietnamese mobile prefix (``84 166 …``) replaced by today's."""
    code = _RENUMBERED_CODE
    significant = digits[len(code):]
    old = significant[:3]
    if digits.startswith(code) and old in _OLD_SIGNIFICANT and len(significant) <= 10:
        return code + _OLD_SIGNIFICANT[old] + significant[3:]
    return digits


def _broadest(fragments):
    """The fragments without those that contain another (it finds them already)."""
    unique = list(dict.fromkeys(fragments))
    return tuple(f for f in unique if not any(o != f and o in f for o in unique))
