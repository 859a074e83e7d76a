"""The whole-form check: jsonschema on the coerced data, its errors named by dotted field.

This catches what one field cannot know: ``required``, ``if``/``then``/``else``,
``dependencies``, ``allOf``. A ``required`` error is reported on the missing
property, not on the object that lacks it.
"""
import re

import jsonschema
from jsonschema.exceptions import best_match

from . import messages, numbers
from .messages import FORM_ERROR_KEY
from .uploads import Upload

VALIDATORS = {
    "draft-04": jsonschema.Draft4Validator, "draft-06": jsonschema.Draft6Validator,
    "draft-07": jsonschema.Draft7Validator, "2019-09": jsonschema.Draft201909Validator,
    "2020-12": jsonschema.Draft202012Validator,
}
REQUIRED = {"required", "dependencies", "dependentRequired"}
UNKNOWN = {"additionalProperties", "unevaluatedProperties"}
BOUNDS = {
    "minimum": messages.minimum, "maximum": messages.maximum,
    "exclusiveMinimum": messages.exclusive_minimum, "exclusiveMaximum": messages.exclusive_maximum,
    "multipleOf": messages.multiple_of,
}
COUNTS = {"minLength": messages.too_short, "maxLength": messages.too_long,
          "minItems": messages.min_items, "maxItems": messages.max_items}
PLAIN = {"pattern": messages.pattern, "uniqueItems": messages.unique_items}
FORMATS = {"email": messages.email, "idn-email": messages.email, "date": messages.date,
           "date-time": messages.datetime, "phone": messages.phone}


def validator_class(schema):
    """The jsonschema validator ``$schema`` asks for; draft-07 when it names none we know."""
    declared = schema.get("$schema") if isinstance(schema.get("$schema"), str) else ""
    return next((cls for marker, cls in VALIDATORS.items() if marker in declared), jsonschema.Draft7Validator)


def stand_ins(value):
    """``value`` with each ``Upload`` replaced by a content-less data-url string."""
    if isinstance(value, Upload):
        return value.placeholder()
    if isinstance(value, dict):
        return {k: stand_ins(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stand_ins(v) for v in value]
    return value


def errors(form, data, flagged, locale):
    """``{dotted name: message}`` for what jsonschema finds wrong in ``data``.

    :param flagged: names that already have a message; errors on them, inside them or on
        the objects holding them are consequences and are not repeated
    """
    cls = validator_class(form.schema)
    validator = cls(form.schema, format_checker=cls.FORMAT_CHECKER)
    fields = form.by_name()
    found = {}
    for error in validator.iter_errors(stand_ins(data)):
        for name, message in _named(error, fields, locale):
            if name not in found and not any(related(name, other) for other in flagged):
                found[name] = message
    return found


def related(a, b):
    """Whether one dotted name is the other, or holds it."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _named(error, fields, locale):
    path = list(error.absolute_path)
    base = _nearest(path, fields)
    instance = error.instance if isinstance(error.instance, dict) else None
    if error.validator in REQUIRED and instance is not None:
        return [(_child(path, key, base), messages.required()) for key in _missing(error, instance)]
    if error.validator in UNKNOWN and instance is not None:
        extra = _extra(error.schema, instance)
        return [(_child(path, key, base), messages.unknown_field()) for key in extra]
    if error.validator in ("oneOf", "anyOf") and error.context:
        return _named(best_match(error.context), fields, locale)
    return [(base, _message(error, fields.get(base), locale))]


def _nearest(path, fields):
    """The longest dotted prefix of ``path`` that names a field; the form itself when none does."""
    name = FORM_ERROR_KEY
    for depth in range(1, len(path) + 1):
        if not all(isinstance(p, str) for p in path[:depth]):
            break
        candidate = ".".join(path[:depth])
        if candidate in fields:
            name = candidate
    return name


def _child(path, key, base):
    if all(isinstance(p, str) for p in path):
        return ".".join([*path, key])
    return base


def _missing(error, instance):
    value = error.validator_value
    if error.validator == "required":
        return [k for k in value if k not in instance] if isinstance(value, list) else []
    missing = []
    for prop, needed in (value or {}).items():
        if prop in instance and isinstance(needed, list):
            missing += [k for k in needed if k not in instance and k not in missing]
    return missing


def _extra(schema, instance):
    declared = schema.get("properties") or {}
    patterns = schema.get("patternProperties") or {}
    return [k for k in instance if k not in declared and not any(re.search(p, k) for p in patterns)]


def _message(error, field, locale):
    keyword, value = error.validator, error.validator_value
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if keyword in BOUNDS and number:
        return BOUNDS[keyword](numbers.display(value, locale))
    if keyword in COUNTS and number:
        return COUNTS[keyword](value)
    if keyword in PLAIN:
        return PLAIN[keyword]()
    if keyword == "format" and value in FORMATS:
        return FORMATS[value]()
    if keyword in ("enum", "const"):
        return messages.choice() if field is not None and field.options else messages.not_allowed()
    return messages.invalid()
