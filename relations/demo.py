"""Demo of relations (``manage.py seed_demo``, issue 19 §10): a return visit
of 市场部 to the demo customer with a follow-up action due in ten working
days, the yearly annual report to the market regulator due next month and
the association's yearly dues (seed 003: 每年1月底前). Built through the
services; idempotent (a second run creates nothing)."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from liaison.workdays import add_working_days
from officers.models import ExternalUnit, OrgUnit

from .models import Obligation, Visit
from .services import obligations, visits

VISIT_PURPOSE = "季度客户回访：了解设备使用情况与下季度采购计划"
CUSTOMER = "苏州宏达机电设备有限公司"
REGULATOR = "苏州市市场监督管理局"
ASSOCIATION = "江苏省机械行业协会"


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def _seed_visit() -> int:
    officer, head = _user("officer_market"), _user("head_market")
    customer = ExternalUnit.objects.filter(name=CUSTOMER).first()
    market = OrgUnit.objects.filter(code="market").first()
    if not (officer and head and customer and market) or Visit.objects.filter(purpose=VISIT_PURPOSE).exists():
        return 0
    visit = visits.record_visit(
        actor=officer, external_unit=customer, contact=customer.contacts.order_by("pk").first(), unit=market,
        visitors=[officer, head], visited_on=timezone.localdate() - dt.timedelta(days=7),
        kind=Visit.Kind.REGULAR, method=Visit.Method.ONSITE, purpose=VISIT_PURPOSE,
        findings="客户对设备运行总体满意；反映备件到货偏慢（平均 7 天），希望缩短到 3 天内；下季度计划追加两台数控机床。")
    due = add_working_days(timezone.now(), 10).date()
    visits.add_action(actor=officer, visit=visit, text="协调生产部与物流，答复客户备件到货时限改进方案",
                      owner=officer, due_on=due)
    return 1


def _next_month_day(day: int) -> dt.date:
    first = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first.replace(day=day)


def _seed_obligations() -> int:
    secretary = _user("secretary")
    office = OrgUnit.objects.filter(code="office").first()
    finance = OrgUnit.objects.filter(code="finance").first()
    created = 0
    for body_name, title, kind, due, unit, description in [
        (REGULATOR, "企业年度报告公示", Obligation.Kind.ANNUAL_REPORT, _next_month_day(15), office,
         "通过国家企业信用信息公示系统报送上一年度年度报告并公示（工商联络员办理）。"),
        (ASSOCIATION, "协会年度会费缴纳", Obligation.Kind.DUES,
         dt.date(timezone.localdate().year + 1, 1, 31), finance or office,
         "按协会章程在每年1月底前交纳年度会费，取得票据后上传。"),
    ]:
        body = ExternalUnit.objects.filter(name=body_name).first()
        if not (secretary and body and unit) or Obligation.objects.filter(body=body, title=title).exists():
            continue
        obligations.create_obligation(actor=secretary, obligation=Obligation(
            body=body, title=title, kind=kind, description=description, recurrence=Obligation.Recurrence.YEARLY,
            first_due_on=due, owner_unit=unit, remind_days=5))
        created += 1
    return created


@transaction.atomic
def seed() -> int:
    """Create the demo visit and obligations if missing; returns rows created."""
    return _seed_visit() + _seed_obligations()
