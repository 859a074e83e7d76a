"""Which role works a lane's tasks, and what a deploy's lane mapping may say.

A lane's tasks queue for the people of one role: the role the deploy mapped the lane to
(``lane_roles``, ``{lane name: role key}``, kept with the version), else the role the
lane's own name stands for (:func:`engine.task_meta.lane_role`: "Finance Team" is
``finance_team``). So a diagram from elsewhere, with lanes "Finance Team" or "Tester",
deploys without renaming them. docs/runtime.md "Lanes and roles".
"""
from .checks import MAX_KEY, MAX_ROLE, problem, too_long
from .errors import DeployError
from .task_meta import candidate_role, is_role_key, lane_role


def normalized(lane_roles):
    """``lane_roles`` as a plain dict; an entry whose role is ``None`` or ``""`` is no mapping.

    :param lane_roles: ``{lane name: role key}``, or ``None``
    :raises DeployError: not an object of lane names (at most 255 characters) to strings
    """
    if lane_roles is None:
        return {}
    if not isinstance(lane_roles, dict):
        raise DeployError("lane_roles must map lane names to role keys",
                          [problem("lane_roles", "lane_roles must be an object: {lane name: role key}")])
    found, wrong = {}, []
    for lane, role in lane_roles.items():
        if not isinstance(lane, str) or not lane.strip() or len(lane) > MAX_KEY:
            wrong.append(problem("lane_roles", f"'{str(lane)[:MAX_KEY]}' cannot be a lane's name (1 to "
                                               f"{MAX_KEY} characters)"))
        elif role is not None and not isinstance(role, str):
            wrong.append(problem(lane, f"lane '{lane}' must be mapped to a role key (a string)"))
        elif role:
            found[lane] = role
    if wrong:
        raise DeployError("lane_roles must map lane names to role keys", wrong)
    return found


def kept(lanes, lane_roles):
    """The entries of ``lane_roles`` for ``lanes`` (a process's): what its version keeps."""
    return {lane: lane_roles[lane] for lane in sorted(lanes) if lane in lane_roles}


def problems(lanes, lane_roles, roles):
    """Errors of ``lanes`` (a process's) under the mapping ``lane_roles``.

    A mapped lane's role must exist (be one of ``roles``) and in any case have a role key's
    shape; an unmapped lane's name must stand for one of ``roles``. ``roles`` ``None``
    skips the existence checks (what is stored must still fit its column).
    """
    found = []
    for lane in sorted(lanes):
        mapped = lane_roles.get(lane)
        if mapped is not None:
            if not is_role_key(mapped) or (roles is not None and mapped not in roles):
                found.append(problem(lane, _no_mapped_role(lane, mapped)))
        elif roles is not None and lane_role(lane) not in roles:
            found.append(problem(lane, _no_role(lane)))
        elif len(lane_role(lane) or "") > MAX_ROLE:
            message = too_long("lane", lane, MAX_ROLE) + "; map it to a role at deploy (lane_roles)"
            found.append(problem(lane, message))
    return found


def unknown(lanes, lane_roles):
    """Warnings for entries of ``lane_roles`` naming a lane none of ``lanes`` is."""
    return [problem(lane, f"lane_roles maps the lane '{lane}' to '{role}', but the diagram has no lane of "
                          "that name; the entry is not kept", "warning")
            for lane, role in sorted(lane_roles.items()) if lane not in lanes]


def roles_of(lanes, lane_roles):
    """``{lane: role}`` for each of ``lanes``: the role whose people take its tasks."""
    return {lane: candidate_role(lane, lane_roles) for lane in sorted(lanes)}


def _no_mapped_role(lane, role):
    if not is_role_key(role):
        return (f"lane '{lane}' is mapped to '{role}', which cannot be a role (a role's key is lower-case "
                "Latin letters, digits and underscores); map it to an existing role")
    return (f"lane '{lane}' is mapped to the role '{role}', which does not exist; an admin creates it on "
            "/admin/roles (or POST /api/v1/roles), or map the lane to another role")


def _no_role(lane):
    """The refusal of an unmapped lane that names no role, saying how to fix it in the product."""
    key = lane_role(lane)
    if is_role_key(key):
        return (f"lane '{lane}' matches no role; map it to a role at deploy (lane_roles), an admin creates "
                f"the role '{key}' on /admin/roles (or POST /api/v1/roles), or rename the lane")
    return (f"lane '{lane}' matches no role, and '{key}' cannot be one (a role's key is lower-case Latin "
            "letters, digits and underscores); map it to a role at deploy (lane_roles), or rename the lane "
            "after a role, e.g. 'Finance Team' for the role finance_team")
