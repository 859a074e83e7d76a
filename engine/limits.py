"""Size checks on the operations a script could make enormous in one uninterruptible step.

The time limit (engine/sandbox.py) stops Python-level loops, but one C-level operation
runs to its end: ``pow(10, 10**7)``, ``'x' * 10**9`` or ``'x'.center(10**9)`` would
hold a worker for seconds and allocate gigabytes before the clock is looked at. The
sandbox's compiler turns ``**``, ``*``, ``+``, ``<<``, ``%`` and f-string format specs
into calls of the checked functions below, its ``getattr`` guard hands out checked
versions of the methods that allocate by an argument, and ``pow``, ``round`` and
``sum`` are replaced by checked ones. Each refuses before the work starts:

- a string, bytes, list or tuple of more than :data:`MAX_LENGTH` items (characters),
- an integer of more than :data:`MAX_INT_BITS` bits (about 30,000 decimal digits),
- a modular power whose exponent bits times modulus bits pass :data:`MAX_MODPOW_WORK`.

What a loop of allowed steps accumulates is bounded by the time limit and by the
address-space cap the sandbox sets while a script runs.
"""
import math
import re
from decimal import Decimal
from functools import partial

from RestrictedPython.Guards import safer_getattr

MAX_LENGTH = 1_000_000
MAX_INT_BITS = 100_000
MAX_MODPOW_WORK = 1 << 24
MAX_ROUND_DIGITS = 10_000

_SEQUENCES = (str, bytes, bytearray, list, tuple)
_TEXT = (str, bytes, bytearray)
# '%%' is a literal percent sign; otherwise flags, then width and precision (digits or '*')
_PERCENT = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


class LimitError(ValueError):
    """An operation in a script would produce a result larger than scripts may make."""


def check_length(length, what):
    """:raises LimitError: ``length`` items is more than :data:`MAX_LENGTH`"""
    if length > MAX_LENGTH:
        raise LimitError(f"{what} would make {length:,} characters or items; "
                         f"a script may make at most {MAX_LENGTH:,} at once")


def _check_bits(bits, what):
    if bits > MAX_INT_BITS:
        raise LimitError(f"{what} would make a number of {bits:,} bits; "
                         f"a script may make numbers of at most {MAX_INT_BITS:,} bits")


def _number(digits, what):
    """A width or precision written in a format: long digit runs are refused unread."""
    if len(digits) > len(str(MAX_LENGTH)):
        check_length(MAX_LENGTH + 1, what)
    return int(digits)


def power(base, exponent, modulus=None):
    """``base ** exponent`` and ``pow(base, exponent[, modulus])``, refused when enormous."""
    if modulus is not None:
        if isinstance(exponent, int) and isinstance(modulus, int) \
                and exponent.bit_length() * max(modulus.bit_length(), 1) > MAX_MODPOW_WORK:
            raise LimitError("pow() with this exponent and modulus is too much work for a script")
        return pow(base, exponent, modulus)
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        _check_bits(math.ceil(exponent * math.log2(abs(base))), "**")
    if isinstance(exponent, (int, float, Decimal)) and abs(exponent) > MAX_INT_BITS:
        raise LimitError(f"an exponent above {MAX_INT_BITS:,} is too large for a script")
    return base ** exponent


def multiply(left, right):
    """``left * right``: repetition of a sequence and products of integers are checked."""
    if isinstance(left, _SEQUENCES) and isinstance(right, int):
        check_length(len(left) * max(right, 0), "repetition")
    elif isinstance(right, _SEQUENCES) and isinstance(left, int):
        check_length(len(right) * max(left, 0), "repetition")
    elif isinstance(left, int) and isinstance(right, int):
        _check_bits(left.bit_length() + right.bit_length(), "*")
    return left * right


def add(left, right):
    """``left + right``: concatenations are checked."""
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        check_length(len(left) + len(right), "+")
    return left + right


def lshift(left, right):
    """``left << right``: ``1 << 10**9`` is a power of two by another name."""
    if isinstance(left, int) and isinstance(right, int) and left and right > 0:
        _check_bits(left.bit_length() + right, "<<")
    return left << right


def modulo(left, right):
    """``left % right``: for text, the widths and precisions of ``%`` formats are checked."""
    if isinstance(left, _TEXT):
        text = left if isinstance(left, str) else bytes(left).decode("latin-1")
        starred = False
        for spec in _PERCENT.findall(text):
            for number in spec:
                if number == "*":
                    starred = True
                elif number:
                    check_length(_number(number, "a % format width"), "a % format width")
        if starred:
            for value in right if isinstance(right, tuple) else (right,):
                if isinstance(value, int):
                    check_length(abs(value), "a % format width")
    return left % right


_CONVERSIONS = {115: str, 114: repr, 97: ascii}


def format_value(value, conversion, spec):
    """An f-string field ``{value!conversion:spec}``, its width and precision checked."""
    if conversion in _CONVERSIONS:
        value = _CONVERSIONS[conversion](value)
    for digits in _DIGITS.findall(spec):
        check_length(_number(digits, "a format width"), "a format width")
    return format(value, spec)


def _pad(name, text, width, *rest):
    check_length(width, f"{name}()")
    return getattr(text, name)(width, *rest)


def _expandtabs(text, *args, **kwargs):
    size = args[0] if args else kwargs.get("tabsize", 8)
    tab = "\t" if isinstance(text, str) else b"\t"
    check_length(len(text) + text.count(tab) * max(size, 0), "expandtabs()")
    return text.expandtabs(*args, **kwargs)


def _replace(text, old, new, *args, **kwargs):
    count = args[0] if args else kwargs.get("count", -1)
    found = text.count(old) if old else len(text) + 1
    if count >= 0:
        found = min(found, count)
    check_length(len(text) + found * max(len(new) - len(old), 0), "replace()")
    return text.replace(old, new, *args, **kwargs)


def _join(text, iterable):
    items = list(iterable)
    lengths = sum(len(item) for item in items if isinstance(item, _TEXT))
    check_length(lengths + len(text) * max(len(items) - 1, 0), "join()")
    return text.join(items)


def _translate(text, table, *args):
    longest = 1
    if isinstance(table, dict):
        longest = max((len(v) for v in table.values() if isinstance(v, _TEXT)), default=1)
    check_length(len(text) * longest, "translate()")
    return text.translate(table, *args)


def _extend(sequence, iterable):
    items = iterable if isinstance(iterable, _SEQUENCES) else list(iterable)
    check_length(len(sequence) + len(items), "extend()")
    return sequence.extend(items)


def _to_bytes(number, *args, **kwargs):
    length = args[0] if args else kwargs.get("length", 1)
    check_length(length, "to_bytes()")
    return number.to_bytes(*args, **kwargs)


_TEXT_METHODS = {name: partial(_pad, name) for name in ("center", "ljust", "rjust", "zfill")}
_TEXT_METHODS.update(expandtabs=_expandtabs, replace=_replace, join=_join, translate=_translate)
CHECKED_METHODS = {str: _TEXT_METHODS, bytes: _TEXT_METHODS,
                   bytearray: {**_TEXT_METHODS, "extend": _extend},
                   list: {"extend": _extend}, int: {"to_bytes": _to_bytes}}


def guarded_getattr(obj, name, *default):
    """RestrictedPython's ``safer_getattr``, handing out checked versions of the methods
    that allocate by an argument (``s.center(n)``, and ``str.center(s, n)`` too)."""
    value = safer_getattr(obj, name, *default)
    owner = obj if isinstance(obj, type) else type(obj)
    for base, methods in CHECKED_METHODS.items():
        if issubclass(owner, base) and name in methods:
            if obj is owner:
                return partial(_unbound, base, methods[name])
            return partial(methods[name], obj)
    return value


def _unbound(base, checked, target, *args, **kwargs):
    if not isinstance(target, base):
        raise TypeError(f"this method needs a {base.__name__}, not {type(target).__name__}")
    return checked(target, *args, **kwargs)


def checked_round(number, ndigits=None):
    """``round()``: a huge negative ``ndigits`` computes ``10 ** -ndigits`` first."""
    if isinstance(ndigits, int) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise LimitError(f"round() to more than {MAX_ROUND_DIGITS:,} digits is not allowed in scripts")
    return round(number) if ndigits is None else round(number, ndigits)


def checked_sum(iterable, start=0):
    """``sum()``: adding up sequences is checked item by item, as ``+`` is."""
    if isinstance(start, _SEQUENCES):
        total = start
        for item in iterable:
            total = add(total, item)
        return total
    return sum(iterable, start)


_INPLACE = {"+=": add, "-=": lambda x, y: x - y, "*=": multiply, "/=": lambda x, y: x / y,
            "//=": lambda x, y: x // y, "%=": modulo, "**=": power, "<<=": lshift,
            ">>=": lambda x, y: x >> y, "|=": lambda x, y: x | y, "&=": lambda x, y: x & y,
            "^=": lambda x, y: x ^ y}


def inplace(op, x, y):
    """``x op= y`` (RestrictedPython's ``_inplacevar_``), checked as the plain operator is."""
    if op not in _INPLACE:
        raise SyntaxError(f"operator {op} is not allowed in scripts")
    return _INPLACE[op](x, y)
