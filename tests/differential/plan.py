"""The diagrams the differential test sweeps, and what each of their scenarios feeds them.

A diagram ``<name>.bpmn`` may have a table ``<name>.json`` beside it::

    {"process": "optional: the process (or collaboration) id to start",
     "xfail": "optional: why Tasklane is known to differ (every scenario)",
     "scenarios": {
       "<scenario>": {
         "data": {"start": "data"},
         "steps": [
           {"complete": "<element id>", "data": {...}, "where": {"item": "b"}},
           {"message": "<name>", "payload": {...}},
           {"advance": "PT1H"}
         ],
         "expect": {"completed": true, "ran": ["<element id>"], "not_ran": ["<element id>"],
                    "waiting": ["<element id>"], "data": {"key": "value", "absent": null},
                    "failed_at": 2},
         "xfail": "optional: why this scenario is known to differ",
         "tasklane": {"because": "why Tasklane goes further", "completed": true, "ran": [...]}
       }}}

- ``complete``: the READY user (or manual) task of that element, with ``data`` submitted;
  ``where`` picks one of several (parallel multi-instance) by values of its data; the
  ``auto`` scenario's steps say ``"any": true`` instead (the first of several, all completed alike).
- ``message``: the message delivered from outside, as ``POST /instances/<id>/messages/<name>``.
- ``advance``: every waiting timer of the case comes due that much sooner (an ISO-8601
  duration in days, hours, minutes and seconds), then the due ones fire.
- ``expect`` is checked on raw SpiffWorkflow only, so that a scenario that no longer
  reaches its construct (a typo in a condition, a step that does nothing) fails instead of
  comparing two runs that both skipped it: whether the case completed, elements that
  completed (``ran``) or never did (``not_ran``), the elements still waiting, values of
  the end data (``null``: the key is absent), and the step that fails (none by default).
- ``tasklane`` (rare): where Tasklane deliberately runs what raw SpiffWorkflow stops at
  (a link event, engine/bpmn_support.py), Tasklane's own expectation, in the keys of
  ``expect``, with ``because``; the scenario is then checked against it instead of
  against raw SpiffWorkflow's end.
- ``note`` (on the table or a scenario) is for people: what the diagram shows of
  SpiffWorkflow's own behaviour.

A diagram without a table runs one scenario, ``auto``: no start data, then the first
READY user task (by element id) completed with no data, or the earliest timer advanced to,
until the case ends or waits for something else (see :mod:`tests.differential.reference`).
"""
import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

HERE = Path(__file__).resolve().parent
DEFAULT_FOLDER = HERE.parent / "bpmn"
DEFAULT_GLOB = "construct_*.bpmn"
FOLDER_VARIABLE, GLOB_VARIABLE = "TASKLANE_DIFF_DIR", "TASKLANE_DIFF_GLOB"
STEP_KINDS = ("complete", "message", "advance")


@dataclass(frozen=True)
class Scenario:
    diagram: Path
    name: str
    process: str | None = None
    data: dict = field(default_factory=dict)
    steps: tuple | None = None   # None: chosen as the reference runs (``auto``)
    expect: dict = field(default_factory=dict)
    xfail: str | None = None
    tasklane: dict | None = None   # Tasklane's own expectation where it goes further on purpose
    files: tuple = ()            # other files deployed with the diagram (a bundle): callees, DMN, forms

    @property
    def id(self):
        return f"{self.diagram.stem}-{self.name}"


def folder():
    """``TASKLANE_DIFF_DIR`` and ``TASKLANE_DIFF_GLOB`` (default: every ``*.bpmn`` there), or
    ``tests/bpmn/construct_*.bpmn``."""
    chosen = os.environ.get(FOLDER_VARIABLE)
    path = Path(chosen).expanduser().resolve() if chosen else DEFAULT_FOLDER
    pattern = os.environ.get(GLOB_VARIABLE) or (DEFAULT_GLOB if not chosen else "*.bpmn")
    return path, pattern


def scenarios(path=None, pattern=None):
    """Every scenario of every diagram in the folder, in name order.

    :raises ValueError: a table is malformed (named with its file)
    """
    if path is None:
        path, default_pattern = folder()
        pattern = pattern or default_pattern
    found = []
    for diagram in sorted(Path(path).glob(pattern or "*.bpmn")):
        table = diagram.with_suffix(".json")
        if not table.exists():
            found.append(Scenario(diagram, "auto"))
            continue
        try:
            found.extend(_read(diagram, json.loads(table.read_text())))
        except (ValueError, TypeError, KeyError) as error:
            raise ValueError(f"{table}: {error}") from error
    return found


def _read(diagram, table):
    unknown = set(table) - {"process", "xfail", "scenarios", "note"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    for name, body in table["scenarios"].items():
        unknown = set(body) - {"data", "steps", "expect", "xfail", "note", "tasklane"}
        if unknown:
            raise ValueError(f"scenario {name}: unknown keys {sorted(unknown)}")
        steps = tuple(_step(step) for step in body.get("steps", []))
        yield Scenario(diagram, name, table.get("process"), body.get("data", {}), steps,
                       body.get("expect", {}), body.get("xfail") or table.get("xfail"), body.get("tasklane"))


def _step(step):
    kinds = [kind for kind in STEP_KINDS if kind in step]
    if len(kinds) != 1:
        raise ValueError(f"a step names one of {STEP_KINDS}: {step}")
    if "advance" in step:
        seconds(step["advance"])
    return step


def seconds(duration):
    """An ISO-8601 duration of days, hours, minutes and seconds (``P2D``, ``PT1H30M``) in seconds."""
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    if {"years", "months"} & set(parsed):
        raise ValueError(f"advance by days, hours, minutes or seconds, not {duration}")
    return timedelta(**parsed).total_seconds()
