"""Deploy a BPMN document as new versions of its process definitions."""
from sqlalchemy.exc import IntegrityError

from . import audit, specs, start_timers
from .attachments import shorten_filename
from .db import db, is_postgresql
from .errors import ConflictError, DeployError
from .models import ProcessDefinition, ProcessVersion
from .types import utcnow


def deploy(runtime, xml, *, actor, name="diagram", roles=None, max_bytes=2_000_000):
    """Check ``xml`` and store each of its executable processes as a new version.

    A process whose latest version has the same XML is left as it is, so
    deploying an unchanged file is a no-op. Running instances keep their version.

    :param roles: role names lanes must match (``None`` skips the check)
    :returns: list of ``(ProcessVersion, created)`` pairs
    :raises DeployError: hostile or invalid XML, bad expressions, unknown lanes
    :raises ConflictError: someone deployed the same process at the same moment
    """
    parsed, xml_text = specs.parse(xml, helpers=runtime.helpers, max_bytes=max_bytes, roles=roles,
                                   name=name, checks=runtime.checks)
    digest = specs.sha256(xml_text)
    now = utcnow()
    results, timers = [], []
    try:
        for process in parsed:
            version, created = _store(process, xml_text, digest, actor, name, now)
            if created:
                timers.extend(start_timers.schedule(runtime, version, process.spec, now))
            results.append((version, created))
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


def _store(process, xml_text, digest, actor, source_name, now):
    query = db.session.query(ProcessDefinition).filter_by(key=process.key)
    if is_postgresql():
        query = query.with_for_update()
    definition = query.one_or_none()
    if definition is None:
        definition = ProcessDefinition(key=process.key, name=process.name, latest_version=0, created_at=now)
        db.session.add(definition)
        db.session.flush()
    latest = (db.session.query(ProcessVersion).filter_by(definition_id=definition.id)
              .order_by(ProcessVersion.version.desc()).first())
    if latest is not None and latest.sha256 == digest:
        return latest, False
    version = ProcessVersion(definition_id=definition.id, version=definition.latest_version + 1,
                             bpmn_xml=xml_text, sha256=digest, spec_json=process.spec_json(),
                             source_name=shorten_filename(source_name), deployed_by=actor, deployed_at=now)
    definition.latest_version = version.version
    definition.name = process.name
    db.session.add(version)
    db.session.flush()
    audit.append(f"definition:{process.key}", "version_deployed", actor=actor, at=now,
                 details={"version": version.version, "sha256": digest, "source": source_name})
    return version, True
