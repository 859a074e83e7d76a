"""Deploy a BPMN document, or a bundle of files (engine/bundles.py), as new versions of its
process definitions.

A version keeps every file it was deployed with (``version_file``): the files its called
processes, decision tables and forms came from. A case reads its version's files, so it
keeps the callees, decisions and forms it started with until it is migrated.
"""
from sqlalchemy.exc import IntegrityError

from . import audit, specs, start_timers, xml_safety
from .attachments import shorten_filename
from .db import db, is_postgresql
from .errors import ConflictError, DeployError
from .models import ProcessDefinition, ProcessVersion, VersionFile
from .types import utcnow

DEPLOYED, UNCHANGED, KEPT = "deployed", "unchanged", "kept"


def deploy(runtime, source, *, actor, name="diagram", roles=None, max_bytes=2_000_000, lane_roles=None):
    """Check ``source`` and store each of its executable processes as a new version.

    :param source: a BPMN document (bytes or str) or a :class:`engine.bundles.Bundle`

    A process whose latest version has the same XML (in canonical form: see
    :func:`engine.xml_safety.same_document`), the same other files and the same lane
    mapping is left as it is, so deploying an unchanged file is a no-op. Running
    instances keep their version.

    :param roles: role names lanes must match (``None`` skips the check)
    :param lane_roles: ``{lane name: role key}`` for lanes not named after their role
        (engine/lanes.py); each version keeps the entries of its process's lanes
    :returns: list of ``(ProcessVersion, created)`` pairs
    :raises DeployError: hostile or invalid XML, bad expressions, unknown lanes, a lane
        mapped to a role that does not exist
    :raises ConflictError: someone deployed the same process at the same moment
    """
    stored = _deploy(runtime, source, actor=actor, name=name, roles=roles, max_bytes=max_bytes,
                     keep_newer=False, lane_roles=lane_roles)
    return [(version, status == DEPLOYED) for version, status in stored]


def deploy_shipped(runtime, source, *, actor, name, roles=None, max_bytes=2_000_000):
    """Deploy a diagram shipped as a file (``bpmn/`` at start), leaving the owner's newer work.

    A process is deployed from the file only when the file changed since it was last
    deployed from it (by ``actor`` under the file's ``name``). When the newest version
    came from elsewhere (the modeler, the API) and the file is as it was then, that
    version stays: a restart must not undo a deploy.

    :returns: list of ``(ProcessVersion, status)``: ``DEPLOYED`` (a new version),
        ``UNCHANGED`` (the newest version is the file's) or ``KEPT`` (a newer version
        from elsewhere stays; the version returned is that one)
    :raises DeployError: as :func:`deploy`
    """
    return _deploy(runtime, source, actor=actor, name=name, roles=roles, max_bytes=max_bytes,
                   keep_newer=True)


def _deploy(runtime, source, *, actor, name, roles, max_bytes, keep_newer, lane_roles=None):
    parsed = specs.parse(source, helpers=runtime.helpers, max_bytes=max_bytes, roles=roles,
                         name=name, checks=runtime.checks, lane_roles=lane_roles)
    now = utcnow()
    results, timers = [], []
    try:
        for process in parsed:
            version, status = _store(process, actor, process.source, now, keep_newer)
            if status == DEPLOYED:
                timers.extend(start_timers.schedule(runtime, version, process.spec, now))
            results.append((version, status))
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise ConflictError(f"{name} was deployed by someone else at the same moment; try again") from error
    except BaseException:
        db.session.rollback()
        raise
    runtime.committed(timers, [])
    return results


def validate(runtime, source, *, name="diagram", roles=None, max_bytes=2_000_000, lane_roles=None):
    """Every problem deploying ``source`` (a document or a bundle) with ``lane_roles`` would
    meet, and the warnings, without storing anything.

    :returns: ``[{"element", "message", "severity"}]`` (``error`` refuses a deploy,
        ``warning`` does not); empty when the diagram is fine
    """
    try:
        _parsed, problems = specs.inspect(source, helpers=runtime.helpers, max_bytes=max_bytes,
                                          roles=roles, name=name, checks=runtime.checks,
                                          lane_roles=lane_roles)
    except DeployError as error:
        problems = [{"severity": "error", **p} for p in error.problems]
    return problems


def unchanged(version, process):
    """Whether deploying parsed ``process`` over ``version`` would change nothing: the same
    digest, or the same document in canonical form with the same other files and the same
    lane mapping."""
    if version.sha256 == process.sha256:
        return True
    if (version.lane_roles or {}) != process.lane_roles:
        return False
    theirs = {f.name: f.sha256 for f in version.files}
    ours = {f.name: f.sha256 for f in process.files}
    return theirs == ours and xml_safety.same_document(version.bpmn_xml, process.text)


def _store(process, actor, source_name, now, keep_newer):
    query = db.session.query(ProcessDefinition).filter_by(key=process.key)
    if is_postgresql():
        query = query.with_for_update()
    definition = query.one_or_none()
    if definition is None:
        definition = ProcessDefinition(key=process.key, name=process.name, titles=process.titles,
                                       latest_version=0, created_at=now)
        db.session.add(definition)
        db.session.flush()
    versions = (db.session.query(ProcessVersion).filter_by(definition_id=definition.id)
                .order_by(ProcessVersion.version.desc()))
    latest = versions.first()
    if latest is not None and unchanged(latest, process):
        return latest, UNCHANGED
    source_name = shorten_filename(source_name)
    if keep_newer and latest is not None:
        own = versions.filter_by(deployed_by=actor, source_name=source_name).first()
        if own is not None and unchanged(own, process):
            return latest, KEPT
    version = ProcessVersion(definition_id=definition.id, version=definition.latest_version + 1,
                             bpmn_xml=process.text, sha256=process.sha256, spec_json=process.spec_json(),
                             source_name=source_name, deployed_by=actor, deployed_at=now, pins=process.pins,
                             lane_roles=process.lane_roles or None)
    version.files = [VersionFile(name=f.name, kind=f.kind, content=f.text(), sha256=f.sha256)
                     for f in process.files]
    definition.latest_version = version.version
    definition.name, definition.titles = process.name, process.titles
    db.session.add(version)
    db.session.flush()
    details = {"version": version.version, "sha256": version.sha256, "source": source_name}
    if process.files:
        details["files"] = sorted(f.name for f in process.files)
    if process.pins:
        details["pins"] = process.pins
    if process.lane_roles:
        details["lane_roles"] = process.lane_roles
    audit.append(f"definition:{process.key}", "version_deployed", actor=actor, at=now, details=details)
    return version, DEPLOYED
