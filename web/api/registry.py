"""The API blueprint and the table of its operations.

Each route is declared once, with :func:`operation`, which adds the URL rule to
the blueprint and records what the OpenAPI document says about it (summary,
query and body schemas, responses). The document is built from this table
(:mod:`web.api.openapi`), so it cannot drift from the routes.
"""
import inspect
import re
from dataclasses import dataclass, field

from flask import Blueprint

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
OPERATIONS = []

RAISES = re.compile(r"\s*:raise (\d{3}):")  # docstring ":raise 404: ..." -> Markdown
# Statuses every operation may answer, besides the ones it lists.
AUTH_ERRORS = (401,)
BODY_ERRORS = (422,)


@dataclass(frozen=True)
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    description: str
    tag: str
    status: int = 200
    response: object = None
    query: object = None
    body: object = None
    content: dict = None
    errors: tuple = ()
    public: bool = False
    headers: dict = field(default_factory=dict)
    produces: dict = None

    @property
    def path(self):
        return PREFIX + self.rule

    def statuses(self):
        """Every error status of this operation, in order."""
        extra = () if self.public else AUTH_ERRORS
        extra += BODY_ERRORS if self.body is not None or self.query is not None or self.content else ()
        return tuple(sorted(set(self.errors) | set(extra)))


def operation(rule, method, *, summary, tag, status=200, response=None, query=None, body=None,
              content=None, errors=(), public=False, headers=None, produces=None):
    """Route ``rule`` (relative to ``/api/v1``) to the decorated function and record it.

    :param response: the schema class of the success body (``None``: no body)
    :param query: the schema class of the query string
    :param body: the schema class of the JSON body
    :param content: OpenAPI media types of a body that is not JSON (uploads)
    :param errors: error statuses besides 401 (unless ``public``) and 422 (with a body or query)
    :param public: no bearer token needed
    :param headers: response headers of the success status, by name, with a description
    :param produces: OpenAPI media types of a success body that is not JSON (downloads)
    """
    def register(view):
        description = RAISES.sub(r"\n\n**\1**:", inspect.cleandoc(view.__doc__ or "")).strip()
        OPERATIONS.append(Operation(
            rule=rule, method=method.upper(), endpoint=f"{bp.name}.{view.__name__}", summary=summary,
            description=description, tag=tag, status=status, response=response, query=query, body=body,
            content=content, errors=tuple(errors), public=public, headers=headers or {}, produces=produces))
        bp.add_url_rule(rule, view_func=view, methods=[method.upper()])
        return view

    return register


def is_public(endpoint):
    """Whether the route named ``endpoint`` takes requests without a token."""
    return any(op.endpoint == endpoint and op.public for op in OPERATIONS)
