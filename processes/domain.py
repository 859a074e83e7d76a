"""What a domain brings to the platform, declared once: :class:`Domain`.

Each domain package (``processes/<name>/``) exports ``DOMAIN``; ``processes.DOMAINS``
lists the installed ones, and everything that used to keep its own list loops over it:
the app factory (tables, script helpers, start/message rules, periodic jobs, blueprints),
the worker (it runs in the app the factory built), the bell (notification texts) and the
demo loader. The platform's own share (helpers every diagram may call, the task
notifications) is declared the same way (``processes.PLATFORM``).

Names must be unique across every declaration: a script helper or a notification kind
declared twice stops the start (:func:`merge`) instead of letting the last one win.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType

from sqlalchemy import select

from engine.db import db
from engine.errors import ConfigError
from engine.models import ProcessDefinition
from engine.periodic import PeriodicJob

from .rules import ProcessRules


@dataclass(frozen=True)
class Domain:
    """One domain's declaration.

    :param name: the package name under ``processes/`` (and ``web/``)
    :param models: modules whose import registers the domain's tables with the metadata
    :param helpers: script helpers by the name diagrams call them
    :param rules: who may start the domain's processes and send them messages
    :param notifications: kind -> ``render(note)`` giving ``(title, body)`` in the reader's
        language (the bell and the API's notification list)
    :param periodic: the domain's periodic jobs
    :param demo: ``load(seed)`` entering the domain's demo data (development); returns a count
    :param pages: dotted name of the domain's web package: it exports ``BLUEPRINTS`` and
        registers its API operations when imported (a string, so processes never imports web)
    :param case_parts: process key -> ``part(username, roles, fallback, customers)``, a
        condition on ``ProcessInstance``: the cases of that process a user has a part in
        (``fallback``: the platform's rule, for a case the domain has no record of;
        ``customers``: a condition on the customers the user may read, from the
        permissions table). A process without one follows the platform's rule.
    :param operators: service task operators by the name ``spiffworkflow:serviceTaskOperator``
        gives, each ``operator(params, data) -> result`` (engine.register_operator)
    :param data_labels: process key -> ``{data key: forms.reading.Label}``: the titles and
        formats of the case data its forms do not name (a key neither declares is the
        process's bookkeeping, kept off the staff pages: docs/web.md "A case's data")
    """

    name: str
    models: tuple[ModuleType, ...] = ()
    helpers: Mapping[str, Callable] = field(default_factory=dict)
    rules: tuple[ProcessRules, ...] = ()
    notifications: Mapping[str, Callable] = field(default_factory=dict)
    periodic: tuple[PeriodicJob, ...] = ()
    demo: Callable | None = None
    pages: str | None = None
    case_parts: Mapping[str, Callable] = field(default_factory=dict)
    operators: Mapping[str, Callable] = field(default_factory=dict)
    data_labels: Mapping[str, Mapping] = field(default_factory=dict)


def merge(what, tables):
    """One table from several declarations' ``(owner, table)`` pairs; a name two of them
    declare stops the start (a dict merge would let the last one win without a word).

    :param what: what the names are, for the message ("script helper", "notification kind")
    :raises ConfigError: a name declared twice
    """
    merged, owners = {}, {}
    for owner, table in tables:
        for name, value in table.items():
            if name in merged and merged[name] is not value:
                raise ConfigError(f"{what} {name!r} is declared twice ({owners[name]} and {owner})")
            merged[name], owners[name] = value, owner
    return merged


def deployed(key):
    """Whether a version of process ``key`` is deployed (a demo loader's precondition)."""
    return db.session.scalar(select(ProcessDefinition.id).filter_by(key=key).limit(1)) is not None
