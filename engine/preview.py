"""What deploying a diagram would do, shown to the process owner before it is done.

The modeler asks for this when Deploy is pressed (docs/modeler.md), the form editor when
a form is deployed with its processes (docs/forms.md): for each executable process of
the unsaved XML or bundle, whether it is new, unchanged since its latest version (then
a deploy would store nothing), or which elements and deployed files change, by the same
diff as two deployed versions (:func:`engine.versions.diff_specs`, :func:`engine.versions.file_changes`).
"""
from dataclasses import dataclass, field

from . import lanes, specs, versions
from .db import db
from .deploy import unchanged
from .models import ProcessDefinition, ProcessVersion


@dataclass
class Preview:
    """One process of the diagram: ``latest`` is its newest version number, ``None`` when
    the process is new; ``diff`` is set when a deploy would create version ``latest + 1``.
    ``lanes`` is ``{lane: role}``, the role each of its lanes' tasks would go to, and
    ``lane_roles`` the lane mapping its version would keep (engine/lanes.py)."""

    key: str
    name: str
    latest: int | None
    unchanged: bool
    diff: versions.VersionDiff | None = None
    titles: dict | None = None  # the process's name per language (engine.texts)
    lanes: dict = field(default_factory=dict)
    lane_roles: dict = field(default_factory=dict)

    @property
    def new(self):
        return self.latest is None


def preview(runtime, source, *, name="diagram", roles=None, max_bytes=2_000_000, lane_roles=None):
    """Each process of ``source`` (a document or a bundle), its lanes mapped by ``lane_roles``,
    against its latest version, and the diagram's problems.

    Nothing is stored. The new side is round-tripped through the serializer, as a
    deploy stores it, so both sides of the diff read alike.

    :returns: ``(previews, problems)``: a list of :class:`Preview` and the problems
        :func:`engine.deploy.validate` would list (``error`` ones refuse a deploy)
    :raises DeployError: the document cannot be read at all (hostile XML, not BPMN)
    """
    parsed, problems = specs.inspect(source, helpers=runtime.helpers, max_bytes=max_bytes, roles=roles,
                                     name=name, checks=runtime.checks, lane_roles=lane_roles)
    previews = []
    for process in parsed:
        one = _one(runtime, process)
        one.lanes, one.lane_roles = lanes.roles_of(process.lanes, process.lane_roles), process.lane_roles
        previews.append(one)
    return previews, problems


def _one(runtime, process):
    latest = (db.session.query(ProcessVersion).join(ProcessDefinition)
              .filter(ProcessDefinition.key == process.key)
              .order_by(ProcessVersion.version.desc()).first())
    if latest is None:
        return Preview(process.key, process.name, None, False, titles=process.titles)
    if unchanged(latest, process):
        return Preview(process.key, process.name, latest.version, True, titles=process.titles)
    registry = runtime.registry
    spec = registry.restore(registry.convert(process.spec))
    subs = {k: registry.restore(registry.convert(v)) for k, v in process.subprocess_specs.items()}
    before = runtime.spec_cache.get(latest.id)
    diff = versions.diff_specs(registry, process.key, (latest.version, *before),
                               (latest.version + 1, spec, subs),
                               lane_roles=(latest.lane_roles, process.lane_roles))
    diff.files = versions.file_changes(versions.digests(latest.files), versions.digests(process.files),
                                       users_before=versions.form_users(*before),
                                       users_after=versions.form_users(spec, subs))
    return Preview(process.key, process.name, latest.version, False, diff, process.titles)
