"""Decision tables (DMN files) deployed with a process: read with care and checked like its code.

SpiffWorkflow 3.2 runs what a business rule task's ``spiffworkflow:calledDecisionId``
names: the one decision of a DMN file (DMN 1.1, 1.2 or 1.3), by its decision table. Each
input entry, input expression and output entry is Python run by the case's script engine
(the restricted one, engine/sandbox.py), not FEEL. Of the hit policies, ``UNIQUE`` and
``FIRST`` give the first matching rule's outputs (SpiffWorkflow does not check that only
one rule matches) and ``COLLECT`` a list per output of every matching rule's value; the
others, and ``COLLECT`` with an aggregation, SpiffWorkflow would run as something else,
so they are refused. The outputs are merged into the task data by their names
(``route.team`` into ``{"route": {"team": ...}}``). A decision's table is serialized into
the spec of every version that calls it, so a case keeps the table it started with.
"""
import re
from functools import cache
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import XSD_DIR

from . import checks, xml_safety
from .errors import DeployError
from .sandbox import compile_expression, unknown_calls

DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
DMN12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
VERSIONS = {DMN11: "1.1", DMN12: "1.2", DMN13: "1.3"}
HIT_POLICIES = ("UNIQUE", "FIRST", "COLLECT")
_SCHEMA_DIR = Path(XSD_DIR)
# What DMNEngine.evaluate replaces by the input's value: a ``?`` outside quotes.
_QUESTION = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')
_INPUT_VALUE = "dmninputexpr"


def read(file, *, max_bytes):
    """The root of DMN file ``file`` (a :class:`engine.bundles.BundleFile`), and its warnings.

    :returns: ``(root, problems)``
    :raises DeployError: hostile or malformed XML, not DMN 1.1 to 1.3, invalid against its
        schema, not one decision with a decision table, a hit policy SpiffWorkflow would
        run as another one
    """
    root = xml_safety.parse(file.data, max_bytes=max_bytes, name=file.name)
    tag = etree.QName(root)
    if tag.localname != "definitions" or tag.namespace not in VERSIONS:
        raise _refused(file.name, f"{file.name} is not a DMN 1.1, 1.2 or 1.3 document (its root is "
                                  f"{tag.localname} in {tag.namespace or 'no namespace'})")
    schema = _schema(tag.namespace)
    if not schema.validate(root):
        error = schema.error_log.last_error
        raise _refused(file.name, f"{file.name} is not valid DMN {VERSIONS[tag.namespace]}: line "
                                  f"{error.line}: {error.message}")
    decisions = root.findall(f"{{{tag.namespace}}}decision")
    if len(decisions) != 1:
        raise _refused(file.name, f"{file.name} holds {len(decisions)} decisions; SpiffWorkflow runs one "
                                  "decision per DMN file: give each decision a file of its own")
    if not decisions[0].get("id"):
        raise _refused(file.name, f"the decision of {file.name} has no id; a business rule task names it "
                                  "by its id")
    return _as_spiff_reads(root, tag.namespace), _table_problems(file.name, decisions[0], tag.namespace)


def _as_spiff_reads(root, namespace):
    """``root`` with its DMN namespace as SpiffWorkflow looks it up: the default one or the
    prefix ``dmn`` (a tool may write another prefix, ``semantic:`` say)."""
    if namespace in (root.nsmap.get(None), root.nsmap.get("dmn")):
        return root
    copy = etree.Element(root.tag, dict(root.attrib), nsmap={**root.nsmap, "dmn": namespace})
    copy.extend(list(root))
    return copy


def decision_id(root):
    """The id of the decision a DMN document accepted by :func:`read` holds."""
    return root.find(f"{{{etree.QName(root).namespace}}}decision").get("id")


def _table_problems(name, decision, ns):
    label = f"decision '{decision.get('id')}'"
    table = decision.find(f"{{{ns}}}decisionTable")
    if table is None:
        raise _refused(name, f"{label} in {name} has no decision table; only decision tables are run "
                             "(not literal expressions or other decision logic)")
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    if policy not in HIT_POLICIES or table.get("aggregation"):
        shown = f"{policy} {table.get('aggregation')}" if table.get("aggregation") else policy
        raise _refused(name, f"{label} in {name} has hit policy {shown}, which SpiffWorkflow 3.2 does not "
                             "run as written; use UNIQUE, FIRST or COLLECT (without an aggregation)")
    required = [r.get("href", "").lstrip("#") for r in decision.iter(f"{{{ns}}}requiredDecision")]
    return [checks.problem(decision.get("id") or name,
                           f"{label} requires decision '{other}', which is not evaluated with it; "
                           "decide it first in a business rule task of its own", "warning")
            for other in required if other]


def _refused(name, message):
    return DeployError(message, [{"element": name, "message": message}])


@cache
def _schema(namespace):
    """The XML Schema of a DMN version. SpiffWorkflow 3.2's DMN 1.2 schema imports its
    diagram interchange schema from a file that holds another one, so it cannot be loaded:
    the diagram part (``dmndi:DMNDI``, which is never run) is left unchecked instead."""
    files = {DMN11: "DMN.xsd", DMN12: "DMN12.xsd", DMN13: "DMN13.xsd"}
    tree = etree.parse(str(_SCHEMA_DIR / files[namespace]))
    if namespace == DMN12:
        xsd = "{http://www.w3.org/2001/XMLSchema}"
        for node in tree.getroot().findall(f"{xsd}import"):
            tree.getroot().remove(node)
        for node in tree.getroot().iter(f"{xsd}element"):
            if node.get("ref") == "dmndi:DMNDI":
                node.tag = f"{xsd}any"
                del node.attrib["ref"]
                node.set("namespace", "##other")
                node.set("processContents", "skip")
    return etree.XMLSchema(tree)


def parse(parser, names):
    """Every decision added to ``parser`` parsed as SpiffWorkflow will run it.

    :param names: ``{decision id: DMN file name}``
    :returns: ``{decision id: Decision}``
    :raises DeployError: a decision table SpiffWorkflow cannot read, naming its file
    """
    decisions = {}
    for decision, dmn_parser in parser.dmn_parsers.items():
        name = names.get(decision, decision)
        try:
            dmn_parser.parse()
        except ValidationException as error:
            raise _refused(name, f"{name} is not a decision table SpiffWorkflow can run: {error}") from None
        except (KeyError, IndexError, AttributeError, TypeError, ValueError) as error:
            raise _refused(name, f"{name} could not be read as a decision table: "
                                 f"{type(error).__name__} {error}") from None
        decisions[decision] = dmn_parser.decision
    return decisions


def problems(decision, helpers):
    """Each expression of ``decision``'s table that does not compile under the restricted
    engine or calls an unknown function, put together as SpiffWorkflow's DMNEngine runs it:
    ``decision 'X' rule 3 input 'amount': ...``."""
    table = decision.decisionTables[0]
    label = f"decision '{decision.id}'"
    found = []
    for column in table.inputs:
        element, where = column.id or decision.id, f"{label} input '{_name(column)}'"
        if column.expression:
            found.extend(_code(element, where, column.expression, "input expression", helpers))
        else:
            found.append(checks.problem(element, f"{where}: has no input expression; give it one (the data "
                                                 "it reads, e.g. amount)"))
    for rule in table.rules:
        for entry in rule.inputEntries:
            where = f"{label} rule {rule.row_number} input '{_name(entry.input)}'"
            found.extend(p for text in entry.lhs if text is not None and entry.input.expression
                         for p in _input_entry(entry.id or rule.id, where, entry.input.expression, text,
                                               helpers))
        for entry in rule.outputEntries:
            where = f"{label} rule {rule.row_number} output '{entry.output.name or entry.output.label}'"
            if entry.text:
                found.extend(_code(entry.id or rule.id, where, entry.text, "output entry", helpers))
    return found


def _name(column):
    return column.label or column.name or column.id


def _input_entry(element, where, expression, text, helpers):
    """The code DMNEngine.evaluate runs for input entry ``text``, checked."""
    matched = _QUESTION.sub(_INPUT_VALUE, text)
    if _INPUT_VALUE in matched:
        return _code(element, where, matched, f"input entry '{text}'", helpers)
    try:
        compile_expression(text, "exec")
    except SyntaxError as error:
        try:  # DMNEngine.needs_eq: an entry that is not an expression is an operator and its operand
            compile_expression(f"v {text}", "exec")
        except SyntaxError:
            return [checks.problem(element, f"{where}: input entry '{text}' does not compile: {error.msg}")]
    else:
        return _code(element, where, f"({expression}) == ({text})", f"input entry '{text}'", helpers)
    if re.search(r"\w$", expression) and re.match(r"\w", text):
        return [checks.problem(element, f"{where}: '{text}' is read as '{expression}{text}' (SpiffWorkflow "
                                        f"writes the input and the entry together); write '? {text}'")]
    return _code(element, where, expression + text, f"input entry '{text}'", helpers)


def _code(element, where, source, what, helpers):
    try:
        compile_expression(source, "eval")
        missing = unknown_calls(source, "eval", helpers)
    except SyntaxError as error:
        return [checks.problem(element, f"{where}: {what} does not compile: {error.msg}")]
    return [checks.problem(element, f"{where}: {what} calls unknown function(s): {', '.join(missing)}")
            ] if missing else []
