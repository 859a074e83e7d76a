"""Settings: typed defaults, the common aliases, derived values, and clear errors at start."""
import pytest

from engine.errors import ConfigError
from tasklane import config
from tasklane.app import create_app

pytestmark = pytest.mark.embedded  # the defaults are what the embedded mode runs on

@pytest.fixture
def instance_dir(tmp_path):
    return tmp_path / "instance"


def load(instance_dir, **environ):
    return config.load(environ={"TASKLANE_INSTANCE_DIR": str(instance_dir), **environ})


def test_defaults_are_typed(instance_dir):
    loaded = load(instance_dir)
    assert loaded["TASKLANE_ENV"] == "development"
    assert loaded["TASKLANE_SWEEP_SECONDS"] == 2.0 and isinstance(loaded["TASKLANE_SWEEP_SECONDS"], float)
    assert loaded["TASKLANE_SCRIPT_TIMEOUT_SECONDS"] == 2.0
    assert loaded["TASKLANE_MAX_BPMN_BYTES"] == 2_000_000
    assert loaded["TASKLANE_SMTP_PORT"] == 25
    assert loaded["TASKLANE_DEMO_PASSWORD"] == "demo"
    assert loaded["TASKLANE_QUEUE_PREFIX"] == "tasklane"
    assert loaded["TASKLANE_REDIS_URL"] == ""
    assert loaded["TASKLANE_INSTANCE_DIR"] == str(instance_dir.resolve())


def test_every_setting_is_read_from_its_environment_variable(instance_dir):
    loaded = load(instance_dir, TASKLANE_SWEEP_SECONDS="0.25", TASKLANE_MAX_BPMN_BYTES="5000",
                  TASKLANE_QUEUE_PREFIX="branch2", TASKLANE_ENV="testing")
    assert loaded["TASKLANE_SWEEP_SECONDS"] == 0.25
    assert loaded["TASKLANE_MAX_BPMN_BYTES"] == 5000
    assert loaded["TASKLANE_QUEUE_PREFIX"] == "branch2"
    assert loaded["TASKLANE_ENV"] == "testing"


def test_empty_database_url_means_sqlite_in_the_instance_folder(instance_dir):
    expected = f"sqlite:///{instance_dir.resolve() / 'tasklane.sqlite'}"
    assert load(instance_dir)["SQLALCHEMY_DATABASE_URI"] == expected
    assert load(instance_dir, DATABASE_URL="")["SQLALCHEMY_DATABASE_URI"] == expected


def test_default_instance_folder_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = config.load(environ={})
    assert loaded["TASKLANE_INSTANCE_DIR"] == str(tmp_path / "instance")
    assert loaded["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'tasklane.sqlite'}"


def test_common_names_are_accepted_as_aliases(instance_dir):
    loaded = load(instance_dir, DATABASE_URL="sqlite:////srv/tasklane.sqlite",
                  REDIS_URL="redis://127.0.0.1:6380/2", SECRET_KEY="from-alias")
    assert loaded["TASKLANE_DATABASE_URL"] == "sqlite:////srv/tasklane.sqlite"
    assert loaded["SQLALCHEMY_DATABASE_URI"] == "sqlite:////srv/tasklane.sqlite"
    assert loaded["TASKLANE_REDIS_URL"] == "redis://127.0.0.1:6380/2"
    assert loaded["SECRET_KEY"] == loaded["TASKLANE_SECRET_KEY"] == "from-alias"


def test_tasklane_names_win_over_their_aliases(instance_dir):
    loaded = load(instance_dir, TASKLANE_REDIS_URL="redis://127.0.0.1:6379/1", REDIS_URL="redis://127.0.0.1:6379/9")
    assert loaded["TASKLANE_REDIS_URL"] == "redis://127.0.0.1:6379/1"


@pytest.mark.parametrize("url", ["postgres://app:pw@db.local:5432/tasklane",
                                 "postgresql://app:pw@db.local:5432/tasklane"])
def test_postgresql_urls_use_psycopg_3(instance_dir, url):
    loaded = load(instance_dir, DATABASE_URL=url)
    assert loaded["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app:pw@db.local:5432/tasklane"


def test_a_url_that_names_its_driver_is_kept(instance_dir):
    url = "postgresql+psycopg://app@db.local/tasklane"
    assert load(instance_dir, TASKLANE_DATABASE_URL=url)["SQLALCHEMY_DATABASE_URI"] == url


@pytest.mark.parametrize(("name", "value", "message"), [
    ("TASKLANE_SWEEP_SECONDS", "abc", "TASKLANE_SWEEP_SECONDS='abc' is not a valid float"),
    ("TASKLANE_MAX_BPMN_BYTES", "2.5", "TASKLANE_MAX_BPMN_BYTES='2.5' is not a valid int"),
    ("TASKLANE_SMTP_PORT", "smtp", "TASKLANE_SMTP_PORT='smtp' is not a valid int"),
])
def test_a_value_of_the_wrong_type_is_refused_with_its_name(instance_dir, name, value, message):
    with pytest.raises(ConfigError) as refused:
        load(instance_dir, **{name: value})
    assert refused.value.message == message


def test_an_unknown_environment_name_is_refused(instance_dir):
    with pytest.raises(ConfigError, match="TASKLANE_ENV must be development, production or testing"):
        load(instance_dir, TASKLANE_ENV="staging")


def test_production_requires_a_secret_key(instance_dir):
    with pytest.raises(ConfigError) as refused:
        load(instance_dir, TASKLANE_ENV="production")
    assert refused.value.message == "TASKLANE_SECRET_KEY (or SECRET_KEY) is required in production"
    assert load(instance_dir, TASKLANE_ENV="production", SECRET_KEY="s3cret")["SECRET_KEY"] == "s3cret"


def test_development_keeps_one_generated_secret_key_in_the_instance_folder(instance_dir):
    first = load(instance_dir)["SECRET_KEY"]
    assert len(first) == 64 and int(first, 16) >= 0
    assert (instance_dir / "secret_key").read_text() == first
    assert (instance_dir / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load(instance_dir)["SECRET_KEY"] == first


def test_overrides_win_over_the_environment(instance_dir):
    environ = {"TASKLANE_INSTANCE_DIR": str(instance_dir), "TASKLANE_SWEEP_SECONDS": "abc"}
    overrides = {"TASKLANE_SWEEP_SECONDS": 0.5, "EXTRA_FLASK_SETTING": True}
    loaded = config.load(environ=environ, overrides=overrides)
    assert loaded["TASKLANE_SWEEP_SECONDS"] == 0.5
    assert loaded["EXTRA_FLASK_SETTING"] is True


def test_the_app_factory_fails_at_start_on_a_bad_setting(instance_dir, monkeypatch):
    monkeypatch.setenv("TASKLANE_SCRIPT_TIMEOUT_SECONDS", "two")
    with pytest.raises(ConfigError, match="TASKLANE_SCRIPT_TIMEOUT_SECONDS='two' is not a valid float"):
        create_app({"TASKLANE_ENV": "testing", "TASKLANE_INSTANCE_DIR": str(instance_dir),
                    "TASKLANE_DATABASE_URL": f"sqlite:///{instance_dir / 'unused.sqlite'}"})
    assert not instance_dir.exists()
