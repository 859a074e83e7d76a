"""The names of crm's stored codes in the reader's language (lazy texts): a customer's
status, source and classification, a call's outcome, and the customer fields. The lead and
pipeline pages (``web/customers.py``) and the domains' case-data labels read them here, so a
code is named once."""
from flask_babel import lazy_gettext as _l

STATUS = {"new": _l("New"), "in_consultation": _l("In consultation"), "contact": _l("Contact"),
          "ordered": _l("Ordered"), "closed_no_need": _l("Closed: no need"),
          "closed_wrong_number": _l("Closed: wrong number")}
SOURCE = {"website": _l("Website"), "facebook": _l("Facebook"), "zalo": _l("Zalo"),
          "referral": _l("Referral"), "event": _l("Event"), "import": _l("Import"),
          "manual": _l("Manual entry"), "api": _l("API"), "other": _l("Other")}
CLASSIFICATION = {"urgent": _l("Urgent"), "potential": _l("Potential"), "not_potential": _l("Not potential")}
OUTCOME = {"reached": _l("Reached"), "not_reached": _l("Not reached"), "no_need": _l("No need"),
           "wrong_number": _l("Wrong number"), "interested": _l("Interested"),
           "thinking": _l("Thinking it over"), "consulting_family": _l("Asking the family"),
           "price_objection": _l("Too expensive"), "busy": _l("Busy"), "no_answer": _l("No answer"),
           "bought": _l("Bought"), "bought_elsewhere": _l("Bought elsewhere"),
           "not_interested": _l("Not interested"), "other": _l("Other")}
FIELD = {"name": _l("Name"), "phone": _l("Phone"), "email": _l("Email"), "source": _l("Source"),
         "owner": _l("Owner"), "classification": _l("Classification"), "gender": _l("Gender"),
         "birthday": _l("Birthday"), "row": _l("Row")}
