"""The spiff-arena process model folder of tests/bpmn/spiff_arena_model, as tests upload it:
an expense approval whose two user tasks name ``*-schema.json`` / ``*-uischema.json`` files
beside the diagram, with spiff-arena's ``process_model.json`` and a unit-test file."""
import io
import json
import zipfile
from pathlib import Path

MODEL = Path(__file__).resolve().parent / "bpmn" / "spiff_arena_model"
KEY = "Process_expense_approval_x1c2v9"
SUBMIT, REVIEW = "submit-expense-schema.json", "review-expense-schema.json"
EXPENSE = {"description": "Taxi to the client", "amount": 250000, "category": "travel",
           "spent_on": "2026-03-02"}


def folder(**changed):
    """``[(file name, bytes)]`` of the folder; ``changed`` replaces, adds (``a_b``: ``a_b.json`` if
    the folder has it, else ``a-b.json``; a dict or bytes) or, when ``None``, leaves out files."""
    pairs = {p.name: p.read_bytes() for p in sorted(MODEL.iterdir())}
    for name, data in changed.items():
        name = f"{name}.json" if f"{name}.json" in pairs else name.replace("_", "-") + ".json"
        if data is None:
            pairs.pop(name, None)
        else:
            pairs[name] = data if isinstance(data, bytes) else json.dumps(data).encode()
    return list(pairs.items())


def zipped(pairs, into="expense-approval/"):
    """``pairs`` zipped in a folder, as a process owner zips the model folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in pairs:
            archive.writestr(into + name, data)
    return buffer.getvalue()


def submit_schema(**changes):
    """The submit form's schema with ``changes`` to its top-level keywords."""
    return {**json.loads((MODEL / SUBMIT).read_text(encoding="utf-8")), **changes}


def deploy(actor="owner", roles=None, **changed):
    """Deploy the folder (with ``changed``, as :func:`folder`); the version."""
    import engine
    from engine import bundles

    return engine.deploy(bundles.from_files(folder(**changed)), actor=actor, roles=roles)[0][0]
