"""Demo of the suggestion box (``manage.py seed_demo``, issue 17 §5):

* the boxes' named people: ``secretary`` (HR / secretariat) handles the
  suggestion box, ``gm`` approves its rewards; ``gm`` and ``secretary``
  handle the general manager's mailbox;
* an anonymous complaint about the production workshop's night-shift
  safety, assigned to production and under investigation (a 督办 note and
  an investigation record);
* a signed suggestion by ``employee`` about delivery routes, adopted,
  answered, rewarded (proposed by the secretary, approved by the GM) and
  closed (sealed).

Built through the services with the clock moved (time-machine). The demo's
receipt codes are fixed so a reviewer can follow them logged out (README):
DEMO-CODES below. Idempotent: a second run creates nothing.
"""
import datetime as dt
from decimal import Decimal

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from officers.models import OrgUnit

from . import receipts, services
from .models import Box, Case, Category, Handler, Note

ANONYMOUS_TEXT = "生产车间夜班经常只有一人值守，设备巡检记录有代签现象，存在安全隐患，希望公司核查。"
SIGNED_TEXT = "建议把华东片区的送货路线合并为两条，每周可少跑约 300 公里，客户也能提前一天收到货。"
DEMO_CODES = {"anonymous": "DEMO-2ANO-NYMS-2026", "signed": "DEMO-2SIG-NEDC-ASE2"}


def _at(moment):
    return time_machine.travel(moment, tick=False)


def seed() -> int:
    """Create the demo cases if missing; returns the number of cases created (0 or 2)."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["secretary", "gm", "employee"])}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["market", "prod"])}
    if len(users) < 3 or len(units) < 2:
        return 0
    with transaction.atomic():
        for box, username, role in ((Box.SUGGESTION, "secretary", Handler.Role.HANDLER),
                                    (Box.SUGGESTION, "gm", Handler.Role.APPROVER),
                                    (Box.GM_MAILBOX, "gm", Handler.Role.HANDLER),
                                    (Box.GM_MAILBOX, "secretary", Handler.Role.HANDLER)):
            Handler.objects.get_or_create(box=box, user=users[username], defaults={"role": role})
        hashes = {receipts.digest(receipts.normalize(code)) for code in DEMO_CODES.values()}
        if Case.objects.filter(receipt_hash__in=hashes).exists():
            return 0
        _build(users, units)
    return 2


def _fix_code(case, key):
    # The demo's known code instead of the random one (receipt_hash is not tracked).
    Case.objects.filter(pk=case.pk).update(receipt_hash=receipts.digest(receipts.normalize(DEMO_CODES[key])))


def _build(users, units) -> None:
    now = timezone.now()
    secretary, gm, employee = users["secretary"], users["gm"], users["employee"]
    safety = Category.objects.filter(name="生产安全").first() or Category.objects.first()
    market_cat = Category.objects.filter(name="产品与市场").first() or Category.objects.first()

    start = now - dt.timedelta(days=20)
    with _at(start):
        signed, _code = services.submit_case(
            actor=employee, box=Box.SUGGESTION, kind=Case.Kind.SUGGESTION, category=market_cat, text=SIGNED_TEXT,
            signed=True, contact_allowed=True, contact="13962100009")
    _fix_code(signed, "signed")
    with _at(start + dt.timedelta(hours=2)):
        services.assign_case(case=signed, actor=secretary, unit=units["market"], days=5)
    with _at(start + dt.timedelta(days=3)):
        services.add_note(case=signed, actor=secretary, kind=Note.Kind.INVESTIGATION,
                          text="市场部测算：合并后每周少跑约 280 公里，客户送达时间平均提前 0.8 天。")
    with _at(start + dt.timedelta(days=4)):
        services.record_finding(case=signed, actor=secretary, finding=Case.Finding.ADOPTED,
                                answer="您的建议已采纳，市场部自下月起按两条线路送货。感谢您的建议！")
        services.propose_reward(case=signed, actor=secretary, amount=Decimal("500"),
                                reason="建议被采纳，年节约运费约 4 万元，按合理化建议奖评定。")
    with _at(start + dt.timedelta(days=5)):
        services.decide_reward(reward=signed.reward, actor=gm, approve=True, note="同意。")
        services.close_case(case=signed, actor=secretary)

    later = now - dt.timedelta(days=2)
    with _at(later):
        anonymous, _code = services.submit_case(
            actor=employee, box=Box.GM_MAILBOX, kind=Case.Kind.COMPLAINT, category=safety, text=ANONYMOUS_TEXT,
            signed=False, contact_allowed=False)
    _fix_code(anonymous, "anonymous")
    with _at(later + dt.timedelta(hours=1)):
        services.assign_case(case=anonymous, actor=gm, unit=units["prod"], days=5)
        services.add_note(case=anonymous, actor=gm, kind=Note.Kind.SUPERVISION,
                          text="请生产部核查近一个月夜班值守和巡检记录，五个工作日内报告。")
    with _at(later + dt.timedelta(days=1)):
        services.add_note(case=anonymous, actor=secretary, kind=Note.Kind.INVESTIGATION,
                          text="已调取 10 月夜班排班表，正在与巡检记录逐日核对。")
