"""Run every scenario through Tasklane, each step in another OS process than the step before.

Two step processes (:mod:`tests.differential.step`) take turns: round 0 (deploy and start
every case) runs in the first, round 1 in the second, round 2 in the first again, and so
on; in each round every unfinished case takes its next phase. So every save is restored
by the other process, from the database, on a spec that process read and cached itself,
and the sweep costs two process starts whatever the number of cases.

The scenarios of one diagram start two rounds apart, in the same process: a later case
then starts on a spec that an earlier case of the same version already ran, restored and
took events on in that process (a spec SpiffWorkflow changed in memory shows up so).

A step becomes phases: ``complete`` and ``message`` one each, ``advance`` two (the test
clock moves the case's timers, then the due timers fire: ``fire`` stays at the head of the
case's queue while more of its timers are due). After its last phase the case is read back
(``collect``) in the next round.
"""
import json
import os
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from . import plan

ROOT = Path(__file__).resolve().parents[2]


class StepProcessError(RuntimeError):
    """A step process died or answered nonsense; the message holds the end of its log."""


class StepProcess:
    def __init__(self, settings, log_path):
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self.log_path = Path(log_path)
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.differential.step", json.dumps(settings)],
                                     cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)

    def ask(self, command):
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.log.flush()
            tail = self.log_path.read_text(errors="replace")[-4000:]
            raise StepProcessError(f"step process {self.proc.pid} ended without answering:\n{tail}")
        return json.loads(line)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=30)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.log.close()


def phases(scenario, steps):
    """``[(step number, phase)]`` of a scenario: its start (step 0), its steps, the read-back."""
    found = [(0, {"kind": "start", "diagram": str(scenario.diagram), "process": scenario.process,
                  "data": scenario.data, "files": [str(f) for f in scenario.files]})]
    for number, step in enumerate(steps, start=1):
        if "complete" in step:
            found.append((number, {"kind": "complete", "element": step["complete"],
                                   "where": step.get("where"), "data": step.get("data"),
                                   "any": step.get("any", False)}))
        elif "message" in step:
            found.append((number, {"kind": "message", "name": step["message"],
                                   "payload": step.get("payload")}))
        else:
            found.append((number, {"kind": "move", "seconds": plan.seconds(step["advance"])}))
            found.append((number, {"kind": "fire"}))
    return found


class _Case:
    def __init__(self, scenario, steps, first_round):
        self.queue = deque(phases(scenario, steps))
        self.first_round = first_round
        self.instance = None
        self.failed = None
        self.outcome = None
        self.processes = []   # the process id that took each phase, in order

    def settle(self, result, pid):
        """Take a step process's answer for this case's head phase."""
        number, phase = self.queue[0]
        self.processes.append(pid)
        if result["instance"] is not None:
            self.instance = result["instance"]
        if result["error"] is not None:
            self.failed = {"step": number, "error": result["error"], **({"kind": result["kind"]}
                                                                        if result.get("kind") else {})}
            self.queue.clear()
            if self.instance is not None:
                self.queue.append((number, {"kind": "collect"}))
            else:
                self.outcome = {"completed": False, "failed": self.failed, "ran": {}, "waiting": [],
                                "data": None}
            return
        if phase["kind"] == "collect":
            self.outcome = {**result["outcome"], "failed": self.failed}
        if not result["again"]:
            self.queue.popleft()
        if phase["kind"] != "collect" and not self.queue:
            self.queue.append((number, {"kind": "collect"}))


@dataclass
class Result:
    outcomes: dict    # {case id: outcome} (see tests.differential.outcome)
    processes: dict   # {case id: [the process id that took each phase, in order]}


def run(cases, settings, log_dir):
    """Run ``cases`` (``{id: (scenario, steps)}``) through Tasklane.

    :returns: a :class:`Result`
    :raises StepProcessError: a step process died
    """
    processes = [StepProcess(settings, Path(log_dir) / f"step-{n}.log") for n in (0, 1)]
    try:
        processes[0].ask({"op": "setup"})
        earlier = {}   # scenarios of each diagram seen so far
        state = {}
        for case_id, (scenario, steps) in cases.items():
            index = earlier.setdefault(scenario.diagram, 0)
            earlier[scenario.diagram] += 1
            state[case_id] = _Case(scenario, steps, first_round=2 * index)
        turn = 0
        while any(case.queue for case in state.values()):
            live = {case_id: case for case_id, case in state.items()
                    if case.queue and case.first_round <= turn}
            answer = processes[turn % 2].ask({"op": "round", "phases": [
                {"case": case_id, "instance": case.instance, "phase": case.queue[0][1]}
                for case_id, case in live.items()]})
            for result in answer["results"]:
                live[result["case"]].settle(result, answer["pid"])
            turn += 1
        return Result({case_id: case.outcome for case_id, case in state.items()},
                      {case_id: case.processes for case_id, case in state.items()})
    finally:
        for process in processes:
            process.close()
