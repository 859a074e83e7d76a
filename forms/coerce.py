"""Per-field coercion: a marshmallow Schema generated from the field tree.

Each field class turns what the browser (``source="form"``: strings) or an API body
(``source="json"``: typed values) sent into the value the task data holds, and checks
the field's own JSON Schema constraints so the message names what is wrong. Rules that
span fields (``required``, ``if``/``then``, ``dependencies``) are left to jsonschema.
"""
import json
import re
from dataclasses import dataclass

from marshmallow import EXCLUDE, Schema, ValidationError, validate
from marshmallow import fields as mfields

from . import dates, dynamic_options, messages, numbers, phone, uploads
from .fields import currency, option_value, schema_type
from .jsonvalues import plain_json, refuse_constant, same_json

MAX_JSON_TEXT = 100_000
TRUE, FALSE = {"true", "on", "1", "yes"}, {"false", "off", "0", "no"}


@dataclass(frozen=True)
class Context:
    locale: str
    timezone: str
    region: str
    source: str


def fail(message):
    raise ValidationError(str(message))


class FormField(mfields.Field):
    def __init__(self, spec, ctx, **kwargs):
        super().__init__(**kwargs)
        self.spec, self.ctx = spec, ctx

    @property
    def json_schema(self):
        return self.spec.schema

    def _deserialize(self, value, attr, data, **kwargs):
        return self.convert(value)


class Text(FormField):
    def convert(self, value):
        if not isinstance(value, str):
            fail(messages.text_expected())
        if self.spec.widget == "textarea":
            value = value.replace("\r\n", "\n")
        else:
            value = value.strip()
        return self.check(value)

    def check(self, value):
        low, high, pattern = (self.json_schema.get(k) for k in ("minLength", "maxLength", "pattern"))
        if isinstance(low, int) and len(value) < low:
            fail(messages.too_short(low))
        if isinstance(high, int) and len(value) > high:
            fail(messages.too_long(high))
        if isinstance(pattern, str):
            try:
                matched = re.search(pattern, value)
            except re.error:
                matched = True  # a pattern Python cannot read is jsonschema's to judge
            if not matched:
                fail(messages.pattern())
        return value


class Email(Text):
    def check(self, value):
        try:
            validate.Email()(value)
        except ValidationError:
            fail(messages.email())
        return super().check(value)


class Phone(FormField):
    def convert(self, value):
        try:
            return phone.normalise(value, self.ctx.region)
        except ValueError:
            fail(messages.phone())


class Number(FormField):
    def convert(self, value):
        code = currency(self.json_schema, self.spec.ui)
        integer = schema_type(self.json_schema) == "integer"
        try:
            number = self.parse(value, code)
        except ValueError:
            fail(messages.money(numbers.example_amount(self.ctx.locale, code)) if code
                 else messages.integer() if integer else messages.number())
        if integer and number != number.to_integral_value():
            fail(messages.integer())
        if code and numbers.fraction_digits(number) > numbers.currency_digits(code):
            fail(messages.fraction_digits(numbers.currency_digits(code)))
        message = (numbers.bound_error(number, self.json_schema, self.ctx.locale)
                   or numbers.storable_error(number, integer, self.ctx.locale))
        if message:
            fail(message)
        return numbers.to_json(number)

    def parse(self, value, code):
        if code and self.ctx.source == "form":
            return numbers.parse_money(value, self.ctx.locale)
        try:
            return numbers.parse_plain(value)
        except ValueError:
            if code:
                return numbers.parse_money(value, self.ctx.locale)
            raise


class Boolean(FormField):
    def convert(self, value):
        if isinstance(value, bool):
            return value
        text = value.strip().lower() if isinstance(value, str) else None
        if text in TRUE or text in FALSE:
            return text in TRUE
        fail(messages.boolean())


class Date(FormField):
    def convert(self, value):
        try:
            return dates.parse_date(value)
        except ValueError:
            fail(messages.date())


class DateTime(FormField):
    def convert(self, value):
        try:
            return dates.parse_datetime(value, self.ctx.timezone)
        except ValueError:
            fail(messages.datetime())


class Choice(FormField):
    def match(self, value):
        if not self.spec.options and dynamic_options.source(self.json_schema):
            fail(messages.no_options())
        for const, _label in self.spec.options:
            if self.ctx.source == "form" and isinstance(value, str) and option_value(const) == value.strip():
                return const
            if self.ctx.source == "json" and same_json(const, value):
                return const
        fail(messages.choice())

    def convert(self, value):
        return self.match(value)


class MultiChoice(Choice):
    def convert(self, value):
        if self.ctx.source == "json" and not isinstance(value, list):
            fail(messages.invalid())
        chosen = []
        for item in value if isinstance(value, list) else [value]:
            const = self.match(item)
            if not any(same_json(const, c) for c in chosen):
                chosen.append(const)
        check_count(chosen, self.json_schema)
        return chosen


class File(FormField):
    def convert(self, value):
        many = self.spec.type == "files"
        if self.ctx.source == "json" and isinstance(value, list) != many:
            fail(messages.invalid())
        items = value if isinstance(value, list) else [value]
        if not many and len(items) > 1:
            fail(messages.one_file())
        options = self.spec.ui.get("ui:options") or {}
        kinds, limit = uploads.allowed_kinds(options), uploads.max_bytes(options)
        found = []
        for item in items:
            try:
                if hasattr(item, "stream"):
                    found.append(uploads.from_storage(item, kinds, limit, self.ctx.locale))
                elif isinstance(item, str):
                    found.append(uploads.from_data_url(item.strip(), kinds, limit, self.ctx.locale))
                else:
                    fail(messages.file_unreadable())
            except uploads.UploadError as error:
                fail(error.message)
        if many:
            check_count(found, self.json_schema)
        return found if many else found[0]


class Json(FormField):
    def convert(self, value):
        if self.ctx.source == "form":
            if not isinstance(value, str) or len(value) > MAX_JSON_TEXT:
                fail(messages.json_text())
            try:
                value = json.loads(value, parse_constant=refuse_constant)
            except (ValueError, RecursionError):
                fail(messages.json_text())
        if not plain_json(value):
            fail(messages.invalid())
        return value


def check_count(items, schema):
    low, high = schema.get("minItems"), schema.get("maxItems")
    if isinstance(low, int) and len(items) < low:
        fail(messages.min_items(low))
    if isinstance(high, int) and len(items) > high:
        fail(messages.max_items(high))


CLASSES = {
    "text": Text, "email": Email, "phone": Phone, "integer": Number, "number": Number, "money": Number,
    "boolean": Boolean, "date": Date, "datetime": DateTime, "choice": Choice, "multichoice": MultiChoice,
    "file": File, "files": File, "json": Json,
}


def schema_for(leaves, ctx, required=(), unchecked=()):
    """A marshmallow ``Schema`` instance loading flat ``{dotted name: raw value}`` dicts.

    :param leaves: the non-object fields
    :param required: names that must be present in this submission
    :param unchecked: checkbox names an HTML form left out, which mean ``False``
    """
    error_messages = {"required": messages.required(), "null": messages.required()}
    spec = {}
    for index, leaf in enumerate(leaves):
        if leaf.name in unchecked:
            extra = {"load_default": False}
        else:
            extra = {"required": leaf.name in required}
        # Attribute names stay plain: marshmallow would nest keys that contain dots.
        spec[f"f{index}"] = CLASSES[leaf.type](leaf, ctx, data_key=leaf.name, error_messages=error_messages,
                                               **extra)
    return Schema.from_dict(spec, name="FormSchema")(unknown=EXCLUDE)
