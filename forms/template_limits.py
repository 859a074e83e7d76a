"""A Jinja sandbox whose templates cannot take a lot of memory or time.

Jinja's own sandbox stops templates from reaching Python internals, not from asking
for ``'x'|center(10**9)`` (a gigabyte) or ``range(10**5)`` nested three times. Here
every operation that could build a big value checks the size it would build *before*
building it, and every loop step, call and filter spends from a budget with a deadline:

- text made from a value (output, ``~``, ``+``, ``*``, ``%``, ``format``, ``join``,
  ``replace``, ``center`` and its kin, ``indent``, ``wordwrap``) stays under
  :data:`MAX_SIZE` characters; integers from ``*`` and ``**`` under :data:`MAX_INT_BITS`;
- ``batch`` and ``slice`` make at most :data:`MAX_ITEMS` groups; ``lipsum`` is gone;
- :data:`MAX_STEPS` loop steps, calls and filters, and :data:`MAX_SECONDS` in all;
- list, dict and set methods that change them are refused (immutable sandbox), and a
  ``namespace()`` holds at most :data:`MAX_SIZE` characters.

Anything over a limit raises :class:`LimitError` (a ``jinja2.sandbox.SecurityError``).
"""
import re
import string
import time
from functools import update_wrapper
from types import BuiltinMethodType, MethodType

from jinja2 import filters as builtin_filters
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

MAX_SIZE = 100_000
MAX_INT_BITS = 10_000
MAX_ITEMS = 10_000
MAX_STEPS = 100_000
MAX_BUILT = 100 * MAX_SIZE
MAX_SECONDS = 2.0
MAX_FORMAT_WIDTH = 1_000
PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
WIDENING_METHODS = {"center", "ljust", "rjust", "zfill"}


class LimitError(SecurityError):
    """A template asked for more than the limits allow; ``kind`` is ``"size"`` or ``"work"``."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def text_size(value, limit=MAX_SIZE):
    """About how many characters ``value`` becomes as text; stops counting once past ``limit``.

    A list holding the same long string twice counts it twice, as its text would.
    """
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            if total <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            if total <= limit:
                stack.extend(item)
        else:
            total += 24
    return total


def _check_width(width):
    if isinstance(width, int) and width > MAX_SIZE:
        raise LimitError("size", f"a width over {MAX_SIZE} characters")
    return int(width)


def _printf_size(fmt, args):
    for width, precision in PRINTF_SPEC.findall(str(fmt)):
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_FORMAT_WIDTH):
                raise LimitError("size", f"a format width over {MAX_FORMAT_WIDTH}")
    return text_size(fmt) + text_size(args)


def _format_size(fmt, args, kwargs):
    for _literal, _field, spec, _conversion in string.Formatter().parse(str(fmt)):
        if spec and ("{" in spec or any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"\d+", spec))):
            raise LimitError("size", f"a format width over {MAX_FORMAT_WIDTH}")
    return text_size(fmt) + text_size(args) + text_size(kwargs)


def _replaced_size(text, old, new, count=-1):
    text, old, new = str(text), str(old), str(new)
    found = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        found = min(found, count)
    return len(text) + found * max(len(new) - len(old), 0)


def _wrapped_size(text, width=79, *args, wrapstring=None, **kwargs):
    text = str(text)
    lines = len(text) // max(int(width), 1) + text.count("\n") + 1
    return len(text) + lines * len(str(wrapstring if wrapstring is not None else "\n"))


def _indented_size(text, width=4, *args, **kwargs):
    text = str(text)
    pad = len(width) if isinstance(width, str) else max(_check_width(width), 0)
    return len(text) + (text.count("\n") + 1) * pad


def _joined_size(items, separator="", *args, **kwargs):
    count = len(items) if hasattr(items, "__len__") else 0
    return text_size(items) + len(str(separator)) * count


def _groups(count):
    if int(count) > MAX_ITEMS:
        raise LimitError("size", f"more than {MAX_ITEMS} groups")
    return 0


# Filter name -> the size of what it would build from its arguments, checked before it runs.
FILTER_SIZES = {
    "center": lambda value, width=80, *a, **k: len(str(value)) + _check_width(width),
    "indent": _indented_size,
    "wordwrap": _wrapped_size,
    "replace": _replaced_size,
    "format": lambda value, *args, **kwargs: _printf_size(value, (args, kwargs)),
    "join": _joined_size,
    "batch": lambda value, linecount=1, *a, **k: _groups(linecount),
    "slice": lambda value, slices=1, *a, **k: _groups(slices),
}
# Filters that turn their value into text of about its size.
FILTER_SIZES.update(dict.fromkeys(
    ("string", "pprint", "tojson", "urlize", "striptags", "title", "upper", "lower", "capitalize", "trim",
     "escape", "e", "forceescape", "urlencode", "xmlattr", "list"),
    lambda value, *a, **k: text_size(value)))


def _str_method_size(text, name, args, kwargs):
    """The size a ``str`` method would build, or ``None`` if it cannot build more than it has."""
    if name in WIDENING_METHODS and args:
        return len(text) + _check_width(args[0])
    if name == "expandtabs":
        return len(text) + text.count("\t") * _check_width(args[0] if args else kwargs.get("tabsize", 8))
    if name == "replace":
        return _replaced_size(text, *args, **kwargs)
    if name == "join" and args:
        items = args[0] if isinstance(args[0], str | list | tuple) else list(args[0])
        return _joined_size(items, text)
    if name in ("format", "format_map"):
        return _format_size(text, args, kwargs)
    if name == "translate":
        raise LimitError("size", "str.translate is not available in templates")
    return None


class BoundedNamespace(Namespace):
    """``namespace()`` whose values together stay under :data:`MAX_SIZE` characters."""

    def __setitem__(self, name, value):
        try:
            sizes = object.__getattribute__(self, "_sizes")
        except AttributeError:
            sizes = {}
            object.__setattr__(self, "_sizes", sizes)
        size = text_size(value)
        if sum(sizes.values()) - sizes.get(name, 0) + size > MAX_SIZE:
            raise LimitError("size", f"a namespace over {MAX_SIZE} characters")
        sizes[name] = size
        super().__setitem__(name, value)


class _CodeGenerator(CodeGenerator):
    """``a ~ b`` checks the size of its result; every ``for`` loop step is counted."""

    def visit_Concat(self, node, frame):
        self.write("environment.bounded_concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")

    def visit_For(self, node, frame):
        counted = nodes.Call(nodes.EnvironmentAttribute("counted"), [node.iter], [], None, None,
                             lineno=node.lineno)
        super().visit_For(nodes.For(node.target, counted, node.body, node.else_, node.test,
                                    node.recursive, lineno=node.lineno), frame)


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """A sandbox with a budget for one render: build a new one for each render.

    :param kwargs: as for :class:`jinja2.Environment`; ``optimized`` is always off
        (constant folding would run filters at compile time, outside the budget)
    """

    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **kwargs):
        super().__init__(optimized=False, **kwargs)
        self.steps = 0
        self.built = 0
        self.deadline = time.monotonic() + MAX_SECONDS
        self.globals.pop("lipsum", None)
        self.globals["namespace"] = BoundedNamespace
        self.filters = {name: self._bounded_filter(name, f) for name, f in builtin_filters.FILTERS.items()}

    def step(self):
        """Spend one step of the budget.

        :raises LimitError: the steps or the time are used up
        """
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise LimitError("work", f"more than {MAX_STEPS} loop steps, calls and filters")
        if time.monotonic() > self.deadline:
            raise LimitError("work", f"longer than {MAX_SECONDS:g} s")

    def build(self, size):
        """Allow building a value of ``size`` characters, counting it against the render's total.

        :raises LimitError: over :data:`MAX_SIZE`, or over :data:`MAX_BUILT` in all
        """
        if size > MAX_SIZE:
            raise LimitError("size", f"a value over {MAX_SIZE} characters")
        self.built += size
        if self.built > MAX_BUILT:
            raise LimitError("size", f"over {MAX_BUILT} characters built in all")

    def counted(self, iterable):
        for item in iterable:
            self.step()
            yield item

    def bounded_concat(self, values):
        self.build(sum(text_size(v) for v in values))
        return "".join(str(v) for v in values)

    def _bounded_filter(self, name, function):
        size_of = FILTER_SIZES.get(name)

        def bounded(*args, **kwargs):
            self.step()
            values = args[1:] if hasattr(function, "jinja_pass_arg") else args
            if size_of and values:
                self.build(size_of(*values, **kwargs))
            return function(*args, **kwargs)

        update_wrapper(bounded, function)
        return bounded

    def call_binop(self, context, operator, left, right):
        self.step()
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if max(left.bit_length(), 1) * right > MAX_INT_BITS:
                raise LimitError("size", f"a number over {MAX_INT_BITS} bits")
        elif operator == "*" and isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise LimitError("size", f"a number over {MAX_INT_BITS} bits")
        elif operator == "*":
            count = left if isinstance(left, int) else right if isinstance(right, int) else None
            other = right if count is left else left
            if count is not None and isinstance(other, str | list | tuple):
                self.build(text_size(other) * max(count, 0))
        elif operator == "+" and isinstance(left, str | list | tuple):
            self.build(text_size(left) + text_size(right))
        elif operator == "%" and isinstance(left, str):
            self.build(_printf_size(left, right))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        __self.step()
        method = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(method, "__self__", None)
        if isinstance(method, MethodType | BuiltinMethodType) and isinstance(owner, str):
            size = _str_method_size(owner, method.__name__, args, kwargs)
            if size is not None:
                __self.build(size)
        return super().call(__context, __obj, *args, **kwargs)

    def check_output(self, value):
        """Allow turning one ``{{ }}`` value into text."""
        self.build(text_size(value))
