"""The titles and formats of the prospect case's data that its conversion form does not
name: what the case page shows. ``customer_id``, ``stage_kind``, ``change``, ``details``
and ``already`` are the procedure's own bookkeeping and stay off the page (docs/web.md
"A case's data")."""
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from accounts.service import full_names
from crm.models import Stage
from engine.db import db
from forms.reading import Label


def stage_names():
    """``{stage key: name}`` in the reader's language, of every stage (also retired ones)."""
    locale = str(get_locale() or "en")
    return {stage.key: stage.name(locale) for stage in db.session.query(Stage)}


LABELS = {
    "phone": Label(_l("Phone"), "phone"),
    "owner": Label(_l("Owner"), "choice", full_names),
    "stage": Label(_l("Stage"), "choice", stage_names),
    "order_id": Label(_l("Order number"), "number"),
}
