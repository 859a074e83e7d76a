"""The lanes the modeler's deploy dialog offers a role for (issue 14, "Lanes"; docs/modeler.md).

A lane named after no role (a diagram from elsewhere: "Finance Team", "Tester") is mapped to
one in the dialog, and so is shown any lane the mapping already names; the process owner
chooses among every role, and an admin gets a link to add one. The mapping travels with
validate, preview and deploy as the query parameter ``lane_roles`` (web/lane_roles.py).
"""
from flask import url_for
from flask_login import current_user

from accounts import roles
from engine.task_meta import lane_role

from . import access
from .formatting import role_title


def choices(previews, problems):
    """What the dialog needs: ``{"lanes": [{"name", "role", "missing"}], "roles": [{"name",
    "title"}], "roles_url", "lanes_only"}``.

    ``role`` is the lane's mapped role (``None``: none chosen), ``missing`` says that role does
    not exist; ``roles_url`` is the roles page for an admin, else ``None``; ``lanes_only``
    says every error of ``problems`` is a lane still waiting for a role, so the dialog
    opens to choose them.
    """
    every = [{"name": role.name, "title": role_title(role)} for role in roles.listing()]
    keys = {role["name"] for role in every}
    lanes = {}
    for preview in previews:
        for lane in preview.lanes:
            mapped = preview.lane_roles.get(lane)
            if mapped or lane_role(lane) not in keys:
                lanes[lane] = mapped
    errors = [p for p in problems if p.get("severity", "error") == "error"]
    admin = "admin" in access.roles(current_user)
    return {
        "lanes": [{"name": lane, "role": role, "missing": role is not None and role not in keys}
                  for lane, role in sorted(lanes.items())],
        "roles": every,
        "roles_url": url_for("roles_admin.role_index") if admin else None,
        "lanes_only": bool(errors) and all(p.get("element") in lanes for p in errors),
    }
