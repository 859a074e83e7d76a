"""Demo data for development: each installed domain's demo, loaded in order.

Loaded by ``tasklane setup`` / ``run`` in development, only into an installation that
has no crm customer yet. Each domain declares its loader (``Domain.demo``, in
``processes/<domain>/demo.py``); they run in the order of ``processes.DOMAINS``, because a
later domain's demo works on what an earlier one's cases made (the pipeline demo moves
the contacts the lead demo's calls produced).
"""
from sqlalchemy import func, select

import processes
from crm.models import Customer
from engine.db import db
from processes import demo_people


def load(seed=demo_people.SEED):
    """Load every installed domain's demo, unless a crm customer exists.

    :returns: how many crm customers the demo entered (0 when there were some already)
    :raises TasklaneError: a record or a step was refused (a diagram or a form changed)
    """
    if db.session.scalar(select(Customer.id).limit(1)) is not None:
        return 0
    for domain in processes.DOMAINS:
        if domain.demo is not None:
            domain.demo(seed)
    return db.session.scalar(select(func.count()).select_from(Customer))
