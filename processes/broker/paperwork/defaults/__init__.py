"""The shipped templates: version 1 of each kind, stored when a kind has none.

The HTML templates are files beside this module. The DOCX templates are built here with
python-docx (:mod:`.docx_builder`) rather than shipped as binary files, so that their text
can be read and reviewed like the rest of the code; they say what the HTML says.
"""
from importlib import resources

from . import docx_builder

NAMES = {"contract": "Договор.docx", "act": "Акт.docx", "invoice": "Счёт.docx"}


def html(kind):
    """The shipped HTML template of ``kind``."""
    return resources.files(__name__).joinpath(f"{kind}.html").read_text(encoding="utf-8")


def docx(kind):
    """The shipped DOCX template of ``kind`` (bytes)."""
    return docx_builder.BUILDERS[kind]()


def docx_name(kind):
    return NAMES[kind]
