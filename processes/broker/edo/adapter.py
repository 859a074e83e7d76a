"""The ЭДО adapter interface: what the platform asks of an electronic document exchange
operator (Kontur.Diadoc, or the development adapter), in plain values.

An adapter sends a document to a counterparty for signature, answers where it stands,
and hands back the signed copy. It knows nothing of cases or deals: :mod:`.sending` and
:mod:`.sync` keep the records and report to the case. What a production Diadoc adapter
needs is in docs/broker-edo.md.

``TASKLANE_EDO_ADAPTER`` chooses the adapter: ``development`` (:mod:`.development`,
nothing leaves the machine) or ``package.module:factory`` of an installed production
adapter, called with the app's config.
"""
import hashlib
import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from flask import current_app

from engine.errors import ConfigError, TasklaneError

SENT, DELIVERED, SIGNED, REJECTED = "sent", "delivered", "signed", "rejected"
STATES = (SENT, DELIVERED, SIGNED, REJECTED)
FINAL = (SIGNED, REJECTED)


@dataclass(frozen=True)
class File:
    """A file's bytes with its name and type (the shape engine.attachments stores)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def sha256(self):
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Counterparty:
    """Whom a document goes to: a Russian organisation by its ИНН (10 digits; 12 for an
    individual entrepreneur) and КПП (9 characters, organisations only)."""

    inn: str
    kpp: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Status:
    """Where a sent document stands: ``state`` one of :data:`STATES`, since ``at`` (UTC);
    ``reason`` is the counterparty's words when they rejected it."""

    state: str
    at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Signed:
    """A signed document: its content as the counterparty signed it, and their signature
    (a detached CMS signature in production)."""

    document: File
    signature: File


class EdoError(TasklaneError):
    """The operator refused or failed. ``retryable``: the same call may succeed later (a
    timeout, 429, 5xx); otherwise it will not (no box for the ИНН/КПП, a refused file)."""

    status = 502
    code = "edo_error"
    retryable = False


class EdoUnavailableError(EdoError):
    """The operator could not be reached or asked to come back later: try again."""

    code = "edo_unavailable"
    retryable = True


class EdoRefusedError(EdoError):
    """The operator refused the request; sending it again changes nothing."""

    code = "edo_refused"


@runtime_checkable
class Adapter(Protocol):
    """What an ЭДО operator does for the platform. Every method raises :class:`EdoError`."""

    name: str

    def send(self, document: File, counterparty: Counterparty, *, key: str, sender: str) -> str:
        """Send ``document`` to ``counterparty`` for signature; return the operator's id of it.

        :param key: the sender's idempotency key: a second call with the same key sends
            nothing new and returns the first call's id
        :param sender: who asked (a username), for the operator's record
        """

    def status(self, sent_id: str) -> Status:
        """Where the document ``sent_id`` stands now."""

    def signed_document(self, sent_id: str) -> Signed:
        """The signed document and the counterparty's signature (state ``signed`` only)."""


def configured(config):
    """The adapter ``TASKLANE_EDO_ADAPTER`` names, built for ``config``.

    :raises ConfigError: an unknown name, or a factory that cannot be imported or does not
        give an :class:`Adapter`
    """
    name = (config.get("TASKLANE_EDO_ADAPTER") or "development").strip()
    if name == "development":
        from .development import DevelopmentAdapter

        return DevelopmentAdapter(config)
    module_name, colon, attribute = name.partition(":")
    if not colon or not module_name or not attribute:
        raise ConfigError(f"TASKLANE_EDO_ADAPTER={name!r}: use 'development' or 'package.module:factory' "
                          "of an installed production adapter (docs/broker-edo.md says what a Diadoc "
                          "adapter needs)")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"TASKLANE_EDO_ADAPTER={name!r} cannot be loaded: {error}") from None
    adapter = factory(config)
    if not isinstance(adapter, Adapter):
        raise ConfigError(f"TASKLANE_EDO_ADAPTER={name!r} does not give an ЭДО adapter "
                          "(name, send, status, signed_document)")
    return adapter


def current():
    """The app's adapter, built once per app."""
    adapter = current_app.extensions.get("tasklane_edo_adapter")
    if adapter is None:
        adapter = current_app.extensions["tasklane_edo_adapter"] = configured(current_app.config)
    return adapter
