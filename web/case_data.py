"""A case's data on its page and in its timeline, through the labels of its process: the
titles and formats its forms give (``forms.reading``) and those its domain declares
(``Domain.data_labels``). Keys neither declares are the process's bookkeeping: off the
page, except folded under "Technical data" for those who look at processes from the
inside (docs/web.md "A case's data"). The API keeps the raw data.
"""
import json

import engine
import forms
import processes
from forms import reading

from . import access

# Process owners build the diagrams, admins run them, auditors check them: they read the
# bookkeeping too. Everyone else reads the business data only.
TECHNICAL_ROLES = frozenset({"process_owner", "admin", "auditor"})


def labels(instance, data):
    """``{key: Label}`` of the case ``instance``: the customer's name and phone (any process),
    its domain's, then its forms' (a later one naming a key again wins: a form's title and
    format are the most precise)."""
    declared = {**processes.SUBJECT_LABELS, **processes.DATA_LABELS.get(instance.definition_key, {})}
    declared.update(reading.form_labels(engine.version_forms(instance.version_id), task_data=data,
                                        source=forms.of_version(instance.version_id)))
    return declared


def shown(data, labels, user):
    """``(rows, technical)``: the declared data as :class:`forms.reading.Row`, and the raw
    ``{key: value as JSON}`` of the rest for a technical reader (``{}`` for anyone else)."""
    rows, internal = reading.read(data, labels)
    if not access.roles(user) & TECHNICAL_ROLES:
        return rows, {}
    return rows, {key: json.dumps(value, ensure_ascii=False, default=str) for key, value in internal.items()}


def changes(entry_changes, labels):
    """A timeline entry's ``[(key, old, new)]`` as ``[(title, old Row or None, new Row)]``,
    of the declared keys only."""
    return [(label.title, None if old is None else reading.row(key, old, label), reading.row(key, new, label))
            for key, old, new in entry_changes if (label := labels.get(key)) is not None]


# Values whose stored form is a code or a machine format: instructions show them as read
READ_IN_INSTRUCTIONS = frozenset({"choice", "money", "date", "datetime", "duration", "boolean"})


def for_instructions(instance, data):
    """``data`` as a task's instructions fill it in: choices by their titles, money, dates
    and durations in the reader's format (``{{ source }}`` reads "Nhập thủ công", not
    ``manual``); text values, phone numbers included, stay as stored (a ``tel:`` link
    needs the number as it is)."""
    if not isinstance(data, dict):
        return data
    declared = labels(instance, data)
    return {key: reading.text(value, declared[key])
            if key in declared and declared[key].kind in READ_IN_INSTRUCTIONS and value is not None else value
            for key, value in data.items()}
