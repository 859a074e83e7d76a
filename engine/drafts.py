"""Drafts of diagrams being edited in the modeler: one per process key, not yet deployed.

A draft is only text: it is neither parsed nor checked until it is validated or
deployed, so a half-finished diagram can be kept. Deploying deletes it.
"""
from .db import db
from .types import UTCDateTime, utcnow


class ProcessDraft(db.Model):
    __tablename__ = "process_draft"
    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(255), unique=True, nullable=False)
    xml = db.Column(db.Text, nullable=False)
    updated_by = db.Column(db.String(80), nullable=False)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    based_on_version = db.Column(db.Integer)


def load(key):
    """The draft of process ``key``, or ``None``."""
    return db.session.query(ProcessDraft).filter_by(key=key).one_or_none()


def save(key, xml, *, actor, based_on_version=None):
    """Create or replace the draft of ``key`` (the caller commits).

    :param xml: the diagram as text
    :param based_on_version: the deployed version the editor started from, if any
    :returns: the :class:`ProcessDraft`
    """
    draft = load(key)
    if draft is None:
        draft = ProcessDraft(key=key)
        db.session.add(draft)
    draft.xml = xml
    draft.updated_by = actor
    draft.updated_at = utcnow()
    draft.based_on_version = based_on_version
    db.session.flush()
    return draft


def delete(key):
    """Remove the draft of ``key`` if there is one (the caller commits)."""
    db.session.query(ProcessDraft).filter_by(key=key).delete()
