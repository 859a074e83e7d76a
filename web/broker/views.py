"""What the broker's pages show of a deal, in the reader's language: the state's and the
step's names, the open task and who it waits on, the documents against the checklist and
the history as sentences (no raw keys: an event of a kind not named here is left out).

Shared by the partner's portal (:mod:`.portal`) and the team's pages (:mod:`.staff`); it
reads records only, never the workflow.
"""
from dataclasses import dataclass

from flask_babel import format_date, format_number, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from engine import texts
from engine.db import db
from engine.errors import ValidationError
from engine.models import Attachment, AuditEvent, HumanTask
from forms import uploads
from processes.broker import documents as deal_documents
from processes.broker import paperwork
from processes.broker import steps as deal_steps
from processes.broker.helpers import PARTNER_LANE

STATE_NAMES = {"open": _l("In progress"), "refused": _l("Refused at the pre-check"),
               "closed": _l("Closed"), "completed": _l("Completed")}
# The history's sentences by audit kind; a kind not here is not shown (scripts, gateways).
FACTS = {
    "business_age_months": _l("Age of the business, months"),
    "arrears_days": _l("Longest overdue debt, days"),
    "court_cases": _l("Court cases as defendant, last 12 months"),
    "tax_debt": _l("Tax debt"),
    "turnover_change_percent": _l("Turnover change over 12 months, %"),
    "bankruptcy": _l("Bankruptcy or liquidation"),
}
EVENTS = {
    "deal_registered": _l("Deal registered"),
    "task_completed": _l("Done: %(task)s"),
    "attachment_added": _l("Document uploaded: %(item)s (%(file)s)"),
    "timer_fired": _l("Reminder: %(task)s"),
    "comment_added": _l("Comment added"),
    "instance_completed": _l("The deal's procedure ended"),
    "instance_cancelled": _l("The deal's procedure was cancelled"),
}


def language():
    return str(get_locale() or "ru")[:2]


def state_name(state):
    text = STATE_NAMES.get(state)
    return str(text) if text is not None else state


def product_name(product):
    return getattr(product, f"name_{language()}", None) or product.name_ru


def question_text(question):
    return getattr(question, f"text_{language()}", None) or question.text_ru


def open_tasks(deal):
    """The deal's open tasks, oldest first."""
    if deal.instance_id is None:
        return []
    return db.session.scalars(select(HumanTask).filter_by(instance_id=deal.instance_id, state="open")
                              .order_by(HumanTask.created_at)).all()


def is_partners(task):
    return task.lane == PARTNER_LANE


def task_title(task):
    return texts.localized(task.titles, language(), task.title)


@dataclass
class Asked:
    """What a deal waits for: the task, its title, and whether the partner is the one asked."""

    task: object
    title: str
    partner: bool


def asked(deal):
    """The deal's open tasks as :class:`Asked`, the partner's first."""
    found = [Asked(t, task_title(t), is_partners(t)) for t in open_tasks(deal)]
    return sorted(found, key=lambda a: not a.partner)


def partner_task(deal):
    """The partner's open task of the deal, or ``None``."""
    return next((a for a in asked(deal) if a.partner), None)


def reasons(deal):
    """The last pre-check's reasons as sentences in the reader's language."""
    return [deal_steps.reason(code) for code in (deal.precheck or {}).get("reasons", [])]


@dataclass
class Line:
    """A checklist item with the files uploaded against it."""

    item: object
    title: str
    files: list


def checklist(deal):
    """Every active checklist item with its files, then files of items since deactivated."""
    lang = language()
    rows = deal_documents.documents(deal)
    lines = [Line(item, deal_documents.title(item, lang), [d for d in rows if d.item_id == item.id])
             for item in deal_documents.items(deal)]
    shown = {line.item.id for line in lines}
    for document in rows:
        if document.item_id not in shown:
            shown.add(document.item_id)
            lines.append(Line(document.item, deal_documents.title(document.item, lang),
                              [d for d in rows if d.item_id == document.item_id]))
    return lines


def files_of(deal):
    """``{attachment_id: Attachment}`` of the deal's documents (names, sizes)."""
    ids = [d.attachment_id for d in deal_documents.documents(deal)]
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(Attachment).where(Attachment.id.in_(ids)))}


# The documents the case issues from the team's templates (steps 9 and 11).
ISSUED_KINDS = {"contract": _l("Contract"), "act": _l("Act of completed work"), "invoice": _l("Invoice")}


@dataclass
class Issued:
    kind: str
    number: str
    date: str
    amount: object
    pdf_id: int
    docx_id: int


def issued(deal):
    """The documents issued for the deal's case, oldest first: kind (in the reader's
    language), number, date (in the reader's words), amount and the two files (PDF and DOCX)."""
    if deal.instance_id is None:
        return []
    return [Issued(str(ISSUED_KINDS.get(row.kind, row.kind)), row.number,
                   format_date(row.document_date, "medium"), row.amount,
                   row.pdf_attachment_id, row.docx_attachment_id)
            for row in paperwork.documents(deal.instance_id)]


@dataclass
class Event:
    at: object
    actor: str
    text: str
    note: str = None


def history(deal):
    """The deal's history, newest first, as sentences (:data:`EVENTS`)."""
    streams = [AuditEvent.stream == f"deal:{deal.id}"]
    if deal.instance_id is not None:
        streams.append(AuditEvent.instance_id == deal.instance_id)
    events = db.session.scalars(select(AuditEvent).where(or_(*streams))
                                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())).all()
    lang = language()
    titles = {}
    if deal.instance_id is not None:
        for task in db.session.scalars(select(HumanTask).filter_by(instance_id=deal.instance_id)):
            titles[task.element_id] = texts.localized(task.titles, lang, task.title)
    items = {item.code: deal_documents.title(item, lang) for item in deal.product.checklist}
    return [line for line in (_line(e, titles, items) for e in events) if line is not None]


def _line(event, titles, items):
    text = EVENTS.get(event.kind)
    if text is None:
        return None
    details = event.details or {}
    task = titles.get(event.element_id) or ""
    if event.kind in ("task_completed", "timer_fired") and not task:
        return None   # an element without a title the reader could read
    words = str(text) % {"task": task, "item": items.get(details.get("kind"), _("a document")),
                         "file": details.get("filename") or ""}
    return Event(at=event.at, actor=event.actor, text=words)


def upload(deal, kind, storage, *, actor):
    """Store a browser's or an API caller's file (werkzeug ``FileStorage``) as the deal's
    document of checklist item ``kind``.

    :raises ValidationError: a kind not on the checklist, no file, a refused type or size
    :raises ConflictError: the deal is closed
    """
    deal_documents.item_of(deal, kind or "")
    if storage is None or not storage.filename:
        raise ValidationError(_("Choose a file first."), fields={"file": _("This field is required.")})
    try:
        stored = uploads.from_storage(storage, uploads.allowed_kinds({}), uploads.max_bytes({}), language())
    except uploads.UploadError as error:
        raise ValidationError(error.message, fields={"file": error.message}) from error
    return deal_documents.add(deal, kind, stored, actor=actor)


def context(deal):
    """What a deal's page shows (the partner's and the team's)."""
    found = asked(deal)
    return {"deal": deal, "step_name": deal_steps.name(deal.step), "state_name": state_name(deal.state),
            "product_name": product_name(deal.product), "asked": next((a for a in found if a.partner), None),
            "waiting": [a for a in found if not a.partner], "lines": checklist(deal), "files": files_of(deal),
            "missing": {item.id for item in deal_documents.missing(deal)}, "reasons": reasons(deal),
            "history": history(deal), "issued": issued(deal)}


def facts(deal):
    """``[(label, value)]``: what the client answered for the pre-check, readable."""
    found = deal.facts or {}
    lines = []
    for key, label in FACTS.items():
        if key not in found:
            continue
        value = found[key]
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif isinstance(value, (int, float)):
            shown = format_number(value)
        else:
            shown = str(value)
        lines.append((str(label), shown))
    return lines
