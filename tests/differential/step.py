"""One Tasklane process of the differential sweep: ``python -m tests.differential.step SETTINGS``.

It builds the app as ``tasklane run`` does (``create_app`` with the sweep's settings), then
reads one JSON command a line from stdin and answers each on its own line. A round names,
for some cases, the phase each takes next; every phase goes through the engine's public
API, as the web API and the worker do (deploy and ``engine.start``, ``complete_task``,
``send_message``, ``engine.testclock.move_clock``, ``fire_timer``) and so restores the case
from the database, acts and saves it. The sweep alternates two such processes, so each
phase restores what the other process saved.

Phases (``kind``): ``start``, ``complete``, ``message``, ``move``, ``fire``, ``collect``
(the outcome: :mod:`tests.differential.outcome`).
"""
import json
import os
import sys
import traceback
from collections import Counter
from datetime import timedelta

ACTOR = "differential"
# Audit kinds of elements the engine or a person completed (engine/steps.py, engine/runtime.py).
COMPLETIONS = ("task_completed", "script_run", "gateway_passed", "subprocess_completed", "event_passed",
               "step")


class PhaseError(Exception):
    """A phase cannot be taken on this case (no such task, the case has ended, ...)."""


def _deploy(diagram, process, deployed, files=()):
    """Deploy ``diagram`` (with ``files``, the other files of its bundle: called processes,
    decision tables, forms) once per step process; the process key to start."""
    import engine
    from engine import bundles

    if diagram not in deployed:
        with open(diagram, "rb") as file:
            source = file.read()
        if files:
            pairs = [(os.path.basename(diagram), source)]
            for path in files:
                with open(path, "rb") as file:
                    pairs.append((os.path.basename(path), file.read()))
            source = bundles.from_files(pairs)
        try:
            versions = engine.deploy(source, actor=ACTOR, name=os.path.basename(diagram))
        except Exception as error:
            error.refused_at_deploy = True   # told apart from a failed start by the sweep
            raise
        deployed[diagram] = [version.definition.key for version, _created in versions]
    keys = deployed[diagram]
    if process is not None:
        return process
    if len(keys) != 1:
        raise PhaseError(f"the diagram deployed {len(keys)} processes {keys}: name one as \"process\"")
    return keys[0]


def _running(instance_id):
    from engine.db import db
    from engine.models import ProcessInstance

    instance = db.session.get(ProcessInstance, instance_id, populate_existing=True)
    if instance.status != "running":
        raise PhaseError(f"the case had ended ({instance.status}) before this step")


def _open_task(instance_id, element, where, any_of=False):
    import engine
    from engine.db import db
    from engine.models import HumanTask

    rows = (db.session.query(HumanTask).filter_by(instance_id=instance_id, element_id=element, state="open")
            .order_by(HumanTask.id).all())
    found = [row.id for row in rows
             if all(engine.task_data(row.id).get(k) == v for k, v in (where or {}).items())]
    db.session.rollback()
    if any_of and found:   # an ``auto`` step: any of a multi-instance's, all alike
        found = found[:1]
    if len(found) != 1:
        raise PhaseError(f"{len(found)} open tasks of {element} match {where or {}}")
    return found[0]


def _fire(instance_id):
    """Fire the earliest due timer of the case; ``True`` when more are due after it."""
    import engine
    from engine.db import db
    from engine.models import Timer
    from engine.types import utcnow

    def due():
        db.session.expire_all()
        rows = (db.session.query(Timer.id).filter(Timer.instance_id == instance_id, Timer.state == "pending",
                                                  Timer.due_at <= utcnow())
                .order_by(Timer.due_at, Timer.id).all())
        db.session.rollback()
        return [row.id for row in rows]

    first = due()
    if first:
        engine.fire_timer(first[0])
    return bool(due())


def ran_from_audit(instance_id):
    """Completions per element, from the case's audit trail (Tasklane prunes its task tree)."""
    from engine.db import db
    from engine.models import AuditEvent

    rows = (db.session.query(AuditEvent.element_id).filter(
        AuditEvent.instance_id == instance_id, AuditEvent.kind.in_(COMPLETIONS),
        AuditEvent.element_id.is_not(None)).all())
    return Counter(element for (element,) in rows)


def _collect(instance_id):
    import engine
    from engine.db import db
    from engine.models import ProcessInstance

    from . import outcome

    instance = db.session.get(ProcessInstance, instance_id, populate_existing=True)
    workflow = engine.get_runtime().restore(instance)
    return outcome.of(workflow, ran_from_audit(instance_id))


def take(phase, instance_id, deployed):
    """Take one phase; returns ``(instance_id, again, outcome)``."""
    import engine
    from engine import testclock

    kind = phase["kind"]
    if kind == "start":
        key = _deploy(phase["diagram"], phase.get("process"), deployed, phase.get("files") or ())
        return engine.start(key, actor=ACTOR, data=phase.get("data") or {}).id, False, None
    if kind == "collect":
        return instance_id, False, _collect(instance_id)
    _running(instance_id)
    if kind == "complete":
        task_id = _open_task(instance_id, phase["element"], phase.get("where"), phase.get("any", False))
        engine.complete_task(task_id, actor=ACTOR, data=phase.get("data") or {})
    elif kind == "message":
        engine.send_message(instance_id, phase["name"], actor=ACTOR, payload=phase.get("payload"))
    elif kind == "move":
        testclock.move_clock(timedelta(seconds=phase["seconds"]), instance_id=instance_id, actor=ACTOR)
    elif kind == "fire":
        return instance_id, _fire(instance_id), None
    else:
        raise PhaseError(f"unknown phase {kind}")
    return instance_id, False, None


def serve(settings, commands, answer):
    from engine.db import db
    from tasklane.app import create_app

    app = create_app(settings)
    deployed = {}
    with app.app_context():
        for line in commands:
            command = json.loads(line)
            if command["op"] == "quit":
                break
            if command["op"] == "setup":
                db.create_all()
                db.session.commit()
                answer({"ok": True})
                continue
            results = []
            for item in command["phases"]:
                result = {"case": item["case"], "instance": item.get("instance"), "again": False,
                          "error": None, "outcome": None}
                try:
                    result["instance"], result["again"], result["outcome"] = take(
                        item["phase"], item.get("instance"), deployed)
                except Exception as error:  # noqa: BLE001 - reported to the sweep, which fails on it
                    db.session.rollback()
                    result["error"] = f"{type(error).__name__}: {error}"
                    result["trace"] = traceback.format_exc()
                    # What the web would answer: a Tasklane error's status (4xx: refused with a
                    # message), anything else a 500; and whether the deploy refused.
                    result["kind"] = {"type": type(error).__name__, "status": getattr(error, "status", 500),
                                      "message": getattr(error, "message", None) or str(error),
                                      "problems": getattr(error, "problems", None),
                                      "deploy": getattr(error, "refused_at_deploy", False)}
                results.append(result)
            answer({"pid": os.getpid(), "results": results})


def main():
    settings = json.loads(sys.argv[1])
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())   # anything printed goes to stderr

    def answer(message):
        channel.write(json.dumps(message) + "\n")

    serve(settings, sys.stdin, answer)


if __name__ == "__main__":
    main()
