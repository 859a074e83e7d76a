"""An amount of roubles in words, as Russian business documents write it (and in
Vietnamese and English for the readers of those languages):

    1200000     -> "Один миллион двести тысяч рублей 00 копеек"
    1234567.89  -> "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек"

Roubles in words, kopecks in two digits, the first letter capital: the form of a Russian
contract, act or invoice ("сумма прописью"). num2words gives the numbers in words (with the
feminine "две тысячи"); the noun after them takes the Russian plural rule of the last digits
(:func:`plural_ru`), which num2words' own currency mode also has but writes the kopecks in words.
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from num2words import num2words

LANGUAGES = ("ru", "vi", "en")
CENT = Decimal("0.01")
# The largest amount written in words: a 15-digit sum of roubles (num2words goes further,
# no document of ours does).
LIMIT = Decimal("1e15")

_RU_ROUBLE = ("рубль", "рубля", "рублей")
_RU_KOPECK = ("копейка", "копейки", "копеек")


def plural_ru(number, forms):
    """The Russian form of a noun after ``number``: ``forms`` is (1, 2-4, 5-20) — рубль,
    рубля, рублей. 11-14 take the third form whatever their last digit (11 рублей, 21 рубль)."""
    number = abs(int(number))
    if number % 100 in range(11, 15):
        return forms[2]
    return {1: forms[0], 2: forms[1], 3: forms[1], 4: forms[1]}.get(number % 10, forms[2])


def to_amount(value):
    """``value`` (a number, a numeric string with a comma or spaces, a Decimal) as a
    Decimal of kopecks, rounded half up.

    :raises ValueError: not a number, negative, or too large to write
    """
    if isinstance(value, float):
        value = repr(value)
    text = str(value).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{value!r} is not an amount of zero or more")
    if amount >= LIMIT:
        raise ValueError(f"{value!r} is too large to write in words")
    return amount


def _capital(text):
    return text[:1].upper() + text[1:]


def amount_in_words(value, language="ru"):
    """The rouble amount ``value`` in words in ``language`` (ru, vi or en), kopecks in digits.

    :raises ValueError: not an amount (:func:`to_amount`) or an unknown language
    """
    amount = to_amount(value)
    roubles, kopecks = int(amount), int((amount - int(amount)) * 100)
    if language == "ru":
        words = num2words(roubles, lang="ru")
        return _capital(f"{words} {plural_ru(roubles, _RU_ROUBLE)} {kopecks:02d} "
                        f"{plural_ru(kopecks, _RU_KOPECK)}")
    if language == "vi":
        return _capital(f"{num2words(roubles, lang='vi')} rúp {kopecks:02d} kopek")
    if language == "en":
        words = num2words(roubles, lang="en").replace(",", "")
        rouble = "rouble" if roubles == 1 else "roubles"
        kopeck = "kopeck" if kopecks == 1 else "kopecks"
        return _capital(f"{words} {rouble} {kopecks:02d} {kopeck}")
    raise ValueError(f"no words for language {language!r}; one of {', '.join(LANGUAGES)}")
