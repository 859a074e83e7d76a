"""Task instructions: Markdown with Jinja fields from the task data, made safe to show.

Process owners write the instructions (spiff ``instructionsForEndUser``); the task data
fills in ``{{ customer_name }}``. Data is inserted as text, the Markdown becomes HTML,
and nh3 removes anything that could run in the browser.
"""
import nh3
from jinja2 import ChainableUndefined
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from . import messages

MAX_SIZE = 100_000
URL_SCHEMES = {"http", "https", "mailto", "tel"}


class _Environment(SandboxedEnvironment):
    """No ``"x" * 10**9``: repetition and powers that would build huge values are refused."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise SecurityError("exponent too large")
        if operator_name == "*":
            sizes = [len(v) for v in (left, right) if isinstance(v, str | list | tuple)]
            counts = [v for v in (left, right) if isinstance(v, int)]
            if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_SIZE:
                raise SecurityError("result too large")
        return super().call_binop(context, operator_name, left, right)


def _text(value):
    # Data is text: "<b>" in a customer's name shows as "<b>", it does not make bold.
    return value if isinstance(value, Markup) else escape("" if value is None else value)


def render(markdown_text, data):
    """``markdown_text`` with its Jinja fields filled from ``data``, as sanitised HTML.

    Undefined fields render empty. A template that fails to render is shown as written,
    followed by a short note; this function does not raise for bad templates or data.

    :param data: the task data (a dict); other values count as no data
    :returns: ``markupsafe.Markup``
    """
    source = markdown_text or ""
    env = _Environment(autoescape=False, undefined=ChainableUndefined, finalize=_text)
    note = None
    try:
        text = env.from_string(source).render(data if isinstance(data, dict) else {})
        if len(text) > MAX_SIZE:
            raise SecurityError("result too large")
    except Exception:  # noqa: BLE001 - any failure of an author's template shows the raw text
        text, note = source, messages.instructions_failed()
    html = MarkdownIt("commonmark").enable("table").render(text)
    if note:
        html += f"<p><em>{escape(note)}</em></p>"
    return Markup(nh3.clean(  # noqa: S704 - nh3 has just sanitised it
        html, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer"))

