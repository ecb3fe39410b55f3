"""The domain's default categories and routes (domain.md, the closed loop).

The secretariat edits both in the admin afterwards; this migration only
creates rows that are missing (found by code / name), so it never overwrites
an organisation's changes.
"""
from django.db import migrations

CATEGORIES = [
    # code, name, is_emergency
    ("decision", "政令决议", False),
    ("production", "生产经营问题", False),
    ("suggestion", "合理化建议", False),
    ("complaint", "投诉举报", False),
    ("customer", "客户意见", False),
    ("market_info", "市场/政策信息", False),
    ("safety", "安全隐患", True),
    ("emergency", "紧急情况", True),
    ("other", "其他", False),
]

HEAD = ("部门负责人", "unit_head", "all", False)
LEADER = ("分管领导", "supervising_leader", "all", False)
GM = ("总经理", "general_manager", "any", False)
LEGAL = ("法务审核", "legal", "any", False)
POOL = ("秘书处初审", "secretariat_pool", "any", True)
ASSOCIATION = ("协会秘书处", "association_secretariat", "any", False)
RECEIVER_HEADS = ("相关部门会签", "receiver_heads", "all", False)

ROUTES = [
    # priority, name, conditions, stages, send_first, restart, description
    (10, "收文登记", {"direction": "incoming"}, [], False, "start",
     "上级、政府或外部单位来文由秘书处登记并分办，无需审核。"),
    (20, "紧急情况（先处理后报告）", {"categories": ["safety", "emergency"]}, [HEAD, LEADER], True, "start",
     "安全隐患、紧急情况可先传递处理，审核在传递后进行。"),
    (30, "信息发布", {"for_publication": True}, [POOL, HEAD, LEADER], False, "start",
     "拟在内网、公众号、公告栏等渠道发布的信息：秘书处初审（可修改文稿）→ 部门负责人 → 分管领导。"),
    (40, "会员单位信息", {"originating_unit_kind": "member"}, [HEAD, ASSOCIATION], False, "start",
     "协会会员单位报送的信息：本单位负责人 → 协会秘书处。"),
    (50, "具有法律效力的重大文件", {"has_legal_effect": True, "is_major": True}, [HEAD, LEADER, LEGAL, GM], False,
     "start", "具有法律效力且属重大事项：部门负责人 → 分管领导 → 法务 → 总经理。"),
    (60, "具有法律效力的文件", {"has_legal_effect": True}, [HEAD, LEADER, LEGAL], False, "start",
     "具有法律效力的文件：部门负责人 → 分管领导 → 法务审核。"),
    (70, "对外重大事项", {"direction": "external", "is_major": True}, [HEAD, LEADER, GM], False, "start",
     "重大商务或合规事项对外发出：部门负责人 → 分管领导 → 总经理。"),
    (80, "对外信息", {"direction": "external"}, [HEAD, LEADER], False, "start",
     "对外发出的信息：部门负责人 → 分管领导。"),
    (90, "跨部门协调（会签）", {"direction": "internal", "kinds": "coordination"}, [HEAD, RECEIVER_HEADS], False,
     "returning_stage", "跨部门协调事项：本部门负责人 → 各接收部门负责人会签；退回后从退回环节重新审核。"),
    (100, "内部协调", {"direction": "internal", "needs_coordination": True}, [HEAD], False, "start",
     "需要跨部门协调或资源的内部信息：本部门负责人审核。"),
    (1000, "内部常规信息", {"direction": "internal"}, [], False, "start",
     "内部常规工作信息：无需审核，直接传递给接收方。"),
]


def create_defaults(apps, schema_editor):
    Category = apps.get_model("infoflow", "Category")
    RouteRule = apps.get_model("infoflow", "RouteRule")
    RouteStage = apps.get_model("infoflow", "RouteStage")
    for order, (code, name, emergency) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "is_emergency": emergency,
                                                            "sort_order": order * 10})
    for priority, name, conditions, stages, send_first, restart, description in ROUTES:
        if RouteRule.objects.filter(name=name).exists():
            continue
        conditions = dict(conditions)
        categories = conditions.pop("categories", [])
        rule = RouteRule.objects.create(name=name, priority=priority, send_first=send_first, restart=restart,
                                        description=description, **conditions)
        if categories:
            rule.categories.set(Category.objects.filter(code__in=categories))
        for order, (stage_name, decider, mode, may_edit) in enumerate(stages, start=1):
            RouteStage.objects.create(rule=rule, order=order, name=stage_name, decider=decider, mode=mode,
                                      may_edit=may_edit)


class Migration(migrations.Migration):
    dependencies = [("infoflow", "0002_exportjob")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
