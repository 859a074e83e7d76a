"""Who may start a process and send it a message, and what they may send (issue 11).

Each procedure declares one :class:`ProcessRules` beside its helpers (``RULES`` in
``lead_handling``, ``pipeline``, ``referral``); ``processes.RULES`` collects them by
process key and :func:`processes.rules_for` answers for any deployed process: its
declaration, or :func:`default_rules` for a diagram deployed from elsewhere. The web
layer judges the caller against them (``web/process_rules.py``); the rules are
written down in docs/security.md.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import engine
import forms
from engine.errors import ValidationError
from forms import messages
from forms.schema_errors import validator_class

OVERSEERS = frozenset({"manager", "admin"})


@dataclass(frozen=True)
class Start:
    """How a process may be started through ``POST /process-definitions/<key>/instances``.

    :ivar roles: who may start it there (``None``: any staff member)
    :ivar owner: set for a procedure-owned process: how it starts instead (the 403 says it);
        nobody starts it through the generic endpoint
    :ivar form: JSON Schema of the start data; a key it does not name is refused (422)
    :ivar records: start key -> ``check(user, value, access)`` for a key naming a record:
        raises ``ForbiddenError`` unless the caller may act on that record (``access`` is
        the web layer's rules: ``is_manager``, ``may_change_customer``)
    :ivar after_start: ``after_start(instance, data)``, run after the start commits (links
        the named record to its new case)
    """

    roles: frozenset | None = None
    owner: str | None = None
    form: dict | None = None
    records: Mapping[str, Callable] = field(default_factory=dict)
    after_start: Callable | None = None


@dataclass(frozen=True)
class Message:
    """Who may send a message through ``POST /instances/<id>/messages/<name>``.

    Anyone matching one of the senders may send it; with ``procedure`` set nobody may
    (the owning procedure sends it after its own checks).

    :ivar roles: staff roles that may send it (to a case they may see)
    :ivar referrer: ``referrer(instance) -> username`` of the case's referrer, who may send it
    :ivar task_holders: staff who may take an open task of the case may send it
    :ivar starter: the staff member who started the case may send it
    :ivar procedure: how the procedure sends it instead (the 403 says it)
    :ivar payload: JSON Schema of the payload; a key it does not name is refused (422)
    """

    roles: frozenset = frozenset()
    referrer: Callable | None = None
    task_holders: bool = False
    starter: bool = False
    procedure: str | None = None
    payload: dict | None = None


# A message nobody declared: managers and admins, staff who may take an open task of
# the case, and the staff member who started it (an integration continuing its own case).
DEFAULT_MESSAGE = Message(roles=OVERSEERS, task_holders=True, starter=True)


@dataclass(frozen=True)
class ProcessRules:
    key: str
    start: Start
    messages: Mapping[str, Message] = field(default_factory=dict)
    declared: bool = True

    def message(self, name):
        """The declared rule of message ``name``, or :data:`DEFAULT_MESSAGE`."""
        return self.messages.get(name) or DEFAULT_MESSAGE


def default_rules(key):
    """The rules of a diagram deployed from elsewhere (no declaration).

    Its lanes' roles plus managers and admins may start it (any staff member when it has
    no lanes); its start data is any JSON object, or what the form its start event names
    (``formJsonSchemaFilename``) accepts; its messages follow :data:`DEFAULT_MESSAGE`.

    :raises NotFoundError: no such process, or its start form does not exist
    """
    outline = engine.start_outline(key)
    roles = outline.roles | OVERSEERS if outline.roles else None
    form = forms.of_version(outline.version_id).load(outline.start_form) if outline.start_form else None
    return ProcessRules(key, Start(roles=roles, form=form), declared=False)


def check_values(schema, values, where):
    """Check ``values`` (a JSON object) against ``schema``: unknown keys, missing and
    invalid ones are named as ``<where>.<key>``.

    :raises ValidationError: with ``fields``
    """
    if not isinstance(values, dict):
        raise ValidationError(messages.form_invalid(), fields={where: messages.invalid()})
    known = schema.get("properties") or {}
    found = {f"{where}.{key}": messages.unknown_field() for key in values if key not in known}
    cls = validator_class(schema)
    for error in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(values):
        path = list(error.absolute_path)
        if error.validator == "required" and not path:
            for key in error.validator_value:
                if key not in values:
                    found.setdefault(f"{where}.{key}", messages.required())
        elif path or error.validator != "additionalProperties":  # top-level unknown keys: named above
            found.setdefault(f"{where}.{path[0]}" if path else where, messages.invalid())
    if found:
        raise ValidationError(messages.form_invalid(), fields=found)
