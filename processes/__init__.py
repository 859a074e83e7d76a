"""What is specific to each procedure: the helpers its scripts may call, its rules.

``init_app`` registers every helper with the engine; a diagram that calls a
function not registered here is refused at deploy. ``common`` serves every
procedure; ``lead_handling`` writes the lead-handling calls and orders to crm.
"""
from . import common, lead_handling

HELPERS = {**common.HELPERS, **lead_handling.HELPERS}


def init_app(app):
    import engine

    with app.app_context():
        for name, function in HELPERS.items():
            engine.register_helper(name, function)
