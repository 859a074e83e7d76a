"""The one family of exceptions every Tasklane layer raises.

Each error carries an HTTP-like ``status`` and a machine ``code`` so that the web
layer turns any of them into one JSON / page shape without a lookup table.
"""


class TasklaneError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message, *, fields=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


def describe(error):
    """The message of any error with its notes: ``str()`` of a SpiffWorkflow error fails
    when one of its notes is None (a ``NameError`` not about an undefined name)."""
    parts = [str(error.args[0]) if error.args else type(error).__name__]
    parts += [note.strip() for note in getattr(error, "notes", []) if isinstance(note, str) and note.strip()]
    return ". ".join(parts)


class ConfigError(TasklaneError):
    code = "config_error"


class UnauthorizedError(TasklaneError):
    """No valid credentials came with the request."""

    status = 401
    code = "unauthorized"


class ForbiddenError(TasklaneError):
    """The user is known but may not act on this object."""

    status = 403
    code = "forbidden"


class NotFoundError(TasklaneError):
    status = 404
    code = "not_found"


class ConflictError(TasklaneError):
    """Someone else changed the object first; ``winner`` names them when known."""

    status = 409
    code = "conflict"

    def __init__(self, message, *, winner=None, fields=None):
        super().__init__(message, fields=fields)
        self.winner = winner


class TaskNotReadyError(ConflictError):
    code = "task_not_ready"


class ValidationError(TasklaneError):
    status = 422
    code = "validation_error"


class DeployError(ValidationError):
    """A diagram was refused. ``problems`` lists ``{"element", "message"}`` dicts."""

    code = "invalid_bpmn"

    def __init__(self, message, problems=None):
        super().__init__(message, fields={p["element"]: p["message"] for p in problems or []})
        self.problems = problems or []

    def __str__(self):
        lines = [self.message] + [f"  {p['element']}: {p['message']}" for p in self.problems]
        return "\n".join(lines)


class IncidentError(TasklaneError):
    """A case could not go on for a reason its diagram or data must fix, not the caller's
    input alone: the change is rolled back and recorded once as an incident of the case
    (engine/incidents.py). ``element`` names the BPMN element when one is to blame."""

    status = 422
    code = "incident"

    def __init__(self, message, *, element=None):
        super().__init__(message, fields={element: message} if element else None)
        self.element = element


class ScriptError(IncidentError):
    """A gateway condition or script task failed while an instance ran."""

    code = "script_error"


class CaseDataTooLargeError(IncidentError):
    """Saving the case would store more than ``limit`` (``TASKLANE_MAX_CASE_BYTES``) bytes."""

    code = "case_data_too_large"

    def __init__(self, message, *, limit, element=None):
        super().__init__(message, element=element)
        self.limit = limit


class StuckError(IncidentError):
    """A running case that no task, timer or message can move on (engine/stuck.py)."""

    code = "stuck"

    def __init__(self, element):
        super().__init__(f"{element}: the case stopped here; no task, timer or message can move it on. "
                         "Correct its data and retry, migrate it to a version that fixes the diagram, or "
                         "cancel it.", element=element)


class PendingChangesError(TasklaneError):
    """An engine call that commits met changes its caller had not committed: it neither
    commits nor drops them. The caller commits first, or makes them inside ``engine.begin()``
    so they commit together with the start. A programming error, never the user's."""

    code = "pending_changes"
