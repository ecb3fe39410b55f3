"""Routes as data: which default route an item takes, who decides, the preview."""
import pytest

from infoflow.models import Category, DeciderKind, Item, RouteRule, RouteStage
from infoflow.services.routing import choose_route, preview_route, route_label, trial_route
from officers.models import OrgUnit
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _item(unit, **fields):
    return Item(unit=unit, subject="s", summary="s", **fields)


@pytest.mark.parametrize(
    "fields, route, stages",
    [
        ({"direction": "internal"}, "内部常规信息", []),
        ({"direction": "internal", "needs_coordination": True}, "内部协调", ["部门负责人"]),
        ({"direction": "internal", "kind": "coordination"}, "跨部门协调（会签）", ["部门负责人", "相关部门会签"]),
        ({"direction": "external"}, "对外信息", ["部门负责人", "分管领导"]),
        ({"direction": "external", "is_major": True}, "对外重大事项", ["部门负责人", "分管领导", "总经理"]),
        ({"direction": "external", "has_legal_effect": True}, "具有法律效力的文件", ["部门负责人", "分管领导", "法务审核"]),
        ({"direction": "external", "kind": "legal", "is_major": True}, "具有法律效力的重大文件",
         ["部门负责人", "分管领导", "法务审核", "总经理"]),
        ({"direction": "internal", "kind": "publication"}, "信息发布", ["秘书处初审", "部门负责人", "分管领导"]),
        ({"direction": "internal", "release_channels": "intranet"}, "信息发布", ["秘书处初审", "部门负责人", "分管领导"]),
        ({"direction": "incoming"}, "收文登记", []),
    ],
)
def test_default_rules_choose_the_domain_route(market, fields, route, stages):
    rule = choose_route(_item(market, **fields))

    assert rule.name == route
    assert [s.name for s in rule.stages.order_by("order")] == stages


@pytest.mark.parametrize("code", ["safety", "emergency"])
def test_emergency_categories_send_first_and_review_after(market, code):
    item = _item(market, direction="external", is_major=True, category=Category.objects.get(code=code))

    rule = choose_route(item)

    assert rule.send_first is True
    assert [s.decider for s in rule.stages.order_by("order")] == ["unit_head", "supervising_leader"]


def test_member_unit_goes_to_its_head_then_the_association_secretariat(db):
    member = OrgUnit.objects.create(code="m1", name="会员单位甲", number_prefix="HY", kind=OrgUnit.Kind.MEMBER)

    rule = choose_route(_item(member, direction="internal"))

    assert rule.name == "会员单位信息"
    assert [s.decider for s in rule.stages.order_by("order")] == ["unit_head", "association_secretariat"]


def test_inactive_rule_is_skipped_and_no_rule_means_no_review(market):
    RouteRule.objects.filter(direction="internal").update(is_active=False)

    assert choose_route(_item(market, direction="internal", needs_coordination=True)) is None


def test_lower_priority_number_wins(market):
    rule = RouteRule.objects.create(name="市场部特例", priority=1, direction="external")
    rule.originating_units.add(market)

    assert choose_route(_item(market, direction="external")) == rule


def test_preview_names_the_deciders(market, head_market, leader):
    rows = preview_route(_item(market, direction="external"))

    assert [(r["name"], r["users"], r["problem"]) for r in rows] == [
        ("部门负责人", [head_market], None), ("分管领导", [leader], None)]
    assert route_label(rows) == "部门负责人 王五 → 分管领导 李四"


def test_preview_reports_a_unit_without_head(market):
    market.head = None
    market.save()

    rows = preview_route(_item(market, direction="external"))

    assert rows[0]["users"] == []
    assert rows[0]["problem"] == "市场部 未设置部门负责人，无法进入“部门负责人”环节，请联系人力资源部维护。"


def test_preview_reports_a_role_nobody_holds(market):
    rows = preview_route(_item(market, direction="external", is_major=True))

    assert rows[2]["problem"] == "没有人担任“总经理”，无法进入“总经理”环节，请联系秘书处。"


def test_receiver_heads_are_the_heads_of_the_receiving_units(market, prod, finance, head_prod):
    rule, rows = trial_route(direction="internal", kind="coordination", unit=market,
                             receiver_unit_ids=[prod.pk, finance.pk])

    assert rule.name == "跨部门协调（会签）"
    assert [u.username for u in rows[1]["users"]] == ["head_prod", "head_finance"]


def test_pool_stage_resolves_to_the_secretariat(market, secretary):
    other = UserFactory(username="sec2")
    RoleFactory(user=other, role="secretariat")

    rows = preview_route(_item(market, direction="internal", kind="publication"))

    assert {u.username for u in rows[0]["users"]} == {"secretary", "sec2"}
    assert rows[0]["may_edit"] is True


def test_submitted_item_keeps_its_route_when_rules_change(org, make_item, frozen):
    from infoflow.services.chain import submit_item

    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    rule = item.route_rule
    RouteStage.objects.create(rule=rule, order=9, name="总经理", decider=DeciderKind.GENERAL_MANAGER)

    rows = preview_route(item)

    assert [r["name"] for r in rows] == ["部门负责人", "分管领导"]
    assert item.route_name == "对外信息"


def test_admin_trial_page_shows_route_and_names(client, market, head_market, leader, secretary):
    client.force_login(secretary)

    response = client.get("/admin/infoflow/routerule/trial/", {"direction": "external", "kind": "routine",
                                                                "unit": market.pk})

    assert response.status_code == 200
    assert "部门负责人 王五 → 分管领导 李四" in response.content.decode()
    assert "对外信息" in response.content.decode()


def test_secretariat_edits_routes_in_admin(client, secretary):
    client.force_login(secretary)

    assert client.get("/admin/infoflow/routerule/").status_code == 200
    assert client.get("/admin/infoflow/category/").status_code == 200
    rule = RouteRule.objects.get(name="对外信息")
    assert client.get(f"/admin/infoflow/routerule/{rule.pk}/change/").status_code == 200


def test_employee_cannot_open_route_trial(client, employee):
    employee.is_staff = True
    employee.save()
    client.force_login(employee)

    assert client.get("/admin/infoflow/routerule/trial/").status_code == 403
