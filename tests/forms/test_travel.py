"""Forms travel with the process (issue 14): a spiff-arena model folder deploys in one upload
with its forms, the deploy check reads the bundle's form files, and a case reads the forms
of the version it runs on."""
from pathlib import Path

import pytest
from sqlalchemy import event

import engine
import forms
from engine import bundles
from engine.db import db
from engine.errors import DeployError
from engine.models import HumanTask
from forms import versioned
from tests.spiff_arena import EXPENSE, KEY, MODEL, folder, zipped
from tests.spiff_arena import submit_schema as schema


def open_task(instance_id):
    db.session.expire_all()
    return db.session.query(HumanTask).filter_by(instance_id=instance_id, state="open").one()


def test_a_spiff_arena_folder_deploys_as_it_is_in_one_upload_with_its_forms(app):
    (version, created), = engine.deploy(bundles.from_files(folder()), actor="owner")
    assert created and version.definition.key == KEY and version.source_name == "expense_approval.bpmn"
    assert {f.name for f in version.files} == {
        "process_model.json", "submit-expense-schema.json", "submit-expense-uischema.json",
        "review-expense-schema.json", "review-expense-uischema.json", "test_expense_approval.json"}
    case = engine.start(KEY, actor="sales1")
    task = open_task(case.id)
    assert (task.form_key, task.ui_form_key) == ("submit-expense-schema", "submit-expense-uischema")
    view = forms.describe(task.form_key, task.ui_form_key, locale="vi", source=forms.of_task(task))
    assert view.title == "Chi phí"
    assert [(f.name, f.widget) for f in view.fields] == [
        ("description", "textarea"), ("category", "radio"), ("amount", "money"), ("spent_on", "date")]


def test_the_zipped_folder_deploys_the_same_version(app):
    (first, _created), = engine.deploy(bundles.from_files([("expense-approval.zip", zipped(folder()))]),
                                       actor="owner")
    (again, created), = engine.deploy(bundles.from_files(folder()), actor="owner")
    assert (again.id, created) == (first.id, False)
    assert forms.of_version(first.id).origin("review-expense-schema") == "version"


def test_a_case_of_the_folder_runs_through_its_forms(app):
    engine.deploy(bundles.from_files(folder()), actor="owner")
    case = engine.start(KEY, actor="sales1")
    task = open_task(case.id)
    data = forms.validate(task.form_key, task.ui_form_key, json=EXPENSE, source=forms.of_task(task))
    engine.complete_task(task.id, actor="sales1", data=data)
    review = open_task(case.id)
    seen = engine.task_data(review.id)
    view = forms.describe(review.form_key, review.ui_form_key, task_data=seen, source=forms.of_task(review))
    decision = next(f for f in view.fields if f.name == "decision")
    assert [value for value, _label in decision.options] == ["approve", "reject", "approve_and_pay"]
    data = forms.validate(review.form_key, review.ui_form_key, json={"decision": "approve_and_pay"},
                          task_data=seen, source=forms.of_task(review))
    engine.complete_task(review.id, actor="manager", data=data)
    assert engine.case_data(case.id)["decision"] == "approve_and_pay"


def test_a_case_keeps_the_form_of_the_version_it_started_on(app):
    engine.deploy(bundles.from_files(folder()), actor="owner")
    old_case = engine.start(KEY, actor="sales1")
    (second, created), = engine.deploy(bundles.from_files(folder(submit_expense_schema=schema(
        title="Expense claim"))), actor="owner")
    assert created and second.version == 2
    new_case = engine.start(KEY, actor="sales1")
    titles = {case.id: forms.describe("submit-expense-schema", source=forms.of_task(open_task(case.id))).title
              for case in (old_case, new_case)}
    assert titles == {old_case.id: "Expense", new_case.id: "Expense claim"}


def test_a_version_with_no_files_reads_the_shipped_forms(app):
    version = engine.deploy((Path(__file__).resolve().parents[1] / "bpmn" / "two_lanes.bpmn").read_bytes(),
                            actor="owner")[0][0]
    source = forms.of_version(version.id)
    assert source.files == {} and source.origin("lead-call-outcome") == "shipped"
    assert forms.of_version(10**6) is forms.SHIPPED and forms.of_instance(10**6) is forms.SHIPPED


def test_a_version_files_are_read_from_the_database_once(app):
    (version, _created), = engine.deploy(bundles.from_files(folder()), actor="owner")
    versioned._CACHE._items.clear()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for _ in range(3):
            assert forms.of_version(version.id).load("submit-expense-schema")["title"] == "Expense"
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert sum("version_file" in s for s in statements) == 1 and len(statements) == 4


def problems(pairs):
    return [(p["element"], p["severity"], p["message"]) for p in engine.validate(bundles.from_files(pairs))]


def test_the_folder_as_it_is_has_no_problem(app):
    """process_model.json and the unit-test file are named by no task: they travel along unremarked."""
    assert problems(folder()) == []


def test_a_form_file_that_is_not_json_is_refused_naming_the_file(app):
    with pytest.raises(DeployError) as refused:
        engine.deploy(bundles.from_files(folder(submit_expense_schema=b'{"title": "Expense",')),
                      actor="owner")
    [found] = refused.value.problems
    assert found["element"] == "submit_expense"
    assert "form file 'submit-expense-schema.json' is not JSON" in found["message"]


@pytest.mark.parametrize("name, content, message", [
    ("submit_expense_uischema", [1, 2], "form file 'submit-expense-uischema.json' is not a JSON object"),
    ("submit_expense_schema", schema(properties={"amount": {"type": "int"}}),
     "form 'submit-expense-schema.json' is not a valid JSON Schema"),
])
def test_a_form_file_that_is_no_form_is_refused_naming_the_file(app, name, content, message):
    [(element, severity, text)] = problems(folder(**{name: content}))
    assert (element, severity) == ("submit_expense", "error") and message in text


def test_a_named_form_missing_from_the_folder_and_the_shipped_forms_is_refused(app):
    [(element, severity, text)] = problems(folder(review_expense_schema=None))
    assert (element, severity) == ("review_expense", "error")
    assert "'review-expense-schema.json' is neither among the files deployed" in text


def test_a_json_file_no_task_names_is_kept_even_when_it_is_no_schema(app):
    """spiff-arena folders hold stale forms (``"type": "int"``); only the named ones are checked."""
    pairs = folder(your_age_schema={"properties": {"age": {"type": "int"}}}, notes=b"not json")
    assert problems(pairs) == []
    (version, _created), = engine.deploy(bundles.from_files(pairs), actor="owner")
    assert {"your-age-schema.json", "notes.json"} <= {f.name for f in version.files}


def test_a_ui_schema_beside_the_form_that_the_task_does_not_name_is_a_warning(app):
    bpmn = (MODEL / "expense_approval.bpmn").read_bytes().replace(
        b'<spiffworkflow:property name="formUiSchemaFilename" value="review-expense-uischema.json" />', b"")
    pairs = [(n, bpmn if n == "expense_approval.bpmn" else d) for n, d in folder()]
    [(element, severity, text)] = problems(pairs)
    assert (element, severity) == ("review_expense", "warning")
    assert text.startswith("'review-expense-uischema.json' is deployed beside the form")


def test_a_document_alone_reads_its_forms_from_the_shipped_definitions(app):
    bpmn = (MODEL / "expense_approval.bpmn").read_bytes()
    found = problems([("expense_approval.bpmn", bpmn)])
    assert [(e, s) for e, s, _m in found] == [("submit_expense", "error"), ("review_expense", "error")]
