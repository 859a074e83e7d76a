"""Phone numbers: validated and normalised to E.164 with ``phonenumbers``.

A number is read in the given region first (the user's; the default place's unless told),
then in the other regions of the configured places (engine.places.regions), so
"8 912 345-67-89" is a Russian mobile for a user in Vietnam too. Numbers written with "+" need no region.

Vietnamese mobiles written with their old 11-digit prefix (``0162 …``, ``+84 162 …``)
are rewritten to today's 10-digit prefix first: customer lists and old contacts
still carry them, and ``phonenumbers`` no longer accepts them. This is the one
implementation; ``crm.phones`` uses it too.

Shown to people (:func:`display`), a number is written as its own country writes it
when that country is the reader's place's, and internationally otherwise
(docs/crm.md "Phone numbers").
"""
import re

import phonenumbers
from flask import has_request_context
from flask_babel import get_locale

from engine.places import place, region_of_language, regions

# The region whose 2018 renumbering OLD_MOBILE_PREFIXES records: a fact of that table, not a place.
RENUMBERED_REGION = "VN"
MAX_LENGTH = 40

# The 2018 conversion of 11-digit mobile numbers to 10 digits, decided by Vietnam's
# Ministry of Information and Communications (Bộ Thông tin và Truyền thông, Circular
# 22/2014/TT-BTTTT and its plan of 2018; carried out 15 Sep - 14 Nov 2018).
# Old national prefix -> today's.
OLD_MOBILE_PREFIXES = {
    # Viettel
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039",
    # MobiFone
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    # VinaPhone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    # Vietnamobile
    "0186": "056", "0188": "058",
    # Gmobile
    "0199": "059",
}
_SEPARATORS = re.compile(r"[\s().\-]")


def modernise(text):
    """``text`` with an old 11-digit Vietnamese mobile prefix replaced by today's.

    Accepts the national form (``0162 123 4567``) and the international ones
    (``+84 162 123 4567``, ``84162…``, ``0084162…``); anything else comes back unchanged.
    """
    compact = _SEPARATORS.sub("", text.strip())
    for international in ("+84", "0084", "84"):
        if compact.startswith(international) and len(compact) == len(international) + 10:
            national = "0" + compact[len(international):]
            break
    else:
        national = compact
    if len(national) == 11 and national.isdigit() and national[:4] in OLD_MOBILE_PREFIXES:
        return OLD_MOBILE_PREFIXES[national[:4]] + national[4:]
    return text


def normalise(text, region=None):
    """``text`` as an E.164 number, e.g. ``+84912345678``.

    :param region: ISO 3166 region for numbers written without a country code; ``None``:
        the default place's (needs an app)
    :raises ValueError: not a valid number in ``region`` nor in a configured place's region
    """
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_LENGTH:
        raise ValueError(text)
    modern = modernise(text)
    if modern is not text:
        return normalise(modern, RENUMBERED_REGION)
    region = region or place().region
    for candidate in dict.fromkeys([region, *regions()]):
        try:
            number = phonenumbers.parse(text, candidate)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValueError(text)


def reader_region():
    """The region of the reader's place: the place that speaks the reader's language
    (Russian readers: the brokerage's RU), else the default place's (no request: the default's)."""
    if not has_request_context():
        return place().region
    return region_of_language(str(get_locale() or place().language))


def display(number, region=None):
    """``number`` (E.164) as people write it: the national format (``0362 345 678``) when it
    is a number of ``region``, the international one (``+7 912 345-67-89``) otherwise.
    Anything that is not a valid number comes back as it is (a page never fails on it).

    :param region: ISO 3166 region of the reader; ``None``: :func:`reader_region`
    """
    if not isinstance(number, str) or not number.strip():
        return number or ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_valid_number(parsed):
        return number
    home = phonenumbers.region_code_for_number(parsed) == (region or reader_region())
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)
