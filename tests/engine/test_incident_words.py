"""An incident says what failed in words, naming the element and no Python exception class
(issue 14: "every refusal names the element and says what to do"). Found by sweeping
SpiffWorkflow's own test diagrams: a gateway over a name the case never set answered
"(NameError: name 'answer' is not defined)"."""
import pytest

import engine
from engine.errors import ScriptError
from engine.faults import plain

CLASS_NAMES = ("NameError", "KeyError", "ZeroDivisionError", "TypeError", "WorkflowTaskException")


def _incident(data):
    with pytest.raises(ScriptError) as failed:
        engine.start("incident_words", actor="owner", data=data)
    return failed.value


@pytest.mark.parametrize(("data", "element", "words"), [
    ({}, "route", "name 'answer' is not defined: nothing of that name is in the case data"),
    ({"answer": "No", "totals": {}, "region": "north", "parts": 2}, "share",
     "no entry 'north' in the data read here: check the key"),
    ({"answer": "No", "totals": {"north": 10}, "region": "north", "parts": 0}, "share",
     "a division by zero: check the divisor"),
    ({"answer": "No", "totals": {"north": "ten"}, "region": "north", "parts": 2}, "share",
     "a value of the wrong type: unsupported operand type(s)"),
])
def test_an_incident_names_the_element_and_says_what_failed_without_a_class_name(deploy, data, element,
                                                                                  words):
    deploy("incident_words.bpmn")
    error = _incident(data)
    assert error.element == element
    assert error.message.startswith(f"{element}: ") and words in error.message
    assert not [name for name in CLASS_NAMES if name in error.message], error.message


def test_plain_words_keep_what_is_not_a_python_error_as_it_is():
    assert plain("NameError", "name 'tier' is not defined").startswith("name 'tier' is not defined: ")
    assert plain("KeyError", "'k'").startswith("no entry 'k' ")
    assert plain("Exception", "boom") == "the script stopped with an error: boom"
    assert plain("OperatorError", "the rate service refused") == "the rate service refused"
