"""A case's audit events as a readable timeline: who, when, what, and what changed."""
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from engine import texts

KINDS = {
    "instance_started": _l("Case started"),
    "instance_completed": _l("Case completed"),
    "instance_cancelled": _l("Case cancelled"),
    "task_completed": _l("Task completed"),
    "task_claimed": _l("Task claimed"),
    "task_unclaimed": _l("Task released to the queue"),
    "task_assigned": _l("Task assigned"),
    "timer_fired": _l("Timer fired"),
    "message_received": _l("Message received"),
    "clock_moved": _l("Clock moved (test hook)"),
    "deadline_paused": _l("Deadline paused"),
    "deadline_resumed": _l("Deadline runs again"),
    "script_run": _l("Script ran"),
    "gateway_passed": _l("Decision taken"),
    "event_passed": _l("Event passed"),
    "subprocess_completed": _l("Sub-process completed"),
    "comment_added": _l("Comment"),
    "attachment_added": _l("File attached"),
    "document_issued": _l("Document issued"),
    "order_corrected": _l("Order corrected"),
    "order_cancelled": _l("Order cancelled"),
    "step": _l("Step completed"),
    "instance_migrated": _l("Case moved to another version"),
    "incident": _l("Incident"),
    "incident_resolved": _l("Incident resolved"),
    "incident_retried": _l("Incident retried"),
    "data_corrected": _l("Data corrected"),
}
QUIET = {"gateway_passed", "event_passed", "step"}  # shown folded, for auditors who want them


@dataclass
class Entry:
    event: object
    label: str
    element: str = None
    changes: list = field(default_factory=list)
    quiet: bool = False


def label(kind):
    return str(KINDS.get(kind, kind.replace("_", " ")))


def changes(before, after, *, only_after=False):
    """``[(key, old, new)]`` for every key whose value differs (missing is ``None``).

    :param only_after: compare only the keys of ``after`` (a completed task records the
        whole data before it but only what the user entered after)
    """
    before, after = before or {}, after or {}
    keys = sorted(set(after) if only_after else set(before) | set(after))
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _moved(event):
    """What a migration changed, "from version 1 to version 2"; ``None`` for other events."""
    details = event.details or {}
    if event.kind != "instance_migrated" or "to_version" not in details:
        return None
    return str(_l("from version %(old)s to version %(new)s", old=details.get("from_version"),
                  new=details["to_version"]))


def entries(events, tasks, names=None, shown=None):
    """Timeline entries, oldest first; task elements named in the reader's language, other
    elements (a timer, a gateway) by their name in the diagram in that language (``names``:
    id -> name, :func:`web.case_diagram.names`); an element of a called process by the name
    its event recorded.

    :param shown: turns an entry's ``[(key, old, new)]`` into what the page shows (the case's
        labels: web/case_data.py); none: the raw changes
    """
    shown = shown or (lambda found: found)
    lang = str(get_locale())
    titles = {t.element_id: texts.localized(t.titles, lang, t.title) for t in tasks}
    names = names or {}
    result = []
    for event in events:
        name = (titles.get(event.element_id) or names.get(event.element_id)
                or (event.details or {}).get("name") or event.element_id or _moved(event))
        result.append(Entry(event=event, label=label(event.kind), element=name,
                            changes=shown(changes(event.data_before, event.data_after,
                                                  only_after=event.kind == "task_completed")),
                            quiet=event.kind in QUIET))
    return result
