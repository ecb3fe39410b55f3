"""Demo publication and bulletin (``manage.py seed_demo``, issue 16 §8): three
publication items of last month, each approved through its route and
released on the portal bulletin and another channel (WeChat official
account, notice board, website) with a few views and one reader's feedback;
a correction of the first; one recorded outside adoption; and last month's
published information bulletin (信息简报 第N期) carrying the three items, one
entry's text edited for the issue.

Built through the services (infoflow's chain, publication's release and
correction services, the briefs services) with the clock moved, so states,
history and notices are what real use leaves. Idempotent: found by the
first item's subject; a second run creates nothing.
"""
import datetime as dt

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from infoflow.models import Item, StepAssignee
from infoflow.services import chain
from infoflow.services.drafting import create_item
from liaison.pdf import PdfUnavailable
from officers.models import OrgUnit
from publication.models import BulletinCategory, Channel, ReleaseRecord
from publication.services import corrections, feedback, release

from .services import adoption, issues

ITEMS = [
    ("market", "officer_market", "市场部与三家重点客户签订年度合作协议",
     "市场部本月与三家重点客户签订年度合作协议，合同金额合计约两千万元。\n协议明确了供货节奏和质量要求，为下半年销售打下基础。",
     ["intranet", "wechat_oa"], "news"),
    ("prod", "officer_prod", "生产部完成二号生产线节能改造",
     "生产部完成二号生产线节能改造，经一个月运行，单位产品能耗下降约百分之十二。\n改造经验将在其他生产线推广。",
     ["intranet", "notice_board"], "briefs"),
    ("market", "officer_market", "公司开展客户满意度回访活动",
     "市场部牵头回访客户四十家，收集意见和建议十五条，已逐条分解到责任部门落实。",
     ["intranet", "website"], "briefs"),
]


def seed() -> int:
    """Create the demo releases, correction and bulletin issue if missing;
    returns the number of items created (0 on a second run)."""
    if Item.objects.filter(subject=ITEMS[0][2]).exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["secretary", "officer_market", "officer_prod", "employee"])}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["market", "prod"])}
    channels = {c.code: c for c in Channel.objects.all()}
    categories = {c.code: c for c in BulletinCategory.objects.all()}
    if len(users) < 4 or len(units) < 2 or not {"intranet", "wechat_oa", "notice_board", "website"} <= set(channels):
        return 0  # no demo organisation or channels to build on
    now = timezone.localtime()
    first = (now.replace(day=1) - dt.timedelta(days=1)).replace(day=5, hour=9, minute=0, second=0, microsecond=0)
    secretary = users["secretary"]
    with transaction.atomic():
        items = []
        for index, (unit, by, subject, summary, codes, category) in enumerate(ITEMS):
            at = first + dt.timedelta(days=3 * index)
            item = _approved_item(users[by], units[unit], subject, summary, codes, at)
            items.append(item)
            for offset, code in enumerate(codes):
                with time_machine.travel(at + dt.timedelta(days=1, hours=offset), tick=False):
                    release.record_release(
                        actor=secretary, item=item, channel=channels[code], category=categories.get(category),
                        link="" if channels[code].kind == Channel.Kind.BULLETIN else
                        "https://example.com/%s/%d" % (code, item.pk),
                        note="示例数据")
        for record, views in zip(ReleaseRecord.objects.filter(release__item__in=items).order_by("pk"),
                                 (56, 230, 41, 18, 37, 12)):
            for _ in range(views // 10):
                release.count_view(record=record)
        with time_machine.travel(first + dt.timedelta(days=9), tick=False):
            feedback.leave_feedback(actor=users["employee"], release=items[1].release,
                                    text="节能改造的做法很好，建议介绍一下投资回收期。")
            fix = corrections.create_correction(
                actor=secretary, original=items[0], kind="correction",
                subject="更正：市场部年度合作协议金额", summary="原稿所述合同金额“约两千万元”有误，应为“约一千八百万元”。特此更正。")
            adoption.record_adoption(item=items[0], level="publication", actor=secretary,
                                     note="微信公众号对外发布")
        _approve(Item.objects.get(pk=fix.item_id), first + dt.timedelta(days=9, hours=1))
        _bulletin(secretary, items, first)
    return len(items) + 1


def _approve(item, at):
    """Submit ``item`` and approve every stage of its route by its assignees."""
    with time_machine.travel(at, tick=False):
        item = chain.submit_item(item=item, actor=item.initiator)
    for step_no in range(10):
        item = Item.objects.get(pk=item.pk)
        if item.state != Item.State.IN_REVIEW:
            return item
        step = chain.open_step(item)
        pending = list(StepAssignee.objects.filter(step=step, decision=StepAssignee.Decision.PENDING)
                       .select_related("user").order_by("pk"))
        for assignee in pending:
            with time_machine.travel(at + dt.timedelta(hours=step_no + 1), tick=False):
                chain.approve_step(step=step, actor=assignee.user, opinion="同意发布")
            if Item.objects.get(pk=item.pk).current_stage != step.stage_index:
                break
    return Item.objects.get(pk=item.pk)


def _approved_item(user, unit, subject, summary, codes, at):
    with time_machine.travel(at, tick=False):
        item = create_item(actor=user, unit=unit, receivers=[{"kind": "all_staff"}], fields={
            "subject": subject, "summary": summary, "kind": "publication", "confidentiality": "public",
            "release_channels": codes, "needs_answer": False})
    return _approve(item, at + dt.timedelta(minutes=20))


def _bulletin(secretary, items, first):
    period = "%04d-%02d" % (first.year, first.month)
    issue = issues.create_issue(actor=secretary, period=period, title="信息简报",
                                foreword="本期汇编上月各部门报送并经采用的信息三条。")
    for item in items:
        issues.add_item(issue=issue, item=item, actor=secretary)
    entry = issue.entries.get(item=items[1])
    issues.edit_entry(entry=entry, actor=secretary, title="二号生产线节能改造见成效",
                      text="生产部完成二号生产线节能改造，单位产品能耗下降约百分之十二。\n下一步将在其他生产线推广。")
    try:
        with time_machine.travel(first + dt.timedelta(days=20), tick=False):
            issues.publish_issue(issue=issue, actor=secretary)
    except PdfUnavailable:
        pass  # no CJK font on this server: the issue stays a draft the secretariat can publish later
