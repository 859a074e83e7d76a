"""The loan-referral domain's pages and API (processes/referrals/): the referrer's sign-up
(:mod:`.signup`) and portal (:mod:`.portal`, :mod:`.portal_forms`, :mod:`.portal_texts`),
the staff pages (:mod:`.staff`), the admin's catalogue and payouts (:mod:`.admin`,
:mod:`.payouts`) and ``/api/v1/referrals`` (:mod:`.api`, registered on the API blueprint
when imported). Templates: ``templates/{portal,referrals,lending_admin}/`` and ``signup.html``."""
from flask import Blueprint

from . import admin, api, payouts, portal, signup, staff  # noqa: F401 - api registers its operations

TEMPLATES = Blueprint("referrals_templates", __name__, template_folder="templates")
BLUEPRINTS = (admin.bp, payouts.bp, portal.bp, staff.bp, signup.bp, TEMPLATES)
