"""The Jinja environment the team's templates run in (DOCX by docxtpl, HTML for the PDF).

Templates are edited in the browser by the broker team, so they run sandboxed
(``jinja2.sandbox.ImmutableSandboxedEnvironment``: no attributes starting with ``_``, no
changing the context's lists and dicts, ``range`` capped), with two guards more against a
template that would exhaust the server: ``"x" * 10**9`` and ``10 ** 10**9`` are refused.
An unknown field is an error (``StrictUndefined``), so a misspelt name is caught when the
template is uploaded rather than printed as a blank in a contract.
"""
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateRuntimeError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import formats
from .words import amount_in_words

MAX_RANGE = 1000
MAX_REPEAT = 10_000
MAX_POWER = 64


def _filter(function):
    """``function`` as a filter whose refusal of a value is the template's error (its
    message names the value), not an error of the server."""
    def applied(value, *args):
        try:
            return function(value, *args)
        except ValueError as error:
            raise TemplateRuntimeError(str(error)) from None
    return applied


def _range(*args):
    found = range(*args)
    if len(found) > MAX_RANGE:
        raise SecurityError(f"range of more than {MAX_RANGE} items")
    return found


def _size(value):
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


class Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_POWER:
            raise SecurityError(f"power above {MAX_POWER}")
        if operator == "*":
            size, times = (_size(left), right) if _size(left) is not None else (_size(right), left)
            if size is not None and isinstance(times, int) and size * times > MAX_REPEAT:
                raise SecurityError(f"repeating text into more than {MAX_REPEAT} characters")
        return super().call_binop(context, operator, left, right)


def environment():
    """A new environment (docxtpl sets options on the one it is given): values escaped for
    XML and HTML, unknown names refused, the document filters ``money``, ``number``,
    ``date``, ``short_date`` and ``words``."""
    env = Sandbox(autoescape=True, undefined=StrictUndefined)
    filters = {"money": formats.money, "number": formats.number, "date": formats.long_date,
               "short_date": formats.short_date, "words": amount_in_words}
    env.filters.update({name: _filter(function) for name, function in filters.items()})
    env.globals["range"] = _range
    return env
