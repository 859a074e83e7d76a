"""The words of bpmn-js's palette and context pad, and of dmn-js, in the reader's language.

bpmn-js and dmn-js ask their ``translate`` service for each English text; modeler.js and
modeler_dmn.js hand it these tables (English text -> translation), so the tools a
process owner clicks are in Vietnamese or Russian too. Texts not listed stay in English.
Also the words of the modeler's file list and diagram switcher (:func:`bundle_labels`).
"""
from flask_babel import gettext as _


def diagram_texts():
    return {
        "Activate hand tool": _("Activate hand tool"),
        "Activate lasso tool": _("Activate lasso tool"),
        "Activate create/remove space tool": _("Activate create/remove space tool"),
        "Activate global connect tool": _("Activate global connect tool"),
        "Create start event": _("Create start event"),
        "Create intermediate/boundary event": _("Create intermediate/boundary event"),
        "Create end event": _("Create end event"),
        "Create gateway": _("Create gateway"),
        "Create task": _("Create task"),
        "Create expanded sub-process": _("Create expanded sub-process"),
        "Create pool/participant": _("Create pool/participant"),
        "Create data object reference": _("Create data object reference"),
        "Create data store reference": _("Create data store reference"),
        "Create group": _("Create group"),
        "Append end event": _("Append end event"),
        "Append gateway": _("Append gateway"),
        "Append task": _("Append task"),
        "Append intermediate/boundary event": _("Append intermediate/boundary event"),
        "Change element": _("Change element"),
        "Delete": _("Delete"),
        "Connect to other element": _("Connect to other element"),
        "Connect using association": _("Connect using association"),
        "Add lane above": _("Add lane above"),
        "Add lane below": _("Add lane below"),
        "Divide into two lanes": _("Divide into two lanes"),
        "Divide into three lanes": _("Divide into three lanes"),
        "Search in diagram": _("Search in diagram"),
    }


def bundle_labels():
    """The words of the file list, the diagram switcher and the decision table view
    (modeler.js, modeler_files.js, modeler_dmn.js)."""
    return {
        "decision": _("Decision (from a .dmn file)"), "primary": _("main"),
        "primaryTitle": _("The main diagram: no other file calls its process."),
        "kinds": {"bpmn": _("BPMN diagrams"), "dmn": _("Decision tables (DMN)"),
                  "json": _("JSON files (forms, data)"), "skipped": _("Not deployed")},
        "skippedTitle": _("Only .bpmn, .dmn and .json files are deployed."),
        "opening": _("Opening the files…"),
        "opened": _("%(count)s files opened.", count="{count}"),
        "openFailed": _("These files could not be opened."),
        "draftPrimaryOnly": _("Draft saved: the main diagram. The other files are kept when you deploy."),
        "dmnLoading": _("Opening the decision table…"),
        "dmnFailed": _("This file could not be opened as a DMN 1.3 decision model; it is still "
                       "deployed as it is."),
        "inFile": _("in %(name)s", name="{name}"),
        "drd": _("Decision requirements (DRD)"),
        "decisionTable": _("Decision table"), "literalExpression": _("Literal expression"),
        "boxedExpression": _("Expression"),
    }


def dmn_texts():
    """The words of dmn-js's decision table and requirements diagram a process owner meets
    first; the rest stays in English (docs/modeler.md)."""
    return {
        "Hit policy:": _("Hit policy:"), "Hit policy": _("Hit policy"),
        "Unique": _("Unique"), "First": _("First"), "Priority": _("Priority"), "Any": _("Any"),
        "Collect": _("Collect"), "Collect (Sum)": _("Collect (Sum)"),
        "Collect (Min)": _("Collect (Min)"),
        "Collect (Max)": _("Collect (Max)"), "Collect (Count)": _("Collect (Count)"),
        "Rule order": _("Rule order"), "Output order": _("Output order"),
        "No overlap is possible and all rules are disjoint. Only a single rule can be matched":
            _("No overlap is possible and all rules are disjoint. Only a single rule can be matched"),
        "Rules may overlap. The first matching rule will be chosen":
            _("Rules may overlap. The first matching rule will be chosen"),
        "When": _("When"), "And": _("And"), "Then": _("Then"), "Annotations": _("Annotations"),
        "Annotation": _("Annotation"), "Input": _("Input"), "Output": _("Output"),
        "Add rule": _("Add rule"), "Add rule above": _("Add rule above"),
        "Add rule below": _("Add rule below"),
        "Remove rule": _("Remove rule"), "Copy rule": _("Copy rule"), "Cut rule": _("Cut rule"),
        "Paste rule above": _("Paste rule above"), "Paste rule below": _("Paste rule below"),
        "Add input": _("Add input"), "Add output": _("Add output"),
        "Add input column left": _("Add input column left"),
        "Add input column right": _("Add input column right"),
        "Add output column left": _("Add output column left"),
        "Add output column right": _("Add output column right"),
        "Remove input column": _("Remove input column"),
        "Remove output column": _("Remove output column"),
        "Add cell description": _("Add cell description"),
        "Remove cell description": _("Remove cell description"),
        "Input label": _("Input label"), "Input expression": _("Input expression"),
        "Input type": _("Input type"), "Output label": _("Output label"), "Output name": _("Output name"),
        "Output type": _("Output type"), "Decision name": _("Decision name"),
        "Decision name: ": _("Decision name: "), "Expression language": _("Expression language"),
        "Type": _("Type"), "Value": _("Value"), "Yes": _("Yes"), "No": _("No"),
        "View DRD": _("View DRD"),
        "Create decision": _("Create decision"), "Create input data": _("Create input data"),
        "Create knowledge source": _("Create knowledge source"),
        "Create knowledge model": _("Create knowledge model"),
        "Create decision service": _("Create decision service"),
        "Append decision": _("Append decision"), "Append input data": _("Append input data"),
        "Append knowledge source": _("Append knowledge source"),
        "Append business knowledge model": _("Append business knowledge model"),
        "Add text annotation": _("Add text annotation"), "Change type": _("Change type"),
        "Connect to other element": _("Connect to other element"), "Delete": _("Delete"),
        "Activate hand tool": _("Activate hand tool"), "Activate lasso tool": _("Activate lasso tool"),
    }
