"""Which customers (leads, prospects) are a sales rep's, and which cases are about a customer.

The lead list, the pipeline and the cases of ``lead_handling`` and ``prospect_pipeline``
follow one rule (docs/security.md "Who sees what"); the web layer's permissions table says
which roles see every customer, their own (:func:`own`) or none, and this module turns it
into conditions on customers and on the cases about them.
"""
from sqlalchemy import and_, exists, or_, select

from engine.models import ProcessInstance

from .models import Customer


def own(username):
    """A condition on :class:`Customer`: the customers ``username`` owns, and the unowned ones."""
    return or_(Customer.owner == username, Customer.owner.is_(None))


def customer_case_part(username, roles, fallback, customers):
    """A domain's case rule (``Domain.case_parts``) for a case about a customer: whoever
    may read its customer (:func:`case_part`)."""
    del username, roles
    return case_part(customers, fallback)


def case_part(customers, fallback):
    """A condition on :class:`ProcessInstance`: a case about one of ``customers`` (a condition
    on :class:`Customer`) — a customer's lead-handling or pipeline case.

    :param fallback: the condition for a case no customer is linked to (yet): a lead is
        linked to its case just after the start, and a case started by hand has none
    """
    linked = or_(Customer.instance_id == ProcessInstance.id,
                 Customer.pipeline_instance_id == ProcessInstance.id)
    seen = exists(select(Customer.id).where(linked, customers))
    return or_(seen, and_(~exists(select(Customer.id).where(linked)), fallback))
