"""Phone numbers: validated and normalised to E.164 with ``phonenumbers``.

A number is read in the default region first (the user's, "VN" unless told), then in
the other regions Tasklane serves, so "8 912 345-67-89" is a Russian mobile for a
user in Vietnam too. Numbers written with "+" need no region.
"""
import phonenumbers

SERVED_REGIONS = ("VN", "RU")
MAX_LENGTH = 40


def normalise(text, region="VN"):
    """``text`` as an E.164 number, e.g. ``+84912345678``.

    :param region: ISO 3166 region for numbers written without a country code
    :raises ValueError: not a valid number in ``region`` nor in a served region
    """
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_LENGTH:
        raise ValueError(text)
    regions = [region, *(r for r in SERVED_REGIONS if r != region)]
    for candidate in regions:
        try:
            number = phonenumbers.parse(text, candidate)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValueError(text)
