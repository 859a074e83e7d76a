"""The ``tasklane`` command: setup (Alembic migration, the bpmn folder, demo users),
user add, deploy; and a check that the migration matches the models."""
import json
import logging
import shutil
import warnings
import zipfile
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from accounts.service import check_password
from engine.db import db
from engine.models import ProcessDefinition, ProcessVersion
from tasklane.app import MIGRATIONS, create_app
from tasklane.cli import main
from tests.conftest import BACKENDS, BPMN, ROOT, fresh_database

DEMO_ROLES = {
    "admin": {"admin"},
    "manager": {"manager", "sales"},
    **{f"sales{n}": {"sales"} for n in range(1, 6)},
    "owner": {"process_owner"},
    "auditor": {"auditor"},
    "partner1": {"partner"},
    "partner2": {"partner"},
    "customer1": {"customer"},
    "analyst1": {"broker_analyst"},
    "brokerlead": {"broker_lead", "broker_analyst"},
    **{f"consultant{n}": {"consultant"} for n in range(1, 4)},
}


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A database without tables: ``tasklane setup`` migrates it from nothing."""
    yield from fresh_database(request.param, tmp_path)


@pytest.fixture
def keep_logging():
    """Undo what Alembic's env.py does to logging (``fileConfig`` disables every existing
    logger, such as engine.runtime, re-levels the root logger and adds a console handler)."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    loggers = {name: (logger.disabled, logger.level)
               for name, logger in logging.Logger.manager.loggerDict.items()
               if isinstance(logger, logging.Logger)}
    yield
    root.setLevel(level)
    for handler in root.handlers[:]:
        if type(handler) is logging.StreamHandler and handler not in handlers:
            root.removeHandler(handler)
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.disabled, logger.level = loggers.get(name, (False, logging.NOTSET))


@pytest.fixture
def make_app(settings, tmp_path, keep_logging):
    """Apps on this test's fresh database, with no tables yet, deploying a copy of call_loop.bpmn."""
    bpmn_dir = tmp_path / "bpmn"
    bpmn_dir.mkdir()
    shutil.copy(BPMN / "call_loop.bpmn", bpmn_dir)
    made = []

    def make(env="development"):
        made.append(create_app({**settings, "TASKLANE_ENV": env, "TASKLANE_BPMN_DIR": str(bpmn_dir)}))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def invoke(app, *args):
    result = app.test_cli_runner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.mark.embedded
def test_setup_migrates_deploys_and_creates_demo_users_in_development(make_app):
    app = make_app("development")
    result = invoke(app, "setup")
    assert result.exit_code == 0, result.output
    assert "Running upgrade  -> " in result.output
    assert "deployed: call_loop.bpmn -> call_loop v1\n" in result.output
    assert "demo users ready (17 created); password: demo\n" in result.output
    with app.app_context():
        assert set(inspect(db.engine).get_table_names()) == set(db.metadata.tables) | {"alembic_version"}
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert revision == ScriptDirectory(MIGRATIONS).get_current_head()
        assert [d.key for d in db.session.query(ProcessDefinition)] == ["call_loop"]


def test_running_setup_twice_is_harmless(make_app):
    app = make_app("development")
    invoke(app, "setup")
    again = invoke(app, "setup")
    assert again.exit_code == 0, again.output
    assert "Running upgrade" not in again.output
    assert "unchanged: call_loop.bpmn -> call_loop v1\n" in again.output
    assert "demo users ready (0 created)" in again.output
    with app.app_context():
        assert db.session.query(ProcessVersion).count() == 1
        assert db.session.query(User).count() == len(DEMO_ROLES)


def _owner_renames_a_task(app):
    """What the process owner does in the modeler: the same process, a task renamed, deployed."""
    import engine

    with app.app_context():
        xml = db.session.query(ProcessVersion).one().bpmn_xml
        renamed = xml.replace('name="', 'name="Renamed ', 1)
        assert renamed != xml
        [(version, created)] = engine.deploy(renamed.encode(), actor="owner", name="call_loop.bpmn")
        assert created and version.version == 2
        return renamed


def test_a_restart_leaves_the_owners_newer_deploy(make_app):
    app = make_app("development")
    invoke(app, "setup")
    renamed = _owner_renames_a_task(app)
    again = invoke(app, "setup")
    assert again.exit_code == 0, again.output
    assert "kept: call_loop v2 deployed by owner on " in again.output
    assert "call_loop.bpmn has not changed since it was last deployed from the file" in again.output
    assert "deployed: call_loop.bpmn" not in again.output
    assert invoke(app, "setup").output.count("kept: call_loop v2") == 1   # and again, one line
    with app.app_context():
        versions = db.session.query(ProcessVersion).order_by(ProcessVersion.version).all()
        assert [(v.version, v.deployed_by) for v in versions] == [(1, "system"), (2, "owner")]
        assert versions[-1].bpmn_xml == renamed
        assert db.session.query(ProcessDefinition).one().latest_version == 2


def test_a_changed_file_is_deployed_over_the_owners_version(make_app, tmp_path):
    app = make_app("development")
    invoke(app, "setup")
    _owner_renames_a_task(app)
    shipped = tmp_path / "bpmn" / "call_loop.bpmn"
    shipped.write_text(shipped.read_text().replace('name="', 'name="Shipped ', 1))
    again = invoke(app, "setup")
    assert "deployed: call_loop.bpmn -> call_loop v3\n" in again.output
    assert "unchanged: call_loop.bpmn -> call_loop v3\n" in invoke(app, "setup").output
    with app.app_context():
        assert [v.deployed_by for v in db.session.query(ProcessVersion).order_by(ProcessVersion.version)] \
            == ["system", "owner", "system"]


def test_deploying_a_file_by_name_deploys_it_over_the_owners_version(make_app, tmp_path):
    app = make_app("development")
    invoke(app, "setup")
    _owner_renames_a_task(app)
    result = invoke(app, "deploy", str(tmp_path / "bpmn" / "call_loop.bpmn"))
    assert result.output == f"deployed: {tmp_path / 'bpmn' / 'call_loop.bpmn'} -> call_loop v3\n"


def test_demo_users_have_the_demo_password_and_their_roles(make_app):
    app = make_app("development")
    invoke(app, "setup")
    with app.app_context():
        users = {u.username: u for u in db.session.query(User)}
        assert {name: user.role_names for name, user in users.items()} == DEMO_ROLES
        assert all(check_password(user, "demo") for user in users.values())
        assert all(user.is_demo for user in users.values())
        assert not check_password(users["admin"], "admin")


def test_demo_password_comes_from_the_environment_when_set(make_app, monkeypatch):
    monkeypatch.setenv("TASKLANE_DEMO_PASSWORD", "k7-harbour")
    app = make_app("development")
    result = invoke(app, "setup")
    assert "password: from TASKLANE_DEMO_PASSWORD" in result.output
    with app.app_context():
        admin = db.session.query(User).filter_by(username="admin").one()
        assert check_password(admin, "k7-harbour")
        assert not check_password(admin, "demo")


@pytest.mark.parametrize("env", ["production", "testing"])
def test_setup_creates_no_demo_users_outside_development(make_app, env):
    app = make_app(env)
    result = invoke(app, "setup")
    assert result.exit_code == 0, result.output
    assert "deployed: call_loop.bpmn -> call_loop v1" in result.output
    assert "demo users" not in result.output
    with app.app_context():
        assert db.session.query(User).count() == 0


@pytest.mark.embedded
def test_the_migration_matches_the_models(make_app):
    app = make_app("testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []


def test_user_add_creates_a_user_with_its_roles(runner):
    result = runner.invoke(main, ["user", "add", "lan", "--role", "sales", "--role", "manager",
                                  "--password", "harbour-7", "--name", "Trần Lan", "--locale", "vi"])
    assert result.exit_code == 0, result.output
    assert result.output == "user lan created with role(s) sales, manager\n"
    user = db.session.query(User).filter_by(username="lan").one()
    assert user.role_names == {"sales", "manager"}
    assert (user.full_name, user.locale, user.is_demo) == ("Trần Lan", "vi", False)
    assert check_password(user, "harbour-7")


def test_user_add_prompts_for_the_password_twice(runner):
    result = runner.invoke(main, ["user", "add", "binh", "--role", "auditor"], input="harbour-7\nharbour-7\n")
    assert result.exit_code == 0, result.output
    assert check_password(db.session.query(User).filter_by(username="binh").one(), "harbour-7")


def test_user_add_refuses_a_duplicate_username(runner):
    runner.invoke(main, ["user", "add", "lan", "--role", "sales", "--password", "harbour-7"])
    result = runner.invoke(main, ["user", "add", "lan", "--role", "admin", "--password", "other-pw"])
    assert result.exit_code == 1
    assert "Error: user 'lan' already exists" in result.output
    user = db.session.query(User).filter_by(username="lan").one()
    assert user.role_names == {"sales"}


def test_user_add_refuses_an_unknown_role(runner):
    result = runner.invoke(main, ["user", "add", "lan", "--role", "sales", "--role", "wizard",
                                  "--password", "harbour-7"])
    assert result.exit_code == 1
    assert "Error: the user could not be created (roles: unknown role(s): wizard)" in result.output
    assert db.session.query(User).count() == 0


def test_deploy_prints_each_deployed_process_and_its_version(runner):
    path = str(BPMN / "call_loop.bpmn")
    result = runner.invoke(main, ["deploy", path])
    assert result.exit_code == 0, result.output
    assert result.output == f"deployed: {path} -> call_loop v1\n"
    assert runner.invoke(main, ["deploy", path]).output == f"unchanged: {path} -> call_loop v1\n"


def test_deploy_of_a_refused_diagram_names_the_element_and_fails(runner, tmp_path):
    path = tmp_path / "broken.bpmn"
    xml = (BPMN / "call_loop.bpmn").read_text()
    path.write_text(xml.replace("calls = calls + 1", "calls = frobnicate()"))
    result = runner.invoke(main, ["deploy", str(path)])
    assert result.exit_code == 1
    assert "broken.bpmn has 1 problem(s)" in result.output
    assert "count: script calls unknown function(s): frobnicate" in result.output
    assert db.session.query(ProcessDefinition).count() == 0


def test_deploy_takes_several_files_as_one_bundle(runner):
    caller, check = str(BPMN / "bundle" / "caller.bpmn"), str(BPMN / "bundle" / "check.bpmn")
    result = runner.invoke(main, ["deploy", caller, check])
    assert result.exit_code == 0, result.output
    assert result.output == f"deployed: {caller} -> bundle_caller v1\n"
    [version] = db.session.query(ProcessVersion).all()
    assert [f.name for f in version.files] == ["check.bpmn"]


def test_deploy_takes_a_folder_with_its_decision_tables(runner):
    folder = BPMN / "dmn"
    result = runner.invoke(main, ["deploy", str(folder)])
    assert result.exit_code == 0, result.output
    names = ("discount", "documents", "quote", "route")
    assert result.output.splitlines() == [f"deployed: {folder / n}.bpmn -> dmn_{n} v1" for n in names]


def test_deploy_takes_a_zip_and_names_the_files_it_left_out(runner, tmp_path):
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("caller.bpmn", "check.bpmn"):
            zipped.write(BPMN / "bundle" / name, f"model/{name}")
        zipped.writestr("model/README.md", "# notes")
    result = runner.invoke(main, ["deploy", str(archive)])
    assert result.exit_code == 0, result.output
    assert result.output == ("deployed: caller.bpmn -> bundle_caller v1\n"
                             "skipped: README.md (not a .bpmn, .dmn or .json file)\n")


def test_deploy_of_files_that_cannot_be_a_bundle_names_the_file_and_fails(runner, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        shutil.copy(BPMN / "bundle" / "check.bpmn", tmp_path / folder / "check.bpmn")
    result = runner.invoke(main, ["deploy", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "two files are named check.bpmn" in result.output
    assert db.session.query(ProcessDefinition).count() == 0


def test_deploy_closes_the_files_it_reads(runner):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = runner.invoke(main, ["deploy", str(BPMN / "call_loop.bpmn")])
    assert result.exit_code == 0
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []



MONEY_TABLES = ("lending_product", "lending_referral", "lending_referral_commission")
NOW = "2026-12-01 10:00:00"
REFERRAL = ("INSERT INTO lending_referral (referrer, customer_name, phone, product_id, customer_status,"
            " amount, term_months, consultant_choice, cross_sell_consent, state, created_at{currency})"
            " VALUES ('partner1', 'Lan', '+84912345678', 1, 'salaried', 30000000, 12, 'auto', false,"
            " '{state}', '{now}'{value})")


def _money_rows_before_currency():
    """One row of each money table, inserted as the schema of c3a7d2e91f40 had them."""
    for statement in (
        "INSERT INTO lending_company (id, code, name, active) VALUES (1, 'fe', 'FE Credit', true)",
        "INSERT INTO lending_product (id, company_id, code, name, min_amount, max_amount,"
        " min_term_months, max_term_months, active) VALUES (1, 1, 'cash', 'Cash', 10000000, 70000000,"
        " 6, 36, true)",
        "INSERT INTO lending_commission (id, product_id, rate_percent, valid_from, created_by, created_at)"
        f" VALUES (1, 1, 2.5, '2026-01-01', 'admin', '{NOW}')",
        REFERRAL.format(currency="", value="", state="disbursed", now=NOW),
        "INSERT INTO lending_referral_commission (referral_id, referrer, product_id, policy_id,"
        " rate_percent, base_amount, amount, earned_on, state) VALUES (1, 'partner1', 1, 1, 2.5,"
        " 30000000, 750000, '2026-12-01', 'pending')",
    ):
        db.session.execute(text(statement))
    db.session.commit()


def test_the_currency_migration_keeps_existing_amounts_in_dong_and_the_partial_index(make_app):
    app = make_app("testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="c3a7d2e91f40")
        _money_rows_before_currency()
        upgrade(directory=MIGRATIONS, revision="d4b7e2c91a05")
        for table in MONEY_TABLES:
            assert db.session.execute(text(f"SELECT currency FROM {table}")).scalars().all() == ["VND"], table
            column = next(c for c in inspect(db.engine).get_columns(table) if c["name"] == "currency")
            assert column["nullable"] is False, table
            assert column["default"] is None, table   # the application names each row's currency
        # the copy SQLite's batch mode makes keeps the partial unique index of referrals in progress
        in_progress = REFERRAL.format(currency=", currency", value=", 'VND'", state="in_progress", now=NOW)
        db.session.execute(text(in_progress))
        with pytest.raises(IntegrityError):
            db.session.execute(text(in_progress))
        db.session.rollback()


def _orders_before_status():
    """A customer with two orders, inserted as the schema of d4b7e2c91a05 had them."""
    for statement in (
        "INSERT INTO crm_customer (id, kind, name, phone, source, owner, status, created_at, created_by)"
        f" VALUES (1, 'customer', 'Lan', '+84912345678', 'website', 'sales1', 'ordered', '{NOW}', 'sales1')",
        "INSERT INTO crm_order (customer_id, product, quantity, amount, currency, created_at, created_by)"
        f" VALUES (1, 'Liệu trình', 1, 4500000, 'VND', '{NOW}', 'sales1')",
        "INSERT INTO crm_order (customer_id, product, quantity, amount, currency, created_at, created_by)"
        f" VALUES (1, 'Kem dưỡng', 3, 900000, 'VND', '{NOW}', 'sales1')",
    ):
        db.session.execute(text(statement))
    db.session.commit()


def test_the_order_status_migration_makes_existing_orders_placed_at_version_one(make_app):
    app = make_app("testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="d4b7e2c91a05")
        _orders_before_status()
        upgrade(directory=MIGRATIONS, revision="e6f1a3b8c2d7")
        rows = db.session.execute(text("SELECT product, amount, status, version, updated_at, updated_by"
                                       " FROM crm_order ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            ("Liệu trình", Decimal("4500000.00"), "placed", 1, None, None),
            ("Kem dưỡng", Decimal("900000.00"), "placed", 1, None, None)]
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("crm_order")}
        for name in ("status", "version"):
            assert columns[name]["nullable"] is False and columns[name]["default"] is None, name
        # batch mode's copy of the table on SQLite keeps its indexes
        assert {i["name"] for i in inspect(db.engine).get_indexes("crm_order")} >= {
            "ix_crm_order_customer_id", "ix_crm_order_instance_id"}


def test_the_texts_migration_names_each_deployed_process_in_every_language(make_app):
    app = make_app("testing")
    xml = (ROOT / "bpmn" / "lead_handling.bpmn").read_text(encoding="utf-8")
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="d4b7e2c91a05")
        db.session.execute(text(
            "INSERT INTO process_definition (id, key, name, latest_version, created_at)"
            f" VALUES (1, 'lead_handling', 'Lead handling', 1, '{NOW}')"))
        db.session.execute(text(
            "INSERT INTO process_version (definition_id, version, bpmn_xml, sha256, spec_json, deployed_by,"
            f" deployed_at) VALUES (1, 1, :xml, 'x', '{{}}', 'owner', '{NOW}')"), {"xml": xml})
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        titles = db.session.execute(text("SELECT titles FROM process_definition")).scalar()
        titles = json.loads(titles) if isinstance(titles, str) else titles
        assert titles == {"vi": "Xử lý khách hàng mới", "en": "Lead handling", "ru": "Обработка заявок"}
        assert "instructions_texts" in {c["name"] for c in inspect(db.engine).get_columns("human_task")}
