"""What SpiffWorkflow raises while a case runs, as the one error a caller can act on.

A case that meets data its diagram cannot handle (a multi-instance over a number, a
sub-process that leaves its data output unset, a script that fails) is the diagram's or
the data's problem, not a server fault: :func:`as_incident` turns whatever SpiffWorkflow
or a script raises into a :class:`~engine.errors.ScriptError` naming the element, which
the unit of work rolls back and records once as an incident of the case
(engine/incidents.py), and the web layer answers 422. Tasklane's own errors pass
through unchanged.
"""
import builtins
import logging
import re
from contextlib import contextmanager

from SpiffWorkflow.exceptions import WorkflowException

from .errors import CaseDataTooLargeError, ScriptError, TasklaneError, describe

log = logging.getLogger(__name__)


@contextmanager
def as_incident(running=lambda: None):
    """Run a SpiffWorkflow call, raising what fails as a :class:`ScriptError`.

    :param running: returns the task being run when the error is not SpiffWorkflow's
        own (which names its task), to name the element
    """
    try:
        yield
    except TasklaneError:
        raise
    except WorkflowException as error:
        element = _element(getattr(error, "task", None), getattr(error, "task_spec", None))
        too_large = error.__context__
        if isinstance(too_large, CaseDataTooLargeError):  # a script left too much data
            raise CaseDataTooLargeError(f"{element}: {too_large.message}", limit=too_large.limit,
                                        element=element) from error
        message = f"{element or 'script'}: {_explain(error)}{_cause(error)}"
        raise ScriptError(message, element=element) from error
    except Exception as error:  # noqa: BLE001 - anything else a running diagram raised
        element = _element(running(), None)
        log.warning("element %s failed with %s", element, type(error).__name__, exc_info=True)
        raise ScriptError(f"{element or 'the case'}: {_explain(error)}", element=element) from error


def _element(task, task_spec):
    spec = task.task_spec if task is not None else task_spec
    return getattr(spec, "bpmn_id", None)


def _cause(error):
    """What SpiffWorkflow's ``Error evaluating expression '...'`` (a condition, a decision
    table's entry) leaves out: the error the expression raised."""
    cause = error.__context__
    if not isinstance(cause, Exception) or isinstance(cause, WorkflowException):
        return ""
    said = describe(cause)
    return "" if said in describe(error) else f" ({plain(type(cause).__name__, said)})"


def _explain(error):
    """``describe(error)`` in plain words, with the data item SpiffWorkflow's data errors
    leave out."""
    text = describe(error)
    for attr in ("data_output", "data_input"):
        item = getattr(error, attr, None)
        name = getattr(item, "bpmn_id", None) or getattr(item, "bpmn_name", None)
        if name and name not in text:
            text = f"{text}: '{name}'"
    if not isinstance(error, WorkflowException):
        return plain(type(error).__name__, text)
    # A failed script: SpiffWorkflow words it "NameError:name 'x' is not defined".
    said = _KIND_FIRST.match(text)
    if said and said.group(1) in _PYTHON_ERRORS:
        return plain(said.group(1), said.group(2))
    return text


_PYTHON_ERRORS = frozenset(name for name, value in vars(builtins).items()
                           if isinstance(value, type) and issubclass(value, BaseException))
_KIND_FIRST = re.compile(r"([A-Za-z]+):\s*(.*)", re.DOTALL)
_UNDEFINED = re.compile(r"name '([^']+)' is not defined")


# What each kind of Python error a script or expression raises means, ``{text}`` its message.
_WORDS = {
    "NameError": "an unknown name: {text}",
    "KeyError": "no entry {key} in the data read here: check the key, or use .get() for one that may be "
                "missing",
    "TypeError": "a value of the wrong type: {text}",
    "ValueError": "a value that does not fit: {text}",
    "AttributeError": "no such attribute: {text}",
    "IndexError": "no such position in a list: {text}",
    "ZeroDivisionError": "a division by zero: check the divisor before dividing",
    "SyntaxError": "the script is not valid Python: {text}",
    "IndentationError": "the script is not valid Python: {text}",
    "RecursionError": "the script went beyond a limit: {text}",
    "MemoryError": "the script went beyond a limit: {text}",
    "OverflowError": "the script went beyond a limit: {text}",
}
_UNDEFINED_WORDS = ("name '{name}' is not defined: nothing of that name is in the case data here nor among "
                    "the script helpers; set it earlier in the process (a form field, a script, the start "
                    "data) or test for it first")


def plain(kind, text):
    """What a script's or an expression's Python error ``kind`` (``NameError``) with message
    ``text`` means, in words for the person who looks at the incident: no exception class
    name, and what to do where there is something to do. Not a Python error: ``text``."""
    text = (text or "").strip()
    undefined = _UNDEFINED.search(text) if kind == "NameError" else None
    if undefined:
        return _UNDEFINED_WORDS.format(name=undefined.group(1))
    if kind in _WORDS:
        key = text if text[:1] in ("'", '"') else f"'{text}'"
        return _WORDS[kind].format(text=text, key=key)
    if kind in _PYTHON_ERRORS:
        return f"the script stopped with an error: {text}" if text and text != kind else "the script stopped"
    return text
