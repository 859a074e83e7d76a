"""Every setting Tasklane reads, in one list, with its type and default.

Settings come from ``TASKLANE_*`` environment variables; the common names
``DATABASE_URL``, ``REDIS_URL`` and ``SECRET_KEY`` are accepted as aliases.
They are read once, in :func:`tasklane.app.create_app`.
"""
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
# Each domain's place where it differs from the default one (engine/places.py)
DOMAIN_PLACES = {
    "brokerage": {"zone": "Europe/Moscow", "region": "RU", "language": "ru", "currency": "RUB"},
}
# The business calendars (engine/calendars.py): a country of the ``holidays`` package, the
# zone its working hours are in, and the hours until an admin changes them (docs/calendars.md)
CALENDARS = {
    "VN": {"country": "VN", "zone": "Asia/Ho_Chi_Minh", "hours": ["08:00", "17:00"]},
    "RU": {"country": "RU", "zone": "Europe/Moscow", "hours": ["09:00", "18:00"]},
}


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: object
    help: str
    aliases: tuple = ()


SETTINGS = [
    Setting("TASKLANE_ENV", str, "development",
            "development (demo users and data are loaded) or production"),
    Setting("TASKLANE_INSTANCE_DIR", str, "./instance",
            "folder for the SQLite file, the embedded Redis and uploads"),
    Setting("TASKLANE_DATABASE_URL", str, "",
            "SQLAlchemy URL; empty means SQLite in the instance folder", ("DATABASE_URL",)),
    Setting("TASKLANE_REDIS_URL", str, "",
            "Redis URL; empty means an embedded Redis in the instance folder", ("REDIS_URL",)),
    Setting("TASKLANE_SECRET_KEY", str, "",
            "session signing key; required in production", ("SECRET_KEY",)),
    Setting("TASKLANE_PASSWORD_HASH", str, "scrypt",
            "werkzeug hash method for new passwords (tests use a cheap one)"),
    Setting("TASKLANE_DEADLINE_WARNING_MINUTES", int, 60,
            "ring the assignee's bell this long before an open task is due"),
    Setting("TASKLANE_BPMN_DIR", str, str(REPO_ROOT / "bpmn"),
            "folder of the diagrams deployed on start"),
    Setting("TASKLANE_QUEUE_PREFIX", str, "tasklane",
            "prefix of the rq queue names (lets several installations share one Redis)"),
    Setting("TASKLANE_SWEEP_SECONDS", float, 2.0,
            "how often each worker re-arms due timers and unsent outbox rows, and enqueues due "
            "periodic jobs"),
    Setting("TASKLANE_PERIODIC_MODULES", str, "",
            "extra modules (comma-separated) whose PERIODIC lists add periodic jobs (site jobs, tests)"),
    Setting("TASKLANE_DISPATCH_SECONDS", float, 0.2,
            "how often each worker releases due timer jobs (rq's scheduler works in whole seconds)"),
    Setting("TASKLANE_TIMER_GRACE_SECONDS", float, 3.0,
            "a pending timer this late whose job is not queued is re-enqueued"),
    Setting("TASKLANE_SCRIPT_TIMEOUT_SECONDS", float, 2.0,
            "time limit of one gateway condition or script task"),
    Setting("TASKLANE_MAX_CASE_BYTES", int, 1_000_000,
            "largest saved state of one case (its data and open tasks, as JSON); a change that "
            "would save more is refused with an incident"),
    Setting("TASKLANE_SCRIPT_MEMORY_MB", int, 256,
            "how much memory the process may add while a script runs (0: no cap)"),
    Setting("TASKLANE_MAX_BPMN_BYTES", int, 2_000_000, "largest BPMN file accepted on deploy"),
    Setting("TASKLANE_MAX_REQUEST_BYTES", int, 1_000_000,
            "largest request body of a page or API route that takes no file (413 past it)"),
    Setting("TASKLANE_MAX_UPLOAD_BYTES", int, 48 * 1024 * 1024,
            "largest body of a route that takes files (a task's form, a case attachment, a stage move)"),
    Setting("TASKLANE_MAX_IMPORT_BYTES", int, 5_000_000,
            "largest lead import file (CSV or XLSX, at most 5,000 rows)"),
    Setting("TASKLANE_DEMO_PASSWORD", str, "demo", "password of the demo users"),
    Setting("TASKLANE_SMTP_HOST", str, "", "SMTP server; empty keeps mail in the dev mailbox"),
    Setting("TASKLANE_SMTP_PORT", int, 25, "SMTP port"),
    Setting("TASKLANE_MAIL_FROM", str, "tasklane@localhost", "sender address of e-mail"),
    Setting("TASKLANE_WORKER_LOG_LEVEL", str, "WARNING",
            "level of rq's own log lines in `tasklane worker` (INFO logs a line for every job)"),
    Setting("TASKLANE_WEB_WORKERS", int, 2, "gunicorn worker processes started by `tasklane run`"),
    Setting("TASKLANE_PARTNER_SIGNUP", bool, True,
            "anyone may create a referrer (partner) account at /register; off: the page is 404"),
    Setting("TASKLANE_LOGIN_ADDRESS_LIMIT", int, 10,
            "sign-in attempts (page and API) one client address may get wrong within 15 minutes"),
    Setting("TASKLANE_PROXY_HOPS", int, 0,
            "reverse proxies in front of Tasklane whose X-Forwarded-For/-Proto to trust (ProxyFix)"),
    Setting("TASKLANE_BUSINESS_CALENDAR", str, "",
            "business calendar (a name of TASKLANE_CALENDARS) of a task due or business_time() "
            "that names none; empty: TASKLANE_REGION"),
    Setting("TASKLANE_CALENDARS", str, json.dumps(CALENDARS),
            'JSON: the business calendars, e.g. {"VN": {"country": "VN", "zone": "Asia/Ho_Chi_Minh", '
            '"hours": ["08:00", "17:00"]}}'),
    Setting("TASKLANE_ZONE", str, "Asia/Ho_Chi_Minh",
            "time zone of the default place: a user's zone until they choose one, report days"),
    Setting("TASKLANE_REGION", str, "VN",
            "country (ISO 3166) of the default place: phone numbers and the business calendar"),
    Setting("TASKLANE_LANGUAGE", str, "vi",
            "language (vi, en or ru) the default place writes to customers and partners in"),
    Setting("TASKLANE_CURRENCY", str, "VND", "currency (ISO 4217) of amounts that name none"),
    Setting("TASKLANE_PLACES", str, json.dumps(DOMAIN_PLACES),
            "JSON: a domain's own place over the default, e.g. "
            '{"brokerage": {"zone": "Europe/Moscow", "region": "RU", "language": "ru", "currency": "RUB"}}'),
    Setting("TASKLANE_SERVICE_HOSTS", str, "",
            "hosts (comma-separated, host or host:port) the HTTP service operators may call; "
            "empty: none (docs/runtime.md, Service tasks)"),
    Setting("TASKLANE_SERVICE_TIMEOUT_SECONDS", float, 10.0,
            "time limit of one HTTP call a service task makes"),
    Setting("TASKLANE_EDO_ADAPTER", str, "development",
            "ЭДО adapter of the broker's contracts: development (records what would be sent and "
            "simulates the counterparty; nothing leaves the machine) or package.module:factory of an "
            "installed production adapter (docs/broker-edo.md)"),
    Setting("TASKLANE_EDO_DEV_DELIVER_SECONDS", float, 30.0,
            "development ЭДО: a sent document reaches the simulated counterparty this long after "
            "sending (0: only by hand)"),
    Setting("TASKLANE_EDO_DEV_SIGN_SECONDS", float, 120.0,
            "development ЭДО: the simulated counterparty signs this long after delivery (0: only by hand)"),
    Setting("TASKLANE_TEST_HOOKS", bool, False,
            "let the test clock hook (engine/testclock.py) move timers; tests only, refused in production"),
]


def _convert(setting, raw):
    if setting.type is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    try:
        return setting.type(raw)
    except ValueError:
        raise ConfigError(f"{setting.name}={raw!r} is not a valid {setting.type.__name__}") from None


def load(environ=None, overrides=None):
    """Read every setting from the environment.

    :param environ: mapping to read instead of ``os.environ``
    :param overrides: values that win over the environment (tests)
    :raises ConfigError: a value has the wrong type, or a required one is missing
    """
    environ = os.environ if environ is None else environ
    overrides = overrides or {}
    config = {}
    for setting in SETTINGS:
        if setting.name in overrides:
            config[setting.name] = overrides[setting.name]
            continue
        raw = next((environ[n] for n in (setting.name, *setting.aliases) if environ.get(n)), None)
        config[setting.name] = setting.default if raw is None else _convert(setting, raw)
    for key, value in overrides.items():
        config.setdefault(key, value)
    return _derive(config)


def _derive(config):
    if config["TASKLANE_ENV"] not in ("development", "production", "testing"):
        raise ConfigError("TASKLANE_ENV must be development, production or testing")
    _places(config)
    config["TASKLANE_WORKER_LOG_LEVEL"] = config["TASKLANE_WORKER_LOG_LEVEL"].upper()
    if config["TASKLANE_WORKER_LOG_LEVEL"] not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("TASKLANE_WORKER_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
    config["TASKLANE_BUSINESS_CALENDAR"] = (config["TASKLANE_BUSINESS_CALENDAR"]
                                            or config["TASKLANE_REGION"]).upper()
    _calendars(config)
    if config["TASKLANE_BUSINESS_CALENDAR"] not in config["TASKLANE_CALENDARS"]:
        raise ConfigError(f"TASKLANE_BUSINESS_CALENDAR must be {' or '.join(config['TASKLANE_CALENDARS'])} "
                          "(docs/calendars.md)")
    instance = Path(config["TASKLANE_INSTANCE_DIR"]).resolve()
    config["TASKLANE_INSTANCE_DIR"] = str(instance)
    _edo_adapter(config)
    if config["TASKLANE_TEST_HOOKS"] and config["TASKLANE_ENV"] == "production":
        raise ConfigError("TASKLANE_TEST_HOOKS moves timers for tests; it cannot be on in production")
    if not config["TASKLANE_SECRET_KEY"]:
        if config["TASKLANE_ENV"] == "production":
            raise ConfigError("TASKLANE_SECRET_KEY (or SECRET_KEY) is required in production")
        config["TASKLANE_SECRET_KEY"] = _instance_secret(instance)
    config["SECRET_KEY"] = config["TASKLANE_SECRET_KEY"]
    # Flask's own limit, for whatever runs before web.limits sets the route's own
    config["MAX_CONTENT_LENGTH"] = max(config[name] for name in (
        "TASKLANE_MAX_REQUEST_BYTES", "TASKLANE_MAX_UPLOAD_BYTES", "TASKLANE_MAX_IMPORT_BYTES"))
    config.update(_cookies(config["TASKLANE_ENV"] == "production"))
    config["SQLALCHEMY_DATABASE_URI"] = database_uri(config["TASKLANE_DATABASE_URL"], instance)
    return config


def _places(config):
    """Check the default place and parse ``TASKLANE_PLACES`` into ``{domain: {field: value}}``."""
    places = config["TASKLANE_PLACES"]
    if isinstance(places, str):
        try:
            places = json.loads(places or "{}")
        except ValueError as error:
            raise ConfigError(f"TASKLANE_PLACES is not JSON: {error}") from None
    if not isinstance(places, dict) or not all(isinstance(v, dict) for v in places.values()):
        raise ConfigError('TASKLANE_PLACES must be {"domain": {"zone": ..., "currency": ...}, ...}')
    config["TASKLANE_PLACES"] = places
    config["TASKLANE_REGION"] = config["TASKLANE_REGION"].upper()
    config["TASKLANE_CURRENCY"] = config["TASKLANE_CURRENCY"].upper()
    for where, values in [("", {}), *places.items()]:
        _check_place(config, where, values)


def _check_place(config, where, values):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from babel import Locale
    from babel.numbers import get_currency_name

    unknown = set(values) - {"zone", "region", "language", "currency"}
    if unknown:
        raise ConfigError(f"TASKLANE_PLACES[{where!r}]: unknown {', '.join(sorted(unknown))}")
    name = f"TASKLANE_PLACES[{where!r}]" if where else "TASKLANE_ZONE/REGION/LANGUAGE/CURRENCY"
    zone = values.get("zone", config["TASKLANE_ZONE"])
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}: unknown time zone {zone!r}") from None
    language = values.get("language", config["TASKLANE_LANGUAGE"])
    if language not in ("vi", "en", "ru"):
        raise ConfigError(f"{name}: language must be vi, en or ru, not {language!r}")
    region = values.get("region", config["TASKLANE_REGION"]).upper()
    currency = values.get("currency", config["TASKLANE_CURRENCY"]).upper()
    if not (len(region) == 2 and region != "ZZ" and region in Locale("en").territories):
        raise ConfigError(f"{name}: unknown region {region!r} (ISO 3166, e.g. VN)")
    if get_currency_name(currency, locale="en") == currency:
        raise ConfigError(f"{name}: unknown currency {currency!r} (ISO 4217, e.g. VND)")
    if where:
        values.update(region=region, currency=currency)


def _calendars(config):
    """Parse and check ``TASKLANE_CALENDARS`` into ``{NAME: {country, zone, hours: [start, end]}}``."""
    from datetime import time
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    import holidays

    raw = config["TASKLANE_CALENDARS"]
    try:
        calendars = json.loads(raw) if isinstance(raw, str) else raw
        calendars = {str(name).upper(): dict(spec) for name, spec in calendars.items()}
    except (ValueError, TypeError, AttributeError):
        raise ConfigError('TASKLANE_CALENDARS must be JSON {"VN": {"country": ..., "zone": ..., '
                          '"hours": ["08:00", "17:00"]}, ...}') from None
    for name, spec in calendars.items():
        spec["country"] = str(spec.get("country") or name).upper()
        if spec["country"] not in holidays.list_supported_countries():
            raise ConfigError(f"TASKLANE_CALENDARS[{name!r}]: the holidays package knows no "
                              f"country {spec['country']!r}")
        try:
            ZoneInfo(spec.get("zone") or "")
            start, end = (time.fromisoformat(hour) for hour in spec.get("hours"))
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ConfigError(f"TASKLANE_CALENDARS[{name!r}]: needs a known zone and hours "
                              '["HH:MM", "HH:MM"]') from None
        if not start < end:
            raise ConfigError(f"TASKLANE_CALENDARS[{name!r}]: the working day ends before it starts")
    config["TASKLANE_CALENDARS"] = calendars


def _edo_adapter(config):
    """``development`` or ``package.module:factory`` of a module that can be imported; the
    factory itself is called at first use (processes/broker/edo/adapter.py)."""
    import importlib.util

    name = config["TASKLANE_EDO_ADAPTER"] = config["TASKLANE_EDO_ADAPTER"].strip() or "development"
    if name == "development":
        return
    module, colon, factory = name.partition(":")
    found = None
    if colon and module and factory.isidentifier():
        try:
            found = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            found = None
    if found is None:
        raise ConfigError(f"TASKLANE_EDO_ADAPTER={name!r}: use development, or package.module:factory of "
                          "an installed production adapter; no Diadoc adapter ships with Tasklane "
                          "(docs/broker-edo.md says what one needs)")


def _cookies(production):
    # Secure only in production: development and tests run on plain http. Lax keeps the
    # cookies off cross-site POSTs and frames while links from e-mail still sign in.
    return {f"{cookie}_{name}": value for cookie in ("SESSION_COOKIE", "REMEMBER_COOKIE")
            for name, value in (("SECURE", production), ("HTTPONLY", True), ("SAMESITE", "Lax"))}


def database_uri(url, instance):
    """The SQLAlchemy URI for ``url``: psycopg 3 for PostgreSQL, SQLite in ``instance`` if empty."""
    if not url:
        return f"sqlite:///{instance / 'tasklane.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(instance):
    # A development key that survives restarts, so sessions do too.
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def describe():
    """Rows of (name, default, help) for the README and ``tasklane config``."""
    return [(s.name, s.default, s.help) for s in SETTINGS]
