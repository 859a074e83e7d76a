"""Customers' phone numbers as E.164, with the 2018 Vietnamese prefix change applied.

The implementation lives in :mod:`forms.phone` (forms sit below crm and must not
import it), so a form field and a lead accept exactly the same numbers.
"""
from engine.errors import ValidationError
from forms import messages
from forms.phone import OLD_MOBILE_PREFIXES, modernise
from forms.phone import normalise as _normalise

__all__ = ["OLD_MOBILE_PREFIXES", "modernise", "normalize"]


def normalize(raw, region=None):
    """``raw`` as E.164 (``+84321234567`` for ``0162 123 4567``).

    :param region: ISO 3166 region for numbers written without a country code (``None``:
        the default place's)
    :raises ValidationError: not a phone number (``fields["phone"]`` says so)
    """
    try:
        return _normalise(raw if isinstance(raw, str) else "", region)
    except ValueError:
        message = messages.phone()
        raise ValidationError(message, fields={"phone": message}) from None
