"""What Tasklane reads from a user task's spiff extensions and data."""
import re
import unicodedata

from . import texts


def properties(task_spec):
    """The ``spiffworkflow:properties`` of a task spec as a dict (empty if none)."""
    extensions = getattr(task_spec, "extensions", None) or {}
    return extensions.get("properties") or {}


# The business-time due properties of a user task, by add_business_time's argument.
BUSINESS_DUE = {"days": "dueInBusinessDays", "hours": "dueInBusinessHours"}


# What a role's key may be (accounts.roles): a lower-case Latin identifier, as a lane's
# name reads through lane_role ("Finance Team" -> finance_team); 80 is role.name's width.
ROLE_KEY = re.compile(r"[a-z][a-z0-9_]{0,79}")


def lane_role(lane):
    """The role a lane's name stands for: lower case, spaces as underscores."""
    return lane.strip().lower().replace(" ", "_").replace("-", "_") if lane else None


def candidate_role(lane, lane_roles=None):
    """The role whose people take the tasks of ``lane``: the one its version maps it to
    (``process_version.lane_roles``, engine/lanes.py), else the one its name stands for."""
    if not lane:
        return None
    return (lane_roles or {}).get(lane) or lane_role(lane)


def is_role_key(name):
    """Whether ``name`` may be a role's key (and so the role a lane names)."""
    return isinstance(name, str) and ROLE_KEY.fullmatch(name) is not None


def lane_owner(lane, data):
    """The one user spiff-arena's ``lane_owners`` task data names for ``lane``, or ``None``.

    A script sets ``lane_owners = {"consultant": ["consultant2"]}`` and the lane's next
    task opens assigned to consultant2. An empty or longer list leaves the task in the
    lane's queue (its role).
    """
    owners = data.get("lane_owners") if isinstance(data, dict) else None
    names = owners.get(lane) if isinstance(owners, dict) and lane else None
    if isinstance(names, list) and len(names) == 1 and isinstance(names[0], str) and names[0]:
        return names[0]
    return None


def titles(task_spec, default=None):
    """The task's name per language (:func:`engine.texts.pick`): its ``title_<lang>``, else
    the one in the process's ``default`` language, else the BPMN ``name``."""
    fallback = getattr(task_spec, "bpmn_name", None) or task_spec.name
    return texts.per_language(properties(task_spec), texts.TITLE, default=default, fallback=fallback)


def form_keys(task_spec):
    """``(form_key, ui_form_key)``: the JSON Schema file name without ``.json``, and the UI schema's."""
    props = properties(task_spec)

    def key(name):
        value = props.get(name)
        return value[:-5] if value and value.endswith(".json") else value

    return key("formJsonSchemaFilename"), key("formUiSchemaFilename")


def priority(task_spec):
    raw = properties(task_spec).get("priority")
    try:
        return int(raw) if raw not in (None, "") else 0
    except ValueError:
        return {"low": -1, "normal": 0, "high": 1, "urgent": 2}.get(str(raw).lower(), 0)


def plain_instructions(task_spec):
    """Spiff's own ``instructionsForEndUser`` of a task, or ``None``."""
    return (getattr(task_spec, "extensions", None) or {}).get("instructionsForEndUser")


def instructions(task_spec, default=None):
    """The task's instructions per language (:func:`engine.texts.pick`): its
    ``instructions_<lang>``, else the default language's, else spiff's ``instructionsForEndUser``;
    ``None`` when the diagram gives no instructions per language (only the plain ones, or none)."""
    props = properties(task_spec)
    if not any((props.get(f"{texts.INSTRUCTIONS}_{lang}") or "").strip() for lang in texts.LANGUAGES):
        return None
    return texts.per_language(props, texts.INSTRUCTIONS, default=default,
                              fallback=plain_instructions(task_spec))


def sort_key(priority, due_at, created_at):
    """One ascending string that orders the inbox: priority (high first), due time, age."""
    rank = 4 - max(-4, min(4, int(priority or 0)))
    due = due_at.strftime("%Y-%m-%dT%H:%M:%S") if due_at else "9999-12-31T23:59:59"
    created = created_at.strftime("%Y-%m-%dT%H:%M:%S.%f") if created_at else ""
    return f"{rank}|{due}|{created}"


SUBJECT_NAMES = ("customer_name", "full_name", "name", "lead_name", "contact_name")
SUBJECT_PHONES = ("customer_phone", "phone", "phone_number", "mobile")


def subject(data):
    """``(name, phone)`` of the customer a task is about, read from its data by convention.

    The first non-empty of :data:`SUBJECT_NAMES` / :data:`SUBJECT_PHONES`, at the top
    level or inside a ``customer`` object.
    """
    scopes = [data, data.get("customer") if isinstance(data.get("customer"), dict) else {}]

    def first(keys):
        for scope in scopes:
            for key in keys:
                value = scope.get(key)
                if isinstance(value, (str, int)) and str(value).strip():
                    return str(value).strip()[:255]
        return None

    return first(SUBJECT_NAMES), first(SUBJECT_PHONES)


def search_text(name, phone):
    """Lower-case, accent-free name plus the phone's digits (also without its country code)."""
    text = unicodedata.normalize("NFKD", (name or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    digits = "".join(c for c in phone or "" if c.isdigit())
    local = ""  # the number as dialled at home: +84 90... is 090..., +7 912... is 8 912...
    if digits.startswith("84"):
        local = "0" + digits[2:]
    elif digits.startswith("7"):
        local = "8" + digits[1:]
    return " ".join(part for part in (text, digits, local) if part)[:500]
