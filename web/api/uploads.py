"""What a deploy or validate request sends: one BPMN document, or a bundle of files (engine/bundles.py)."""
from flask import request
from flask_babel import gettext as _
from flask_babel import ngettext

from engine import bundles
from engine.attachments import shorten_filename
from engine.errors import DeployError, ValidationError

from .common import load_query
from .schemas import DeployQuerySchema

XML_TYPES = ("application/xml", "text/xml", "application/bpmn+xml")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")
UPLOAD = {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "array", "items": {"type": "string", "format": "binary"},
                 "description": "one or more files: .bpmn, .dmn, .json and .zip (opened), in any mix"},
        "lane_roles": {"type": "string", "description": "lanes mapped to roles, a JSON object {lane name: "
                                                        "role key}"}}}},
    **{kind: {"schema": {"type": "string", "description": "a zip of .bpmn, .dmn and .json files"}}
       for kind in ZIP_TYPES},
    **{kind: {"schema": {"type": "string", "description": "the BPMN XML"}} for kind in XML_TYPES},
}


def read_bundle():
    """The files sent, as a :class:`engine.bundles.Bundle`.

    - ``multipart/form-data``: one or more ``file`` fields; a zip among them is opened. A
      lone file that is neither .bpmn, .dmn, .json nor .zip is read as a BPMN document.
    - ``application/zip``: the body is a zip.
    - XML: the body is one BPMN document, named by ``?name=``.

    :raise 422: nothing was sent; the files cannot be a bundle (two of one name, no .bpmn
        or .dmn file, not a zip, too many or too large), with ``problems`` naming the file
    """
    try:
        return _read()
    except DeployError as error:
        message = ngettext("The upload was refused: %(num)d problem.",
                           "The upload was refused: %(num)d problems.", len(error.problems))
        raise DeployError(message, error.problems) from error


def _read():
    if request.mimetype == "multipart/form-data":
        uploads = [u for u in request.files.getlist("file") if u.filename]
        if not uploads:
            raise ValidationError(_("Attach the files as the field 'file' (one or more)."),
                                  fields={"file": _("This field is required.")})
        pairs = [(shorten_filename(bundles.base_name(u.filename)) or "diagram.bpmn", u.read())
                 for u in uploads]
        name, data = pairs[0]
        if len(pairs) == 1 and bundles.kind_of(name) is None and not name.lower().endswith(".zip"):
            return bundles.single(data, name)
        return bundles.from_files(pairs)
    if request.mimetype in ZIP_TYPES:
        return bundles.from_zip(request.get_data())
    if request.mimetype in XML_TYPES:
        return bundles.single(request.get_data(), load_query(DeployQuerySchema)["name"] or "diagram.bpmn")
    raise ValidationError(
        _("Send the files as multipart/form-data (field 'file'), a zip as application/zip, or one BPMN "
          "document as application/xml."),
        fields={"file": _("This field is required.")})
