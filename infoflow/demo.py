"""Demo information items (``manage.py seed_demo``), built on the demo
organisation of ``officers.demo``.

Every item is made through the services, each step at its own moment in the
past (time-machine moves the clock), so numbers, deadlines, grants and the
history timeline are exactly what real use would leave: drafts, each review
stage open, a 会签 stage half decided, returned, ready to transmit,
transmitted, answered, done, an emergency sent first and reviewed after,
incoming documents, a restricted item, a cancelled one, and some overdue.

Idempotent: an item is found by the part of its subject that does not
depend on the date (``key``); a second run, on any day, creates nothing.

The story fits the day it is seeded (issue 10): every moment lies in the past
(before 10:00 the demo's "today" is the day before, so this morning's
submissions are not in the future), and months, quarters, holidays and batch
numbers in the texts are read from the dates they belong to.
"""
import datetime as dt

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from officers.models import ExternalUnit, OrgUnit

from .models import Category, Item, Receiver
from .services import chain, delivery
from .services.drafting import create_item
from .services.incoming import register_incoming


def seed():
    """Create the demo items that are missing; returns how many were created."""
    if not OrgUnit.objects.filter(code="market").exists():
        return 0  # no demo organisation to build on
    return _Demo().run()


class _Demo:
    def __init__(self):
        self.created = 0
        self.users = {u.username: u for u in get_user_model().objects.all()}
        self.units = {u.code: u for u in OrgUnit.objects.all()}
        self.externals = {e.name: e for e in ExternalUnit.objects.prefetch_related("contacts")}
        now = timezone.localtime()
        # The demo's "today": its latest moment is 09:20, so before 10:00 it is yesterday.
        self.today = now.replace(hour=10, minute=0, second=0, microsecond=0)
        if now < self.today:
            self.today -= dt.timedelta(days=1)

    # --- helpers ---------------------------------------------------------------

    def ago(self, days, hour=10, minute=0):
        """A moment ``days`` calendar days ago (negative: ahead), local time."""
        return (self.today - dt.timedelta(days=days)).replace(hour=hour, minute=minute)

    # --- dates in words ----------------------------------------------------------

    @staticmethod
    def day(moment):
        """"4月15日"."""
        return "%d月%d日" % (moment.month, moment.day)

    @staticmethod
    def month(moment):
        """"4月"."""
        return "%d月" % moment.month

    def month_ahead(self, months):
        """The first day of the month ``months`` after today's (negative: before)."""
        index = self.today.year * 12 + self.today.month - 1 + months
        return self.today.replace(year=index // 12, month=index % 12 + 1, day=1)

    def quarter(self, quarters=0):
        """"二季度" for this quarter, with the year when it is not this year's."""
        first = self.month_ahead(3 * quarters)
        name = "一二三四"[(first.month - 1) // 3] + "季度"
        return name if first.year == self.today.year else "%d年%s" % (first.year, name)

    HOLIDAYS = {1: "春节", 2: "清明节", 3: "清明节", 4: "劳动节", 5: "端午节", 6: "中秋节", 7: "中秋节",
                8: "中秋节", 9: "国庆节", 10: "元旦", 11: "元旦", 12: "元旦"}

    def next_holiday(self, moment):
        """The next public holiday a notice written on ``moment`` would announce."""
        return self.HOLIDAYS[moment.month]

    def u(self, username):
        return self.users[username]

    def unit_receiver(self, code):
        return {"kind": "unit", "unit": self.units[code]}

    def external_receiver(self, name):
        external = self.externals[name]
        contact = external.contacts.first()
        return {"kind": "external", "external_unit": external, "contact": contact}

    def draft(self, subject, *, by, unit, receivers, at, key=None, **fields):
        """A draft, unless the demo item is there already: found by ``key``,
        the date-free part of the subject (the subject itself by default)."""
        if Item.objects.filter(subject__contains=key or subject).exists():
            return None
        values = {"subject": subject, **fields}
        with time_machine.travel(at, tick=False):
            item = create_item(actor=self.u(by), unit=self.units[unit], fields=values, receivers=receivers)
        self.created += 1
        return item

    def do(self, at, fn, **kwargs):
        with time_machine.travel(at, tick=False):
            return fn(**kwargs)

    def submit(self, item, by, at):
        return self.do(at, chain.submit_item, item=item, actor=self.u(by))

    def approve(self, item, by, at, opinion="同意"):
        step = chain.open_step(Item.objects.get(pk=item.pk))
        return self.do(at, chain.approve_step, step=step, actor=self.u(by), opinion=opinion)

    def send_back(self, item, by, at, opinion):
        step = chain.open_step(Item.objects.get(pk=item.pk))
        return self.do(at, chain.return_step, step=step, actor=self.u(by), opinion=opinion)

    def transmit(self, item, by, at, methods=("system",), **kwargs):
        item = Item.objects.get(pk=item.pk)
        if item.state != Item.State.APPROVED and methods == ("system",):
            return None  # a routine item the portal sent on submission (delivery.transmits_on_submission)
        return self.do(at, delivery.transmit_item, item=item, actor=self.u(by), methods=list(methods),
                       sent_at=at, **kwargs)

    def receiver(self, item, code=None, external=None):
        qs = Receiver.objects.filter(item_id=item.pk)
        if code:
            return qs.get(unit__code=code)
        return qs.get(external_unit__name=external)

    def ack(self, item, code, by, at, external=None):
        return self.do(at, delivery.acknowledge_receipt, receiver=self.receiver(item, code, external), actor=self.u(by))

    def answer(self, item, code, by, at, result, next_steps="", external=None):
        return self.do(at, delivery.answer_receiver, receiver=self.receiver(item, code, external),
                       actor=self.u(by), result=result, next_steps=next_steps)

    def feedback(self, days):
        return self.ago(-days, hour=17)

    # --- the scenarios ---------------------------------------------------------------

    def run(self):
        with transaction.atomic():
            for scenario in (
                self.drafts, self.routine_ready, self.external_at_head, self.external_at_leader,
                self.major_at_gm, self.legal_at_legal, self.publication_at_pool, self.coordination_half_signed,
                self.returned, self.transmitted_waiting, self.completed, self.overdue, self.emergency,
                self.incoming, self.restricted, self.cancelled, self.notice,
            ):
                scenario()
        return self.created

    def drafts(self):
        fair = self.month_ahead(2)
        self.draft("关于参加%s行业展会的请示" % self.month(fair), key="行业展会的请示", by="officer_market",
                   unit="market", at=self.ago(1),
                   receivers=[self.external_receiver("江苏省机械行业协会")], direction="external",
                   summary="拟参加%s苏州工业装备展，请审核参展方案及费用预算，%s前确认报名。"
                   % (self.month(fair), self.day(fair.replace(day=10))),
                   expected_feedback_at=self.feedback(20), category=Category.objects.get(code="market_info"))
        self.draft("二号仓库货架改造需求", by="officer_prod", unit="prod", at=self.ago(0, hour=9),
                   receivers=[self.unit_receiver("finance")], needs_coordination=True,
                   summary="二号仓库货架老化，申请改造费用约8万元，请财务部协助核定预算。")

    def routine_ready(self):
        item = self.draft("%s份市场部客户拜访计划" % self.month(self.ago(2)), key="市场部客户拜访计划",
                          by="officer_market", unit="market", at=self.ago(2),
                          receivers=[self.unit_receiver("prod")],
                          summary="本月计划拜访重点客户12家，请生产部了解交付安排，3日内反馈排产情况。",
                          expected_feedback_at=self.feedback(5), category=Category.objects.get(code="customer"),
                          needs_coordination=True)
        if item:
            self.submit(item, "officer_market", self.ago(2, 10, 30))
            self.approve(item, "head_market", self.ago(2, 14), "同意，请按计划传递。")  # 待传递

    def external_at_head(self):
        item = self.draft("致苏州宏达机电关于交货期调整的函", by="officer_market", unit="market", at=self.ago(0, 9),
                          receivers=[self.external_receiver("苏州宏达机电设备有限公司")], direction="external",
                          summary="因原材料到货延迟，拟将第二批设备交货期由%s调整至%s，请客户确认。"
                          % (self.day(self.ago(-20)), self.day(self.ago(-30))),
                          expected_feedback_at=self.feedback(7), category=Category.objects.get(code="production"))
        if item:
            self.submit(item, "officer_market", self.ago(0, 9, 10))

    def external_at_leader(self):
        item = self.draft("致江苏恒盛钢材关于原材料价格的询价函", by="officer_prod", unit="prod", at=self.ago(1),
                          receivers=[self.external_receiver("江苏恒盛钢材有限公司")], direction="external",
                          summary="请报%sQ235钢板报价及供货周期，于%s前书面回复。"
                          % (self.quarter(1), self.day(self.feedback(4))),
                          expected_feedback_at=self.feedback(4), category=Category.objects.get(code="market_info"))
        if item:
            self.submit(item, "officer_prod", self.ago(1, 10, 5))
            self.approve(item, "head_prod", self.ago(1, 14), "同意发出，注意报价保密。")

    def major_at_gm(self):
        item = self.draft("关于与苏州宏达机电签订年度框架协议的请示", by="officer_market", unit="market", at=self.ago(3),
                          receivers=[self.external_receiver("苏州宏达机电设备有限公司")], direction="external",
                          is_major=True, urgency="normal",
                          summary="拟与苏州宏达机电签订年度采购框架协议，金额约1200万元，请审批后发出。",
                          expected_feedback_at=self.feedback(10), category=Category.objects.get(code="production"))
        if item:
            self.submit(item, "officer_market", self.ago(3, 10, 20))
            self.approve(item, "head_market", self.ago(3, 15), "同意，价格条款已核对。")
            self.approve(item, "leader", self.ago(2, 11), "同意，报总经理审批。")

    def legal_at_legal(self):
        item = self.draft("采购合同补充协议（违约责任条款修订）", by="officer_prod", unit="prod", at=self.ago(2),
                          receivers=[self.external_receiver("江苏恒盛钢材有限公司")], direction="external",
                          kind="legal", summary="修订违约金比例及争议解决条款，需法务审核后盖章寄出，对方10日内回签。",
                          expected_feedback_at=self.feedback(12))
        if item:
            self.submit(item, "officer_prod", self.ago(2, 10, 30))
            self.approve(item, "head_prod", self.ago(2, 14))
            self.approve(item, "leader", self.ago(1, 9, 40), "同意，请法务重点审核违约条款。")

    def publication_at_pool(self):
        item = self.draft("公司获评省级专精特新企业的新闻稿", by="officer_market", unit="market", at=self.ago(0, 9),
                          receivers=[{"kind": "all_staff"}], kind="publication",
                          release_channels=["intranet", "wechat_oa"], planned_release_at=self.feedback(2),
                          needs_answer=False,
                          summary="拟于内网和微信公众号发布获评消息及配图，请秘书处初审格式。")
        if item:
            self.submit(item, "officer_market", self.ago(0, 9, 20))

    def coordination_half_signed(self):
        item = self.draft("%s生产排产与市场订单协调" % self.quarter(1), key="生产排产与市场订单协调",
                          by="officer_market", unit="market", at=self.ago(2, 9),
                          receivers=[self.unit_receiver("prod"), self.unit_receiver("finance")], kind="coordination",
                          summary="%s新增订单约300台，需生产部调整排产、财务部安排备料资金，请会签后%s前反馈。"
                          % (self.quarter(1), self.day(self.feedback(8))),
                          expected_feedback_at=self.feedback(8), category=Category.objects.get(code="production"))
        if item:
            self.submit(item, "officer_market", self.ago(2, 9, 30))
            self.approve(item, "head_market", self.ago(2, 11))
            self.approve(item, "head_prod", self.ago(1, 10), "同意，可加开夜班。")  # 财务部负责人尚未会签

    def returned(self):
        item = self.draft("关于客户投诉处理情况的报告", by="officer_market", unit="market", at=self.ago(4),
                          receivers=[self.external_receiver("苏州宏达机电设备有限公司")], direction="external",
                          summary="就客户%s投诉的包装破损问题说明处理经过和整改措施。" % self.month(self.month_ahead(-1)),
                          expected_feedback_at=self.feedback(6), category=Category.objects.get(code="complaint"))
        if item:
            self.submit(item, "officer_market", self.ago(4, 10))
            self.approve(item, "head_market", self.ago(4, 15))
            self.send_back(item, "leader", self.ago(3, 10), "整改措施不具体，请补充责任人和完成时间后重新提交。")

    def transmitted_waiting(self):
        overhaul = self.month_ahead(1)
        item = self.draft("关于%s份设备检修停产安排的通知" % self.month(overhaul), key="设备检修停产安排的通知",
                          by="officer_prod", unit="prod", at=self.ago(3, 9),
                          receivers=[self.unit_receiver("market"), self.unit_receiver("finance")],
                          needs_coordination=True,
                          summary="%s至%s日二号线检修停产，请市场部调整交付承诺，财务部预留检修费用，%s前反馈。"
                          % (self.day(overhaul.replace(day=8)), 10, self.day(self.feedback(6))),
                          expected_feedback_at=self.feedback(6), category=Category.objects.get(code="production"))
        if item:
            self.submit(item, "officer_prod", self.ago(3, 9, 30))
            self.approve(item, "head_prod", self.ago(3, 11))
            self.transmit(item, "officer_prod", self.ago(3, 14), methods=("system", "email"),
                          note="已通过系统和邮件通知。")
            self.ack(item, "market", "officer_market", self.ago(2, 9))

    def completed(self):
        item = self.draft("客户意见季度汇总", by="officer_market", unit="market", at=self.ago(12),
                          receivers=[self.unit_receiver("prod")],
                          summary="%s收集客户意见23条，其中质量类9条，请生产部3日内反馈改进措施。" % self.quarter(-1),
                          expected_feedback_at=self.ago(6, 17), category=Category.objects.get(code="customer"))
        if item:
            self.submit(item, "officer_market", self.ago(12, 10))
            self.transmit(item, "officer_market", self.ago(12, 11))
            self.ack(item, "prod", "officer_prod", self.ago(11, 9))
            self.answer(item, "prod", "head_prod", self.ago(9, 16), "已逐条分析，质量类问题已落实到班组。",
                        "%s起每月通报整改进度。" % self.month(self.month_ahead(1)))

    def overdue(self):
        item = self.draft("关于产品质量问题的客户投诉转办", by="officer_market", unit="market", at=self.ago(10, 8, 30),
                          receivers=[self.unit_receiver("prod")], urgency="urgent",
                          summary="客户反映批次%s的电机噪声超标，请生产部核查原因并于3日内书面答复。"
                          % self.month_ahead(-1).strftime("%y%m"),
                          expected_feedback_at=self.ago(7, 17), category=Category.objects.get(code="complaint"))
        if item:
            self.submit(item, "officer_market", self.ago(10, 9))
            self.transmit(item, "officer_market", self.ago(10, 9, 30), methods=("system", "phone"),
                          written_record="9:30 电话通知生产部孙丽，已告知核查要求。")
            # 生产部未签收、未反馈：签收和反馈均已超期
        item = self.draft("关于参加行业协会年会的请示", by="officer_market", unit="market", at=self.ago(6),
                          receivers=[self.external_receiver("江苏省机械行业协会")], direction="external",
                          summary="协会年会%s中旬召开，拟派2人参加并作交流发言，请审核。" % self.month(self.month_ahead(1)),
                          expected_feedback_at=self.feedback(10))
        if item:
            self.submit(item, "officer_market", self.ago(6, 10))  # 部门负责人审核已超期

    def emergency(self):
        item = self.draft("生产车间三号线安全隐患报告", by="officer_prod", unit="prod", at=self.ago(1, 8, 40),
                          receivers=[self.unit_receiver("office"), self.unit_receiver("market")], urgency="urgent",
                          summary="三号线行车制动异常，已停机隔离，请办公室协调检修，市场部评估对交付的影响，今日内反馈。",
                          expected_feedback_at=self.ago(0, 17), category=Category.objects.get(code="safety"))
        if item:
            self.submit(item, "officer_prod", self.ago(1, 8, 45))
            self.transmit(item, "officer_prod", self.ago(1, 8, 50), methods=("phone", "system"),
                          written_record="8:50 电话报告办公室高远、市场部张三。")
            # 先处理后报告：传递后部门负责人仍在审核

    def incoming(self):
        subject = "苏州市市场监督管理局关于开展产品质量安全自查的通知"
        if Item.objects.filter(subject=subject).exists():
            return
        with time_machine.travel(self.ago(5, 9), tick=False):
            item = register_incoming(
                actor=self.u("secretary"),
                fields={"subject": subject, "summary": "要求各企业于本月底前完成产品质量安全自查并报送自查报告。",
                        "expected_feedback_at": self.feedback(6), "category": Category.objects.get(code="decision"),
                        "unit": self.units["office"]},
                source_name="苏州市市场监督管理局", source_reference="苏市监〔%d〕18号" % self.ago(5).year,
                received_at=self.ago(5, 8, 30), unit_ids=[self.units["market"].pk, self.units["prod"].pk],
            )
        self.created += 1
        self.answer(item, "market", "officer_market", self.ago(3, 15), "市场部已完成销售环节自查，未发现问题。")

    def restricted(self):
        item = self.draft("关于重点客户价格调整的内部意见", by="officer_market", unit="market", at=self.ago(1),
                          receivers=[self.external_receiver("苏州宏达机电设备有限公司")], direction="external",
                          confidentiality="restricted",
                          summary="拟对重点客户下调3%报价以锁定全年订单，涉及商业秘密，限定范围传阅。",
                          expected_feedback_at=self.feedback(5))
        if item:
            self.submit(item, "officer_market", self.ago(1, 11))
            self.approve(item, "head_market", self.ago(1, 15))

    def cancelled(self):
        item = self.draft("关于召开季度联络员会议的通知（重复）", by="officer_market", unit="market", at=self.ago(5),
                          receivers=[self.unit_receiver("prod")], summary="与秘书处通知重复。",
                          expected_feedback_at=self.feedback(3), needs_coordination=True)  # cancelled in review
        if item:
            self.submit(item, "officer_market", self.ago(5, 10))
            self.do(self.ago(5, 11), chain.cancel_item, item=item, actor=self.u("officer_market"),
                    reason="与秘书处已发通知重复，作废。")

    def notice(self):
        holiday = self.next_holiday(self.ago(7))
        item = self.draft("关于%s放假安排的通知" % holiday, key="放假安排的通知", by="secretary", unit="office",
                          at=self.ago(7), receivers=[{"kind": "all_staff"}], kind="notice",
                          summary="%s放假安排见附件，请各部门做好值班和安全检查。" % holiday)
        if item:
            self.submit(item, "secretary", self.ago(7, 10))
            self.transmit(item, "secretary", self.ago(7, 11))
