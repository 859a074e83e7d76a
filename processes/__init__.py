"""What is specific to each procedure: the helpers its scripts may call, its rules.

``init_app`` registers every helper with the engine (a diagram that calls a
function not registered here is refused at deploy) and the deploy check that user
tasks name forms that exist (``forms.diagram_check``). ``common`` serves every
procedure; ``lead_handling`` writes the lead-handling calls and orders to crm;
``pipeline`` the prospect pipeline's stages and conversions; ``referral`` the loan
referral's offers, results, cross-sell and commission.
"""
from . import common, lead_handling, pipeline, referral

HELPERS = {**common.HELPERS, **lead_handling.HELPERS, **pipeline.HELPERS, **referral.HELPERS}


def init_app(app):
    import engine
    from forms.diagram_check import check_user_task

    with app.app_context():
        for name, function in HELPERS.items():
            engine.register_helper(name, function)
        engine.register_check(check_user_task)
