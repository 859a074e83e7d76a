"""The Flask web layer: blueprints, templates, static assets."""
from flask_wtf import CSRFProtect

csrf = CSRFProtect()


def init_app(app):
    import importlib

    import processes

    from . import (
        api,
        auth,
        bell,
        case_repair,
        cases,
        errors,
        formatting,
        health,
        i18n,
        inbox,
        limits,
        navigation,
        orders,
        profile,
        security,
        tasks,
    )
    from .account import bp as account_bp
    from .calendars_admin import bp as calendars_admin_bp
    from .dashboard import bp as dashboard_bp
    from .formeditor import bp as formeditor_bp
    from .modeler import bp as modeler_bp
    from .processes import bp as processes_bp
    from .reports import bp as reports_bp
    from .roles_admin import bp as roles_admin_bp
    from .users_admin import bp as users_admin_bp

    limits.init_app(app)  # first: its converter and body limit apply to every route and check
    security.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    formatting.init_app(app)
    bell.init_app(app)
    navigation.init_app(app)
    for blueprint in (health.bp, inbox.bp, tasks.bp, cases.bp, case_repair.bp, profile.bp, orders.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(reports_bp)
    app.register_blueprint(processes_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(modeler_bp)
    app.register_blueprint(formeditor_bp)
    app.register_blueprint(users_admin_bp)
    app.register_blueprint(roles_admin_bp)
    app.register_blueprint(calendars_admin_bp)
    app.register_blueprint(account_bp)
    # Each installed domain's pages: importing its web package registers its API operations
    # too, so this comes before api.init_app registers the API blueprint.
    for domain in processes.DOMAINS:
        if domain.pages:
            for blueprint in importlib.import_module(domain.pages).BLUEPRINTS:
                app.register_blueprint(blueprint)
    api.init_app(app)
    errors.init_app(app)
