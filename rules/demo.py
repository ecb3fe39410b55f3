"""Demo of the rules (``manage.py seed_demo``, issue 19 §5 and §10): the
implementing rules (信息联络员工作实施细则) in two versions — the 2025 version
superseded, the 2026 version in force — asked of every officer; the market
department's officer has confirmed it, the production officer has not yet.
Built through the services with the clock moved (time-machine). Idempotent:
a second run creates nothing."""
import datetime as dt

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from officers.models import OrgUnit

from . import services
from .models import RuleDocument

CODE = "SSXZ-01"
TEXT_2025 = """第一条 为规范本公司信息联络员工作，保证信息收集、传递、反馈和归档及时准确，制定本细则。
第二条 各部门设信息联络员一名，由部门推荐、秘书处确认后任命，并在公司内公布。
第三条 一般信息应在事件发生后一周内报送；重要会议、活动和突发事件应即时报送。
第四条 接收部门应在两个工作日内反馈处理结果；紧急信息在四个工作小时内反馈。
第五条 信息办结后两个工作日内归档。
第六条 本细则每年修订一次，由秘书处负责解释。"""
TEXT_2026 = TEXT_2025.replace("第四条 接收部门应在两个工作日内反馈处理结果；紧急信息在四个工作小时内反馈。",
                              "第四条 接收部门应在两个工作日内反馈处理结果；紧急信息在四个工作小时内反馈；特急信息即时反馈。"
                              ).replace("第五条 信息办结后两个工作日内归档。",
                                        "第五条 信息办结后两个工作日内归档；纸质原件注明存放位置。\n"
                                        "第六条 联络员变更应在两个工作日内向外部备案机关报备。").replace(
    "第六条 本细则每年修订一次", "第七条 本细则每年修订一次")


def seed() -> int:
    """Create the demo document if missing; returns 1 when created, else 0."""
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["secretary", "officer_market", "officer_prod"])}
    if len(users) < 3 or RuleDocument.objects.filter(code=CODE).exists():
        return 0
    secretary = users["secretary"]
    now = timezone.now()
    with transaction.atomic():
        with time_machine.travel(now - dt.timedelta(days=420), tick=False):
            first = services.create_document(
                actor=secretary, code=CODE, title="信息联络员工作实施细则", number="%d 版" % (now.year - 1),
                effective_on=dt.date(now.year - 1, 1, 1), text=TEXT_2025,
                owner_unit=OrgUnit.objects.filter(code="office").first(),
                description="本公司信息联络员工作的实施细则（种子 001、003）。")
            services.publish_version(actor=secretary, version=first)
        with time_machine.travel(now - dt.timedelta(days=400), tick=False):
            services.confirm_reading(actor=users["officer_market"], version=first)
            services.confirm_reading(actor=users["officer_prod"], version=first)
        with time_machine.travel(now - dt.timedelta(days=10), tick=False):
            second = services.draft_version(
                actor=secretary, document=first.document, number="%d 版" % now.year,
                effective_on=timezone.localdate(), text=TEXT_2026,
                changes="第四条增加特急信息即时反馈；第五条增加纸质原件存放位置；新增第六条联络员变更报备。")
            services.publish_version(actor=secretary, version=second)
        with time_machine.travel(now - dt.timedelta(days=8), tick=False):
            services.confirm_reading(actor=users["officer_market"], version=second)
    return 1
