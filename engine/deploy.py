"""Deploy a BPMN document as new versions of its process definitions."""
from sqlalchemy.exc import IntegrityError

from . import audit, specs, start_timers, xml_safety
from .attachments import shorten_filename
from .db import db, is_postgresql
from .errors import ConflictError, DeployError
from .models import ProcessDefinition, ProcessVersion
from .types import utcnow

DEPLOYED, UNCHANGED, KEPT = "deployed", "unchanged", "kept"


def deploy(runtime, xml, *, actor, name="diagram", roles=None, max_bytes=2_000_000):
    """Check ``xml`` and store each of its executable processes as a new version.

    A process whose latest version has the same XML (in canonical form: see
    :func:`engine.xml_safety.same_document`) is left as it is, so deploying an
    unchanged file is a no-op. Running instances keep their version.

    :param roles: role names lanes must match (``None`` skips the check)
    :returns: list of ``(ProcessVersion, created)`` pairs
    :raises DeployError: hostile or invalid XML, bad expressions, unknown lanes
    :raises ConflictError: someone deployed the same process at the same moment
    """
    stored = _deploy(runtime, xml, actor=actor, name=name, roles=roles, max_bytes=max_bytes,
                     keep_newer=False)
    return [(version, status == DEPLOYED) for version, status in stored]


def deploy_shipped(runtime, xml, *, actor, name, roles=None, max_bytes=2_000_000):
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
    return _deploy(runtime, xml, actor=actor, name=name, roles=roles, max_bytes=max_bytes, keep_newer=True)


def _deploy(runtime, xml, *, actor, name, roles, max_bytes, keep_newer):
    parsed, xml_text = specs.parse(xml, helpers=runtime.helpers, max_bytes=max_bytes, roles=roles,
                                   name=name, checks=runtime.checks)
    digest = specs.sha256(xml_text)
    now = utcnow()
    results, timers = [], []
    try:
        for process in parsed:
            version, status = _store(process, xml_text, digest, actor, name, now, keep_newer)
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


def validate(runtime, xml, *, name="diagram", roles=None, max_bytes=2_000_000):
    """Every problem deploying ``xml`` would meet, and the warnings, without storing anything.

    :returns: ``[{"element", "message", "severity"}]`` (``error`` refuses a deploy,
        ``warning`` does not); empty when the diagram is fine
    """
    try:
        _parsed, _text, problems = specs.inspect(xml, helpers=runtime.helpers, max_bytes=max_bytes,
                                                 roles=roles, name=name, checks=runtime.checks)
    except DeployError as error:
        problems = [{"severity": "error", **p} for p in error.problems]
    return problems


def unchanged(version, xml_text, digest):
    """Whether deploying ``xml_text`` (SHA-256 ``digest``) over ``version`` would change nothing."""
    return version.sha256 == digest or xml_safety.same_document(version.bpmn_xml, xml_text)


def _store(process, xml_text, digest, actor, source_name, now, keep_newer):
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
    if latest is not None and unchanged(latest, xml_text, digest):
        return latest, UNCHANGED
    source_name = shorten_filename(source_name)
    if keep_newer and latest is not None:
        own = versions.filter_by(deployed_by=actor, source_name=source_name).first()
        if own is not None and unchanged(own, xml_text, digest):
            return latest, KEPT
    version = ProcessVersion(definition_id=definition.id, version=definition.latest_version + 1,
                             bpmn_xml=xml_text, sha256=digest, spec_json=process.spec_json(),
                             source_name=source_name, deployed_by=actor, deployed_at=now)
    definition.latest_version = version.version
    definition.name, definition.titles = process.name, process.titles
    db.session.add(version)
    db.session.flush()
    audit.append(f"definition:{process.key}", "version_deployed", actor=actor, at=now,
                 details={"version": version.version, "sha256": digest, "source": source_name})
    return version, DEPLOYED
