"""A periodic job the worker tests declare through ``TASKLANE_PERIODIC_MODULES``.

It notes each execution in the instance folder (``begun`` on entry, ``ran`` at the
end), one line per occurrence key, so a test counts how often it really ran; a
``hang`` file there makes it hang until its worker is killed.
"""
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app

from engine.periodic import PeriodicJob


def _note(name, key):
    with open(Path(current_app.config["TASKLANE_INSTANCE_DIR"]) / name, "a") as file:
        file.write(f"{key}\n")


def tick(scheduled_at):
    _note("begun", scheduled_at.isoformat())
    if (Path(current_app.config["TASKLANE_INSTANCE_DIR"]) / "hang").exists():
        time.sleep(30)
    _note("ran", scheduled_at.isoformat())
    return "ticked"


PERIODIC = [PeriodicJob("test-tick", "* * * * * *", "Asia/Ho_Chi_Minh", tick, timeout=timedelta(seconds=3))]
