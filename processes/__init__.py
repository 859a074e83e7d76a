"""What is specific to each procedure: the helpers its scripts may call, its rules.

``init_app`` registers every helper with the engine; a diagram that calls a
function not registered here is refused at deploy.
"""
from . import common


def init_app(app):
    import engine

    with app.app_context():
        for name, function in common.HELPERS.items():
            engine.register_helper(name, function)
