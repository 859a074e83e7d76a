"""The case search: which cases match the filters, one rule for the case list page
(web/cases.py) and ``GET /api/v1/instances`` (web/api/instances.py).

Who may see which case is not decided here: callers narrow the result with
:func:`web.access.visible_cases`.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from engine import inbox
from engine.models import AuditEvent, HumanTask, ProcessInstance, ProcessVersion
from forms import phone_search
from forms.phone import reader_region

STATUSES = ("running", "completed", "cancelled", "error")


@dataclass(frozen=True)
class CaseFilters:
    """Checked filters; ``None`` (or empty) leaves a filter out.

    ``started_after`` is included, ``started_before`` excluded (both UTC); ``incident``
    ``True`` keeps the cases with an incident (``error`` set), ``False`` those without;
    ``q`` finds a case by the customer name or phone number its tasks are about.
    """

    process: str | None = None
    version: int | None = None
    status: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None
    actor: str | None = None
    incident: bool | None = None
    q: str | None = None


def clauses(filters):
    """SQL conditions on :class:`ProcessInstance` for ``filters``."""
    found = []
    if filters.status:
        found.append(ProcessInstance.status == filters.status)
    if filters.process:
        found.append(ProcessInstance.definition_key == filters.process)
    if filters.version is not None:
        versions = select(ProcessVersion.id).where(ProcessVersion.version == filters.version)
        found.append(ProcessInstance.version_id.in_(versions))
    if filters.started_after is not None:
        found.append(ProcessInstance.started_at >= filters.started_after)
    if filters.started_before is not None:
        found.append(ProcessInstance.started_at < filters.started_before)
    if filters.actor:
        acted = select(AuditEvent.instance_id).where(AuditEvent.actor == filters.actor)
        found.append(or_(ProcessInstance.started_by == filters.actor, ProcessInstance.id.in_(acted)))
    if filters.incident is not None:
        error = ProcessInstance.error
        found.append(error.is_not(None) if filters.incident else error.is_(None))
    if filters.q:
        found.append(ProcessInstance.id.in_(select(HumanTask.instance_id).where(
            *inbox.search_clauses(filters.q, phone_search.read(filters.q, reader_region())))))
    return found
