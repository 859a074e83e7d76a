"""One declaration per domain (processes.domain.Domain) and one list of installed domains
(processes.DOMAINS) that the app factory, the bell and the demo loader loop over; a
script helper or notification kind declared twice stops the start."""
import configparser
import importlib
from types import SimpleNamespace

import pytest

import processes
from engine.errors import ConfigError
from processes.domain import Domain
from processes.leads import helpers as lead_handling
from processes.platform import PLATFORM
from tasklane.app import create_app
from tests.conftest import ROOT


def _renders(title, body):
    return lambda note: (title, body)


def test_every_domain_package_exports_its_declaration_and_is_installed():
    assert [d.name for d in processes.DOMAINS] == ["leads", "pipeline", "referrals", "broker"]
    for domain in processes.DOMAINS:
        package = importlib.import_module(f"processes.{domain.name}")
        assert package.DOMAIN is domain and domain.pages == f"web.{domain.name}"


def test_the_installed_declarations_make_the_tables_of_helpers_rules_and_kinds():
    for domain in processes.installed():
        assert {name: processes.HELPERS[name] for name in domain.helpers} == dict(domain.helpers)
        assert {kind: processes.NOTIFICATIONS[kind] for kind in domain.notifications} == \
            dict(domain.notifications)
        for rules in domain.rules:
            assert processes.RULES[rules.key] is rules
    assert processes.NOTIFICATIONS["callback_due"] is lead_handling.callback_text
    assert {"task_assigned", "comment_added", "deadline_near"} <= set(PLATFORM.notifications)


def test_a_notification_kind_declared_twice_stops_the_start():
    twice = Domain("other", notifications={"callback_due": _renders("forged", "")})
    with pytest.raises(ConfigError, match="notification kind 'callback_due' is declared twice"):
        processes.notifications_of([*processes.installed(), twice])


def test_each_domains_case_rule_is_declared_with_it_and_a_process_ruled_twice_stops_the_start():
    declared = {key: (domain.name, rule) for domain in processes.DOMAINS
                for key, rule in domain.case_parts.items()}
    assert {key: name for key, (name, _rule) in declared.items()} == {
        "lead_handling": "leads", "prospect_pipeline": "pipeline", "loan_referral": "referrals"}
    assert processes.CASE_PARTS == {key: rule for key, (_name, rule) in declared.items()}
    twice = Domain("other", case_parts={"loan_referral": lambda *args: None})
    with pytest.raises(ConfigError, match="case rule of process 'loan_referral' is declared twice"):
        processes.case_parts_of([*processes.installed(), twice])


def test_a_domain_declaring_a_helper_or_kind_another_declares_stops_the_app(settings, monkeypatch):
    def record_order():
        return "forged"

    monkeypatch.setattr(processes, "DOMAINS", (*processes.DOMAINS, Domain("forged", helpers={
        "record_order": record_order})))
    with pytest.raises(ConfigError, match="script helper 'record_order' is declared twice"):
        create_app(settings)
    monkeypatch.setattr(processes, "DOMAINS", (*processes.DOMAINS[:-1], Domain("forged", notifications={
        "task_assigned": _renders("forged", "")})))
    with pytest.raises(ConfigError, match="notification kind 'task_assigned' is declared twice"):
        create_app(settings)


def test_the_bell_shows_a_kind_by_the_renderer_its_domain_declared(settings, monkeypatch):
    from web import bell

    monkeypatch.setattr(processes, "DOMAINS", (*processes.DOMAINS, Domain("extra", notifications={
        "extra_kind": _renders("Extra title", "Extra body")})))
    app = create_app(settings)
    with app.test_request_context():
        note = SimpleNamespace(kind="extra_kind", title="stored", body="stored body", params={})
        assert bell.text(note) == ("Extra title", "Extra body")
        unknown = SimpleNamespace(kind="nobody_declares_it", title="stored", body="stored body", params={})
        assert bell.text(unknown) == ("stored", "stored body")


def test_every_installed_domains_pages_are_registered(app):
    for domain in processes.DOMAINS:
        for blueprint in importlib.import_module(domain.pages).BLUEPRINTS:
            assert app.blueprints[blueprint.name] is blueprint


def test_the_independence_contracts_name_every_installed_domain():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    named = [config[section]["modules"].split() for section in config.sections()
             if config[section].get("type") == "independence"]
    assert sorted(f"processes.{d.name}" for d in processes.DOMAINS) in [sorted(m) for m in named]
    assert sorted(f"web.{d.name}" for d in processes.DOMAINS) in [sorted(m) for m in named]
