"""The domains: one package per domain (its records, rules and script helpers), each
declaring itself once (:class:`~processes.domain.Domain`, exported as ``DOMAIN``).

``DOMAINS`` is the one list of installed domains; the app factory, the worker, the bell
and the demo loader loop over it (with :data:`PLATFORM`, the platform's own share). A
script helper or a notification kind declared twice stops the start. ``common``,
``rules``, ``domain`` and ``platform`` are the platform part every domain may use; a
domain package never imports another (setup.cfg, the independence contract).

``RULES`` collects each procedure's declaration of who may start it and send it
messages (``rules``); :func:`rules_for` answers for any deployed process.
"""
from . import broker, leads, pipeline, referrals, rules
from .domain import merge
from .platform import PLATFORM, SUBJECT_LABELS  # noqa: F401 - the pages read it here

DOMAINS = (leads.DOMAIN, pipeline.DOMAIN, referrals.DOMAIN, broker.DOMAIN)


def installed():
    """The platform's declaration and every installed domain's, read when asked (a test
    may install one more)."""
    return (PLATFORM, *DOMAINS)


def merge_helpers(*tables):
    """One table of script helpers from each procedure's; a name two of them declare
    stops the start (a dict merge would let the last one win without a word).

    :raises ConfigError: a helper name declared twice
    """
    return merge("script helper", [(_owner(table), table) for table in tables])


def _owner(table):
    modules = sorted({getattr(value, "__module__", "?") for value in table.values()})
    return ", ".join(modules) or "an empty table"


def helpers_of(declarations):
    """name -> script helper of every declaration. :raises ConfigError: a name declared twice"""
    return merge("script helper", [(d.name, d.helpers) for d in declarations])


def operators_of(declarations):
    """name -> service task operator of every declaration. :raises ConfigError: declared twice"""
    return merge("service operator", [(d.name, d.operators) for d in declarations])


def notifications_of(declarations):
    """kind -> ``render(note)`` of every declaration. :raises ConfigError: a kind declared twice"""
    return merge("notification kind", [(d.name, d.notifications) for d in declarations])


def case_parts_of(declarations):
    """process key -> the rule of who has a part in its cases. :raises ConfigError: declared twice"""
    return merge("case rule of process", [(d.name, d.case_parts) for d in declarations])


def data_labels_of(declarations):
    """process key -> ``{data key: Label}``. :raises ConfigError: a process labelled twice"""
    return merge("data labels of process", [(d.name, d.data_labels) for d in declarations])


HELPERS = helpers_of(installed())
CASE_PARTS = case_parts_of(installed())
DATA_LABELS = data_labels_of(installed())
NOTIFICATIONS = notifications_of(installed())
RULES = {declared.key: declared for d in installed() for declared in d.rules}


def rules_for(key):
    """The :class:`~processes.rules.ProcessRules` of process ``key``: its declaration, or
    the default for a diagram deployed from elsewhere (:func:`rules.default_rules`).

    :raises NotFoundError: an undeclared process that is not deployed
    """
    return RULES.get(key) or rules.default_rules(key)


def message_rule(key, name):
    """Who may send message ``name`` to a case of process ``key`` (:class:`rules.Message`)."""
    declared = RULES.get(key)
    return declared.message(name) if declared is not None else rules.DEFAULT_MESSAGE


def periodic_of(declarations):
    """Every declared periodic job (the app factory refuses a name declared twice)."""
    return [job for d in declarations for job in d.periodic]


def init_app(app):
    """Register the installed declarations' helpers and notification texts with ``app``.

    :raises ConfigError: a script helper or notification kind declared twice
    """
    import engine
    from forms.diagram_check import check_user_task

    declared = installed()
    helpers = helpers_of(declared)
    app.extensions["tasklane_notifications"] = notifications_of(declared)
    with app.app_context():
        for name, function in helpers.items():
            engine.register_helper(name, function)
        for name, operator in operators_of(declared).items():
            engine.register_operator(name, operator)
        engine.register_check(check_user_task)
