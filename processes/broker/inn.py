"""Russian taxpayer and registration numbers, checked by their control digits.

- ИНН (INN): 10 digits for a company (юридическое лицо), 12 for an individual
  entrepreneur (ИП); the last digit (two for 12) is a weighted sum modulo 11, modulo 10
  (the Federal Tax Service's algorithm).
- ОГРН (OGRN, 13 digits, a company) and ОГРНИП (OGRNIP, 15 digits, an entrepreneur): the
  last digit is the number made by the others modulo 11 (ОГРН) or 13 (ОГРНИП), modulo 10.

People type them with spaces or dashes; :func:`digits` drops those. The functions answer
plain values; the messages are the schema's (processes.broker.deals).
"""
import re

INN_10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
COMPANY, ENTREPRENEUR = "company", "entrepreneur"
_SEPARATORS = re.compile(r"[\s\-]")


def digits(value):
    """``value`` without spaces and dashes, or ``None`` when it is not text of digits."""
    if not isinstance(value, str):
        return None
    text = _SEPARATORS.sub("", value)
    return text if text.isascii() and text.isdigit() else None


def _control(numbers, weights):
    return sum(int(n) * w for n, w in zip(numbers, weights, strict=True)) % 11 % 10


def inn_kind(inn):
    """``"company"`` (10 digits) or ``"entrepreneur"`` (12) when ``inn``'s control digits
    match, else ``None``. All zeros is no one's number."""
    inn = digits(inn)
    if inn is None or set(inn) == {"0"}:
        return None
    if len(inn) == 10 and _control(inn[:9], INN_10_WEIGHTS) == int(inn[9]):
        return COMPANY
    if (len(inn) == 12 and _control(inn[:10], INN_12_WEIGHTS_11) == int(inn[10])
            and _control(inn[:11], INN_12_WEIGHTS_12) == int(inn[11])):
        return ENTREPRENEUR
    return None


def ogrn_kind(ogrn):
    """``"company"`` (ОГРН, 13 digits) or ``"entrepreneur"`` (ОГРНИП, 15) when the check
    digit matches, else ``None``. The first digit says which register: 1 or 5 for a
    company's ОГРН, 3 for an entrepreneur's ОГРНИП."""
    ogrn = digits(ogrn)
    if ogrn is None:
        return None
    if len(ogrn) == 13 and ogrn[0] in "15" and int(ogrn[:12]) % 11 % 10 == int(ogrn[12]):
        return COMPANY
    if len(ogrn) == 15 and ogrn[0] == "3" and int(ogrn[:14]) % 13 % 10 == int(ogrn[14]):
        return ENTREPRENEUR
    return None


def inn_control(first):
    """The control digits that make ``first`` (9 or 10 digits) a valid ИНН: for making
    examples and test data."""
    if len(first) == 9:
        return str(_control(first, INN_10_WEIGHTS))
    eleventh = str(_control(first, INN_12_WEIGHTS_11))
    return eleventh + str(_control(first + eleventh, INN_12_WEIGHTS_12))
