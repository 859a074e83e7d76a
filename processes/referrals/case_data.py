"""The titles and formats of the referral case's data that its forms do not name (the
consultant's forms name the answer, result, amounts and term): what the case page shows.
``referral_id``, ``lane_owners``, ``tried``, ``times``, ``values``, ``outcome``,
``answer``, ``approved``, ``product_options`` and ``amount_text`` are the procedure's own
bookkeeping and stay off the page (docs/web.md "A case's data")."""
from flask_babel import lazy_gettext as _l

from forms.reading import Label

LABELS = {
    "name": Label(_l("Customer name")),
    "phone": Label(_l("Phone")),
    "company": Label(_l("Finance company")),
    "product": Label(_l("Loan product")),
    "referrer": Label(_l("Referrer")),
    "consultant": Label(_l("Consultant")),
    "offer_due": Label(_l("Answer the offer by"), "datetime"),
    "cross_sell": Label(_l("Another product offered"), "boolean"),
    "cross_sell_consent": Label(_l("The referrer allows offering another product"), "boolean"),
    "remind_at": Label(_l("Remind the referrer at"), "datetime"),
    "expires_at": Label(_l("The referrer's answer is due by"), "datetime"),
}
