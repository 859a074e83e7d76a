"""Leads: create one (website intake, telephony, scripts), import a spreadsheet of them."""
from flask import request, url_for
from flask_babel import gettext as _

from engine.errors import ValidationError
from processes.leads import entry as leads
from processes.leads import imports
from web import access
from web.api.common import caller, load_body, respond
from web.api.instances import instance_view
from web.api.registry import operation
from web.api.schemas import ImportReportSchema, LeadRequestSchema, LeadSchema

UPLOAD = {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary",
             "description": "a .csv (UTF-8, comma or semicolon) or .xlsx"}}}}}


@operation("/leads", "POST", summary="Create a lead and start its lead handling", tag="leads", status=201,
           body=LeadRequestSchema, response=LeadSchema, errors=(403, 404),
           headers={"Location": "the lead's case (its lead-handling instance)"})
def leads_create():
    """Stores the customer (kind ``lead``, status ``new``) and starts ``lead_handling``. A phone that
    is already known is stored again and listed in ``duplicates``. Sales, managers, admins.
    Without an ``owner`` a lead a sales rep posts is theirs; anyone else's goes to a sales
    rep by round robin (never a manager, admin, process owner or auditor; none active: 422).

    :raise 403: any other role
    :raise 404: lead_handling is not deployed
    :raise 422: invalid fields (the phone, an owner who is not an active sales user), nothing stored
    """
    user = caller()
    access.check(access.may_create_leads(user))
    body = load_body(LeadRequestSchema)
    source = body.pop("source")
    if not body.get("owner"):
        body["owner"] = leads.entrant_owner(user.username)
    result = leads.create_lead(body, actor=user.username, source=source, assign="round_robin")
    view = {"customer": result.customer, "instance": instance_view(result.instance),
            "duplicates": result.duplicates}
    return respond(LeadSchema, view, 201, {"Location": url_for("api.instances_get",
                                                               instance_id=result.instance.id)})


@operation("/leads/import", "POST", summary="Import leads from a CSV or XLSX file", tag="leads",
           content=UPLOAD, response=ImportReportSchema, errors=(403, 404))
def leads_import():
    """Each row is imported on its own: valid rows become leads (round robin when
    the row names no owner), invalid rows are listed in ``rejected`` with their row
    number and a message per column. Sales, managers, admins.

    :raise 403: any other role
    :raise 404: lead_handling is not deployed
    :raise 422: not a CSV or XLSX file, or no name and phone columns; nothing imported
    """
    user = caller()
    access.check(access.may_create_leads(user))
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    if upload is None or not upload.filename:
        message = _("This field is required.")
        raise ValidationError(_("Attach the file as the field 'file'."), fields={"file": message})
    report = imports.import_leads(upload.read(), upload.filename, actor=user.username)
    return respond(ImportReportSchema, report)
