"""The staff's loan referrals (issue 6): the list with filters and pages, one referral with its
history, offers and commission, and the consultants' star ranking per finance company.

Consultants read the referrals they hold and those offered to them and not yet answered;
managers, admins and auditors read every one; the rules are processes.referrals.staff's. The
history is told in the portal's sentences (web.referrals.portal_texts), with the portal's labels.

:raise 403: users without the consultant, manager, admin or auditor role; the consultants
    tab for a consultant
:raise 404: no such referral, or one a consultant has no part in
:raise 422: a bad filter (the list shows the message beside its field)
"""
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import ValidationError
from processes.referrals import consultants
from processes.referrals import staff as referral_staff
from processes.referrals import views as referral_views
from processes.referrals.models import STATES
from web import access
from web.i18n import user_zone

from . import portal_forms, portal_texts

bp = Blueprint("referrals", __name__, url_prefix="/referrals")
MAX_PAGE = 10_000
FILTERS = ("state", "company", "consultant", "q", "from", "to")


def _reader():
    """The signed-in user as a :class:`processes.referrals.staff.Reader` (the permissions table's
    ``REFERRAL``). :raise 403: not a reader"""
    reach = access.referral_reader(current_user)
    access.check(reach != access.table.NONE)
    return referral_staff.Reader(current_user.username, sees_all=reach == access.table.ANY)


def labels():
    """The portal's labels of the stored codes, and the staff's own for the cross-sell (the
    portal's speak to the referrer: "waiting for your answer")."""
    return {"state": portal_forms.state_labels(), "status": portal_forms.status_labels(),
            "result": portal_forms.result_labels(), "progress": portal_forms.progress_labels(),
            "cross_sell": {"started": _("Cross-sell: another product is being offered"),
                           "requested": _("Cross-sell: waiting for the referrer's answer"),
                           "approved": _("Cross-sell allowed by the referrer"),
                           "refused": _("Cross-sell refused by the referrer"),
                           "expired": _("Cross-sell request expired without an answer")},
            "choice": {"auto": _("Chosen by the system"), "star": _("A star consultant the referrer picked"),
                       "phone": _("Named by the referrer by phone")},
            "answer": {"accepted": _("Accepted"), "handed_back": _("Handed back"),
                       "timed_out": _("Not answered in time"), None: _("Waiting for an answer")}}


def _page_number():
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < MAX_PAGE else 1


def _list_page(reader, form, filters, errors=None, status=200):
    page = (referral_staff.find(reader, filters, page=_page_number(), per_page=referral_staff.PAGE)
            if filters else None)
    rows = page.rows if page else []
    offered = referral_staff.open_offers({row.id for row in rows})
    names = portal_texts.people({row.referrer for row in rows} | {row.consultant for row in rows}
                                | set(offered.values()))
    return render_template(
        "referrals/index.html", form=form, errors=errors or {}, page=page, rows=rows, offered=offered,
        names=names, args=filters.args() if filters else {}, states=STATES, labels=labels(),
        counts=referral_staff.counts(reader, filters) if filters else {},
        companies=referral_staff.companies(), sees_all=reader.sees_all,
        consultants=consultants.consultants() if reader.sees_all else [], nobody=referral_staff.NOBODY,
    ), status


@bp.get("")
@login_required
def referral_index():
    """The referrals the user may read, newest first, 50 a page; 422 for a bad filter."""
    reader = _reader()
    form = {name: request.args.get(name, "") for name in FILTERS}
    try:
        filters = referral_staff.filters_from(request.args, reader=reader,
                                              zone=user_zone(current_user))
    except ValidationError as problem:
        return _list_page(reader, form, None, problem.fields, 422)
    return _list_page(reader, form, filters)


@bp.get("/<int:referral_id>")
@login_required
def referral_show(referral_id):
    """:raise 404: no such referral, or a consultant's who has no part in it"""
    reader = _reader()
    row = referral_staff.one(reader, referral_id)
    events = referral_views.history(row)   # the referrer's history is the staff's too
    offers = referral_staff.offers(row)
    names = portal_texts.people({row.referrer, row.consultant} | {offer.consultant for offer in offers})
    return render_template(
        "referrals/show.html", referral=row, steps=portal_texts.steps(events),
        adjusted=portal_texts.adjustments(events), offers=offers, names=names,
        commission=referral_staff.commission(row), task=referral_staff.open_task(row, reader.username),
        labels=labels(), sees_all=reader.sees_all)


@bp.get("/consultants")
@login_required
def consultant_index():
    """Each finance company's consultants by the star rule. :raise 403: consultants, other roles"""
    access.check(access.referral_reader(current_user) == access.table.ANY)
    rankings = [(company, consultants.ranking(company.id)) for company in referral_staff.companies()]
    return render_template("referrals/consultants.html", rankings=rankings,
                           window=consultants.WINDOW_DAYS)
