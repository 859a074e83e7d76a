"""The broker's paperwork (issue 15, steps 9 and 11): the contract, the act of completed
work (акт выполненных работ) and the invoice (счёт), generated from templates the team
edits in the app, as DOCX (docxtpl) and PDF (WeasyPrint), numbered in sequence per year,
with the amount in words.

- :func:`issue` (:mod:`.issuing`): a numbered document for a case, stored as its attachments
- :func:`render` / :func:`preview`: filled in without storing (a number taken / a sample one)
- :mod:`.templates`: the template versions; :mod:`.requisites`: our company's requisites
- :mod:`.numbering`, :mod:`.words`, :mod:`.formats`: numbers, amounts in words, money and dates
- :mod:`.models`: the tables

Pages: ``web/broker/paperwork.py``. docs/broker.md "Documents".
"""
from .issuing import business_today, documents, issue, preview, record, render  # noqa: F401
from .models import KINDS  # noqa: F401
from .words import amount_in_words  # noqa: F401
