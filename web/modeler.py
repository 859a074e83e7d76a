"""The process owner's modeler: open a diagram, keep a draft, validate, deploy (issue 5).

The diagram is edited in the browser with bpmn-js (``web/static/modeler.js``); these
routes load and store its XML. See docs/modeler.md.

:raise 403: anyone but a process owner or an admin
"""
import re
import secrets

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user, login_required

import engine
import forms
from accounts import service
from engine import bundles, calendars, drafts
from engine.db import db
from engine.errors import DeployError, NotFoundError, ValidationError
from engine.models import ProcessDefinition, ProcessVersion
from forms.definitions import UI_SUFFIX

from . import access, lane_roles, modeler_bundle, modeler_lanes
from .formatting import country, role_name
from .modeler_texts import bundle_labels, diagram_texts, dmn_texts
from .processes import TYPES, WHAT

bp = Blueprint("modeler", __name__)
# BPMN element types the panel names (bpmn-js's type without "bpmn:"), besides the task
# and event types the version diff names too (web/processes.py TYPES).
PANEL_TYPES = {
    **TYPES, "Task": _l("Task"), "SubProcess": _l("Sub-process"), "Transaction": _l("Transaction"),
    "SequenceFlow": _l("Sequence flow"), "MessageFlow": _l("Message flow"), "Participant": _l("Pool"),
    "Lane": _l("Lane"), "Process": _l("Process"), "TextAnnotation": _l("Text annotation"),
    "Association": _l("Association"),
    "DataObjectReference": _l("Data object"), "DataStoreReference": _l("Data store"), "Group": _l("Group"),
}
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,254}$")
NEW_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_{key}" targetNamespace="http://tasklane.io/bpmn/{key}">
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="{key}">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _check_owner():
    access.check(access.may_deploy(current_user), _("Only a process owner or an admin may edit diagrams."))


def _max_bytes():
    return current_app.config.get("TASKLANE_MAX_BPMN_BYTES", 2_000_000)


def _body():
    """The raw XML of the request.

    :raise 422: an empty body or one over the diagram size limit
    """
    data = request.get_data(cache=False)
    if not data.strip():
        raise ValidationError(_("The diagram is empty."))
    if len(data) > _max_bytes():
        raise ValidationError(_("The diagram is larger than %(limit)s bytes.", limit=_max_bytes()))
    return data


def _source():
    """``(source, name)`` of a validate, preview or deploy request: a bundle of the files it
    sends (the primary diagram first), or the one diagram in its body.

    :raise 422: an empty or oversized diagram, or files that cannot be a bundle
    """
    if modeler_bundle.is_bundle():
        bundle, first = modeler_bundle.uploaded(_max_bytes())
        return modeler_bundle.ordered(bundle, first), first
    return _body(), request.args.get("name", "diagram.bpmn")


def _latest(key):
    """``(definition, version)`` of process ``key``, or ``(None, None)``."""
    definition = db.session.query(ProcessDefinition).filter_by(key=key).one_or_none()
    if definition is None:
        return None, None
    version = (db.session.query(ProcessVersion).filter_by(definition_id=definition.id)
               .order_by(ProcessVersion.version.desc()).first())
    return definition, version


def _labels():
    """The words modeler.js shows, in the user's language."""
    return {
        "process": _("Process"), "name": pgettext("diagram element", "Name"), "taskName": _("Task name"),
        "id": _("Id"), "titles": _("Task name per language"),
        "title_vi": _("Name in Vietnamese"), "title_en": _("Name in English"),
        "title_ru": _("Name in Russian"),
        "elementTitles": _("Name per language"), "processTitles": _("Process name per language"),
        "defaultLanguage": _("Language shown when the reader's has no text"),
        "languages": {"vi": _("Vietnamese"), "en": _("English"), "ru": _("Russian")},
        "instructionsTitle": _("Instructions per language (Markdown)"),
        "instructions_vi": _("Instructions in Vietnamese"), "instructions_en": _("Instructions in English"),
        "instructions_ru": _("Instructions in Russian"),
        "form": _("Form"), "uiForm": _("Form layout (UI schema)"), "none": _("(none)"),
        "dueIn": _("Due in (expression, e.g. \"PT15M\")"), "priority": _("Priority"),
        "dueInBusinessDays": _("Due in business days (e.g. 2)"),
        "dueInBusinessHours": _("Due in business hours (e.g. 4)"),
        "businessCalendar": _("Business calendar"),
        "pausesDeadlineOf": _("While open, pauses the deadline of"),
        "calendars": {"": _("default (%(name)s)", name=calendars.default_name()),
                      **{cal.name: country(cal.country) for cal in calendars.built_in().values()}},
        "priorities": {"": _("normal"), "-1": _("low"), "1": _("high"), "2": _("urgent")},
        "instructions": _("Instructions when none is given in the reader's language (Markdown)"),
        "script": _("Script"),
        "preScript": _("Script before the task"), "postScript": _("Script after the task"),
        "condition": _("Condition (expression)"), "defaultFlow": _("This is the gateway's default flow."),
        "timer": _("Timer"), "timerKind": _("Kind"), "timeDate": _("At a date and time"),
        "timeDuration": _("After a duration"), "timeCycle": _("Repeating cycle"),
        "timerExpression": _("Expression (e.g. \"PT24H\" or a variable)"),
        "makeTimer": _("Make this a timer event"), "lane": _("Lane (role)"),
        "messageVariable": _("Variable that receives the message"),
        "nothing": _("Select an element of the diagram to edit it."),
        "saved": _("Draft saved."), "saveFailed": _("The draft could not be saved."),
        "valid": _("No problems found."), "invalid": _("The diagram has problems; see the list below."),
        "deployed": _("Deployed: %(versions)s", versions="{versions}"),
        "unchanged": _("Nothing changed since the last version."),
        "deployFailed": _("Not deployed: the diagram has problems; see the list below."),
        "requestFailed": _("The server did not answer as expected."),
        "importFailed": _("This file could not be opened as a BPMN diagram."),
        "unsaved": _("There are unsaved changes."), "error": _("Error"), "warning": _("Warning"),
        "confirmTitle": _("Deploy a new version?"), "nothingTitle": _("Nothing to deploy"),
        "lanesTitle": _("Choose a role for each lane"),
        "laneRole": _("Its tasks go to the role: %(role)s", role="{role}"),
        "laneNoRole": _("No role has this name: choose one when deploying, or rename the lane."),
        "cancel": _("Cancel"), "close": _("Close"),
        "versionDeployed": _("Version %(number)s deployed", number="{number}"),
        "types": {name: str(text) for name, text in PANEL_TYPES.items()},
    }


def _shaped(problems):
    """Problems as modeler.js lists them: ``{"element", "message", "severity"}``."""
    return [{"element": p.get("element"), "message": p.get("message"),
             "severity": p.get("severity", "error")} for p in problems]


def _index_url():
    """The list of deployed processes (web/processes.py), when that blueprint is there."""
    endpoint = "processes.process_index"
    return url_for(endpoint) if endpoint in current_app.view_functions else url_for("modeler.modeler_drafts")


def _version_files(key, version):
    """The files ``version`` was deployed with besides its diagram, which the page edits and
    deploys with it: ``{"primary", "files"}``, or ``None`` when it has none."""
    if version is None or not version.files:
        return None
    name = version.source_name if bundles.kind_of(version.source_name or "") == "bpmn" else None
    return {"primary": name or f"{key}.bpmn", "files": modeler_bundle.described(version.files)}


def _editor(key, xml, *, version=None, draft=None, new=False):
    ui_keys = sorted(p.stem for p in forms.FORMS_DIR.glob(f"*{UI_SUFFIX}.json"))
    roles = sorted(service.role_names())
    return render_template("modeler/edit.html", key=key, xml=xml, version=version, draft=draft, new=new,
                           form_keys=forms.keys(), form_ui_keys=ui_keys, roles=roles,
                           role_titles={role: role_name(role) for role in roles},
                           lane_roles=(version.lane_roles if version else None) or {},
                           labels={**_labels(), **bundle_labels()}, texts=diagram_texts(),
                           dmn_texts=dmn_texts(), bundle=_version_files(key, version),
                           index_url=_index_url())


@bp.get("/processes/drafts")
@login_required
def modeler_drafts():
    """Every draft, deployed or not yet, with a link to edit it."""
    _check_owner()
    rows = db.session.query(drafts.ProcessDraft).order_by(drafts.ProcessDraft.key).all()
    return render_template("modeler/drafts.html", drafts=rows, index_url=_index_url())


@bp.get("/processes/new/edit")
@login_required
def modeler_new():
    """An empty diagram: one executable process with a start event."""
    _check_owner()
    key = f"process_{secrets.token_hex(3)}"
    return _editor(key, NEW_DIAGRAM.format(key=key, name=_("New process")), new=True)


@bp.get("/processes/<key>/edit")
@login_required
def modeler_edit(key):
    """The draft of ``key`` if there is one, else its latest deployed version.

    :raise 404: neither a draft nor a deployed version
    """
    _check_owner()
    draft = drafts.load(key)
    _definition, version = _latest(key)
    if draft is None and version is None:
        raise NotFoundError(_("Not found."))
    xml = draft.xml if draft is not None else version.bpmn_xml
    return _editor(key, xml, version=version, draft=draft)


@bp.post("/processes/<key>/draft")
@login_required
def modeler_draft_save(key):
    """Keep the XML in the request body as the draft of ``key``.

    :raise 422: a key that is not a process id, an empty or oversized body
    """
    _check_owner()
    if not KEY.match(key):
        raise ValidationError(_("The process id may hold only letters, digits, '_', '-' and '.'."))
    xml = _body().decode("utf-8", errors="replace")
    _definition, version = _latest(key)
    draft = drafts.save(key, xml, actor=current_user.username,
                        based_on_version=version.version if version else None)
    db.session.commit()
    return jsonify({"key": key, "saved": True, "updated_at": draft.updated_at.isoformat(),
                    "based_on_version": draft.based_on_version})


@bp.post("/processes/files")
@login_required
def modeler_files_open():
    """Several files, a zip or a folder's files (``file`` parts) read as one bundle:
    ``{"primary", "files": [{"name", "kind", "text"}], "skipped"}``. Nothing is stored.

    :raise 422: no file, no BPMN diagram among them, two files of one name, too many or too
        large files, an unreadable zip
    """
    _check_owner()
    return jsonify(modeler_bundle.opened(_max_bytes()))


@bp.post("/processes/validate")
@login_required
def modeler_validate():
    """The problems of the diagram in the body, or of the files sent (``file`` parts):
    ``{"valid", "problems"}``; errors refuse a deploy."""
    _check_owner()
    source, name = _source()
    problems = engine.validate(source, name=name, roles=service.role_names(),
                               lane_roles=lane_roles.from_request())
    problems = _shaped(problems)
    return jsonify({"valid": not any(p["severity"] == "error" for p in problems), "problems": problems})


@bp.post("/processes/deploy/preview")
@login_required
def modeler_deploy_preview():
    """What Deploy would change, for the confirmation dialog: ``{"valid", "problems",
    "deployable", "processes", "lanes_only", "html"}``; nothing is stored.

    ``deployable`` is false when every process is unchanged since its latest version;
    ``lanes_only`` is true when the only errors are lanes waiting for a role, which the
    dialog offers to choose (web/modeler_lanes.py); ``html`` is the dialog's body (those
    choices, and the version diff of each changed process).
    """
    _check_owner()
    source, name = _source()
    try:
        previews, problems = engine.deploy_preview(source, name=name, roles=service.role_names(),
                                                   lane_roles=lane_roles.from_request())
    except DeployError as error:
        problems = _shaped([{"severity": "error", **p} for p in error.problems])
        return jsonify({"valid": False, "problems": problems, "deployable": False, "processes": [],
                        "lanes_only": False, "html": ""})
    problems = _shaped(problems)
    lanes = modeler_lanes.choices(previews, problems)
    return jsonify({
        "valid": not any(p["severity"] == "error" for p in problems), "problems": problems,
        "deployable": any(not p.unchanged for p in previews),
        "processes": [{"key": p.key, "latest": p.latest, "new": p.new, "unchanged": p.unchanged}
                      for p in previews],
        "lanes_only": lanes["lanes_only"],
        "html": render_template("modeler/_deploy_preview.html", previews=previews, what=WHAT, types=TYPES,
                                lanes=lanes),
    })


@bp.post("/processes/deploy")
@login_required
def modeler_deploy():
    """Deploy the diagram in the body, or the files sent (``file`` parts), as new versions;
    their drafts are deleted.

    :raise 422: the diagram has errors (``problems`` lists them by element)
    """
    _check_owner()
    source, name = _source()
    try:
        results = engine.deploy(source, actor=current_user.username, name=name, roles=service.role_names(),
                                lane_roles=lane_roles.from_request())
    except DeployError as error:
        db.session.rollback()
        problems = [{"severity": "error", **p} for p in error.problems]
        return jsonify({"valid": False, "message": error.message, "problems": problems}), 422
    versions = []
    for version, created in results:
        key = db.session.get(ProcessDefinition, version.definition_id).key
        drafts.delete(key)
        versions.append({"key": key, "version": version.version, "created": created})
    db.session.commit()
    return jsonify({"versions": versions})
