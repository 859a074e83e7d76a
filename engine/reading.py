"""Reading a case's data without changing it: for pages that show or prefill it."""
from uuid import UUID

from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from .db import db
from .errors import NotFoundError
from .models import HumanTask, ProcessInstance
from .task_meta import form_keys


def task_data(runtime, task_id):
    """The data a user task sees now (read without a lock; for display and prefilling).

    :raises NotFoundError: no such task
    :raises ConflictError: completed meanwhile (``winner``: by whom), when the task row read
        first still said open but the case read after it has moved on
    """
    from .runtime import refuse_if_closed

    row = db.session.get(HumanTask, task_id)
    if row is None:
        raise NotFoundError(f"task {task_id} does not exist")
    workflow = runtime.restore(db.session.get(ProcessInstance, row.instance_id, populate_existing=True))
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except TaskNotFoundException:  # completed (and pruned) after the row was read: a lost race
        refuse_if_closed(db.session.get(HumanTask, task_id, populate_existing=True))
        return {}
    return dict(task.data)


def case_data(runtime, instance_id):
    """The case's current data: that of its waiting tasks, or of its last step when it ended.

    :raises NotFoundError: no such instance
    """
    instance = db.session.get(ProcessInstance, instance_id, populate_existing=True)
    if instance is None:
        raise NotFoundError(f"process instance {instance_id} does not exist")
    workflow = runtime.restore(instance)
    live = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    tasks = live or workflow.get_tasks(state=TaskState.COMPLETED)
    if not tasks:
        return dict(workflow.data)
    latest = max(tasks, key=lambda t: t.last_state_change)
    return {**workflow.data, **latest.data}


def version_forms(runtime, version_id):
    """``[(form_key, ui_form_key)]`` the tasks and start events of a version (and of its
    sub-processes) name, each once, in the order the diagram declares them: where the
    pages read the titles and formats of a case's data.
    """
    spec, subprocess_specs = runtime.spec_cache.get(version_id)
    found = []
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            keys = form_keys(task_spec)
            if keys[0] and keys not in found:
                found.append(keys)
    return found
