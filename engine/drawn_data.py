"""Data stores and data objects drawn for documentation, not for the engine.

Modelling tools (Camunda Modeler, bpmn.io, Signavio) let a process owner draw a data
store ("CRM database") with associations to the tasks that read or write it, usually
without any ``bpmn:dataStore`` behind the shape, or with one of a type SpiffWorkflow
has no implementation for. SpiffWorkflow 3.2 refuses such a diagram ("Cannot resolve
dataInputAssociation", "Data Store with name X has no implementation"), though the
shape changes nothing the case does. The same holds for a data object reference that
points to no ``bpmn:dataObject``.

:func:`prepare` takes those shapes and their associations out of the tree the parser
reads (never out of the stored document), so the diagram runs as it would without
them, and says so in a warning per shape. A data store of a type the parser registers
(``DATA_STORE_CLASSES``) and a data object reference to a declared data object keep
their meaning.

SpiffWorkflow 3.2 looks for a data object in the reference's own (sub-)process and the
one directly around it only, and loops forever when it is declared further out or in
none of them (``node_parser._resolve_data_object_ref``): such a reference is an error
naming where to declare it, and is taken out of the parsed tree so the parser finishes.
"""
import re

from .checks import problem
from .texts import BPMN, SPIFF

SCOPES = {"process", "subProcess", "transaction", "adHocSubProcess"}
# Elements that set variables only by their script (a person's task, a message's payload,
# a service task's result can set one too: not checked)
SCRIPTED = {"scriptTask"}


def _tag(name):
    return f"{{{BPMN}}}{name}"


def _local(element):
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and tag.startswith(f"{{{BPMN}}}") else None


def _label(*elements):
    """The name a process owner gave the first of ``elements`` that has one, else its id."""
    for element in elements:
        if element is not None and element.get("name"):
            return element.get("name")
    return next(e.get("id") for e in elements if e is not None)


def prepare(root, known_stores):
    """Take the data shapes without runtime meaning out of ``root`` (changed in place).

    :param root: the BPMN document (lxml) the parser will read; a copy of what is stored
    :param known_stores: the data store types the parser implements (names of ``bpmn:dataStore``)
    :returns: problems ``{"element", "message", "severity"}``: a warning per data store or data
        object reference drawn for documentation only, an error per data object reference
        SpiffWorkflow cannot resolve
    """
    problems, dropped = [], set()
    _stores(root, known_stores, problems, dropped)
    _objects(root, problems, dropped)
    problems += _unset_objects(root, dropped)
    for association in [*root.iter(_tag("dataInputAssociation")), *root.iter(_tag("dataOutputAssociation"))]:
        side = "sourceRef" if _local(association) == "dataInputAssociation" else "targetRef"
        if any((ref.text or "").strip() in dropped for ref in association.findall(_tag(side))):
            association.getparent().remove(association)
    return problems


def _stores(root, known_stores, problems, dropped):
    stores = {s.get("id"): s for s in root.iter(_tag("dataStore"))}
    meaningful = {ident for ident, store in stores.items() if store.get("name") in known_stores}
    referenced = set()
    for reference in list(root.iter(_tag("dataStoreReference"))):
        store = stores.get(reference.get("dataStoreRef"))
        if reference.get("dataStoreRef") in meaningful:
            continue
        referenced.add(reference.get("dataStoreRef"))
        problems.append(_documentation(reference.get("id"), "data store", _label(reference, store)))
        dropped.add(reference.get("id"))
        reference.getparent().remove(reference)
    for ident, store in stores.items():
        if ident in meaningful:
            continue
        if ident not in referenced:
            problems.append(_documentation(ident, "data store", _label(store)))
        store.getparent().remove(store)


def _objects(root, problems, dropped):
    declared = {o.get("id") for o in root.iter(_tag("dataObject"))}
    for reference in list(root.iter(_tag("dataObjectReference"))):
        target = reference.get("dataObjectRef")
        if target not in declared:
            problems.append(_documentation(reference.get("id"), "data object", _label(reference)))
        elif not _within_reach(reference, target):
            problems.append(problem(reference.get("id"), _out_of_reach(reference, target)))
        else:
            continue
        dropped.add(reference.get("id"))
        reference.getparent().remove(reference)


def _unset_objects(root, dropped):
    """A warning per task drawn to write a data object that nothing in it sets: SpiffWorkflow
    copies the variable named by the data object's id out of the task when it completes,
    and stops the case with an incident when there is none (a data object drawn in Camunda
    Modeler for documentation, id ``DataObject_0k3x``)."""
    objects = {r.get("id"): r for r in root.iter(_tag("dataObjectReference")) if r.get("id") not in dropped}
    found = []
    for association in root.iter(_tag("dataOutputAssociation")):
        owner = association.getparent()
        reference = objects.get((association.findtext(_tag("targetRef")) or "").strip())
        if reference is None or _local(owner) not in SCRIPTED:
            continue
        variable = reference.get("dataObjectRef")
        code = " ".join(e.text or "" for e in owner.iter(_tag("script"), f"{{{SPIFF}}}preScript",
                                                          f"{{{SPIFF}}}postScript"))
        if not re.search(rf"\b{re.escape(variable)}\b", code):
            found.append(problem(owner.get("id"), (
                f"'{_label(owner)}' is drawn to write data object '{_label(reference)}', but nothing in "
                f"it sets the variable '{variable}' (the data object's id): a case would stop here with an "
                f"incident; set '{variable}' in its script, or remove the association"), "warning"))
    return found


def _documentation(element, kind, label):
    return problem(element, f"{kind} '{label}' is drawn for documentation only; Tasklane keeps no data in it",
                   "warning")


def _scopes(element):
    """The (sub-)process holding ``element`` and the one directly around that."""
    found = []
    parent = element.getparent()
    while parent is not None and len(found) < 2:
        if _local(parent) in SCOPES:
            found.append(parent)
        parent = parent.getparent()
    return found


def _within_reach(reference, target):
    return any(child.get("id") == target for scope in _scopes(reference)
               for child in scope.iterchildren(_tag("dataObject")))


def _out_of_reach(reference, target):
    names = " or ".join(f"'{_label(scope)}'" for scope in _scopes(reference))
    return (f"data object reference '{_label(reference)}' points to data object '{target}', which is "
            f"declared neither in its own (sub-)process nor in the one directly around it, where "
            f"SpiffWorkflow looks for it; declare the data object in {names}")
