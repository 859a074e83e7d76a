"""The platform's share, declared like a domain's: the script helpers every diagram may
call (:mod:`processes.common`), the notifications of the task list (a task assigned, a
comment, a deadline near) and the deadline-warning scan."""
from datetime import datetime

from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts import models as account_models
from crm import models as crm_models
from engine import deadlines, task_meta
from forms.reading import Label

from . import common, operators
from .domain import Domain

# The customer a case is about, by the names every process may use for them (the inbox's
# convention, engine/task_meta.py): the case page names them in any process.
SUBJECT_LABELS = {**dict.fromkeys(task_meta.SUBJECT_NAMES, Label(_l("Customer name"))),
                  **dict.fromkeys(task_meta.SUBJECT_PHONES, Label(_l("Phone"), "phone"))}

# Each renderer leaves out a phrase whose value is missing (an older row, a sender that
# knew less) rather than show an empty blank ("Due ."): tests/processes/test_notifications.py
# renders every declared kind with no params in every language.


def _title(note, fallback):
    """The title in the reader's language when the sender stored one per language; else the
    stored title; else ``fallback`` (a text that needs no value)."""
    titles = (note.params or {}).get("titles") or {}
    return titles.get(str(get_locale())) or note.title or fallback


def _moment(value):
    """An ISO-8601 moment in the reader's zone and language ("" for none or unreadable)."""
    try:
        return format_datetime(datetime.fromisoformat(value), "short") if value else ""
    except (TypeError, ValueError):
        return ""


def task_assigned(note):
    by = (note.params or {}).get("by")
    body = _("%(name)s assigned this task to you.", name=by) if by else _("This task was assigned to you.")
    return _title(note, _("A task was assigned to you")), body


def comment_added(note):
    params = note.params or {}
    case, by, text = params.get("case"), params.get("by"), note.title
    title = _("New comment on case #%(case)s", case=case) if case else _("New comment")
    if by and text:
        return title, _("%(name)s wrote: %(text)s", name=by, text=text)
    if by:
        return title, _("%(name)s wrote a comment.", name=by)
    return title, text or ""


def deadline_near(note):
    when = _moment((note.params or {}).get("due"))
    body = _("Due %(when)s.", when=when) if when else _("Its due time is near.")
    return _title(note, _("A task is due soon")), body


PLATFORM = Domain(
    name="platform",
    models=(account_models, crm_models),
    helpers=common.HELPERS,
    operators=operators.HTTP,
    notifications={"task_assigned": task_assigned, "comment_added": comment_added,
                   "deadline_near": deadline_near},
    periodic=tuple(deadlines.PERIODIC),
)
