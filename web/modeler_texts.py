"""The words of bpmn-js's own palette and context pad in the reader's language.

bpmn-js asks its ``translate`` service for each English text; modeler.js hands it
this table (English text -> translation), so the tools a process owner clicks are in
Vietnamese or Russian too. Texts not listed here stay in English.
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
