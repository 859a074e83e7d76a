"""What a deploy's files call that they do not hold, taken from what is already deployed.

A call activity may call a process no file of the upload holds: the latest version of
that process deployed on its own is taken, its document and the files it needs from the
ones it was deployed with (its callees' documents, its decision tables, the forms it
names), so it runs here as it runs there. A business rule task may name a decision no
DMN file of the upload holds: the DMN files of the latest version of every process are
searched, the most recently deployed one holding it is taken. The new version stores
what was taken as its own files and records it as ``pins``:
``{"processes": {key: version}, "decisions": {decision id: {"process": key, "version": n}}}``.

One parse holds one process and one decision per id: what the upload holds is what a
taken callee calls too, and a callee or decision one file gives is not looked up again.
"""
from dataclasses import dataclass, field

from lxml import etree
from sqlalchemy.orm import undefer

from . import bundles, checks, decisions, texts, xml_safety
from .db import db
from .errors import DeployError
from .models import ProcessDefinition, ProcessVersion, VersionFile

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
_FORMS = ("formJsonSchemaFilename", "formUiSchemaFilename")


@dataclass(frozen=True)
class Borrowed:
    """Files a deploy took from a deployed version: for callee or decision ``key``
    (``kind`` ``processes`` or ``decisions``), from version ``version`` of ``process``."""

    kind: str
    key: str
    process: str
    version: int
    files: tuple = ()


def pins(borrowed):
    """What a version records of ``borrowed`` (``None`` when nothing was taken)."""
    found = {}
    for b in borrowed:
        value = b.version if b.kind == "processes" else {"process": b.process, "version": b.version}
        found.setdefault(b.kind, {})[b.key] = value
    return found or None


@dataclass
class Needs:
    """What one BPMN process calls: ``(element id, process id)`` and ``(element id, decision
    id)`` pairs, and the form files its tasks name."""

    calls: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    forms: set = field(default_factory=set)


def scan(root):
    """``({process id: Needs}, problems)`` of a BPMN document: a business rule task that
    names no decision SpiffWorkflow reads is a problem."""
    found, problems = {}, []
    for process in root.iter(f"{{{texts.BPMN}}}process"):
        needs = found.setdefault(process.get("id"), Needs())
        for call in process.iter(f"{{{texts.BPMN}}}callActivity"):
            if call.get("calledElement"):
                needs.calls.append((call.get("id"), call.get("calledElement")))
        for task in process.iter(f"{{{texts.BPMN}}}businessRuleTask"):
            decision = (task.findtext(f"{{{texts.BPMN}}}extensionElements/{{{SPIFF}}}calledDecisionId")
                        or "").strip()
            if decision:
                needs.decisions.append((task.get("id"), decision))
            else:
                problems.append(checks.problem(task.get("id"), _no_decision(task)))
        for prop in process.iter(f"{{{SPIFF}}}property"):
            if prop.get("name") in _FORMS and prop.get("value"):
                needs.forms.add(prop.get("value"))
    return found, problems


def _no_decision(task):
    named = task.get(f"{{{CAMUNDA}}}decisionRef")
    if named:
        return (f"business rule task '{task.get('id')}' names decision '{named}' with camunda:decisionRef, "
                "which SpiffWorkflow does not read; name it with spiffworkflow:calledDecisionId (the "
                "decision's outputs are then set in the task data by their names)")
    return (f"business rule task '{task.get('id')}' names no decision; set spiffworkflow:calledDecisionId "
            "to the id of a decision of a DMN file")


def resolve(bundle, roots, *, max_bytes):
    """``bundle`` with what it calls and does not hold, taken from deployed versions.

    :param roots: ``{file name: root}`` of the bundle's BPMN and DMN files; the files taken
        are added to it
    :returns: the bundle with the files taken; its ``borrowed`` says for what
    :raises DeployError: a callee or decision neither uploaded nor deployed, a business
        rule task naming no decision, a decision in two files
    """
    resolver = _Resolver(bundle, roots, max_bytes)
    resolver.run()
    if resolver.problems:
        raise DeployError(f"{bundle.name} has {len(resolver.problems)} problem(s)", resolver.problems)
    return resolver.bundle()


@dataclass
class _Origin:
    """A deployed version files are taken from, and what was taken for it."""

    entry: Borrowed
    version: ProcessVersion
    taken: list = field(default_factory=list)
    _index: dict = None

    def file_defining(self, kind, ident, max_bytes):
        """The version's own file that defines process or decision ``ident``."""
        if self._index is None:
            self._index = {}
            for file in (f for f in self.version.files if f.kind in (bundles.BPMN, bundles.DMN)):
                try:
                    root = xml_safety.parse(file.content, max_bytes=max_bytes, name=file.name)
                except DeployError:
                    continue
                if file.kind == bundles.BPMN:
                    for pid in root.iter(f"{{{texts.BPMN}}}process"):
                        self._index.setdefault((bundles.BPMN, pid.get("id")), file)
                elif file.kind == bundles.DMN:
                    self._index.setdefault((bundles.DMN, _decision_of(root)), file)
        return self._index.get((kind, ident))

    def form(self, name):
        return next((f for f in self.version.files if f.kind == bundles.JSON and f.name == name), None)


class _Resolver:
    def __init__(self, bundle, roots, max_bytes):
        self.files, self.skipped = list(bundle.files), bundle.skipped
        self.roots, self.max_bytes = roots, max_bytes
        self.processes, self.decisions = {}, {}
        self.origins, self.problems, self.queue = [], [], []
        for file in bundle.of_kind(bundles.BPMN):
            self._index_bpmn(file.name, None)
        for file in bundle.of_kind(bundles.DMN):
            self._index_dmn(file.name)

    def bundle(self):
        borrowed = tuple(Borrowed(o.entry.kind, o.entry.key, o.entry.process, o.entry.version,
                                  tuple(dict.fromkeys(o.taken))) for o in self.origins)
        return bundles.Bundle(tuple(self.files), self.skipped, borrowed)

    def _index_bpmn(self, name, origin):
        needs, problems = scan(self.roots[name])
        if origin is None:
            self.problems.extend(problems)
        for pid in needs:
            self.processes.setdefault(pid, name)
        self.queue.append((needs, origin))

    def _index_dmn(self, name):
        decision = _decision_of(self.roots[name])
        if decision in self.decisions:
            other = self.decisions[decision]
            self.problems.append(checks.problem(name, f"decision '{decision}' is in both {other} and {name}; "
                                                      "a decision id may come once"))
        self.decisions.setdefault(decision, name)

    def run(self):
        """Resolve each document's needs, the upload's first, then those of what was taken."""
        while self.queue:
            needs, origin = self.queue.pop(0)
            for process_needs in needs.values():
                for element, callee in process_needs.calls:
                    if callee not in self.processes:
                        self._process(element, callee, origin)
                for element, decision in process_needs.decisions:
                    if decision not in self.decisions:
                        self._decision(element, decision, origin)
                for form in sorted(process_needs.forms) if origin is not None else ():
                    file = origin.form(form)
                    if file is not None:
                        self._take(origin, file.name, bundles.JSON, file.content)

    def _process(self, element, callee, origin):
        own = origin.file_defining(bundles.BPMN, callee, self.max_bytes) if origin else None
        if own is not None:
            self._take(origin, own.name, bundles.BPMN, own.content)
            return
        version = _latest(callee)
        if version is None:
            self.problems.append(checks.problem(element, (
                f"call activity '{element}' calls process '{callee}', which is neither in the upload nor "
                "deployed; upload the callee's file with this one, or deploy it first")))
            return
        found = _Origin(Borrowed("processes", callee, callee, version.version), version)
        self.origins.append(found)
        self._take(found, version.source_name or f"{callee}.bpmn", bundles.BPMN, version.bpmn_xml)

    def _decision(self, element, decision, origin):
        own = origin.file_defining(bundles.DMN, decision, self.max_bytes) if origin else None
        if own is not None:
            self._take(origin, own.name, bundles.DMN, own.content)
            return
        found = _deployed_decision(decision, self.max_bytes)
        if found is None:
            self.problems.append(checks.problem(element, (
                f"business rule task '{element}' calls decision '{decision}', which no DMN file of the "
                "upload holds and no deployed process was deployed with; upload its .dmn file with this "
                "one")))
            return
        file, version = found
        entry = _Origin(Borrowed("decisions", decision, version.definition.key, version.version), version)
        self.origins.append(entry)
        self._take(entry, file.name, bundles.DMN, file.content)

    def _held(self, name):
        return next((f for f in self.files if f.name == name), None)

    def _take(self, origin, name, kind, content):
        """Add a file of a deployed version to the bundle (renamed if the upload holds another
        file of its name) and index what it defines."""
        data = content.encode("utf-8")
        held = self._held(name)
        if held is not None and kind != bundles.JSON and held.data != data:
            from .attachments import shorten_filename  # attachments imports the runtime, which imports specs

            name = shorten_filename(f"{origin.entry.process}.v{origin.entry.version}.{name}")
            held = self._held(name)
        if held is not None and held.data == data:
            origin.taken.append(name)
            return
        if held is not None:
            self.problems.append(checks.problem(name, (
                f"process '{origin.entry.process}' version {origin.entry.version} was deployed with a file "
                f"{name}, and the upload holds another file of that name; rename one of them")))
            return
        if kind == bundles.DMN:
            self.roots[name], _warnings = decisions.read(bundles.BundleFile(name, kind, data),
                                                         max_bytes=self.max_bytes)
        elif kind == bundles.BPMN:
            self.roots[name] = xml_safety.parse(data, max_bytes=self.max_bytes, name=name)
        clash = [p.get("id") for p in self.roots[name].iter(f"{{{texts.BPMN}}}process")
                 if p.get("id") in self.processes] if kind == bundles.BPMN else []
        if clash:
            self.problems.append(checks.problem(name, (
                f"process '{origin.entry.process}' version {origin.entry.version} was deployed with {name}, "
                f"which holds process '{clash[0]}' too, as the upload does; upload the files of "
                f"'{origin.entry.process}' with this one")))
            return
        self.files.append(bundles.BundleFile(name, kind, data))
        origin.taken.append(name)
        if kind == bundles.BPMN:
            self._index_bpmn(name, origin)
        elif kind == bundles.DMN:
            self._index_dmn(name)


def _decision_of(root):
    tag = etree.QName(root)
    return decisions.decision_id(root) if tag.namespace in decisions.VERSIONS else None


def _latest(key):
    return (db.session.query(ProcessVersion).join(ProcessDefinition)
            .filter(ProcessDefinition.key == key, ProcessVersion.version == ProcessDefinition.latest_version)
            .options(undefer(ProcessVersion.bpmn_xml)).one_or_none())


def _deployed_decision(decision, max_bytes):
    """``(VersionFile, ProcessVersion)``: the DMN file of a process's latest version that holds
    ``decision``, the most recently deployed first; ``None`` if none does."""
    rows = (db.session.query(VersionFile, ProcessVersion)
            .join(ProcessVersion, VersionFile.version_id == ProcessVersion.id)
            .join(ProcessDefinition, ProcessVersion.definition_id == ProcessDefinition.id)
            .filter(VersionFile.kind == bundles.DMN,
                    ProcessVersion.version == ProcessDefinition.latest_version,
                    VersionFile.content.contains(decision, autoescape=True))
            .options(undefer(VersionFile.content))
            .order_by(ProcessVersion.deployed_at.desc(), ProcessVersion.id.desc()))
    for file, version in rows:
        try:
            root = xml_safety.parse(file.content, max_bytes=max_bytes, name=file.name)
        except DeployError:
            continue
        if _decision_of(root) == decision:
            return file, version
    return None
