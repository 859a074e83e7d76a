"""Leads: the list (who is new and not yet contacted), manual entry, spreadsheet import.

Sales see the leads they own and the unowned ones; managers, admins and auditors
(read-only) see all; other roles get 403. Entering and importing leads is for sales,
managers and admins (:func:`web.access.may_create_leads`).

:raise 403: partners, customers and other roles; auditors on entry and import
:raise 404: lead_handling is not deployed (entry)
:raise 422: invalid fields (nothing stored); a file refused as a whole
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from crm import records
from crm.models import CLASSIFICATIONS, SOURCES, STATUSES, Customer
from engine.db import db
from engine.errors import ValidationError
from engine.models import HumanTask
from engine.places import place
from engine.task_meta import search_text
from forms import phone_search
from processes.leads import entry as leads
from processes.leads import imports
from web import access
from web.customers import READERS, labels, sales_users  # noqa: F401 - the lead pages' names
from web.limits import db_int

bp = Blueprint("leads", __name__)
PER_PAGE = 25
ROUND_ROBIN = "round_robin"
# Sources a person picks when typing a lead in ("import" and "api" are set by those paths).
MANUAL_SOURCES = tuple(s for s in SOURCES if s not in ("import", "api"))


def _check_reader(user):
    access.check(bool(access.roles(user) & READERS))


def _sees_all():
    return access.sees_all_customers(current_user)


def _visible(query):
    """Only the leads the user may see: sales their own and the unowned ones."""
    return access.visible_customers(query, current_user)


def _not_contacted():
    return (Customer.status == "new", Customer.first_contact_at.is_(None))


def _matching(needle):
    """Leads whose name contains ``needle`` (as typed, or accents ignored through their
    case's tasks), or whose phone is the number ``needle`` writes or holds its digits
    (:func:`forms.phone_search.read`, in the leads' region)."""
    conditions = [Customer.name.icontains(needle, autoescape=True)]
    phone = phone_search.read(needle, place(records.DOMAIN).region)
    if phone is not None:
        conditions.append(phone.condition(Customer.phone))
    elif words := search_text(needle, None).split():
        tasks = select(HumanTask.instance_id).where(
            *[HumanTask.search_text.contains(w, autoescape=True) for w in words])
        conditions.append(Customer.instance_id.in_(tasks))
    return or_(*conditions)


@bp.get("/leads")
@login_required
def lead_index():
    _check_reader(current_user)
    args = request.args
    status = args.get("status") if args.get("status") in STATUSES else None
    source = args.get("source") if args.get("source") in SOURCES else None
    owner = ((args.get("owner") or "").strip()[:80] or None) if _sees_all() else None
    fresh = args.get("fresh") == "1"
    needle = (args.get("q") or "").strip()[:100]
    page = max(1, args.get("page", 1, type=db_int) or 1)
    query = _visible(select(Customer))
    if status:
        query = query.where(Customer.status == status)
    if source:
        query = query.where(Customer.source == source)
    if owner:
        query = query.where(Customer.owner == owner)
    if fresh:
        query = query.where(*_not_contacted())
    if needle:
        query = query.where(_matching(needle))
    rows = db.session.scalars(query.order_by(Customer.created_at.desc(), Customer.id.desc())
                              .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    waiting = db.session.scalar(_visible(select(func.count(Customer.id))).where(*_not_contacted()))
    filters = {"q": needle or None, "status": status, "source": source, "owner": owner,
               "fresh": "1" if fresh else None}
    return render_template(
        "leads/index.html", leads=rows[:PER_PAGE], more=len(rows) > PER_PAGE, page=page, filters=filters,
        waiting=waiting, labels=labels(), statuses=STATUSES, sources=SOURCES,
        owners=sales_users() if _sees_all() else [],
        may_create=access.may_create_leads(current_user))


def _form_context(values, errors=None, error=None, created=None, duplicates=()):
    return {"values": values, "errors": errors or {}, "error": error, "labels": labels(),
            "sources": MANUAL_SOURCES, "classifications": CLASSIFICATIONS, "owners": sales_users(),
            "round_robin": ROUND_ROBIN, "created": created, "duplicates": duplicates}


def _default_owner():
    """Sales reps enter their own leads; managers and admins hand them out by round robin."""
    return leads.entrant_owner(current_user.username) or ROUND_ROBIN


@bp.get("/leads/new")
@login_required
def lead_new():
    """The entry form; ``?created=<id>`` after a lead whose phone was already known."""
    access.check(access.may_create_leads(current_user))
    created, duplicates = None, []
    created_id = request.args.get("created", type=db_int)
    if created_id:
        created = db.session.get(Customer, created_id)
        if created is not None and (created.created_by == current_user.username or _sees_all()):
            duplicates = [d for d in leads.find_duplicates(created.phone) if d.id != created.id]
        else:
            created = None
    values = {"source": "manual", "owner": _default_owner()}
    return render_template("leads/new.html", **_form_context(values, created=created, duplicates=duplicates))


@bp.post("/leads/new")
@login_required
def lead_create():
    """:raise 422: invalid fields, shown next to them; nothing stored"""
    access.check(access.may_create_leads(current_user))
    form = request.form
    values = {name: (form.get(name) or "").strip() for name in
              ("name", "phone", "email", "source", "classification", "owner")}
    data = {name: values[name] or None for name in ("name", "phone", "email", "classification")}
    assign = None
    if values["owner"] == ROUND_ROBIN:
        assign = ROUND_ROBIN
    else:
        data["owner"] = values["owner"] or None
    source = values["source"] or "manual"
    try:
        if source not in MANUAL_SOURCES:
            message = _("Choose one of the listed sources.")
            raise ValidationError(message, fields={"source": message})
        result = leads.create_lead(data, actor=current_user.username, source=source, assign=assign)
    except ValidationError as error:
        context = _form_context(values, errors=error.fields or {}, error=error.message)
        return render_template("leads/new.html", **context), 422
    flash(_("Lead %(name)s saved; its case has started.", name=result.customer.name), "success")
    if result.duplicates:
        return redirect(url_for("leads.lead_new", created=result.customer.id))
    return redirect(url_for("cases.case_show", instance_id=result.instance.id))


@bp.get("/leads/import")
@login_required
def lead_import_new():
    access.check(access.may_create_leads(current_user))
    return render_template("leads/import.html", report=None, error=None, labels=labels())


@bp.post("/leads/import")
@login_required
def lead_import_create():
    """Each valid row becomes a lead (round robin without an owner); the report is shown.

    :raise 422: no file, or a file refused as a whole; nothing imported
    """
    access.check(access.may_create_leads(current_user))
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationError(_("Choose a file first."))
        report = imports.import_leads(upload.read(), upload.filename, actor=current_user.username)
    except ValidationError as error:
        message = (error.fields or {}).get("file") or error.message
        return render_template("leads/import.html", report=None, error=message, labels=labels()), 422
    imported = db.session.scalars(select(Customer).where(Customer.id.in_(report["imported"]))
                                  .order_by(Customer.id)).all() if report["imported"] else []
    return render_template("leads/import.html", report=report, imported=imported, error=None,
                           filename=upload.filename, labels=labels())
