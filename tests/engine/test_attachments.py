"""Files uploaded in a task form are stored with the completion, or not at all."""
import hashlib

import pytest

import engine
from engine.db import db
from engine.errors import ConflictError
from engine.models import Attachment, AttachmentBlob
from forms.uploads import Upload

from .helpers import open_tasks

PDF = b"%PDF-1.4\n" + b"0" * 100


def upload(name="hợp đồng.pdf"):
    return Upload(name, "application/pdf", PDF)


def test_a_file_in_the_form_data_is_stored_and_replaced_by_its_reference(deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    task_id = open_tasks(started.id)["call"].id
    engine.complete_task(task_id, actor="sales1", data={"outcome": "not_reached", "contract": upload()})
    row = db.session.query(Attachment).one()
    assert (row.instance_id, row.task_id, row.field) == (started.id, task_id, "contract")
    assert row.uploaded_by == "sales1"
    assert db.session.get(AttachmentBlob, row.sha256).data == PDF
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    assert engine.case_data(started.id)["contract"]["attachment_id"] == row.id


def test_a_refused_completion_stores_no_file(deploy):
    deploy("call_loop.bpmn")
    started = engine.start("call_loop", actor="sales1", data={"name": "An", "calls": 0})
    task_id = open_tasks(started.id)["call"].id
    engine.complete_task(task_id, actor="sales2", data={"outcome": "not_reached"})
    with pytest.raises(ConflictError):
        engine.complete_task(task_id, actor="sales1", data={"contract": upload()})
    assert db.session.query(Attachment).count() == 0 and db.session.query(AttachmentBlob).count() == 0
