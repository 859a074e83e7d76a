"""Versions of a process: a readable diff between two of them, and deploying an old one again.

The diff is built on SpiffWorkflow's :class:`~SpiffWorkflow.bpmn.util.diff.SpecDiff`,
which compares the serialized task specs of two versions. Elements are matched by
their BPMN id, as a process owner reads them; where SpecDiff matched a removed
element to a new one by its place in the flow, the removed one names it as
``replaced_by``. The files deployed with each version (``version_file``: called
processes, decision tables, forms) are compared by name and digest: a form edited
without touching the diagram shows as a changed file, with the tasks that show it.
"""
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import SpecDiff
from sqlalchemy.exc import IntegrityError

from . import audit, start_timers, texts
from .bundles import BPMN, Bundle, BundleFile
from .db import db, is_postgresql
from .errors import ConflictError, NotFoundError
from .models import ProcessDefinition, ProcessVersion, VersionFile
from .task_meta import candidate_role, form_keys
from .types import utcnow

# Serialized task-spec keys -> what a reader calls them. Anything else is "other".
_WHAT = {
    "bpmn_name": "name", "typename": "type", "script": "script", "prescript": "script",
    "postscript": "script", "cond_task_specs": "condition", "default_task_spec": "condition",
    "lane": "lane", "inputs": "incoming", "outputs": "outgoing", "documentation": "documentation",
    "event_definition": "event",
}
_SHOWN = ("bpmn_name", "script", "prescript", "postscript", "lane", "documentation")


@dataclass
class VersionDiff:
    """What changed from version ``a`` to version ``b`` of one process.

    Each element is ``{"id", "type", "name", "process"}``; a changed one also has
    ``changes``: ``[{"what", "detail", "before", "after"}]``; a removed one may have
    ``replaced_by`` (the id of the added element SpiffWorkflow aligned it with).
    ``files`` are the files deployed with the versions that were added, removed or
    changed: ``{"name", "kind", "change", "used_by"}`` (:func:`file_changes`).
    ``lanes``: ``[{"lane", "before", "after"}]``, the lanes whose tasks go to another role
    under the versions' lane mappings (``before`` ``None``: a new lane mapped at deploy).
    """

    key: str
    a: int
    b: int
    name_before: str
    name_after: str
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    files: list = field(default_factory=list)
    lanes: list = field(default_factory=list)

    @property
    def same(self):
        return (not (self.added or self.removed or self.changed or self.files or self.lanes)
                and self.name_before == self.name_after)

    @property
    def same_elements(self):
        """Whether only the files differ (or nothing): no element was added, removed or changed."""
        return not (self.added or self.removed or self.changed) and self.name_before == self.name_after


def version_of(key, number):
    """Version ``number`` of process ``key``.

    :raises NotFoundError: no such process or version
    """
    found = (db.session.query(ProcessVersion).join(ProcessDefinition)
             .filter(ProcessDefinition.key == key, ProcessVersion.version == number).one_or_none())
    if found is None:
        raise NotFoundError(f"process '{key}' version {number} is not deployed")
    return found


def diff(runtime, version_a, version_b):
    """Elements added, removed and changed from ``version_a`` to ``version_b``.

    Called activities (the process's subprocess specs) are compared too, each
    element naming its ``process``.

    :returns: a :class:`VersionDiff`
    """
    before = (version_a.version, *runtime.spec_cache.get(version_a.id))
    after = (version_b.version, *runtime.spec_cache.get(version_b.id))
    result = diff_specs(runtime.registry, version_a.definition.key, before, after,
                        lane_roles=(version_a.lane_roles, version_b.lane_roles))
    result.files = file_changes(digests(version_a.files), digests(version_b.files),
                                users_before=form_users(*before[1:]), users_after=form_users(*after[1:]))
    return result


def digests(files):
    """``{name: (kind, sha256)}`` of ``version_file`` rows or :class:`engine.bundles.BundleFile` s."""
    return {f.name: (f.kind, f.sha256) for f in files}


def file_changes(before, after, *, users_before=None, users_after=None):
    """The files added, removed and changed between two sets of deployed files, by name.

    :param before: ``{name: (kind, sha256)}`` of the older side (:func:`digests`)
    :param after: the same of the newer side
    :param users_before: ``{file name: [element id]}``: the user tasks of the older side
        that show each file as their form (:func:`form_users`); ``users_after`` the newer's
    :returns: ``[{"name", "kind", "change", "used_by"}]`` sorted by name; ``change`` is
        ``added``, ``removed`` or ``changed``; ``used_by`` the elements showing it as a form
        (on the newer side; the older side for a removed file)
    """
    found = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        change = "added" if old is None else "removed" if new is None else "changed"
        users = (users_before if change == "removed" else users_after) or {}
        found.append({"name": name, "kind": (new or old)[0], "change": change,
                      "used_by": users.get(name, [])})
    return found


def form_users(spec, subprocess_specs):
    """``{file name: [element id, ...]}``: which user tasks (and start events) name each form
    or UI schema file, as ``formJsonSchemaFilename`` / ``formUiSchemaFilename`` (with ``.json``)."""
    users = {}
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            for key in form_keys(task_spec):
                element = getattr(task_spec, "bpmn_id", None)
                if key and element:
                    names = users.setdefault(key if key.endswith(".json") else f"{key}.json", [])
                    names.extend([element] if element not in names else [])
    return users


def bundle_of(version, replaced=()):
    """The files ``version`` was deployed with, as a :class:`engine.bundles.Bundle` to deploy
    again: its document (named as it was uploaded) and its other files, those of
    ``replaced`` (:class:`engine.bundles.BundleFile` s) taking the place of files of the same
    name or joining them. A form edited in the browser is deployed so (web/formeditor.py).
    """
    replaced = {f.name: f for f in replaced}
    document = version.source_name or "diagram.bpmn"
    files = [BundleFile(document, BPMN, version.bpmn_xml.encode("utf-8"))]
    files += [replaced.pop(f.name, None) or BundleFile(f.name, f.kind, f.content.encode("utf-8"))
              for f in version.files if f.name != document]
    return Bundle(tuple(files) + tuple(f for name, f in replaced.items() if name != document))


def diff_specs(registry, key, before, after, lane_roles=(None, None)):
    """:func:`diff` of two parsed specs, one of which need not be deployed yet.

    :param before: ``(number, spec, subprocess_specs)`` of the older side
    :param after: the same for the newer side (the modeler's preview numbers it
        as the version a deploy would create)
    :param lane_roles: the lane mappings (engine/lanes.py) of the two sides
    :returns: a :class:`VersionDiff`
    """
    (number_a, spec_a, subs_a), (number_b, spec_b, subs_b) = before, after
    result = VersionDiff(key, number_a, number_b, spec_a.description or spec_a.name,
                         spec_b.description or spec_b.name)
    pairs = [(spec_a, spec_b)] + [(subs_a.get(n), subs_b.get(n)) for n in sorted(set(subs_a) | set(subs_b))]
    for old, new in pairs:
        _diff_process(registry, old, new, result)
    result.lanes = _lane_changes((spec_a, *subs_a.values()), (spec_b, *subs_b.values()), *lane_roles)
    return result


def _lane_changes(specs_a, specs_b, roles_a, roles_b):
    """Lanes of both sides whose tasks go to another role, and new lanes mapped at deploy."""
    def lanes(specs):
        return {ts.lane for s in specs for ts in s.task_specs.values() if getattr(ts, "lane", None)}

    lanes_a, lanes_b = lanes(specs_a), lanes(specs_b)
    changes = []
    for lane in sorted(lanes_b):
        after = candidate_role(lane, roles_b)
        before = candidate_role(lane, roles_a) if lane in lanes_a else None
        if before != after and (before is not None or lane in (roles_b or {})):
            changes.append({"lane": lane, "before": before, "after": after})
    return changes


def _diff_process(registry, old, new, result):
    process = (old or new).name
    if old is None or new is None:
        target = result.added if old is None else result.removed
        target.extend(_element(ts, process) for ts in _elements(old or new).values())
        return
    spec_diff = SpecDiff(registry, old, new)
    before, after = _elements(old), _elements(new)
    for bpmn_id, spec in after.items():
        if bpmn_id not in before:
            result.added.append(_element(spec, process))
    for bpmn_id, spec in before.items():
        if bpmn_id not in after:
            aligned = spec_diff.alignment.get(spec)
            replaced = getattr(aligned, "bpmn_id", None)
            result.removed.append({**_element(spec, process), "replaced_by": replaced})
            continue
        changes = _changes(registry, spec, after[bpmn_id], spec_diff)
        if changes:
            result.changed.append({**_element(after[bpmn_id], process), "changes": changes})


def _elements(spec):
    """The task specs of ``spec`` that are BPMN elements (not SpiffWorkflow's helpers), by id."""
    return {ts.bpmn_id: ts for ts in spec.task_specs.values() if getattr(ts, "bpmn_id", None)}


def _element(spec, process):
    return {"id": spec.bpmn_id, "type": spec.__class__.__name__,
            "name": getattr(spec, "bpmn_name", None) or "", "process": process}


def _changes(registry, old, new, spec_diff):
    if spec_diff.alignment.get(old) is new:
        keys = spec_diff.comparisons.get(old, [])
    else:  # SpecDiff aligned it elsewhere; compare the pair the reader sees
        keys = [k for k, v in registry.convert(old).items() if registry.convert(new).get(k) != v]
    if "typename" in keys:
        return [{"what": "type", "detail": None, "before": old.__class__.__name__,
                 "after": new.__class__.__name__}]
    s_old, s_new = registry.convert(old), registry.convert(new)
    changes = []
    for key in keys:
        if key == "extensions":
            changes.extend(_extension_changes(s_old.get(key) or {}, s_new.get(key) or {}))
        elif key == "decision_table":
            changes.extend(_decision_changes(s_old[key], s_new[key]))
        elif key in _WHAT and key not in ("typename",):
            changes.append(_change(key, s_old.get(key), s_new.get(key)))
        elif key not in ("name", "bpmn_id", "description"):
            changes.append({"what": "other", "detail": key, "before": None, "after": None})
    return changes


def _change(key, before, after):
    what = _WHAT[key]
    if key == "event_definition":
        kind = ((after or before) or {}).get("typename", "")
        what = "timer" if "Timer" in kind else "event"
    if key in ("inputs", "outputs"):
        return {"what": what, "detail": None, "before": ", ".join(before or []),
                "after": ", ".join(after or [])}
    shown = key in _SHOWN
    return {"what": what, "detail": key if key in ("prescript", "postscript") else None,
            "before": before if shown else None, "after": after if shown else None}


def _extension_changes(before, after):
    """Spiff extensions: form files, instructions and each property by name."""
    changes = []
    props_a, props_b = before.get("properties") or {}, after.get("properties") or {}
    for name in sorted(set(props_a) | set(props_b)):
        if props_a.get(name) != props_b.get(name):
            what = "form" if name.startswith("form") else "property"
            changes.append({"what": what, "detail": name, "before": props_a.get(name),
                            "after": props_b.get(name)})
    for name in sorted((set(before) | set(after)) - {"properties"}):
        if before.get(name) != after.get(name):
            what = "instructions" if name == "instructionsForEndUser" else "property"
            changes.append({"what": what, "detail": name, "before": before.get(name),
                            "after": after.get(name)})
    return changes


def _decision_changes(before, after):
    """A business rule task's decision table (serialized), as its owner reads it: the hit
    policy, the columns, and each rule by its number as ``inputs | ... -> outputs``."""
    def columns(table, side):
        return ", ".join(c.get("expression") or c.get("name") or c.get("label") or "" for c in table[side])

    def rules(table):
        return {r["row_number"]: " | ".join(next(iter(e["lhs"]), None) or "-" for e in r["input_entries"])
                + " -> " + ", ".join(e["text"] or "" for e in r["output_entries"]) for r in table["rules"]}

    changes = []
    parts = (("hit policy", lambda t: t["hit_policy"]), ("inputs", lambda t: columns(t, "inputs")),
             ("outputs", lambda t: columns(t, "outputs")))
    for detail, read in parts:
        old, new = read(before), read(after)
        if old != new:
            changes.append({"what": "decision", "detail": detail, "before": old, "after": new})
    rules_a, rules_b = rules(before), rules(after)
    for number in sorted(set(rules_a) | set(rules_b)):
        if rules_a.get(number) != rules_b.get(number):
            changes.append({"what": "decision", "detail": f"rule {number}", "before": rules_a.get(number),
                            "after": rules_b.get(number)})
    return changes or [{"what": "decision", "detail": None, "before": None, "after": None}]


def redeploy(runtime, version, *, actor):
    """Deploy ``version``'s diagram again as the newest version of its process.

    Its stored spec is reused (it was checked when first deployed). If it already is
    the latest content, nothing changes. Audited as ``version_deployed`` with
    ``from_version``.

    :returns: ``(ProcessVersion, created)``
    :raises ConflictError: someone deployed the same process at the same moment
    """
    now = utcnow()
    try:
        query = db.session.query(ProcessDefinition).filter_by(id=version.definition_id)
        definition = (query.with_for_update() if is_postgresql() else query).populate_existing().one()
        latest = (db.session.query(ProcessVersion).filter_by(definition_id=definition.id)
                  .order_by(ProcessVersion.version.desc()).first())
        if latest.sha256 == version.sha256:
            db.session.rollback()
            return latest, False
        new = ProcessVersion(definition_id=definition.id, version=definition.latest_version + 1,
                             bpmn_xml=version.bpmn_xml, sha256=version.sha256, spec_json=version.spec_json,
                             source_name=version.source_name, deployed_by=actor, deployed_at=now,
                             lane_roles=version.lane_roles, pins=version.pins)
        new.files = [VersionFile(name=f.name, kind=f.kind, content=f.content, sha256=f.sha256)
                     for f in version.files]
        definition.latest_version = new.version
        db.session.add(new)
        db.session.flush()
        spec, _subs = runtime.spec_cache.get(new.id)
        definition.name = spec.description or definition.key
        definition.titles = texts.of_version(new.id).titles(definition.key, definition.name)
        timers = start_timers.schedule(runtime, new, spec, now)
        audit.append(f"definition:{definition.key}", "version_deployed", actor=actor, at=now,
                     details={"version": new.version, "sha256": new.sha256, "source": new.source_name,
                              "from_version": version.version})
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise ConflictError(f"{version.definition.key} was deployed by someone else at the same moment; "
                            "try again") from error
    except BaseException:
        db.session.rollback()
        raise
    runtime.committed(timers, [])
    return new, True
