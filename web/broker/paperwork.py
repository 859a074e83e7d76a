"""The broker team's document templates (issue 15, steps 9 and 11): the contract, the act
and the invoice, each a DOCX (docxtpl) and an HTML page (the PDF), in versions; a sample of
any version in both forms; our company's requisites the documents show.

Who may do what is the routes' rule (web/access/routes.py): the team reads and previews,
the team lead and admins change templates and requisites. processes/broker/paperwork/ is
the logic; docs/broker.md "Documents".

:raise 403: a user outside the route's roles
:raise 404: no such kind or version
:raise 422: a template that cannot be filled in, or requisites that are not valid (the page
    again with what is wrong; nothing stored)
"""
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from engine.errors import ValidationError
from processes.broker import paperwork
from processes.broker.paperwork import requisites, templates
from processes.broker.paperwork.context import TITLES
from processes.broker.paperwork.rendering import DOCX_TYPE

from .. import access
from ..access.routes import ROUTES, allowed
from . import paperwork_texts as texts

bp = Blueprint("broker_paperwork", __name__, url_prefix="/broker/paperwork", template_folder="templates")
BLUEPRINTS = (bp,)
KIND = "<any(contract, act, invoice):kind>"
KIND_NAMES = {"contract": _l("Contract"), "act": _l("Act of completed work"), "invoice": _l("Invoice")}


@bp.before_request
@login_required
def _team_only():
    # The route's own rule, so that the page and the header's links agree with web/access/routes.py.
    rule = ROUTES.get(request.endpoint)
    access.check(rule is not None and allowed(rule, access.roles(current_user), True),
                 _("Only the broker team may open document templates; only its lead may change them."))


def _may_change():
    return allowed(ROUTES["broker_paperwork.template_html_update"], access.roles(current_user), True)


def _file(data, name, mimetype):
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("")
def template_index():
    current = {kind: templates.current(kind) for kind in paperwork.KINDS}
    return render_template("paperwork/index.html", current=current, kinds=KIND_NAMES,
                           missing=requisites.missing(), may_change=_may_change())


def _show(kind, *, status=200, errors=None, html=None, note=None):
    history = templates.versions(kind)
    return render_template("paperwork/show.html", kind=kind, kinds=KIND_NAMES, current=history[0],
                           history=history, html=history[0].html if html is None else html, note=note or "",
                           errors=errors or {}, fields=texts.fields(), missing=requisites.missing(),
                           may_change=_may_change()), status


@bp.get(f"/{KIND}")
def template_show(kind):
    return _show(kind)


def _refused(kind, error, **kept):
    flash(error.message, "error")
    return _show(kind, status=422, errors=error.fields, **kept)


@bp.post(f"/{KIND}/docx")
def template_docx_update(kind):
    """Check an uploaded DOCX: ``action=preview`` answers the sample filled in, ``save``
    stores it as the next version."""
    upload = request.files.get("docx")
    data, name = (upload.read(), upload.filename) if upload else (b"", "")
    note = request.form.get("note", "")
    today = paperwork.business_today()
    try:
        if request.form.get("action") == "preview":
            filled = templates.check(kind, docx=data, html=templates.current(kind).html, today=today)[0]
            return _file(filled, f"{TITLES[kind]} — {_('sample')}.docx", DOCX_TYPE)
        saved = templates.save(kind, actor=current_user.username, today=today, docx=data,
                               docx_name=name or None, note=note)
    except ValidationError as error:
        return _refused(kind, error, note=note)
    flash(_("Version %(version)d of the template is in force.", version=saved.version), "success")
    return redirect(url_for(".template_show", kind=kind))


@bp.post(f"/{KIND}/html")
def template_html_update(kind):
    """The edited HTML: ``action=preview`` answers the sample PDF, ``save`` stores the next version."""
    html, note = request.form.get("html", ""), request.form.get("note", "")
    today = paperwork.business_today()
    try:
        if request.form.get("action") == "preview":
            pdf = templates.check(kind, docx=templates.current(kind).docx, html=html, today=today)[1]
            return _file(pdf, f"{TITLES[kind]} — {_('sample')}.pdf", "application/pdf")
        saved = templates.save(kind, actor=current_user.username, today=today, html=html, note=note)
    except ValidationError as error:
        return _refused(kind, error, html=html, note=note)
    flash(_("Version %(version)d of the template is in force.", version=saved.version), "success")
    return redirect(url_for(".template_show", kind=kind))


def _sample(kind, version):
    row = templates.version(kind, version)
    try:
        return row, paperwork.preview(kind, template=row)
    except ValidationError as error:   # an old version naming a field that no longer exists
        flash(error.message, "error")
        return row, None


@bp.get(f"/{KIND}/versions/<int:version>/sample.pdf")
def template_sample_pdf(kind, version):
    row, filled = _sample(kind, version)
    if filled is None:
        return _show(kind, status=422)
    return _file(filled[1], f"{TITLES[kind]} {filled[2]} — v{row.version}.pdf", "application/pdf")


@bp.get(f"/{KIND}/versions/<int:version>/sample.docx")
def template_sample_docx(kind, version):
    row, filled = _sample(kind, version)
    if filled is None:
        return _show(kind, status=422)
    return _file(filled[0], f"{TITLES[kind]} {filled[2]} — v{row.version}.docx", DOCX_TYPE)


@bp.get(f"/{KIND}/versions/<int:version>/template.docx")
def template_docx_file(kind, version):
    row = templates.version(kind, version)
    return _file(row.docx, row.docx_name, DOCX_TYPE)


@bp.get(f"/{KIND}/versions/<int:version>/template.html")
def template_html_file(kind, version):
    row = templates.version(kind, version)
    return _file(row.html.encode("utf-8"), f"{TITLES[kind]} v{row.version}.html", "text/plain")


@bp.post(f"/{KIND}/versions/<int:version>/restore")
def template_restore(kind, version):
    try:
        saved = templates.restore(kind, version, actor=current_user.username,
                                  today=paperwork.business_today())
    except ValidationError as error:
        return _refused(kind, error)
    flash(_("Version %(old)d is in force again as version %(version)d.", old=version, version=saved.version),
          "success")
    return redirect(url_for(".template_show", kind=kind))


def _requisites_page(*, status=200, errors=None, values=None):
    return render_template("paperwork/requisites.html", kinds=KIND_NAMES, fields=requisites.FIELDS,
                           values={**requisites.current(), **(values or {})}, errors=errors or {},
                           vat_rates=requisites.VAT_RATES, missing=requisites.missing(),
                           may_change=_may_change()), status


@bp.get("/requisites")
def requisites_show():
    return _requisites_page()


@bp.post("/requisites")
def requisites_update():
    values = {key: request.form[key] for key in requisites.FIELDS if key in request.form}
    try:
        requisites.save(values, actor=current_user.username)
    except ValidationError as error:
        flash(_("Please correct the marked fields."), "error")
        return _requisites_page(status=422, errors=error.fields, values=values)
    flash(_("Requisites saved."), "success")
    return redirect(url_for(".requisites_show"))
