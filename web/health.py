"""The health page: is the database reachable, is Redis, are workers running."""
from flask import Blueprint, current_app, jsonify, render_template
from rq import Worker
from sqlalchemy import func, text

from engine.db import db
from engine.models import HumanTask, ProcessDefinition, ProcessInstance, Timer

bp = Blueprint("health", __name__)


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
    return render_template("health.html", checks=checks, counts=counts, definitions=definitions)
