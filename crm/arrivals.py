"""When a lead came in and from where: its age and source, as the team queue
(web/inbox.py) and the task API (GET /api/v1/tasks) show them beside a task. One rule
for both: a task of a lead's case (its lead-handling case or its pipeline case) is about
that lead, and the lead came in when its customer record was created."""
from sqlalchemy import or_, select

from engine.db import db

from .models import Customer


def of_cases(case_ids):
    """``{case_id: (came_in_at, source)}`` for those of ``case_ids`` that are a lead's case;
    other cases are left out.

    :param case_ids: process instance ids (any iterable; duplicates are fine)
    """
    ids = set(case_ids)
    if not ids:
        return {}
    found = {}
    for lead_case, pipeline_case, created, source in db.session.execute(
            select(Customer.instance_id, Customer.pipeline_instance_id, Customer.created_at, Customer.source)
            .where(or_(Customer.instance_id.in_(ids), Customer.pipeline_instance_id.in_(ids)))):
        for case_id in (lead_case, pipeline_case):
            if case_id in ids:
                found[case_id] = (created, source)
    return found
