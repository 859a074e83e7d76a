"""The lane mapping a deploy, validate or preview request sends (issue 14, "Lanes").

``lane_roles`` is a JSON object ``{lane name: role key}``: the multipart field
``lane_roles`` beside the uploaded file, or the query parameter ``lane_roles`` (for a raw
XML body, as the modeler sends). What the mapping may say is :mod:`engine.lanes`'s to
check; this only reads it. docs/api.md.
"""
import json

from flask import request
from flask_babel import gettext as _

from engine.errors import ValidationError

FIELD = "lane_roles"


def from_request():
    """The ``lane_roles`` of the request, ``{}`` when it sends none.

    :raise 422: not a JSON object of lane names to role keys (strings, or ``null`` for no
        mapping), or sent both as a form field and as a query parameter
    """
    in_form = request.form.get(FIELD) if request.mimetype == "multipart/form-data" else None
    in_query = request.args.get(FIELD)
    if in_form is not None and in_query is not None:
        raise ValidationError(_("Send lane_roles once: as the form field or as the query parameter."),
                              fields={FIELD: _("Sent twice.")})
    text = in_form if in_form is not None else in_query
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        value = None
    if not _is_mapping(value):
        raise ValidationError(_("lane_roles must be a JSON object of lane names and role keys, "
                                "e.g. {\"Finance Team\": \"finance\"}."),
                              fields={FIELD: _("Not a JSON object of lane names and role keys.")})
    return value


def _is_mapping(value):
    """Whether ``value`` is a JSON object whose values are strings or ``null``."""
    return isinstance(value, dict) and all(role is None or isinstance(role, str) for role in value.values())
