"""Demo data call (``manage.py seed_demo``, issue 13 §7): the quarterly
customer-opinion form of seed 001 (《顾客意见征询表》), due a week before each
quarter ends, sent by the secretary to market, production and finance. Last
quarter's occurrence is closed — market answered on time, production late,
finance missed — and this quarter's is open.

Built through the services with the clock moved (time-machine), so states,
history and notices are what real use would leave. Idempotent: the call is
found by its title; a second run creates nothing.
"""
import datetime as dt

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from officers.models import OrgUnit

from . import services
from .models import Call

TITLE = "顾客意见征询表（季度）"
FIELDS = [
    {"key": "customers", "label": "走访客户数", "type": "number", "required": True, "unit": "家", "choices": [],
     "columns": []},
    {"key": "satisfaction", "label": "总体满意度", "type": "choice", "required": True, "unit": "",
     "choices": ["满意", "基本满意", "不满意"], "columns": []},
    {"key": "opinions", "label": "主要意见和建议", "type": "longtext", "required": True, "unit": "", "choices": [],
     "columns": []},
    {"key": "details", "label": "客户意见明细", "type": "table", "required": False, "unit": "", "choices": [],
     "columns": [
         {"key": "customer", "label": "客户名称", "type": "text", "required": False, "unit": "", "choices": [],
          "columns": []},
         {"key": "opinion", "label": "意见", "type": "text", "required": False, "unit": "", "choices": [],
          "columns": []},
     ]},
]


def seed() -> int:
    """Create the demo call if it is missing; returns the rows created (0 or 1 call)."""
    if Call.objects.filter(title=TITLE).exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["secretary", "officer_market", "officer_prod"])}
    units = list(OrgUnit.objects.filter(code__in=["market", "prod", "finance"]).order_by("sort_order"))
    if len(users) < 3 or len(units) < 3:
        return 0  # no demo organisation to build on
    with transaction.atomic():
        _build(users, {u.code: u for u in units})
    return 1


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _build(users, units) -> None:
    now = timezone.now()
    today = timezone.localtime(now).date()
    this_quarter_start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    last_quarter_start = (this_quarter_start - dt.timedelta(days=1)).replace(day=1)
    last_quarter_start = last_quarter_start.replace(month=(last_quarter_start.month - 1) // 3 * 3 + 1)
    secretary = users["secretary"]
    sent_at = dt.datetime.combine(last_quarter_start + dt.timedelta(days=2), dt.time(9, 0),
                                  tzinfo=timezone.get_current_timezone())

    with _at(sent_at):
        call = services.create_call(actor=secretary, units=list(units.values()), data={
            "title": TITLE, "fields": FIELDS, "schedule": Call.Schedule.QUARTERLY, "anchor": Call.Anchor.PERIOD_END,
            "offset_days": -7, "starts_on": last_quarter_start, "recipients": Call.Recipients.SELECTED,
            "instructions": "请各部门按《顾客意见征询表》填写本季度走访客户的意见，于季度结束前一周报送，"
                            "秘书处一周内汇总上报主管副总经理。",
        })
        services.send_call(call=call, actor=secretary)
    last = call.occurrences.get()
    due = last.due_at

    with _at(due - dt.timedelta(days=2)):
        market = last.answers.get(unit=units["market"])
        services.submit_answer(answer=market, actor=users["officer_market"], raw={
            "customers": "12", "satisfaction": "基本满意", "opinions": "价格偏高，送货时间希望更灵活。",
            "details": [{"customer": "华联超市", "opinion": "希望周末送货"},
                        {"customer": "金帝酒店", "opinion": "价格偏高"}],
        })
    with _at(due + dt.timedelta(days=1)):
        prod = last.answers.get(unit=units["prod"])
        services.submit_answer(answer=prod, actor=users["officer_prod"], raw={
            "customers": "5", "satisfaction": "满意", "opinions": "质量稳定，包装可改进。",
        })
    closing = min(services.close_at(last), now - dt.timedelta(minutes=1))
    with _at(closing):
        services.close_occurrence(occurrence=last, actor=secretary)

    # This quarter's occurrence opens as the sweep would open it.
    locked = Call.objects.select_for_update().get(pk=call.pk)
    next_open = services.open_due_occurrences(call=locked, now=now)
    Call.objects.filter(pk=call.pk).update(notice_at=next_open)
