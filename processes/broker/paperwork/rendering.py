"""Filling a template in: the DOCX by docxtpl, the HTML by Jinja and then WeasyPrint for the
PDF; and the checks an uploaded template passes before it is stored.

Both run in the sandbox (:mod:`.sandbox`). WeasyPrint fetches nothing: its URL fetcher
takes ``data:`` URLs only (an image or a font must be embedded), so a template cannot make
the server read a file or call a network address.

A problem in a template is told in the reader's words (:func:`problem`): the field it names
that documents do not have, the line of a syntax error, what the sandbox refused.
"""
import io
import re
import traceback
import zipfile

import docx
from docxtpl import DocxTemplate
from flask_babel import gettext as _
from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from engine.errors import ValidationError

from .sandbox import environment

MAX_DOCX = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_PARTS = 1000
MAX_HTML = 200_000
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_QUOTED = re.compile(r"'([^']+)'")


def render_docx(template_bytes, context):
    """The DOCX ``template_bytes`` filled in with ``context``. :raises TemplateError: (and
    whatever a broken file makes docxtpl raise; :func:`check_docx` has kept those out)"""
    template = DocxTemplate(io.BytesIO(template_bytes))
    template.render(context, jinja_env=environment())
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def render_html(source, context):
    """The HTML template ``source`` filled in with ``context``. :raises TemplateError:"""
    return environment().from_string(source).render(context)


def _fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def html_to_pdf(html):
    """The PDF of ``html``; nothing but ``data:`` URLs is fetched."""
    import weasyprint  # imported when first needed: it loads pango, fontconfig and the fonts

    return weasyprint.HTML(string=html, url_fetcher=_fetcher()).write_pdf()


def _template_line(error):
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if frame.filename == "<template>"]
    return getattr(error, "lineno", None) or (lines[-1] if lines else None)


def problem(error, *, where="html"):
    """What is wrong with a template, for its editor, from the error filling it in raised.

    :param where: ``html`` (lines are the editor's) or ``docx`` (the text near the problem)
    """
    message = getattr(error, "message", None) or str(error)
    if isinstance(error, UndefinedError):
        names = _QUOTED.findall(message)
        text = _("Unknown field “%(name)s”: documents have no such value (see the list of fields).",
                 name=names[-1] if names else message)
    elif isinstance(error, SecurityError):
        text = _("Not allowed in a template: %(reason)s.", reason=message)
    elif isinstance(error, TemplateSyntaxError):
        text = _("The template's syntax is wrong: %(reason)s.", reason=message)
    else:
        text = _("The template cannot be filled in: %(reason)s.", reason=message)
    if where == "docx":
        near = " ".join(" ".join(getattr(error, "docx_context", ()) or ()).split())[:200]
        return _("%(problem)s Near: “%(text)s”.", problem=text, text=near) if near else text
    line = _template_line(error)
    return _("Line %(line)d: %(problem)s", line=line, problem=text) if line else text


def _refuse(field, message):
    raise ValidationError(message, fields={field: message})


def _check_package(data):
    not_word = _("This is not a Word document (.docx); a .doc or a PDF must be saved as .docx first.")
    if not data:
        _refuse("docx", _("Choose a .docx file."))
    if len(data) > MAX_DOCX:
        _refuse("docx", _("The file is larger than %(size)d MB.", size=MAX_DOCX // 1024 // 1024))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
    except zipfile.BadZipFile:
        _refuse("docx", not_word)
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
        _refuse("docx", _("The document unpacks to more than %(size)d MB.", size=MAX_UNPACKED // 2**20))
    if "word/document.xml" not in {part.filename for part in parts}:
        _refuse("docx", not_word)


def check_docx(data, context):
    """Refuse a DOCX that docxtpl cannot fill in with ``context`` (the sample deal).

    :returns: the filled-in document
    :raises ValidationError: ``fields["docx"]`` says what is wrong
    """
    _check_package(data)
    try:
        filled = render_docx(data, context)
        docx.Document(io.BytesIO(filled))
    except TemplateError as error:
        _refuse("docx", problem(error, where="docx"))
    except Exception as error:  # noqa: BLE001 - an uploaded file: whatever the parsers raise, it is refused
        _refuse("docx", _("The Word document cannot be read (%(reason)s); save it again as .docx.",
                          reason=type(error).__name__))
    return filled


def check_html(source, context):
    """Refuse an HTML template that Jinja cannot fill in with ``context`` or WeasyPrint
    cannot print.

    :returns: ``(html, pdf)`` of the sample
    :raises ValidationError: ``fields["html"]`` says what is wrong, with its line
    """
    if not source or not source.strip():
        _refuse("html", _("The HTML template is empty."))
    if len(source) > MAX_HTML:
        _refuse("html", _("The HTML template is longer than %(count)d characters.", count=MAX_HTML))
    try:
        html = render_html(source, context)
    except TemplateError as error:
        _refuse("html", problem(error))
    except (ValueError, TypeError, ArithmeticError) as error:
        _refuse("html", _("The template cannot be filled in: %(reason)s.", reason=str(error)))
    try:
        pdf = html_to_pdf(html)
    except Exception as error:  # noqa: BLE001 - the team's HTML: a layout failure is theirs to fix
        _refuse("html", _("The PDF cannot be made from this HTML (%(reason)s).", reason=type(error).__name__))
    return html, pdf
