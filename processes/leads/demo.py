"""Demo data for development: about 200 Vietnamese leads at every stage of lead handling.

The leads domain's demo loader (tasklane/demo.py runs it first), only into an installation
that has no crm customer yet. Every lead is entered with :func:`processes.leads.entry.create_lead`
(customer and lead-handling case), and the reps' calls are made by completing the
case's tasks through :mod:`engine` with data their form accepts (:func:`forms.validate`),
so statuses, interactions, orders, timers and bells are the ones the procedure writes.

The leads came in over the last 30 days. After driving a lead, the times its records
carry (intake, calls, first contact, order, tasks) are moved back to when they happened
in the story; call-backs still ahead stay ahead, and audit events keep the moment they
were written. The one wait the demo shortens is a contact's 24 hours: its timer is set
to 24 hours after the backdated call and, when that has passed, fired through
:func:`engine.fire_timer` as the worker would.
"""
from datetime import datetime, time, timedelta, timezone

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

import engine
import forms
from crm.models import Customer, Interaction, Order
from engine import assignment, task_meta, unit
from engine.db import db
from engine.models import HumanTask, Notification, Outbox, ProcessInstance, Timer
from engine.places import place
from engine.types import utcnow
from processes import demo_people as people
from processes.leads.entry import DOMAIN, create_lead
from workers import delivery

CONTACT_WAIT = timedelta(hours=24)  # the diagram's contact_callback_after default
MINUTE = timedelta(minutes=1)


def _local():
    """The zone the demo's leads live in: the leads domain's place (engine/places.py)."""
    return place(DOMAIN).tz


def load(seed=people.SEED):
    """Enter the demo leads and drive them, unless a crm customer exists.

    :returns: how many leads were entered (0 when there were customers already)
    :raises TasklaneError: a lead or a call was refused (the diagram or a form changed)
    """
    if db.session.scalar(select(Customer.id).limit(1)) is not None:
        return 0
    now = utcnow()  # the engine works in real time: the story is told back from this moment
    leads = people.plan(seed, now.astimezone(_local()).date())
    for lead in leads:
        _drive(lead, now)
    return len(leads)


def _office(moment, now):
    """``moment`` moved into a rep's working day (8:00 to 21:00 in Vietnam), and not after
    the last working minute before now."""
    local = moment.astimezone(_local())
    if local.hour < 8:
        local = local.replace(hour=8 + local.hour % 3)
    elif local.hour >= 21:
        local = (local + timedelta(days=1)).replace(hour=8 + local.hour % 3)
    latest = (now - 2 * MINUTE).astimezone(_local())
    if latest.hour < 8:
        latest -= timedelta(days=1)
    if not 8 <= latest.hour < 21:
        latest = latest.replace(hour=20, minute=50 + latest.minute % 10)
    return min(local, latest).astimezone(timezone.utc)


def _callback_time(callback, at, now):
    kind, *value = callback
    if kind == "after":
        return max(at + MINUTE, min(_office(at + value[0], now), now - 5 * MINUTE))
    if kind == "today":
        moment = now + timedelta(minutes=value[0])
        evening = datetime.combine(now.astimezone(_local()).date(), time(20, 45), _local())
        return min(moment, evening) if evening > now + 20 * MINUTE else moment
    days, hours = value
    day = now.astimezone(_local()).date() + timedelta(days=days)
    return datetime.combine(day, time(), _local()) + timedelta(hours=hours)


def _intake(lead, now):
    intake = now - lead.age
    if lead.today:
        midnight = datetime.combine(now.astimezone(_local()).date(), time(), _local())
        intake = max(intake, midnight)
    return intake


def _drive(lead, now):
    """Enter ``lead``, make its calls, then move its records to the story's times."""
    intake = _intake(lead, now)
    caller = lead.data.get("owner", "manager")
    # Marketing's data reaches the team through the manager; reps type in their own contacts.
    entered_by = caller if lead.source in ("manual", "referral", "event") else "manager"
    entered = create_lead(dict(lead.data), actor=entered_by, source=lead.source)
    case_id = entered.instance.id
    moment = opened = intake
    calls = []  # (when its task opened, when the call was made)
    bells = []  # [when the call-back bell rang, when the call it asked for was made]
    for step in lead.steps:
        if step.wait:
            due = moment + CONTACT_WAIT
            _set_timer(case_id, "wait_24h", due)
            if due < now:
                _fire(case_id, "wait_24h")
                moment = opened = due
                bells.append([due, None])
            continue
        at = max(moment + MINUTE, _office(moment + step.gap, now))
        if bells and bells[-1][1] is None:
            bells[-1][1] = at
        form, callback = dict(step.form), None
        if step.callback:
            callback = _callback_time(step.callback, at, now)
            form["callback_at" if "outcome" in form else "next_call_at"] = \
                callback.astimezone(_local()).replace(microsecond=0).isoformat()
        _complete(case_id, caller, form)
        calls.append((opened, at))
        moment = opened = at
        if callback is not None and callback < now:
            # a call-back time already passed fired at once: the bell rang, the task opened again
            moment = opened = callback
            bells.append([callback, None])
    if lead.claimed:
        assignment.claim(_open_task(case_id).id, actor=caller)
    _ring(case_id, bells)
    _backdate(entered.customer.id, case_id, intake, calls, opened, moment)


def _open_task(case_id):
    return db.session.scalars(select(HumanTask).filter_by(instance_id=case_id, state="open")).one()


def _complete(case_id, actor, form):
    """Complete the case's open call task as ``actor`` would through its form."""
    task = _open_task(case_id)
    where = place(DOMAIN)
    data = forms.validate(task.form_key, task.ui_form_key, json=form, locale=where.language,
                          timezone=where.zone, source=forms.of_task(task))
    engine.complete_task(task.id, actor=actor, data=data)


def _set_timer(case_id, element_id, due):
    """Let the case's waiting ``element_id`` timer fall due at ``due``.

    As engine/testclock.py does for tests: the due time SpiffWorkflow keeps for the
    waiting event is rewritten under the instance lock, the timer row follows by the
    projection, and a ``clock_moved`` audit event says who moved it.
    """
    def action(work):
        for task in work.workflow.get_tasks(state=TaskState.WAITING):
            if task.task_spec.bpmn_id == element_id:
                before = task.internal_data["event_value"]
                task.internal_data["event_value"] = due.isoformat()
                work.audit("clock_moved", task_id=str(task.id), element_id=element_id,
                           details={"due_before": before, "due_after": due.isoformat(), "hook": "demo"})

    unit.run(engine.get_runtime(), case_id, "demo", action)


def _fire(case_id, element_id):
    timer = db.session.scalars(select(Timer).filter_by(instance_id=case_id, element_id=element_id,
                                                       state="pending")).one()
    if engine.fire_timer(timer.id) != "fired":
        raise RuntimeError(f"demo: the {element_id} timer of case {case_id} did not fire")


def _backdate(customer_id, case_id, intake, calls, opened, last):
    """Move what the procedure wrote for one lead to the story's times."""
    customer = db.session.get(Customer, customer_id)
    customer.created_at = intake
    if calls:
        customer.first_contact_at = calls[0][1]
    interactions = db.session.scalars(select(Interaction).filter_by(customer_id=customer_id)
                                      .order_by(Interaction.id))
    for interaction, (_, at) in zip(interactions, calls, strict=True):
        interaction.at = at
    for order in db.session.scalars(select(Order).filter_by(customer_id=customer_id)):
        order.created_at = calls[-1][1]
    case = db.session.get(ProcessInstance, case_id)
    case.started_at, case.updated_at = intake, last
    if case.ended_at is not None:
        case.ended_at = last
    for timer in db.session.scalars(select(Timer).filter_by(instance_id=case_id, state="fired")):
        timer.fired_at = timer.due_at  # the reports match it with the task it opened
    tasks = list(db.session.scalars(select(HumanTask).filter_by(instance_id=case_id)
                                    .order_by(HumanTask.created_at)))
    done = [task for task in tasks if task.state == "completed"]
    for task, (start, at) in zip(done, calls, strict=True):
        _move_task(task, start)
        task.completed_at = at
    for task in tasks:
        if task.state == "open":
            _move_task(task, opened)
            task.claimed_at = task.claimed_at and task.created_at
            task.sort_key = task_meta.sort_key(task.priority, task.due_at, task.created_at)
    db.session.commit()


def _ring(case_id, bells):
    """Deliver the case's call-back bells as the worker would, at the story's times: read
    when the call they asked for was made, unread while it waits (committed by the caller)."""
    if not bells:
        return
    rows = list(db.session.scalars(select(Outbox).filter_by(instance_id=case_id, channel="in_app")
                                   .order_by(Outbox.id)))
    for row, (rang, read) in zip(rows, bells, strict=True):
        outbox_id = row.id
        delivery.deliver(outbox_id)
        sent = db.session.get(Outbox, outbox_id)
        sent.created_at = sent.sent_at = rang
        note = db.session.scalars(select(Notification).filter_by(outbox_id=outbox_id)).one()
        note.created_at, note.read_at = rang, read


def _move_task(task, created):
    if task.due_at is not None:
        task.due_at = created + (task.due_at - task.created_at)
    task.created_at = created
