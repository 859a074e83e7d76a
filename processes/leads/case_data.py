"""The titles and formats of the lead case's data that its forms do not name (the call
forms name the outcome, call-back time, product and amount): what the case page shows.
``customer_id``, ``lane_owners``, ``last_caller`` and ``order`` are the procedure's own
bookkeeping and stay off the page (docs/web.md "A case's data")."""
from flask_babel import lazy_gettext as _l

from accounts.service import full_names
from crm import labels
from forms.reading import Label

LABELS = {
    "name": Label(_l("Customer name")),
    "phone": Label(_l("Phone"), "phone"),
    "email": Label(_l("Email")),
    "gender": Label(_l("Gender"), "choice",
                    {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}),
    "birthday": Label(_l("Birthday"), "date"),
    "source": Label(_l("Source"), "choice", labels.SOURCE),
    "classification": Label(_l("Classification"), "choice", labels.CLASSIFICATION),
    "owner": Label(_l("Owner"), "choice", full_names),
    # the diagram writes a call's outcome or "order" here, the customer record its status
    "lead_status": Label(_l("Lead status"), "choice",
                         {**labels.OUTCOME, **labels.STATUS, "order": labels.STATUS["ordered"]}),
    "last_notes": Label(_l("Notes of the last call")),
    "next_call_at": Label(_l("Next call"), "datetime"),
    "converted_at": Label(_l("Became a contact"), "datetime"),
    "closed_at": Label(_l("Closed"), "datetime"),
    "contact_callback_after": Label(_l("Call a contact back after"), "duration"),
    "order_id": Label(_l("Order number"), "number"),
}
