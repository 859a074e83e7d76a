"""What every API route needs: the caller, bodies and query strings through schemas, responses."""
import marshmallow
from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from engine.db import db
from engine.errors import ValidationError

# marshmallow's own messages, in the requester's language.
MARSHMALLOW_MESSAGES = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field may not be null."),
    "Unknown field.": _l("Unknown field."),
    "Invalid input type.": _l("Not a JSON object."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Number too large.": _l("Number too large."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid mapping type.": _l("Not a JSON object."),
    "Must be one of: {choices}.": _l("Must be one of: {choices}."),
}


def caller():
    """The user the bearer token belongs to (set by :func:`web.api.authenticate`)."""
    return g.api_user


def load_query(schema_cls):
    """The query string through ``schema_cls``.

    :raise 422: unknown or invalid parameters, with a message per parameter
    """
    return _load(schema_cls(), request.args.to_dict(flat=True))


def load_body(schema_cls):
    """The JSON body through ``schema_cls``; an empty body counts as ``{}``.

    :raise 422: not JSON, not an object, unknown or invalid fields
    """
    if not request.get_data(cache=True).strip():
        return _load(schema_cls(), {})
    if not request.is_json:
        raise ValidationError(_("Send a JSON object with Content-Type: application/json."),
                              fields={"body": _("Not JSON.")})
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError(_("The body must be a JSON object."), fields={"body": _("Not a JSON object.")})
    return _load(schema_cls(), data)


def _load(schema, data):
    try:
        return schema.load(data)
    except marshmallow.ValidationError as error:
        raise ValidationError(_("Some fields are not valid."), fields=flatten(error.messages)) from None


def flatten(messages, prefix=""):
    """marshmallow's nested messages as ``{"a.b": "message"}``, translated."""
    found = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "body" if key == "_schema" else str(key)
            found.update(flatten(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(messages, (list, tuple)):
        texts = [_translate(m) for m in messages if not isinstance(m, (dict, list, tuple))]
        if texts:
            found[prefix or "body"] = " ".join(texts)
        for nested in (m for m in messages if isinstance(m, (dict, list, tuple))):
            found.update(flatten(nested, prefix))
    else:
        found[prefix or "body"] = _translate(messages)
    return found


def _translate(message):
    text = str(message)
    if text.startswith("Must be one of: "):
        return str(MARSHMALLOW_MESSAGES["Must be one of: {choices}."]).format(choices=text[16:-1])
    return str(MARSHMALLOW_MESSAGES.get(text, text))


def respond(schema_cls, obj, status=200, headers=None):
    """``obj`` dumped by ``schema_cls`` as a JSON response."""
    return jsonify(schema_cls().dump(obj)), status, headers or {}


def no_content():
    return "", 204


def paginate(statement, query, cap=None):
    """``(rows, total)`` of one page of ``statement`` (``query`` has ``page`` and ``per_page``).

    :param cap: count at most ``cap + 1`` rows (a ``total`` past the cap reads as "more than
        the cap", as the task list counts: docs/api.md); ``None`` counts them all
    """
    counted = statement.order_by(None)
    if cap is not None:
        counted = counted.limit(cap + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    rows = db.session.scalars(statement.limit(query["per_page"])
                              .offset((query["page"] - 1) * query["per_page"])).all()
    return rows, total


def page(schema_cls, rows, total, query):
    """One page as ``{items, total, page, per_page}``."""
    return respond(schema_cls, {"items": rows, "total": total, "page": query["page"],
                                "per_page": query["per_page"]})


class Viewed:
    """``row`` with extra attributes for a schema to dump (e.g. an instance's open tasks)."""

    def __init__(self, row, **extra):
        self._row = row
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._row, name)
