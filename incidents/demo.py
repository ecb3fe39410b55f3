"""Demo of the incident register (``manage.py seed_demo``, issue 19 §10):
an incident the market officer registered three days ago — a customer list
e-mailed to a wrong outside address — assigned to the secretary, with two
measures and a report to the supervising leader, still being handled.
Built through the services with the clock moved. Idempotent: a second run
creates nothing."""
import datetime as dt

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .models import Entry, Incident, Severity

TITLE = "客户名单误发至外部邮箱"


def seed() -> int:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["officer_market", "secretary"])}
    severity = Severity.objects.filter(code="major").first() or Severity.objects.first()
    if len(users) < 2 or severity is None or Incident.objects.filter(title=TITLE).exists():
        return 0
    now = timezone.now()
    officer, secretary = users["officer_market"], users["secretary"]
    with transaction.atomic():
        start = now - dt.timedelta(days=3)
        with time_machine.travel(start, tick=False):
            incident = services.report_incident(
                actor=officer, title=TITLE, found_at=start - dt.timedelta(hours=1), found_by="张三", system="邮件系统",
                severity=severity,
                description="发送季度客户意见汇总时，收件人地址自动补全为外部同名邮箱，附件含 36 家客户的联系人和电话。")
        with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
            services.assign_handler(incident=incident, actor=secretary, handler=secretary)
            services.add_entry(incident=incident, actor=secretary, kind=Entry.Kind.MEASURE,
                               at=timezone.now() - dt.timedelta(minutes=20),
                               text="联系对方邮箱所有人说明情况，对方已回复确认删除邮件；邮件系统关闭外部地址自动补全。")
        with time_machine.travel(start + dt.timedelta(hours=3), tick=False):
            services.add_entry(incident=incident, actor=secretary, kind=Entry.Kind.REPORT, at=timezone.now(),
                               reported_to="分管领导 李四", text="电话报告事件经过和已采取的措施。")
    return 1
