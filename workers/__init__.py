"""rq jobs and the worker: timers, notifications, the sweep that re-arms lost jobs."""


def init_app(app):
    """Schedule jobs for new timers and outbox rows after every engine commit."""
    import engine

    from . import scheduling

    with app.app_context():
        engine.on_commit(scheduling.arm)
