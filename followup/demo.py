"""Demo circulation and instructions (``manage.py seed_demo``, issue 15),
on the items of ``infoflow.demo``:

* the market regulator's incoming document (收文): the secretary writes the
  拟办, the supervising leader gives the 批示 with one task for production's
  officer (due in three working days) and one already done by market's;
  then the secretary circulates it to an employee (who read it) and the
  legal reviewer (who has not);
* the notice to all staff: the employee has read it.

Built through the services with the clock moved back (time-machine), so
history and notices are what real use would leave. Idempotent: nothing is
created when the incoming document already has an instruction.
"""
import datetime as dt

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from infoflow.models import Item
from liaison.workdays import add_working_days

from . import services
from .models import Instruction, ReadReceipt

INCOMING = "苏州市市场监督管理局关于开展产品质量安全自查的通知"
NOTICE_KEY = "放假安排的通知"


def seed() -> int:
    """Create the demo circulation and instruction if missing; returns rows created."""
    item = Item.objects.filter(subject=INCOMING).first()
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["secretary", "leader", "officer_prod", "officer_market", "employee", "legal"])}
    if item is None or len(users) < 6:
        return 0  # no demo items to build on
    created = 0
    with transaction.atomic():
        if not Instruction.objects.filter(item=item).exists():
            _instruct_and_circulate(item, users)
            created += 1
        notice = Item.objects.filter(subject__contains=NOTICE_KEY, to_all_staff=True).first()
        if notice is not None and not ReadReceipt.objects.filter(item=notice, user=users["employee"]).exists():
            with time_machine.travel(timezone.now() - dt.timedelta(hours=20), tick=False):
                services.mark_read(item=notice, actor=users["employee"])
            created += 1
    return created


def _instruct_and_circulate(item, users) -> None:
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(hours=50), tick=False):
        services.write_proposal(item=item, actor=users["secretary"],
                                text="拟请生产部牵头组织产品质量安全自查，市场部配合核查销售环节，月底前报送自查报告。")
    with time_machine.travel(now - dt.timedelta(hours=48), tick=False):
        instruction = services.give_instruction(
            item=item, actor=users["leader"], text="同意拟办意见。生产部牵头，逐条对照自查，发现问题立即整改。",
            tasks=[
                {"owner": users["officer_prod"], "what": "组织生产线逐条自查，形成自查报告报分管领导。",
                 "due_at": add_working_days(now, 3)},
                {"owner": users["officer_market"], "what": "核查销售环节的产品标识和说明书。",
                 "due_at": add_working_days(now, 1)},
            ])
    with time_machine.travel(now - dt.timedelta(hours=24), tick=False):
        services.finish_task(task=instruction.tasks.get(owner=users["officer_market"]), actor=users["officer_market"],
                             result="已核查在售产品标识和说明书，均符合要求。")
        services.circulate_item(item=item, actor=users["secretary"],
                                user_ids=[users["employee"].pk, users["legal"].pk], note="请阅知自查要求。",
                                remind_after_days=2)
    with time_machine.travel(now - dt.timedelta(hours=3), tick=False):
        services.mark_read(item=item, actor=users["employee"])
