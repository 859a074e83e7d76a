"""The document templates the broker team edits: one line of versions per kind.

A version holds both forms of the document (the DOCX docxtpl fills in, the HTML WeasyPrint
prints) and is never changed; uploading a DOCX or saving the HTML adds the next version
with the other form carried over, and restoring an old one adds a copy of it. The newest
version is the one in force. Every new version is checked first by filling it in with a
sample deal (:func:`check`): a template that fails is refused with what is wrong, and
nothing is stored. Each version is audited in the stream ``broker:paperwork``.

The shipped templates (``defaults/``) are version 1 of each kind, made when the kind has
none (:func:`ensure_defaults`).
"""
import hashlib

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from engine import audit
from engine.db import db
from engine.errors import NotFoundError, ValidationError
from engine.models import AuditStream
from engine.types import utcnow

from . import defaults, rendering, requisites
from .context import build, sample
from .models import KINDS, DocumentTemplate
from .numbering import sample_number
from .requisites import STREAM

NOTE_MAX = 500
NAME_MAX = 255
SYSTEM = "system"


def _known(kind):
    if kind not in KINDS:
        raise NotFoundError(f"no document kind {kind!r}")


def ensure_defaults(*, commit=True):
    """Store the shipped template of each kind that has none.

    :param commit: commit them (a page that reads them must not leave them pending); False
        inside a change the caller commits (a unit of work), where they go with it
    :returns: how many were made
    """
    have = set(db.session.scalars(db.select(DocumentTemplate.kind).distinct()))
    made = [kind for kind in KINDS if kind not in have]
    if not made:
        return 0
    try:
        with db.session.begin_nested():
            for kind in made:
                db.session.add(DocumentTemplate(
                    kind=kind, version=1, docx=defaults.docx(kind), docx_name=defaults.docx_name(kind),
                    html=defaults.html(kind), note="", created_by=SYSTEM, created_at=utcnow()))
    except IntegrityError:       # another request made them at the same moment: theirs stand
        made = []
    if commit:
        db.session.commit()
    return len(made)


def current(kind, *, commit=True):
    """The version of ``kind`` in force (the newest). :raises NotFoundError: an unknown kind"""
    _known(kind)
    ensure_defaults(commit=commit)
    return (db.session.query(DocumentTemplate).filter_by(kind=kind)
            .order_by(DocumentTemplate.version.desc()).first())


def versions(kind):
    """Every version of ``kind``, newest first."""
    _known(kind)
    ensure_defaults()
    return (db.session.query(DocumentTemplate).filter_by(kind=kind)
            .order_by(DocumentTemplate.version.desc()).all())


def version(kind, number):
    """:raises NotFoundError: no such kind or version"""
    _known(kind)
    ensure_defaults()
    row = db.session.query(DocumentTemplate).filter_by(kind=kind, version=number).one_or_none()
    if row is None:
        raise NotFoundError(f"the {kind} template has no version {number}")
    return row


def sample_context(kind, today):
    """The context of a preview: the sample deal, our requisites (the sample's where unset)."""
    return build(kind, sample(today), number=sample_number(kind, today.year),
                 company=requisites.for_documents(), today=today)


def check(kind, *, docx, html, today):
    """Fill both forms in with the sample deal.

    :returns: ``(docx bytes, pdf bytes)`` of the sample
    :raises ValidationError: ``fields`` names the form (``docx``, ``html``) and what is wrong
    """
    context = sample_context(kind, today)
    filled = rendering.check_docx(docx, context)
    _html, pdf = rendering.check_html(html, context)
    return filled, pdf


def _digest(data):
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode("utf-8")).hexdigest()


def save(kind, *, actor, today, docx=None, docx_name=None, html=None, note=""):
    """Add the next version of ``kind``: ``docx`` and/or ``html`` new, the other carried over.

    :param today: the brokerage's today (the sample deal's date)
    :returns: the new version
    :raises ValidationError: the template fails to fill in (nothing stored)
    :raises NotFoundError: an unknown kind
    """
    before = current(kind)
    if docx is None and html is None:
        raise ValidationError(_("Upload a DOCX or change the HTML."),
                              fields={"docx": _("Choose a .docx file.")})
    docx = before.docx if docx is None else docx
    html = before.html if html is None else html.replace("\r\n", "\n")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(_("The note is too long."), fields={"note": _("At most %(count)d characters.",
                                                                            count=NOTE_MAX)})
    check(kind, docx=docx, html=html, today=today)
    # The stream head's lock orders two editors: the second reads the first one's version.
    db.session.get(AuditStream, STREAM, with_for_update=True)
    number = (db.session.query(func.max(DocumentTemplate.version)).filter_by(kind=kind).scalar() or 0) + 1
    row = DocumentTemplate(kind=kind, version=number, docx=docx,
                           docx_name=(docx_name or before.docx_name)[:NAME_MAX], html=html, note=note,
                           created_by=actor, created_at=utcnow())
    db.session.add(row)
    audit.append(STREAM, "paperwork_template_saved", actor=actor,
                 data_before={"kind": kind, "version": before.version, "docx_sha256": _digest(before.docx),
                              "html_sha256": _digest(before.html)},
                 data_after={"kind": kind, "version": number, "docx_sha256": _digest(docx),
                             "html_sha256": _digest(html), "docx_name": row.docx_name, "note": note})
    db.session.commit()
    return row


def restore(kind, number, *, actor, today):
    """Put version ``number`` back in force, as a new version copying it.

    :raises NotFoundError: no such version
    :raises ValidationError: it no longer fills in (a field it names was removed)
    """
    old = version(kind, number)
    return save(kind, actor=actor, today=today, docx=old.docx, docx_name=old.docx_name, html=old.html,
                note=_("Restored from version %(version)d.", version=number))
