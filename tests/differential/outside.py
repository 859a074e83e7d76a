"""Sweep folders of outside diagrams: raw SpiffWorkflow against Tasklane, one line per file.

``python -m tests.differential.outside FOLDER [FOLDER ...] [--json OUT] [--glob PATTERN]``

Each folder is one *source* (SpiffWorkflow's test data, spiff-arena's models, ...). Every
BPMN file under it (``*.bpmn``, ``*.bpmn20.xml``, other ``*.xml``) runs its ``auto``
scenario (:mod:`tests.differential.plan`; a ``<name>.json`` table beside it is not read
here, since outside folders hold JSON forms under such names) twice, as the differential
test runs it: on raw SpiffWorkflow in memory and through Tasklane's engine, saved and
restored by another OS process at every wait (:mod:`tests.differential.sweep`).

A diagram is deployed as a *bundle* with the files of the same folder it needs: the
diagrams holding the processes its call activities name (and theirs, transitively), the
DMN files holding the decisions its business rule tasks name, the JSON forms its user
tasks name. Raw SpiffWorkflow reads the same files.

Per file it records the raw result (``completed``, ``stuck``, ``error`` at a step,
``parse-refused``), Tasklane's (``completed``, ``stuck``, ``incident`` at a step,
``refused`` at deploy with its message, ``crash``: an error the web would answer 500,
``harness``: the sweep could not take a step, e.g. no such task), and
whether the end state and end data are the same (:func:`tests.differential.outcome.diff`).
Every message Tasklane refuses or fails with is checked: it names an element or a file and
holds no Python object address or exception class name.

The summary: of the files raw SpiffWorkflow completes, how many Tasklane completes with the
same end data, per source. A folder that does not exist is skipped with a line saying so.
The outside files never enter the repository (their licences are their own): point the
sweep at a copy elsewhere (docs/runtime.md "Outside diagrams").
"""
import argparse
import builtins
import json
import os
import re
import signal
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path

from lxml import etree

from . import outcome, plan, reference, sweep

RAW_SECONDS = 30
BPMN_SUFFIXES = (".bpmn", ".xml")
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b|<[\w.]+ object at ")
# Exception class names a message must not show: Python's own, SpiffWorkflow's, lxml's, and
# SQLAlchemy's (a refusal is worded for the person who deployed, not for a developer).
CLASS_NAMES = frozenset(
    [name for name, value in vars(builtins).items()
     if isinstance(value, type) and issubclass(value, BaseException) and name != "Warning"]
    + ["WorkflowException", "SpiffWorkflowException", "WorkflowTaskException", "ValidationException",
       "TaskNotFoundException", "WorkflowDataException", "XMLSyntaxError", "XMLSchemaValidateError",
       "DocumentInvalid", "IntegrityError", "OperationalError", "StatementError", "DetachedInstanceError"])
_CLASS_WORD = re.compile(r"\b(" + "|".join(sorted(CLASS_NAMES, key=len, reverse=True)) + r")\b")


def local(tag):
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def diagrams(folder, pattern=None):
    """Every BPMN file under ``folder`` (recursively), in path order."""
    found = [p for p in Path(folder).rglob(pattern or "*")
             if p.is_file() and p.suffix.lower() in BPMN_SUFFIXES and not p.name.lower().endswith(".dmn")]
    return sorted(found)


class Index:
    """What each file of a folder defines (process ids, decision ids) and needs (called
    processes, decisions, form files), read with lxml, leniently: a file that is not XML
    defines and needs nothing."""

    def __init__(self, folder):
        self.processes, self.decisions, self.jsons = {}, {}, {}
        self.needs = {}
        for path in sorted(Path(folder).rglob("*")):
            lower = path.name.lower()
            if not path.is_file():
                continue
            if lower.endswith(".json"):
                self.jsons.setdefault(path.name, path)
            elif lower.endswith(".dmn"):
                root = _root(path)
                for element in root.iter() if root is not None else ():
                    if local(element.tag) == "decision" and element.get("id"):
                        self.decisions.setdefault(element.get("id"), path)
            elif path.suffix.lower() in BPMN_SUFFIXES:
                root = _root(path)
                if root is not None:
                    self.needs[path] = self._read(path, root)

    def _read(self, path, root):
        """Keep the processes the diagram defines; ``(calls, decisions, forms)`` it needs."""
        calls, decisions, forms = set(), set(), set()
        for element in root.iter():
            name = local(element.tag)
            if name == "process" and element.get("id"):
                self.processes.setdefault(element.get("id"), path)
            elif name == "callActivity" and element.get("calledElement"):
                calls.add(element.get("calledElement"))
            elif name == "calledDecisionId" and (element.text or "").strip():
                decisions.add(element.text.strip())
            elif name == "businessRuleTask":
                decisions.update(v for k, v in element.attrib.items() if local(k) == "decisionRef" and v)
            elif name == "property" and element.get("name", "").startswith("form"):
                forms.add(Path(element.get("value") or "").name)
        return calls, decisions, forms

    def bundle(self, diagram):
        """The other files ``diagram`` is deployed with: callees (transitively), DMN, forms."""
        seen, files, todo = {diagram}, [], [diagram]
        while todo:
            calls, decisions, forms = self.needs.get(todo.pop(), ((), (), ()))
            wanted = ([self.processes.get(c) for c in calls] + [self.decisions.get(d) for d in decisions]
                      + [self.jsons.get(f) for f in forms])
            for path in wanted:
                if path is not None and path not in seen:
                    seen.add(path)
                    files.append(path)
                    todo.append(path)
        return tuple(files)


class _TooLong(Exception):
    pass


def _alarm(_signum, _frame):
    raise _TooLong()


def run_raw(scenario):
    """``(result, outcome, steps)`` on raw SpiffWorkflow: ``parse-refused`` when its parser
    refuses the diagram (outcome None), ``error`` when a step failed, else ``completed`` or
    ``stuck``."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(RAW_SECONDS)
    try:
        try:
            reference.parse(scenario.diagram, scenario.process, scenario.files)
        except _TooLong:
            raise
        except Exception as error:  # noqa: BLE001 - recorded as the raw result
            return {"result": "parse-refused", "error": f"{type(error).__name__}: {error}"}, None, []
        found, steps = reference.run(scenario)
    except _TooLong:
        return {"result": "error", "error": f"ran longer than {RAW_SECONDS} s"}, None, []
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if found["failed"]:
        failed = found["failed"]
        return {"result": "error", "step": failed["step"], "error": failed["error"]}, found, steps
    return {"result": "completed" if found["completed"] else "stuck"}, found, steps


def tasklane_result(found):
    """``completed``, ``stuck``, ``incident``, ``refused`` or ``crash`` of Tasklane's outcome."""
    failed = found["failed"]
    if failed:
        kind = failed.get("kind") or {}
        if kind.get("type") == "PhaseError":   # the sweep's own: no such task to take the step on
            return "harness"
        if kind.get("status", 500) >= 500:
            return "crash"
        return "refused" if kind.get("deploy") else "incident"
    return "completed" if found["completed"] else "stuck"


def _root(path):
    """The root element of the XML file at ``path``, or None when it is not XML."""
    try:
        return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (etree.XMLSyntaxError, OSError, ValueError):
        return None


def _ids(diagram):
    root = _root(diagram)
    if root is None:
        return set()
    return {e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")}


def message_faults(failed, diagram, files):
    """What is wrong with the message Tasklane failed with: it must name an element or a
    file, and hold no object address or exception class name. ``[]`` when it is fine."""
    kind = failed.get("kind") or {}
    text = kind.get("message") or ""
    problems = kind.get("problems") or []
    words = [text] + [f"{p.get('element', '')}: {p.get('message', '')}" for p in problems]
    faults = []
    whole = "\n".join(words)
    if ADDRESS.search(whole):
        faults.append("shows an object address")
    shown = sorted(set(_CLASS_WORD.findall(whole)))
    if shown:
        faults.append(f"shows exception class names {shown}")
    names = {Path(diagram).name, *(Path(f).name for f in files)}
    names |= {p.get("element") for p in problems if p.get("element")}
    ids = _ids(diagram)
    if not any(name and name in whole for name in names) and not any(i in whole for i in ids):
        faults.append("names no element or file")
    return faults


def sweep_folders(folders, pattern=None, log=print):
    """Run every diagram of ``folders``; ``{source: [row]}`` with one row per file."""
    scenarios, raws, sources = {}, {}, {}
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            log(f"skipped {folder}: no such folder")
            continue
        index = Index(folder)
        for diagram in diagrams(folder, pattern):
            case_id = f"{folder.name}/{diagram.relative_to(folder)}"
            scenario = plan.Scenario(diagram, "auto", files=index.bundle(diagram))
            scenarios[case_id] = scenario
            sources[case_id] = folder.name
            raws[case_id] = run_raw(scenario)
    if not scenarios:
        return {}
    cases = {case_id: (scenario, raws[case_id][2]) for case_id, scenario in scenarios.items()}
    ours = _run_tasklane(cases)
    rows = {}
    for case_id, scenario in scenarios.items():
        raw, raw_outcome, _steps = raws[case_id]
        found = ours.outcomes[case_id]
        row = {"file": case_id, "bundle": [str(Path(f).relative_to(scenario.diagram.parent)) if
                                           Path(f).is_relative_to(scenario.diagram.parent) else str(f)
                                           for f in scenario.files],
               "raw": raw["result"], "raw_error": raw.get("error"), "tasklane": tasklane_result(found),
               "tasklane_error": found["failed"] and found["failed"]["error"],
               "same": raw_outcome is not None and outcome.diff(raw_outcome, found) == ""}
        if raw_outcome is not None and not row["same"]:
            row["diff"] = outcome.diff(raw_outcome, found)
        if found["failed"] and row["tasklane"] != "crash":
            row["message_faults"] = message_faults(found["failed"], scenario.diagram, scenario.files)
        rows.setdefault(sources[case_id], []).append(row)
    return rows


def _run_tasklane(cases):
    folder = Path(tempfile.mkdtemp(prefix="tasklane-outside-"))
    database = os.environ.get("DATABASE_URL", "")
    url = database if database.startswith("postgres") else f"sqlite:///{folder / 'sweep.sqlite'}"
    redis_url = os.environ.get("REDIS_URL")
    embedded_folder = None
    if not redis_url:
        from workers import embedded

        embedded_folder = folder / "redis"
        embedded_folder.mkdir()
        redis_url = embedded.ensure(embedded_folder)
    prefix = f"outside-{uuid.uuid4().hex[:8]}"
    settings = {"TASKLANE_ENV": "testing", "TASKLANE_INSTANCE_DIR": str(folder / "instance"),
                "TASKLANE_DATABASE_URL": url, "TASKLANE_REDIS_URL": redis_url,
                "TASKLANE_QUEUE_PREFIX": prefix, "TASKLANE_SECRET_KEY": "outside",
                "TASKLANE_TEST_HOOKS": True}
    try:
        return sweep.run(cases, settings, folder)
    finally:
        import redis

        with redis.Redis.from_url(redis_url) as conn:
            keys = list(conn.scan_iter(match=f"*{prefix}*", count=1000))
            if keys:
                conn.delete(*keys)
        if embedded_folder is not None:
            from workers import embedded

            embedded.stop(embedded_folder)


def summary(rows):
    """The table: per source, the raw results and, of the files raw completes, Tasklane's."""
    header = ("source", "files", "raw completes", "same end", "Tasklane differs", "stuck", "incident",
              "refused", "crash", "bad messages")
    lines = [header]
    totals = Counter()
    for source, found in rows.items():
        raw_done = [r for r in found if r["raw"] == "completed"]
        same = sum(1 for r in raw_done if r["tasklane"] == "completed" and r["same"])
        counts = Counter(r["tasklane"] for r in raw_done)
        bad = sum(1 for r in found if r.get("message_faults"))
        crash = sum(1 for r in found if r["tasklane"] == "crash")
        line = {"files": len(found), "raw": len(raw_done), "same": same,
                "differs": len(raw_done) - same - counts["stuck"] - counts["incident"] - counts["refused"]
                - counts["crash"], "stuck": counts["stuck"], "incident": counts["incident"],
                "refused": counts["refused"], "crash": crash, "bad": bad}
        totals.update(line)
        lines.append((source, *(str(v) for v in line.values())))
    lines.append(("all", *(str(totals[k]) for k in ("files", "raw", "same", "differs", "stuck", "incident",
                                                    "refused", "crash", "bad"))))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    text = ["  ".join(str(cell).rjust(w) if i else str(cell).ljust(w) for i, (cell, w) in
                      enumerate(zip(line, widths, strict=True))) for line in lines]
    raw_counts = {source: dict(Counter(r["raw"] for r in found)) for source, found in rows.items()}
    text.append("")
    text += [f"raw SpiffWorkflow, {source}: {counts}" for source, counts in raw_counts.items()]
    return "\n".join(text)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.differential.outside",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", help="one folder per source")
    parser.add_argument("--glob", help="only the files whose names match (e.g. '*timer*')")
    parser.add_argument("--json", help="write every file's row here")
    args = parser.parse_args(argv)
    rows = sweep_folders(args.folders, args.glob, log=lambda line: print(line, file=sys.stderr))
    if not rows:
        print("no diagrams swept")
        return 0
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    for found in rows.values():
        for row in found:
            if row["raw"] == "completed" and not (row["tasklane"] == "completed" and row["same"]) \
                    or row["tasklane"] == "crash" or row.get("message_faults"):
                why = row.get("tasklane_error") or (row.get("diff") or "").splitlines()[:1]
                faults = ", ".join(row.get("message_faults") or [])
                print(f"{row['file']}: raw {row['raw']}, Tasklane {row['tasklane']}"
                      f"{'' if row['same'] else ' (end differs)'}; {str(why)[:300]}"
                      f"{'; message: ' + faults if faults else ''}")
    print()
    print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
