"""The health page: is the database reachable, is Redis, are workers running; and, for
admins and process owners, the periodic jobs with their last and next runs."""
from cron_descriptor import ExpressionDescriptor, FormatError, Options
from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import get_locale
from flask_login import current_user
from rq import Worker
from sqlalchemy import func, text

from engine import periodic
from engine.db import db
from engine.models import HumanTask, ProcessDefinition, ProcessInstance, Timer

bp = Blueprint("health", __name__)
JOB_READERS = frozenset({"admin", "process_owner"})
CRON_LOCALES = {"vi": "vi_VN", "en": "en_US", "ru": "ru_RU"}


def _status():
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = {"ok": True, "backend": db.engine.dialect.name}
    except Exception as error:  # noqa: BLE001 - reported, not raised: this is the health page
        checks["database"] = {"ok": False, "error": str(error)}
    try:
        conn = current_app.extensions["tasklane_redis_factory"]()
        conn.ping()
        checks["redis"] = {"ok": True, "workers": len(Worker.all(connection=conn))}
    except Exception as error:  # noqa: BLE001
        checks["redis"] = {"ok": False, "error": str(error)}
    return checks


def _counts():
    return {
        "processes": db.session.query(func.count(ProcessDefinition.id)).scalar(),
        "running_instances": db.session.query(func.count(ProcessInstance.id))
        .filter_by(status="running").scalar(),
        "open_tasks": db.session.query(func.count(HumanTask.id)).filter_by(state="open").scalar(),
        "pending_timers": db.session.query(func.count(Timer.id)).filter_by(state="pending").scalar(),
    }


@bp.get("/healthz")
def health_json():
    checks = _status()
    ok = all(c["ok"] for c in checks.values())
    return jsonify({"ok": ok, "checks": checks}), 200 if ok else 503


@bp.get("/status")
def health_page():
    checks = _status()
    counts = _counts() if checks["database"]["ok"] else {}
    definitions = db.session.query(ProcessDefinition).order_by(ProcessDefinition.key).all() \
        if checks["database"]["ok"] else []
    jobs = _periodic_jobs() if checks["database"]["ok"] and _reads_jobs() else None
    return render_template("health.html", checks=checks, counts=counts, definitions=definitions, jobs=jobs)


def _reads_jobs():
    return current_user.is_authenticated and bool(JOB_READERS & set(current_user.role_names))


def _periodic_jobs():
    rows = periodic.overview()
    for row in rows:
        row["schedule"] = cron_in_words(row["job"].cron)
    return rows


def cron_in_words(expression):
    """A cron expression in the reader's language ("Every minute"), or the expression."""
    options = Options()
    options.locale_code = CRON_LOCALES.get(str(get_locale()), "en_US")
    options.use_24hour_time_format = True
    try:
        return ExpressionDescriptor(expression, options).get_description()
    except (FormatError, ValueError):
        return expression
