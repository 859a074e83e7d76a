"""What is specific to each procedure: the helpers its scripts may call, its rules.

``init_app`` registers every helper with the engine (a diagram that calls a
function not registered here is refused at deploy) and the deploy check that user
tasks name forms that exist (``forms.diagram_check``). ``common`` serves every
procedure; ``lead_handling`` writes the lead-handling calls and orders to crm;
``pipeline`` the prospect pipeline's stages and conversions; ``referral`` the loan
referral's offers, results, cross-sell and commission.

``RULES`` collects each procedure's declaration of who may start it and send it
messages (``rules``); :func:`rules_for` answers for any deployed process.
"""
from engine.errors import ConfigError

from . import common, lead_handling, pipeline, referral, rules


def merge_helpers(*tables):
    """One table of script helpers from each procedure's; a name two of them declare
    stops the start (a dict merge would let the last one win without a word).

    :raises ConfigError: a helper name declared twice
    """
    merged = {}
    for table in tables:
        for name, function in table.items():
            if name in merged and merged[name] is not function:
                raise ConfigError(f"script helper {name!r} is declared twice "
                                  f"({merged[name].__module__} and {function.__module__})")
            merged[name] = function
    return merged


HELPERS = merge_helpers(common.HELPERS, lead_handling.HELPERS, pipeline.HELPERS, referral.HELPERS)
RULES = {declared.key: declared for declared in (lead_handling.RULES, pipeline.RULES, referral.RULES)}
# Each domain's periodic jobs (engine.periodic.PeriodicJob), e.g. ``*investments.PERIODIC``;
# the app factory adds them to the platform's and refuses a name declared twice.
PERIODIC = []


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


def init_app(app):
    import engine
    from forms.diagram_check import check_user_task

    with app.app_context():
        for name, function in HELPERS.items():
            engine.register_helper(name, function)
        engine.register_check(check_user_task)
