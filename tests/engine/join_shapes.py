"""BPMN diagrams of every join shape, written as XML for a given number of branches.

Each branch holds one user task ``task_<n>`` that writes ``seen_<n>``; the diagrams
differ in how the branches split and merge: parallel, inclusive, nested, in a loop,
and with a boundary timer that may take one branch elsewhere before the join.
"""
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'id="d_{key}" targetNamespace="http://tasklane.test/bpmn">\n'
        '<bpmn:process id="{key}" isExecutable="true">\n')
TAIL = "</bpmn:process>\n</bpmn:definitions>\n"


class _Diagram:
    def __init__(self, key):
        self.key = key
        self.parts = []
        self.flows = 0

    def node(self, kind, node_id, body=""):
        self.parts.append(f'<bpmn:{kind} id="{node_id}">{body}</bpmn:{kind}>')

    def flow(self, source, target, condition=None):
        self.flows += 1
        inner = (f'<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>'
                 if condition else "")
        self.parts.append(f'<bpmn:sequenceFlow id="f{self.flows}" sourceRef="{source}" '
                          f'targetRef="{target}">{inner}</bpmn:sequenceFlow>')

    def xml(self):
        return HEAD.format(key=self.key) + "\n".join(self.parts) + TAIL


def parallel(branches, gateway="parallelGateway", conditions=False):
    """start -> split -> task_1 .. task_n -> join -> end; inclusive splits test ``pick_<n>``."""
    key = f"{gateway[:-7]}_{branches}"
    d = _Diagram(key)
    d.node("startEvent", "start")
    d.node(gateway, "split")
    d.node(gateway, "join")
    d.node("endEvent", "end")
    d.flow("start", "split")
    for n in range(1, branches + 1):
        d.node("userTask", f"task_{n}")
        d.flow("split", f"task_{n}", f"pick_{n}" if conditions else None)
        d.flow(f"task_{n}", "join")
    d.flow("join", "end")
    return d.xml()


def nested(outer, inner):
    """An outer parallel split whose first branch splits again into ``inner`` branches."""
    d = _Diagram(f"nested_{outer}_{inner}")
    for node in ("start", "end"):
        d.node("startEvent" if node == "start" else "endEvent", node)
    for gateway in ("split", "join", "inner_split", "inner_join"):
        d.node("parallelGateway", gateway)
    d.flow("start", "split")
    d.flow("split", "inner_split")
    for n in range(1, inner + 1):
        d.node("userTask", f"task_{n}")
        d.flow("inner_split", f"task_{n}")
        d.flow(f"task_{n}", "inner_join")
    d.flow("inner_join", "join")
    for n in range(inner + 1, inner + outer):
        d.node("userTask", f"task_{n}")
        d.flow("split", f"task_{n}")
        d.flow(f"task_{n}", "join")
    d.flow("join", "end")
    return d.xml()


def loop(branches):
    """A parallel split and join inside a loop that runs while ``rounds < target``."""
    d = _Diagram(f"loop_{branches}")
    d.node("startEvent", "start")
    d.node("exclusiveGateway", "again")
    d.node("parallelGateway", "split")
    d.node("parallelGateway", "join")
    d.node("scriptTask", "count", "<bpmn:script>rounds = rounds + 1</bpmn:script>")
    d.parts.append('<bpmn:exclusiveGateway id="more" default="f_done" />')
    d.node("endEvent", "end")
    d.flow("start", "again")
    d.flow("again", "split")
    for n in range(1, branches + 1):
        d.node("userTask", f"task_{n}")
        d.flow("split", f"task_{n}")
        d.flow(f"task_{n}", "join")
    d.flow("join", "count")
    d.flow("count", "more")
    d.flow("more", "again", "rounds &lt; target")
    d.parts.append('<bpmn:sequenceFlow id="f_done" sourceRef="more" targetRef="end" />')
    return d.xml()


def boundary(branches):
    """A parallel join after one branch whose task has an interrupting boundary timer that
    leads to ``late`` (a user task) and on to the join."""
    d = _Diagram(f"boundary_{branches}")
    d.node("startEvent", "start")
    d.node("parallelGateway", "split")
    d.node("parallelGateway", "join")
    d.node("endEvent", "end")
    d.flow("start", "split")
    for n in range(1, branches + 1):
        d.node("userTask", f"task_{n}")
        d.flow("split", f"task_{n}")
        if n != 1:
            d.flow(f"task_{n}", "join")
    d.node("exclusiveGateway", "merge_1")
    d.flow("task_1", "merge_1")
    d.parts.append('<bpmn:boundaryEvent id="timer_1" attachedToRef="task_1">'
                   '<bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration>'
                   '</bpmn:timerEventDefinition></bpmn:boundaryEvent>')
    d.node("userTask", "late")
    d.flow("timer_1", "late")
    d.flow("late", "merge_1")
    d.flow("merge_1", "join")
    d.flow("join", "end")
    return d.xml()
