"""Document numbers (processes/broker/paperwork/numbering.py): per kind and year, in
sequence, no gap when a transaction rolls back, no duplicate when two issue at once — on
SQLite and PostgreSQL."""
import threading

import pytest

from engine.db import db
from processes.broker.paperwork import numbering


def test_numbers_run_in_sequence_per_kind_and_year(app):
    taken = [numbering.allocate("act", 2026), numbering.allocate("act", 2026),
             numbering.allocate("invoice", 2026), numbering.allocate("act", 2027)]
    db.session.commit()
    assert taken == [1, 2, 1, 1]
    assert [numbering.format_number("act", 2026, 2), numbering.format_number("invoice", 2026, 1),
            numbering.format_number("contract", 2027, 12345)] == [
        "А-2026-0002", "С-2026-0001", "Д-2027-12345"]
    assert numbering.last("act", 2026) == 2 and numbering.last("contract", 2026) == 0


def test_a_number_taken_in_a_transaction_that_rolls_back_is_given_again(app):
    assert numbering.allocate("contract", 2026) == 1
    db.session.commit()
    assert numbering.allocate("contract", 2026) == 2
    db.session.rollback()
    assert numbering.allocate("contract", 2026) == 2
    db.session.commit()
    assert numbering.last("contract", 2026) == 2


def test_an_unknown_kind_takes_no_number(app):
    with pytest.raises(KeyError):
        numbering.allocate("letter", 2026)


def test_two_threads_taking_numbers_at_once_get_every_number_once(app):
    """Each thread holds its number until its commit (as an issue does while it renders):
    the other waits on the counter's row, then goes on from the committed value."""
    per_thread, start, taken, errors = 15, threading.Barrier(2), [], []

    def take():
        with app.app_context():
            try:
                start.wait()
                for _ in range(per_thread):
                    number = numbering.allocate("act", 2026)
                    threading.Event().wait(0.002)        # the render between the number and the commit
                    db.session.commit()
                    taken.append(number)
            except Exception as error:  # reported below: an assertion in a thread would be lost
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(taken) == list(range(1, 2 * per_thread + 1))
    assert numbering.last("act", 2026) == 2 * per_thread
