"""Task instructions: Markdown with Jinja fields from the task data, made safe to show.

Process owners write the instructions (spiff ``instructionsForEndUser``); the task data
fills in ``{{ customer_name }}``. The owner's text is Markdown; the data is only ever
text: a customer named ``![p](http://host/x.png)`` or ``# Big`` shows those characters.

How: each ``{{ }}`` value becomes a placeholder (a long number, which Markdown
leaves alone), the owner's Markdown becomes HTML, the values are HTML-escaped into
the placeholders, and nh3 removes anything that could run in the browser or load from
elsewhere: links keep http(s), mailto and tel and get ``rel="noopener noreferrer"``;
images load only from this site (a relative address). The template runs in
:mod:`forms.template_limits`, so it cannot take much memory or time.
"""
import re
import secrets

import nh3
from jinja2 import ChainableUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from . import messages
from .phone import display
from .template_limits import MAX_BUILT, MAX_SIZE, BoundedEnvironment, LimitError

URL_SCHEMES = {"http", "https", "mailto", "tel"}
MAX_NESTING = 20
SCHEME = re.compile(r"[^/?#]*:")


class _OwnerText(str):
    """Text the template itself made (a macro, a ``{% set %}`` block): Markdown, not data."""


class _Fields:
    """The ``{{ }}`` values of one render, each standing in the Markdown as a placeholder."""

    def __init__(self, env):
        self.env = env
        self.values = []
        self.size = 0
        # Digits only: Markdown leaves them alone anywhere, and |upper or |lower keep them.
        self.prefix = str(secrets.randbelow(9 * 10**17) + 10**17)
        self.pattern = re.compile(self.prefix + r"(\d{6})")
        self.expanded = {}
        self.expanded_size = 0

    def finalize(self, value):
        if isinstance(value, _OwnerText):
            return value
        self.env.step()
        self.env.check_output(value)
        text = value.unescape() if isinstance(value, Markup) else "" if value is None else str(value)
        if not text:
            return ""  # nothing to hide from Markdown, and an empty line stays empty
        self.size += len(text)
        if self.size > MAX_SIZE:
            raise LimitError("size", f"fields over {MAX_SIZE} characters")
        self.values.append(text)
        return f"{self.prefix}{len(self.values) - 1:06d}"

    def insert(self, html):
        """``html`` with each placeholder replaced by its value, HTML-escaped."""
        return self.pattern.sub(lambda match: self._expand(int(match.group(1))), html)

    def _expand(self, number, depth=0):
        # A value may hold placeholders of earlier values (a macro's output run through a
        # filter): they are expanded too, each once, at most MAX_NESTING deep.
        if depth > MAX_NESTING:
            raise LimitError("work", f"fields nested over {MAX_NESTING} deep")
        if number not in self.expanded:
            parts = self.pattern.split(self.values[number])
            # split() with a group: the text between placeholders at even places, their numbers at odd
            text = "".join(
                self._expand(int(part), depth + 1) if place % 2 and int(part) < number else str(escape(part))
                for place, part in enumerate(parts))
            self.expanded_size += len(text)
            if len(text) > MAX_SIZE or self.expanded_size > MAX_BUILT:
                raise LimitError("size", f"fields over {MAX_SIZE} characters")
            self.expanded[number] = text
        return self.expanded[number]


def _fill(source, data, language):
    """The owner's Markdown with the fields as placeholders, and the fields.

    :raises LimitError: over a limit of :mod:`forms.template_limits`
    :raises Exception: anything else a broken template or odd data raises
    """
    env = BoundedEnvironment(autoescape=False, undefined=ChainableUndefined)
    env.filters["phone"] = display  # {{ phone|phone }}: as the reader writes it (0912 345 678)
    fields = _Fields(env)
    env.finalize = fields.finalize
    env.concat = lambda parts: _OwnerText("".join(parts))
    chunks, size = [], 0
    context = {**(data if isinstance(data, dict) else {}), "reader_language": language}
    for chunk in env.from_string(source).generate(context):
        size += len(chunk)
        if size > MAX_SIZE:
            raise LimitError("size", f"instructions over {MAX_SIZE} characters")
        chunks.append(chunk)
    return "".join(chunks), fields


def _same_site_image(element, attribute, value):
    # Images load only from this site: a remote image tells its host who opened the task.
    # A relative address has no scheme (no ":" before the first "/", "?" or "#") and no
    # host ("//host", or "/\host", which browsers read the same way).
    if element == "img" and attribute == "src" and (
            SCHEME.match(value) or value.startswith("//") or any(ch <= " " or ch == "\\" for ch in value)):
        return None
    return value


def _limit_note(error):
    return messages.instructions_too_large() if error.kind == "size" else messages.instructions_too_slow()


def _markdown(text):
    return MarkdownIt("commonmark").enable("table").render(text)


def render(markdown_text, data, language=None):
    """``markdown_text`` with its Jinja fields filled from ``data``, as sanitised HTML.

    ``reader_language`` in the template is ``language``, the reader's ("vi", "en", "ru"),
    so one task's instructions can read in each reader's language at display time
    (``{% if reader_language == "ru" %}...{% endif %}``); it wins over a data field of
    that name.

    Undefined fields render empty. A template that fails to render, or asks for more
    than the limits allow, is shown as written, followed by a short note saying why;
    this function does not raise for bad templates or data.

    :param data: the task data (a dict); other values count as no data
    :param language: the reader's language code, or ``None`` when unknown
    :returns: ``markupsafe.Markup``
    """
    source = markdown_text or ""
    note = None
    try:
        text, fields = _fill(source, data, language)
    except LimitError as error:
        text, fields, note = source, None, _limit_note(error)
    except Exception:  # noqa: BLE001 - any failure of an author's template shows the raw text
        text, fields, note = source, None, messages.instructions_failed()
    html = _markdown(text)
    if fields is not None:
        try:
            html = fields.insert(html)
        except LimitError as error:
            html, note = _markdown(source), _limit_note(error)
    if note:
        html += f"<p><em>{escape(note)}</em></p>"
    return Markup(nh3.clean(  # noqa: S704 - nh3 has just sanitised it
        html, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer", attribute_filter=_same_site_image))
