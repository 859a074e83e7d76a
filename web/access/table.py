"""The permissions table: role × action × ownership (docs/security.md "Who sees what").

``CASE`` says, for each action on a case (a process instance, and everything of it: its
page, diagram, timeline and exports, audit check, history, attachments, comments), how much
of it each role reaches:

- ``ANY``: every case;
- ``OWN``: the cases the user has a part in, as the case's domain defines it
  (:mod:`web.access.cases`);
- ``NONE``: no case.

``TASK``, ``CUSTOMER``, ``ORDER`` and ``REFERRAL`` do the same for a task (``OWN``: one the user
holds, or an open, unassigned one of their team; reading also any task of a case they see), a
customer (lead, prospect; ``OWN``: theirs and the unowned ones), a customer's order (``OWN``:
its customer is theirs; reading it is reading the customer) and a referral on the staff
pages (``OWN``: one the consultant holds, held or is offered; for a referrer: their own).

A user with several roles gets the widest scope of them. Roles the table does not name
(a role an admin created for a diagram's lane) get ``DEFAULT``'s scope.
"""
ANY, OWN, NONE = "any", "own", "none"
WIDTH = {NONE: 0, OWN: 1, ANY: 2}
DEFAULT = "*"

CASE = {
    # reading a case: its page, diagram, events, timeline CSV / XLSX, audit check, API
    # instance and history, attachments. A process owner reads every case: Tasklane has no
    # owner per process yet, so their processes are all the deployed ones (they migrate
    # and audit them); commenting and attaching stay with the cases they have a part in.
    "read": {"manager": ANY, "admin": ANY, "auditor": ANY, "process_owner": ANY, DEFAULT: OWN},
    # commenting, attaching a file: who may read it, but never an auditor (read-only)
    "comment": {"manager": ANY, "admin": ANY, "auditor": NONE, DEFAULT: OWN},
    "attach": {"manager": ANY, "admin": ANY, "auditor": NONE, DEFAULT: OWN},
    # correcting a case's data and retrying its incident: who runs the processes, on any case
    "repair": {"process_owner": ANY, "admin": ANY, DEFAULT: NONE},
}

TASK = {
    # a process owner reads every case, so every task of one (CASE "read")
    "read": {"manager": ANY, "admin": ANY, "auditor": ANY, "process_owner": ANY, DEFAULT: OWN},
    "work": {"manager": ANY, "admin": ANY, "auditor": NONE, DEFAULT: OWN},   # claim, release, complete
    "assign": {"manager": ANY, "admin": ANY, DEFAULT: NONE},
    # commenting on a task: seeing the task, and commenting on its case (CASE "comment")
    "comment": {"manager": ANY, "admin": ANY, "auditor": NONE, DEFAULT: OWN},
}

CUSTOMER = {
    "read": {"manager": ANY, "admin": ANY, "auditor": ANY, "sales": OWN, DEFAULT: NONE},
    "change": {"manager": ANY, "admin": ANY, "sales": OWN, DEFAULT: NONE},   # move, enter the pipeline
}

# Correcting or cancelling an order (docs/crm.md "Orders"): OWN is the rep who owns the order's
# customer (``Customer.owner``), not the unowned customers a rep may also work: money a rep
# has not answered for is corrected by a manager.
ORDER = {
    "change": {"manager": ANY, "admin": ANY, "sales": OWN, DEFAULT: NONE},
}

REFERRAL = {
    "read": {"manager": ANY, "admin": ANY, "auditor": ANY, "consultant": OWN, "partner": OWN, DEFAULT: NONE},
    "answer": {"partner": OWN, DEFAULT: NONE},   # the referrer's cross-sell answer
}

# A broker's deal (issue 15): the team (analysts, their lead) and admins every deal, a partner
# their own (processes.broker.deals.readable answers 404 for another partner's).
DEAL = {
    "read": {"broker_analyst": ANY, "broker_lead": ANY, "admin": ANY, "partner": OWN, DEFAULT: NONE},
    "attach": {"broker_analyst": ANY, "broker_lead": ANY, "admin": ANY, "partner": OWN, DEFAULT: NONE},
}


def scope(table, action, roles):
    """The widest scope ``roles`` get for ``action`` in ``table``; no role: ``DEFAULT``'s."""
    row = table[action]
    found = [row.get(role, row[DEFAULT]) for role in roles] or [row[DEFAULT]]
    return max(found, key=WIDTH.__getitem__)
