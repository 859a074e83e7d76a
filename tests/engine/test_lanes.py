"""Lanes mapped to roles at deploy (issue 14, "Lanes"): a diagram whose lanes are named
"Finance Team" or "Tester" deploys without renaming them, its version keeps the mapping,
and the mapping decides whose queue each task opens in, also after a case moves."""
import pytest

import engine
from engine import audit, lanes
from engine.db import db
from engine.errors import DeployError
from engine.models import AuditEvent, ProcessVersion
from engine.starting import outline
from tests.conftest import BPMN
from tests.engine.helpers import complete, instance, open_tasks

ROLES = {"sales", "manager", "finance", "accounting"}
FINANCE = ((BPMN / "two_lanes.bpmn").read_text(encoding="utf-8")
           .replace('name="manager"', 'name="Finance Team"').replace('"two_lanes"', '"finance_lanes"'))
MAPPED = {"Finance Team": "finance"}
TASKS = {"call", "report", "approve"}  # each has a warning of its own: no form


def about_lanes(problems):
    return [p for p in problems if p["element"] not in TASKS]


def deploy(xml=FINANCE, lane_roles=MAPPED, roles=ROLES):
    return engine.deploy(xml.encode(), actor="owner", name="finance.bpmn", roles=roles, lane_roles=lane_roles)


def at_approve():
    """A case of the latest version, waiting at approve (the Finance Team lane)."""
    case = engine.start("finance_lanes", actor="manager", data={"name": "An"}).id
    complete(case, "call")
    complete(case, "report")
    return case


def test_a_lane_mapped_to_an_existing_role_deploys_and_its_version_keeps_the_mapping(app):
    [(version, created)] = deploy()
    assert created and version.lane_roles == {"Finance Team": "finance"}
    event = db.session.query(AuditEvent).filter_by(stream="definition:finance_lanes").one()
    assert event.details["lane_roles"] == {"Finance Team": "finance"}


def test_the_task_of_a_mapped_lane_opens_for_the_mapped_role_and_the_others_for_their_names(app):
    deploy()
    case = engine.start("finance_lanes", actor="manager", data={"name": "An"}).id
    assert open_tasks(case)["call"].candidate_role == "sales"
    complete(case, "call")
    complete(case, "report")
    approve = open_tasks(case)["approve"]
    assert (approve.lane, approve.candidate_role) == ("Finance Team", "finance")


def test_without_a_mapping_the_lane_is_refused_naming_it(app):
    with pytest.raises(DeployError) as raised:
        deploy(lane_roles=None)
    [problem] = raised.value.problems
    assert problem["element"] == "Finance Team" and "map it to a role at deploy" in problem["message"]
    assert db.session.query(ProcessVersion).count() == 0


def test_a_lane_mapped_to_a_role_that_does_not_exist_is_refused_naming_lane_and_role(app):
    with pytest.raises(DeployError) as raised:
        deploy(lane_roles={"Finance Team": "treasury"})
    [problem] = raised.value.problems
    assert problem["element"] == "Finance Team"
    assert "lane 'Finance Team' is mapped to the role 'treasury', which does not exist" in problem["message"]
    assert db.session.query(ProcessVersion).count() == 0


@pytest.mark.parametrize("role", ["Finance", "tài_chính", "x" * 81])
def test_a_lane_mapped_to_what_cannot_be_a_role_is_refused_even_when_roles_are_not_checked(app, role):
    with pytest.raises(DeployError) as raised:
        deploy(lane_roles={"Finance Team": role}, roles=None)
    assert [p["element"] for p in raised.value.problems] == ["Finance Team"]
    assert "cannot be a role" in raised.value.problems[0]["message"]


def test_a_mapping_for_a_lane_the_diagram_does_not_have_is_a_warning_and_is_not_kept(app):
    given = {**MAPPED, "Tester": "accounting"}
    problems = about_lanes(engine.validate(FINANCE.encode(), roles=ROLES, lane_roles=given))
    assert problems == [{"element": "Tester", "severity": "warning",
                         "message": "lane_roles maps the lane 'Tester' to 'accounting', but the diagram has "
                                    "no lane of that name; the entry is not kept"}]
    [(version, _created)] = deploy(lane_roles=given)
    assert version.lane_roles == {"Finance Team": "finance"}


def test_validate_reports_the_lane_without_and_accepts_it_with_the_mapping(app):
    assert [p["element"] for p in about_lanes(engine.validate(FINANCE.encode(), roles=ROLES))] == [
        "Finance Team"]
    assert about_lanes(engine.validate(FINANCE.encode(), roles=ROLES, lane_roles=MAPPED)) == []


def test_a_mapping_wins_over_the_role_a_lane_is_named_after(app):
    deploy(lane_roles={**MAPPED, "sales": "accounting"})
    case = engine.start("finance_lanes", actor="manager", data={"name": "An"}).id
    assert open_tasks(case)["call"].candidate_role == "accounting"


def test_the_same_diagram_with_the_same_mapping_is_unchanged(app):
    [(first, _)] = deploy()
    [(again, created)] = deploy(lane_roles=dict(MAPPED))
    assert (again.id, created) == (first.id, False)


def test_the_same_diagram_with_another_mapping_is_a_new_version(app):
    [(first, _)] = deploy()
    [(second, created)] = deploy(lane_roles={"Finance Team": "accounting"})
    assert created and (second.version, second.lane_roles) == (2, {"Finance Team": "accounting"})
    assert second.bpmn_xml == first.bpmn_xml and second.sha256 != first.sha256
    [(third, created)] = deploy(lane_roles={"Finance Team": "finance"})
    assert created and third.version == 3 and third.sha256 == first.sha256


def test_dropping_a_mapping_is_a_new_version_whose_lane_goes_by_its_name_again(app):
    xml = FINANCE.replace('name="Finance Team"', 'name="manager"')
    [(first, _)] = deploy(xml, {"manager": "finance"})
    [(second, created)] = deploy(xml, None)
    assert created and second.lane_roles is None and first.lane_roles == {"manager": "finance"}
    assert second.sha256 == engine.specs.sha256(second.bpmn_xml)


def test_the_digest_of_a_mapped_version_does_not_depend_on_the_order_the_mapping_was_given_in(app):
    xml = FINANCE.replace('name="sales"', 'name="Tester"')
    [(first, _)] = deploy(xml, {"Finance Team": "finance", "Tester": "sales"})
    [(again, created)] = deploy(xml, {"Tester": "sales", "Finance Team": "finance"})
    assert (again.id, created) == (first.id, False)


def test_an_empty_role_is_no_mapping_and_a_mapping_that_is_not_an_object_is_refused(app):
    assert lanes.normalized({"Finance Team": "", "Tester": None, "x": "finance"}) == {"x": "finance"}
    for wrong in (["Finance Team"], "finance", {"Finance Team": 7}, {"": "finance"}, {"x" * 256: "finance"}):
        with pytest.raises(DeployError):
            deploy(lane_roles=wrong)
    problems = engine.validate(FINANCE.encode(), roles=ROLES, lane_roles={"Finance Team": ["finance"]})
    assert [(p["element"], p["severity"]) for p in problems] == [("Finance Team", "error")]


def test_a_lane_too_long_to_be_a_role_deploys_when_it_is_mapped(app):
    long_lane = "Finance and accounting team of the southern region, second floor, building B"
    xml = FINANCE.replace('name="Finance Team"', f'name="{long_lane} and annex"')
    assert len(f"{long_lane} and annex") > 80
    with pytest.raises(DeployError) as raised:
        deploy(xml, None, roles=None)
    assert "at most 80 are stored" in raised.value.problems[0]["message"]
    [(version, created)] = deploy(xml, {f"{long_lane} and annex": "finance"})
    assert created and version.lane_roles == {f"{long_lane} and annex": "finance"}


def test_the_preview_shows_each_lanes_role_and_a_new_mapping_as_the_change(app):
    [preview], problems = engine.deploy_preview(FINANCE.encode(), roles=ROLES, lane_roles=MAPPED)
    assert about_lanes(problems) == [] and preview.new
    assert preview.lanes == {"Finance Team": "finance", "sales": "sales"}
    assert preview.lane_roles == {"Finance Team": "finance"}
    deploy()
    [same], _ = engine.deploy_preview(FINANCE.encode(), roles=ROLES, lane_roles=MAPPED)
    assert same.unchanged
    [other], _ = engine.deploy_preview(FINANCE.encode(), roles=ROLES,
                                       lane_roles={"Finance Team": "accounting"})
    assert not other.unchanged and not other.diff.same
    assert (other.diff.added, other.diff.removed, other.diff.changed) == ([], [], [])
    assert other.diff.lanes == [{"lane": "Finance Team", "before": "finance", "after": "accounting"}]


def test_the_version_diff_names_a_lane_whose_role_changed(app):
    [(first, _)] = deploy()
    [(second, _)] = deploy(lane_roles={"Finance Team": "accounting"})
    diff = engine.version_diff(first, second)
    assert diff.lanes == [{"lane": "Finance Team", "before": "finance", "after": "accounting"}]
    assert engine.version_diff(first, first).lanes == []


def test_an_old_version_deployed_again_brings_its_mapping_back(app):
    [(first, _)] = deploy()
    deploy(lane_roles={"Finance Team": "accounting"})
    again, created = engine.redeploy(first, actor="owner")
    assert created and again.version == 3 and again.lane_roles == {"Finance Team": "finance"}
    case = at_approve()
    assert open_tasks(case)["approve"].candidate_role == "finance"


def test_who_may_start_a_process_follows_the_mapped_roles(app):
    deploy()
    assert outline(engine.get_runtime(), "finance_lanes").roles == {"sales", "finance"}


def test_a_moved_case_reprojects_its_open_task_and_opens_the_next_by_the_new_mapping(app):
    xml = FINANCE.replace('name="sales"', 'name="Tester"')
    [(first, _)] = deploy(xml, {"Finance Team": "finance", "Tester": "sales"})
    waiting = engine.start("finance_lanes", actor="manager", data={"name": "An"}).id
    at_finance = at_approve()
    [(second, _)] = deploy(xml, {"Finance Team": "accounting", "Tester": "manager"})
    assert open_tasks(waiting)["call"].candidate_role == "sales"
    outcomes = engine.migrate([waiting, at_finance], second, actor="owner", from_version=first)
    assert [o.status for o in outcomes] == ["migrated", "migrated"]
    assert open_tasks(waiting)["call"].candidate_role == "manager"
    assert open_tasks(at_finance)["approve"].candidate_role == "accounting"
    complete(waiting, "call")
    assert open_tasks(waiting)["report"].candidate_role == "manager"
    complete(waiting, "report")
    assert open_tasks(waiting)["approve"].candidate_role == "accounting"
    assert instance(waiting).version_id == second.id
    assert audit.verify() == []


def test_a_case_keeps_the_mapping_of_its_own_version_when_a_new_mapping_is_deployed(app):
    deploy()
    case = engine.start("finance_lanes", actor="manager", data={"name": "An"}).id
    deploy(lane_roles={"Finance Team": "accounting"})
    complete(case, "call")
    complete(case, "report")
    assert open_tasks(case)["approve"].candidate_role == "finance"
