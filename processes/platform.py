"""The platform's share, declared like a domain's: the script helpers every diagram may
call (:mod:`processes.common`), the notifications of the task list (a task assigned, a
comment, a deadline near) and the deadline-warning scan."""
from flask_babel import get_locale
from flask_babel import gettext as _

from accounts import models as account_models
from crm import models as crm_models
from engine import deadlines

from . import common
from .domain import Domain


def _title(note):
    """The title in the reader's language when the sender stored one per language."""
    titles = (note.params or {}).get("titles") or {}
    return titles.get(str(get_locale())) or note.title


def task_assigned(note):
    return _title(note), _("%(name)s assigned this task to you.", name=(note.params or {}).get("by", ""))


def comment_added(note):
    params = note.params or {}
    return _("New comment on case #%(case)s", case=params.get("case", "")), \
        _("%(name)s wrote: %(text)s", name=params.get("by", ""), text=note.title)


def deadline_near(note):
    return _title(note), _("Due %(when)s.", when=(note.params or {}).get("due_local", ""))


PLATFORM = Domain(
    name="platform",
    models=(account_models, crm_models),
    helpers=common.HELPERS,
    notifications={"task_assigned": task_assigned, "comment_added": comment_added,
                   "deadline_near": deadline_near},
    periodic=tuple(deadlines.PERIODIC),
)
