"""ЭДО for the broker's contract (issue 15, step 9): send a document for the client's
signature through an electronic document exchange operator, follow it, and report the
outcome to the waiting case; or e-mail it to a client without ЭДО.

- :mod:`.adapter`: the adapter interface (send, status, signed document), its errors, and
  ``TASKLANE_EDO_ADAPTER``; :mod:`.development`: the adapter that records what would be
  sent and plays the counterparty (nothing leaves the machine).
- :mod:`.sending`: :func:`~.sending.send` (plain values) and the service task operator
  ``edo/Send``; :mod:`.mail`: ``email/SendDocument`` through the outbox.
- :mod:`.sync` (:data:`PERIODIC`) and :mod:`.report`: the status sync, and the messages
  ``edo_signed`` / ``edo_rejected`` / ``edo_failed`` delivered once to the case.
- :mod:`.models`: the tables.

docs/broker-edo.md: how a diagram uses it, and what a production Diadoc adapter needs.
"""
from . import mail, models, sending, sync
from .report import FAILED_MESSAGE, REJECTED_MESSAGE, SIGNED_MESSAGE  # noqa: F401 - for diagrams' tests

MODELS = (models,)
OPERATORS = {"edo/Send": sending.operator, "email/SendDocument": mail.operator}
PERIODIC = sync.PERIODIC
