"""The Flask web layer: blueprints, templates, static assets."""


def init_app(app):
    from flask_wtf import CSRFProtect

    from . import auth, errors, health, i18n

    CSRFProtect(app)
    i18n.init_app(app)
    auth.init_app(app)
    app.register_blueprint(health.bp)
    errors.init_app(app)
