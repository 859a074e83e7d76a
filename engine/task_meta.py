"""What Tasklane reads from a user task's spiff extensions."""


def properties(task_spec):
    """The ``spiffworkflow:properties`` of a task spec as a dict (empty if none)."""
    extensions = getattr(task_spec, "extensions", None) or {}
    return extensions.get("properties") or {}


def lane_role(lane):
    """The role a lane's name stands for: lower case, spaces as underscores."""
    return lane.strip().lower().replace(" ", "_").replace("-", "_") if lane else None


def titles(task_spec):
    """The task's name per language; the BPMN ``name`` fills any language not given."""
    props = properties(task_spec)
    fallback = getattr(task_spec, "bpmn_name", None) or task_spec.name
    return {lang: props.get(f"title_{lang}") or fallback for lang in ("vi", "en", "ru")}


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


def instructions(task_spec):
    extensions = getattr(task_spec, "extensions", None) or {}
    return extensions.get("instructionsForEndUser")
