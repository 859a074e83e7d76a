"""The Flask web layer: blueprints, templates, static assets."""
from flask_wtf import CSRFProtect

csrf = CSRFProtect()


def init_app(app):
    from . import api, auth, bell, cases, errors, formatting, health, i18n, inbox, leads, profile, tasks

    csrf.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    formatting.init_app(app)
    bell.init_app(app)
    for blueprint in (health.bp, inbox.bp, tasks.bp, cases.bp, leads.bp, profile.bp):
        app.register_blueprint(blueprint)
    api.init_app(app)
    errors.init_app(app)
