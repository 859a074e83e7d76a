"""The rule of every page and API route, by endpoint: which roles may use it, and which
object of the permissions table (:mod:`web.access.table`) it addresses with which action.

tests/web/test_access_matrix.py tries every route of ``app.url_map`` with every role on its
own object and on someone else's, expecting what these rules say; a route missing here
fails it, so no route is added without a rule.
"""
from dataclasses import dataclass

from . import table


@dataclass(frozen=True)
class Rule:
    """``roles``: who may use the route (``None``: every signed-in user); ``object``: what
    it addresses (``case``, ``task``, ``customer``, ``order``, ``referral`` in the table, or ``mine``: a
    user's own notification or token), and ``action``: the table's row for it; ``public``: no
    sign-in needed; ``refusal``: what a refused user gets."""

    roles: frozenset = None
    object: str = None
    action: str = "read"
    public: bool = False
    refusal: tuple = (403, 404)


# A user's own notification or API token: theirs only, whoever they are.
MINE = {"read": {table.DEFAULT: table.OWN}, "revoke": {table.DEFAULT: table.OWN}}
OBJECTS = {"case": table.CASE, "task": table.TASK, "customer": table.CUSTOMER, "order": table.ORDER,
           "referral": table.REFERRAL, "deal": table.DEAL, "mine": MINE}

PUBLIC = Rule(public=True)
SIGNED_IN = Rule()
STAFF = frozenset({"sales", "manager", "admin", "process_owner", "consultant"})
CUSTOMER_READERS = frozenset({"sales", "manager", "admin", "auditor"})
LEAD_MAKERS = frozenset({"sales", "manager", "admin"})
DEPLOYERS = frozenset({"process_owner", "admin"})
ADMINS = frozenset({"admin"})
PARTNERS = frozenset({"partner"})
OVERSEERS = frozenset({"manager", "admin", "auditor"})
PROCESS_READERS = frozenset({"process_owner", "admin", "auditor", "manager"})
DEFINITION_READERS = STAFF | {"auditor"}
# The broker team (issue 15): analysts work deals, the lead also keeps the document templates.
BROKER_TEAM = frozenset({"broker_analyst", "broker_lead", "admin"})
BROKER_LEADS = frozenset({"broker_lead", "admin"})


def on(obj, action="read", roles=None, **extra):
    return Rule(roles=roles, object=obj, action=action, **extra)


def only(roles):
    return Rule(roles=frozenset(roles))


ROUTES = {
    # signing in, the public pages, static files
    "inbox.home": PUBLIC, "auth.session_new": PUBLIC, "auth.session_create": PUBLIC,
    "signup.registration_new": PUBLIC, "signup.registration_create": PUBLIC, "static": PUBLIC,
    "health.health_json": PUBLIC, "health.health_page": PUBLIC,
    "api.openapi_get": PUBLIC, "api.auth_token_create": PUBLIC,
    # every signed-in user, about themselves
    "auth.session_delete": SIGNED_IN, "auth.language_update": SIGNED_IN,
    "bell.notification_index": SIGNED_IN, "bell.notification_badge": SIGNED_IN,
    "bell.notification_read_all": SIGNED_IN, "bell.notification_show": on("mine", refusal=(302,)),
    "account.account_home": SIGNED_IN,
    "profile.profile_show": SIGNED_IN, "profile.profile_update": SIGNED_IN, "profile.token_create": SIGNED_IN,
    "profile.token_revoke": on("mine", "revoke"), "profile.password_update": SIGNED_IN,
    "api.notifications_list": SIGNED_IN, "api.notification_read": on("mine", refusal=(404,)),
    "api.notifications_read_all": SIGNED_IN, "api.auth_token_delete": SIGNED_IN,
    # tasks and the inbox (lists show only what the user may see)
    "inbox.inbox_index": SIGNED_IN, "api.tasks_list": SIGNED_IN,
    "tasks.task_show": on("task"), "api.tasks_get": on("task"),
    "tasks.task_complete": on("task", "work"), "api.tasks_complete": on("task", "work"),
    # a task someone else holds: 409 naming them to its team (who would claim it otherwise)
    "inbox.task_claim": on("task", "work", refusal=(403, 404, 409)),
    "api.tasks_claim": on("task", "work", refusal=(403, 404, 409)),
    "inbox.task_unclaim": on("task", "work"), "api.tasks_unclaim": on("task", "work"),
    "inbox.task_assign": on("task", "assign"), "api.tasks_assign": on("task", "assign"),
    "tasks.task_comment_create": on("task", "comment"),
    # cases, their history, exports, attachments and comments
    "cases.case_index": SIGNED_IN, "api.instances_list": SIGNED_IN,
    "cases.case_show": on("case"), "cases.case_diagram_show": on("case"),
    "cases.case_element_events": on("case"), "cases.case_timeline_export": on("case"),
    "cases.case_audit_verify": on("case"), "cases.attachment_show": on("case"),
    "api.instances_get": on("case"), "api.history_list": on("case"),
    "cases.case_comment_create": on("case", "comment"), "cases.case_attachment_create": on("case", "attach"),
    "api.messages_create": on("case", roles=STAFF),
    # repairing a case with an incident: its data corrected, what failed retried (docs/runtime.md)
    "case_repair.case_data_edit": on("case", "repair"), "case_repair.case_data_update": on("case", "repair"),
    "case_repair.case_retry": on("case", "repair"),
    "api.instance_data_get": on("case", "repair"), "api.instance_data_update": on("case", "repair"),
    "api.instances_retry": on("case", "repair"),
    "api.instances_create": only(STAFF),
    # leads and the pipeline
    "leads.lead_index": only(CUSTOMER_READERS),
    "leads.lead_new": only(LEAD_MAKERS), "leads.lead_create": only(LEAD_MAKERS),
    "leads.lead_import_new": only(LEAD_MAKERS), "leads.lead_import_create": only(LEAD_MAKERS),
    "api.leads_create": only(LEAD_MAKERS), "api.leads_import": only(LEAD_MAKERS),
    "pipeline.pipeline_board": only(CUSTOMER_READERS), "pipeline.pipeline_list": only(CUSTOMER_READERS),
    "pipeline.prospect_show": on("customer"), "pipeline.prospect_file": on("customer"),
    "pipeline.prospect_enter": on("customer", "change"), "pipeline.prospect_move": on("customer", "change"),
    "api.prospects_list": only(CUSTOMER_READERS), "api.pipeline_stages": only(CUSTOMER_READERS),
    "api.prospects_create": on("customer", "change"), "api.prospects_move": on("customer", "change"),
    # a customer and its orders (docs/crm.md "Orders")
    "api.customers_get": on("customer"),
    "orders.order_edit": on("order", "change"), "orders.order_update": on("order", "change"),
    "api.orders_update": on("order", "change"),
    "stages.stage_index": only(ADMINS), "stages.stage_create": only(ADMINS),
    "stages.stage_update": only(ADMINS),
    # reports and dashboards
    "reports.report_index": only(OVERSEERS), "reports.report_download": only(OVERSEERS),
    "dashboard.dashboard_index": only(OVERSEERS | {"process_owner"}),
    # processes, the modeler, the form editor
    "processes.process_index": only(PROCESS_READERS), "processes.process_show": only(PROCESS_READERS),
    "processes.process_diff": only(PROCESS_READERS),
    "processes.process_redeploy": only(DEPLOYERS), "processes.process_migrate_check": only(DEPLOYERS),
    "processes.process_migrate": only(DEPLOYERS),
    "modeler.modeler_drafts": only(DEPLOYERS), "modeler.modeler_new": only(DEPLOYERS),
    "modeler.modeler_edit": only(DEPLOYERS), "modeler.modeler_draft_save": only(DEPLOYERS),
    "modeler.modeler_validate": only(DEPLOYERS), "modeler.modeler_deploy": only(DEPLOYERS),
    "modeler.modeler_deploy_preview": only(DEPLOYERS), "modeler.modeler_files_open": only(DEPLOYERS),
    "formeditor.form_index": only(DEPLOYERS), "formeditor.form_edit": only(DEPLOYERS),
    "formeditor.form_preview": only(DEPLOYERS), "formeditor.form_upload": only(DEPLOYERS),
    "formeditor.form_deploy_preview": only(DEPLOYERS), "formeditor.form_deploy": only(DEPLOYERS),
    "api.definitions_list": only(DEFINITION_READERS), "api.definitions_get": only(DEFINITION_READERS),
    "api.versions_diff": only(DEFINITION_READERS), "api.version_files_list": only(DEFINITION_READERS),
    "api.version_files_get": only(DEFINITION_READERS),
    "api.definitions_create": only(DEPLOYERS), "api.definitions_validate": only(DEPLOYERS),
    "api.migrations_create": only(DEPLOYERS), "api.versions_redeploy": only(DEPLOYERS),
    # loan referrals: the referrer's portal and API, the staff pages, the admin's pages
    "portal.portal_home": only(PARTNERS), "portal.commission_index": only(PARTNERS),
    "portal.referral_index": only(PARTNERS), "portal.referral_new": only(PARTNERS),
    "portal.referral_create": only(PARTNERS), "portal.star_index": only(PARTNERS),
    "portal.referral_show": on("referral", roles=PARTNERS),
    "portal.cross_sell_answer": on("referral", "answer", roles=PARTNERS),
    "api.referrals_create": only(PARTNERS), "api.referrals_list": only(PARTNERS),
    "api.commissions_list": only(PARTNERS), "api.lending_products_list": only(PARTNERS),
    "api.lending_stars_list": only(PARTNERS),
    "api.referrals_get": on("referral", roles=PARTNERS),
    "api.referrals_cross_sell": on("referral", "answer", roles=PARTNERS),
    "referrals.referral_index": only(OVERSEERS | {"consultant"}),
    "referrals.referral_show": on("referral", roles=OVERSEERS | {"consultant"}),
    "referrals.consultant_index": only(OVERSEERS),
    **{f"lending_admin.{name}": only(ADMINS) for name in (
        "company_index", "company_create", "company_update", "product_list", "product_create",
        "consultant_index", "consultant_update", "policy_index", "policy_delete", "policy_end",
        "product_index", "product_update", "policy_list", "policy_create", "settings_show",
        "settings_update")},
    "lending_payouts.commission_index": only(ADMINS), "lending_payouts.commission_pay": only(ADMINS),
    # the broker's deals (issue 15): partners their own (another's is a 404), the team every deal
    "api.deal_products_list": only(PARTNERS | BROKER_TEAM), "api.deals_create": only(PARTNERS),
    "api.deals_list": only(PARTNERS | BROKER_TEAM), "api.deals_get": on("deal", roles=PARTNERS | BROKER_TEAM),
    "api.deal_documents_create": on("deal", "attach", roles=PARTNERS | BROKER_TEAM),
    **{f"broker_edo.{name}": only(BROKER_TEAM) for name in (
        "document_index", "document_deliver", "document_sign", "document_reject")},
    # their pages: the partner's deals in the portal, the team's queue and deal page, the lead's editors
    "broker_portal.deal_index": only(PARTNERS), "broker_portal.deal_new": only(PARTNERS),
    "broker_portal.deal_create": only(PARTNERS), "broker_portal.deal_show": on("deal", roles=PARTNERS),
    "broker_portal.deal_document_create": on("deal", "attach", roles=PARTNERS),
    "broker.deal_queue": only(BROKER_TEAM), "broker.deal_show": on("deal", roles=BROKER_TEAM),
    **{f"broker_products.{name}": only(BROKER_LEADS) for name in (
        "product_index", "product_show", "item_create", "item_update")},
    # the partners' commissions (issue 15, step 12): a partner reads their own, the team all; admins pay
    "api.deal_commissions_list": only(PARTNERS | BROKER_TEAM), "api.deal_commission_pay": only(ADMINS),
    **{f"broker_commissions.{name}": only(ADMINS) for name in (
        "policy_index", "policy_create", "policy_end", "commission_index", "commission_pay")},
    # people: the admin lists users and resets a password (docs/security.md)
    "users_admin.user_index": only(ADMINS), "users_admin.user_password_reset": only(ADMINS),
    "users_admin.user_roles_update": only(ADMINS),
    "api.users_roles_get": only(ADMINS), "api.users_roles_update": only(ADMINS),
    # roles: lanes name them; the admin adds them (docs/security.md "Roles")
    "roles_admin.role_index": only(ADMINS), "roles_admin.role_create": only(ADMINS),
    "api.roles_list": only(DEFINITION_READERS), "api.roles_create": only(ADMINS),
    # broker deals' documents: templates, samples and our requisites (docs/broker.md "Documents")
    **{f"broker_paperwork.{name}": only(BROKER_TEAM) for name in (
        "template_index", "template_show", "template_sample_pdf", "template_sample_docx",
        "template_docx_file", "template_html_file", "requisites_show")},
    **{f"broker_paperwork.{name}": only(BROKER_LEADS) for name in (
        "template_docx_update", "template_html_update", "template_restore", "requisites_update")},
    # business calendars: the admin's hours and exceptions (docs/calendars.md)
    **{f"calendars_admin.{name}": only(ADMINS) for name in (
        "calendar_index", "calendar_hours_update", "calendar_exception_create", "calendar_exception_delete")},
}


def allowed(rule, roles, own):
    """Whether a user with ``roles`` may use a route of ``rule`` on an object that is theirs
    (``own``) or someone else's."""
    roles = frozenset(roles)
    if rule.public:
        return True
    if rule.roles is not None and not roles & rule.roles:
        return False
    if rule.object is None:
        return True
    reach = table.scope(OBJECTS[rule.object], rule.action, roles)
    return reach == table.ANY or (reach == table.OWN and own)
