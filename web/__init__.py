"""The Flask web layer: blueprints, templates, static assets."""


def init_app(app):
    from . import errors, health

    app.register_blueprint(health.bp)
    errors.init_app(app)
