"""A case's data as people read it: each key by its title in the reader's language, each
value in the reader's format (money, dates, durations in words, choices by their titles,
yes / no). See docs/web.md "A case's data".

A key is *declared* when a form of the process has a field of that name (its title, type
and choices come from the form) or its domain declares a :class:`Label` for it
(``Domain.data_labels``). A key nobody declares is the process's own bookkeeping
(``lane_owners``, a helper's working values): :func:`read` returns it apart, for the
people who look at processes from the inside.

Formats follow the request's locale and time zone (Flask-Babel), as the rest of the page.
"""
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from babel.lists import format_list
from babel.units import format_unit
from flask_babel import format_date, format_decimal, format_time, get_locale

from engine import durations
from engine.errors import NotFoundError
from engine.places import format_money, place

from . import dates, messages
from .fields import build, option_value
from .phone import display
from .view import translation

NOTHING = "—"
# A form's value types, as the kinds of value this module shows
KINDS = {"integer": "number", "number": "number", "money": "money", "boolean": "boolean", "date": "date",
         "datetime": "datetime", "choice": "choice", "multichoice": "choice", "file": "file",
         "files": "file", "object": "object", "text": "text", "email": "text", "phone": "phone"}
DURATION_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")


@dataclass(frozen=True)
class Label:
    """How one data key reads.

    :param title: its name: a text, or a lazy text (Flask-Babel) for a domain's declaration
    :param kind: ``text``, ``number``, ``money``, ``date``, ``datetime``, ``duration`` (ISO
        8601, shown in words), ``phone`` (E.164, shown as the reader writes it),
        ``boolean``, ``choice``, ``file`` or ``object``
    :param options: ``{value: title}`` of a choice, or a function giving it when asked (the
        admin's stage names); a value not listed is shown as it is
    :param currency: ISO 4217 code of money (none: the default place's)
    :param fields: the labels of an object's keys (its other keys are not shown)
    """

    title: object
    kind: str = "text"
    options: Mapping | Callable | None = None
    currency: str | None = None
    fields: Mapping = field(default_factory=dict)


@dataclass
class Row:
    """One key as shown: ``text``, or ``files`` (stored-file dicts), or ``rows`` (an object)."""

    key: str
    title: str
    text: str = ""
    files: list = field(default_factory=list)
    rows: list = field(default_factory=list)


def form_labels(forms, *, task_data=None, source=None):
    """``{key: Label}`` of every top-level field of ``forms`` in the reader's language; the
    first form that has a key names it.

    :param forms: ``[(form_key, ui_form_key)]`` (``engine.version_forms``); a form that
        cannot be found is skipped (a shipped one removed after the version was deployed)
    :param task_data: the case's data, where dynamic choices are read
    :param source: where the forms are read (:func:`forms.versioned.of_version`: the case's
        version first); the shipped definitions when ``None``
    """
    locale, labels = str(get_locale() or "en"), {}
    for form_key, ui_form_key in forms:
        try:
            form = build(form_key, ui_form_key, task_data=task_data, source=source)
        except NotFoundError:
            continue
        for f in form.fields:
            if f.key not in labels and f.type in KINDS:
                labels[f.key] = _field_label(form.schema, f, locale)
    return labels


def _field_label(schema, f, locale):
    tr = translation(schema, locale, f.path)
    titles = tr.get("options") if isinstance(tr.get("options"), dict) else {}
    children = {c.key: _field_label(schema, c, locale) for c in f.children if c.type in KINDS}
    return Label(
        title=str(tr.get("title") or f.ui.get("ui:title") or f.schema.get("title") or f.key),
        kind=KINDS[f.type],
        options={option_value(c): str(titles.get(option_value(c)) or label) for c, label in f.options},
        currency=f.schema.get("x-currency") or (f.ui.get("ui:options") or {}).get("currency"),
        fields=children,
    )


def read(data, labels):
    """``(rows, internal)``: the declared keys of ``data`` as :class:`Row` in ``labels``'
    order, and ``{key: value}`` of the keys nobody declared."""
    data = data if isinstance(data, Mapping) else {}
    rows = [row(key, data[key], label) for key, label in labels.items() if key in data]
    return rows, {key: value for key, value in sorted(data.items()) if key not in labels}


def row(key, value, label):
    """``value`` of ``key`` as :class:`Row` by ``label``."""
    title = str(label.title)
    if label.kind == "object" and isinstance(value, Mapping):
        return Row(key, title, rows=read(value, label.fields)[0])
    if label.kind == "file" and _files(value):
        return Row(key, title, files=_files(value))
    return Row(key, title, text=text(value, label))


def text(value, label):
    """``value`` as the reader reads it by ``label``; ``—`` for no value."""
    if value is None or (isinstance(value, str | list) and not value):
        return NOTHING
    if isinstance(value, list):
        return format_list([text(item, label) for item in value], locale=_locale())
    if isinstance(value, bool):
        return str(messages.yes() if value else messages.no())
    shown = FORMATS.get(label.kind, _plain)(value, label)
    return _plain(value, label) if shown is None else shown


def _choice(value, label):
    options = label.options() if callable(label.options) else (label.options or {})
    if not isinstance(value, str | int | float):
        return None
    title = options.get(option_value(value), options.get(value))
    return None if title is None else str(title)


def _number(value, label):
    return format_decimal(value) if _is_number(value) else None


def _money(value, label):
    if not _is_number(value):
        return None
    return format_money(value, (label.currency or place().currency).upper(), _locale())


def _date(value, label):
    moment = _moment(value)
    return None if moment is None else format_date(moment, "medium")


def _datetime(value, label):
    moment = _moment(value)
    if not isinstance(moment, datetime):
        return None if moment is None else format_date(moment, "medium")
    return f"{format_date(moment, 'medium')} {format_time(moment, 'short')}"


def _duration(value, label):
    """ISO 8601 in words: ``PT24H`` is "24 giờ", "24 часа", "24 hours"."""
    try:
        found = durations.parts(value)
    except ValueError:
        return None
    locale = _locale()
    words = [_unit(amount, unit, locale) for unit in DURATION_UNITS if (amount := found.get(unit))]
    return format_list(words, locale=locale) if words else _unit(0, "minutes", locale)


def _unit(amount, unit, locale):
    measure = f"duration-{unit[:-1]}"
    shown = format_unit(amount, measure, length="long", locale=locale)
    # CLDR has no long unit names for some languages (Vietnamese): its short ones are words too.
    return format_unit(amount, measure, length="short", locale=locale) if measure in shown else shown


def _plain(value, label):
    if isinstance(value, str):
        return value
    if _is_number(value):
        return format_decimal(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _phone(value, label):
    """A stored (E.164) number as the reader writes it (``0912 345 678``)."""
    return display(value) if isinstance(value, str) else None


FORMATS = {"choice": _choice, "number": _number, "money": _money, "date": _date, "datetime": _datetime,
           "duration": _duration, "phone": _phone}


def _moment(value):
    """A ``date`` or an aware ``datetime`` from task data (ISO text or the object); ``None``
    for anything else. A date-time without offset is taken as UTC, as the engine stores it."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    elif isinstance(value, str) and dates.DATE.fullmatch(value.strip()):
        return date.fromisoformat(value.strip())
    elif isinstance(value, str) and dates.DATETIME.fullmatch(value.strip()):
        try:
            moment = datetime.fromisoformat(value.strip().replace(" ", "T").replace("z", "Z"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _files(value):
    items = value if isinstance(value, list) else [value]
    found = [item for item in items if isinstance(item, Mapping) and item.get("attachment_id")]
    return found if found and len(found) == len(items) else []


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _locale():
    return str(get_locale() or "en")
