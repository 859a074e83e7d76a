"""The access matrix (issue 11, section 2): every page and API route, tried by every role on an
object of its own and on someone else's, answers what the permissions table predicts
(web/access/routes.py ROUTES with web/access/table.py), and never 500. A route with no rule
fails here, so none can be added unruled.

Reads are GETs. Writes are POSTs tried only where the table says no (or, where allowed, with
an input that is refused before anything is stored), so one set of data serves every test.
"""
import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import g
from sqlalchemy import select, update

import engine
from accounts import service, tokens
from accounts.models import User
from crm.models import Order, StageChange
from engine import attachments
from engine.db import db
from engine.models import HumanTask, Notification, ProcessInstance
from processes.broker import deals
from processes.broker.models import ChecklistItem
from processes.leads import entry as leads
from processes.pipeline import stages
from processes.referrals import helpers as procedure
from tests import broker_data
from tests.conftest import ONE_BACKEND, ROOT, deploy_file, fresh_database
from tests.engine.helpers import complete
from tests.referral_data import CONSULTANT_PHONES, catalogue, deploy_procedure, referral_form, start_case
from tests.web.conftest import csrf
from web import access
from web.access.routes import ROUTES, allowed
from web.api.registry import OPERATIONS

# One user of each role; "own" objects are theirs, "other" ones belong to sales2, partner2
# and consultant2, whom no one here is.
USERS = {"sales": "sales1", "manager": "manager", "admin": "admin", "process_owner": "owner",
         "auditor": "auditor", "partner": "partner1", "customer": "customer1", "consultant": "consultant1"}
OTHER = "other"
# Routes that answer 500 for reasons outside access (bad input handling), left to their owners:
KNOWN_500 = {}


@dataclass
class World:
    """Ids of the objects the routes address: ``own[kind][username]`` and ``other[kind]``."""

    own: dict = field(default_factory=dict)
    other: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)

    def of(self, kind, username, own):
        return self.own[kind][username] if own else self.other[kind]


def _file(instance_id, actor, name):
    data = f"%PDF-1.4 {name}".encode()
    upload = SimpleNamespace(filename=f"{name}.pdf", content_type="application/pdf", data=data,
                             sha256=hashlib.sha256(data).hexdigest())
    return attachments.attach(instance_id, upload, actor=actor).id


def _referral(shop_product, phone, referrer, consultant):
    form = referral_form(shop_product, phone=phone, consultant_choice="phone",
                         consultant_phone=CONSULTANT_PHONES[consultant])
    row = procedure.submit_referral(form, actor=referrer)
    case = start_case(row.id).id
    complete(case, "accept_referral", {"decision": "accept"}, actor=consultant)
    return row.id, case


def _deals():
    """A broker's deal of partner1 and one of partner2 (issue 15)."""
    broker_data.deploy()
    product = broker_data.product()
    return (deals.register(broker_data.deal_form(product), actor="partner1").id,
            deals.register(broker_data.deal_form(product, inn="7736207543", ogrn=None), actor="partner2").id,
            product)


def _lead(owner, phone):
    result = leads.create_lead({"name": f"Khách của {owner}", "phone": phone, "owner": owner},
                               actor="manager", source="website")
    first = stages.ordered()[0]
    db.session.add(StageChange(customer_id=result.customer.id, to_stage_id=first.id, author=owner,
                               instance_id=result.instance.id))
    db.session.add(Order(customer_id=result.customer.id, product="Liệu trình", amount=Decimal("4500000"),
                         created_by=owner, instance_id=result.instance.id))
    db.session.commit()
    return result.customer.id, result.instance.id


def _order_of(customer_id):
    return db.session.query(Order.id).filter_by(customer_id=customer_id).scalar()


def _generic(holder):
    """A two_lanes case whose open task ``holder`` holds: ``(case, task)``."""
    instance = engine.start("two_lanes", actor="manager",
                            data={"name": "Nguyễn Văn An", "phone": "+84901234567"})
    task = db.session.query(HumanTask).filter_by(instance_id=instance.id, state="open").one()
    db.session.execute(update(HumanTask).where(HumanTask.id == task.id).values(assignee=holder))
    db.session.commit()
    return instance.id, task.id


def _open_task(instance_id):
    return db.session.query(HumanTask).filter_by(instance_id=instance_id, state="open").one().id


def build():
    shop = catalogue(with_people=False)
    deploy_procedure()
    engine.deploy((ROOT / "bpmn" / "lead_handling.bpmn").read_bytes(), actor="owner",
                  name="lead_handling.bpmn", roles=service.role_names())
    deploy_file("two_lanes.bpmn")
    stages.ensure_defaults()
    db.session.commit()
    world = World(fixed={"key": "two_lanes", "number": 1, "a": 1, "b": 1, "element_id": "call",
                         "name": "ping", "fmt": "csv", "company_id": shop.fe_credit,
                         "product_id": shop.cash_loan,
                         "policy_id": 1, "commission_id": 1, "stage_id": stages.ordered()[0].id,
                         "username": "consultant1", "filename": "tasklane.css", "user_id": 1,
                         "file_name": "two_lanes.bpmn", "kind": "act", "version": 1,
                         "document_id": 1})
    referral, referral_case = _referral(shop.cash_loan, "0912000001", "partner1", "consultant1")
    other_referral, other_referral_case = _referral(shop.consumer_loan, "0912000002", "partner2",
                                                    "consultant2")
    deal, other_deal, broker_product = _deals()
    world.fixed.update(kind="checklist", item_id=db.session.scalar(
        select(ChecklistItem.id).filter_by(product_id=broker_product).order_by(ChecklistItem.id).limit(1)))
    world.broker_product = broker_product
    customer, lead_case = _lead("sales1", "0913000001")
    other_customer, other_lead_case = _lead("sales2", "0913000002")
    generic = {name: _generic(name) for name in USERS.values()}
    cases = {name: generic[name][0] for name in USERS.values()}
    cases.update(sales1=lead_case, partner1=referral_case, consultant1=referral_case)
    files = {case: _file(case, "manager", f"file-{case}")
             for case in {*cases.values(), other_referral_case, other_lead_case}}
    users = {user.username: user for user in db.session.query(User)}
    notes = {name: Notification(username=name, title="Hello", link="/profile")
             for name in [*USERS.values(), "sales2"]}
    db.session.add_all(notes.values())
    db.session.flush()
    issued = {name: tokens.issue(users[name])[0].id for name in [*USERS.values(), "sales2"]}
    db.session.commit()
    everyone = list(USERS.values())
    world.own = {
        "case": cases, "attachment": {name: files[cases[name]] for name in everyone},
        "task": {name: generic[name][1] for name in everyone},
        "customer": dict.fromkeys(everyone, customer),
        "order": dict.fromkeys(everyone, _order_of(customer)),
        "customer_file": dict.fromkeys(everyone, files[lead_case]),
        "referral": dict.fromkeys(everyone, referral),
        "deal": dict.fromkeys(everyone, deal),
        "mine": {name: notes[name].id for name in everyone},
        "token": {name: issued[name] for name in everyone},
    }
    world.other = {
        "case": other_referral_case, "attachment": files[other_referral_case],
        "task": _open_task(other_referral_case),
        "customer": other_customer, "order": _order_of(other_customer),
        "customer_file": files[other_lead_case],
        "referral": other_referral, "deal": other_deal, "mine": notes["sales2"].id, "token": issued["sales2"],
    }
    db.session.commit()
    return world


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, redis_url):
    """One app with the data for every test of this module, signed-in clients and API tokens."""
    from tasklane.app import create_app

    folder = tmp_path_factory.mktemp("matrix")
    database = fresh_database(ONE_BACKEND[0], folder)
    app = create_app({
        "TASKLANE_ENV": "testing", "TASKLANE_INSTANCE_DIR": str(folder / "instance"),
        "TASKLANE_DATABASE_URL": next(database), "TASKLANE_REDIS_URL": redis_url,
        "TASKLANE_QUEUE_PREFIX": f"test-{uuid.uuid4().hex[:8]}", "TASKLANE_SECRET_KEY": "test",
        "TASKLANE_PASSWORD_HASH": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.create_all()
        service.ensure_roles()
        service.ensure_demo_users("demo")
        world = build()
        sessions, bearers, roles = {}, {}, {}
        for username in USERS.values():
            client = app.test_client()
            response = client.post("/login", data={"username": username, "password": "demo",
                                                   "csrf_token": csrf(client)})
            assert response.status_code == 302
            sessions[username] = (client, csrf(client, "/profile"))
            user = db.session.query(User).filter_by(username=username).one()
            bearers[username] = f"Bearer {tokens.issue(user)[1]}"
            roles[username] = frozenset(user.role_names)
        db.session.commit()
        yield SimpleNamespace(app=app, world=world, sessions=sessions, bearers=bearers, roles=roles)
        db.session.remove()
        db.engine.dispose()
    next(database, None)


# Writes a role may do are tried with an input refused before anything is stored.
PROBES = {"cases.case_comment_create": {"body": ""}, "cases.case_attachment_create": {},
          "tasks.task_comment_create": {"body": ""}}
# What some routes need besides their URL's values to reach their access check.
QUERIES = {"processes.process_diff": "?a=1&b=1", "processes.process_migrate_check": "?from=1&to=1"}
FIXED = {"formeditor.form_edit": {"key": "referral-accept"},
         # a document template's kind (the products' editors take "checklist" or "question")
         **{f"broker_paperwork.{name}": {"kind": "act"} for name in (
             "template_show", "template_docx_update", "template_html_update", "template_sample_pdf",
             "template_sample_docx", "template_docx_file", "template_html_file", "template_restore")}}
BODIES = {"api.prospects_create":
          lambda world, username, own: {"customer_id": world.of("customer", username, own)}}
PARAM_KINDS = {"instance_id": "case", "task_id": "task", "customer_id": "customer", "order_id": "order",
               "referral_id": "referral", "deal_id": "deal", "note_id": "mine", "token_id": "token"}


def url_rules(app):
    return {rule.endpoint: rule for rule in app.url_map.iter_rules()}


def _values(matrix, rule, endpoint, username, own):
    values = {}
    for name in rule.arguments:
        if name == "attachment_id":
            kind = "customer_file" if endpoint == "pipeline.prospect_file" else "attachment"
            values[name] = matrix.world.of(kind, username, own)
        elif name in PARAM_KINDS:
            values[name] = matrix.world.of(PARAM_KINDS[name], username, own)
        elif name == "product_id" and endpoint.startswith("broker_products."):
            values[name] = matrix.world.broker_product   # a credit product of the broker's
        else:
            values[name] = FIXED.get(endpoint, {}).get(name, matrix.world.fixed[name])
    return values


def _path(rule, endpoint, values):
    return rule.build(values, append_unknown=False)[1] + QUERIES.get(endpoint, "")


def _request(matrix, endpoint, rule, username, path, own):
    method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    client, token = matrix.sessions[username]
    g.pop("_login_user", None)
    if endpoint.startswith("api."):
        body = BODIES[endpoint](matrix.world, username, own) if endpoint in BODIES else {}
        return method, client.open(path, method=method, json=body if method != "GET" else None,
                                   headers={"Authorization": matrix.bearers[username]})
    if method == "GET":
        return method, client.get(path)
    return method, client.open(path, method=method, data={**PROBES.get(endpoint, {}), "csrf_token": token})


def _tries(matrix, route):
    """``(username, roles, own)`` to try: objects both ways, other routes once."""
    both = (True, False) if route.object else (True,)
    return [(username, matrix.roles[username], own) for username in USERS.values() for own in both]


def test_every_route_has_a_rule_and_every_rule_a_route(matrix):
    endpoints = set(url_rules(matrix.app))
    assert {op.endpoint for op in OPERATIONS} <= endpoints
    assert sorted(endpoints - set(ROUTES)) == [], "routes without a rule in web/access/routes.py"
    assert sorted(set(ROUTES) - endpoints) == [], "rules of routes that do not exist"


def test_the_case_list_and_the_one_case_check_agree_for_every_role_and_action(matrix):
    every = db.session.scalars(select(ProcessInstance.id)).all()
    for username in USERS.values():
        user = db.session.query(User).filter_by(username=username).one()
        for action in ("read", "comment", "attach"):
            listed = set(db.session.scalars(access.visible_cases(select(ProcessInstance.id), user, action)))
            assert listed == {case for case in every if access.may_see_case(user, case, action)}, username


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_a_route_answers_each_role_as_the_table_says(matrix, endpoint):
    rule = url_rules(matrix.app)[endpoint]
    route = ROUTES[endpoint]
    wrong = []
    for username, roles, own in _tries(matrix, route):
        expected = allowed(route, roles, own)
        path = _path(rule, endpoint, _values(matrix, rule, endpoint, username, own))
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        if expected and method != "GET" and endpoint not in PROBES:
            continue   # an allowed write would change the data the other tries read
        method, response = _request(matrix, endpoint, rule, username, path, own)
        status = response.status_code
        response.close()
        if status >= 500 and KNOWN_500.get(endpoint):
            continue
        ok = (status < 500 and status not in (401, 403, 404)) if expected else status in route.refusal
        if not ok:
            wrong.append(f"{username} {'own' if own else OTHER}: {method} {path} -> {status}, "
                         f"expected {'allowed' if expected else route.refusal}")
    assert not wrong, "\n".join(wrong)
