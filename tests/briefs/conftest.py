"""Fixtures of the information bulletin: adopted public items of two
departments and a draft issue."""
import datetime as dt

import pytest

from briefs.services import issues as services
from infoflow.models import Item

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 30, 10, 0, tzinfo=TZ)


def make_item(unit, initiator, subject, *, state=Item.State.APPROVED, confidentiality="public", summary=None,
              number=None):
    return Item.objects.create(
        unit=unit, initiator=initiator, subject=subject, summary=summary or ("%s的内容。" % subject),
        state=state, confidentiality=confidentiality, submitted_at=dt.datetime(2026, 3, 2, 10, tzinfo=TZ),
        approved_at=dt.datetime(2026, 3, 3, 10, tzinfo=TZ),
        number=number or "%s-2026-%03d" % (unit.number_prefix, Item.objects.count() + 1),
    )


@pytest.fixture
def adopted(market, prod, officer_market, officer_prod):
    """Three adopted public items: two of 市场部, one of 生产部."""
    return [
        make_item(market, officer_market, "市场部签约三家新客户", summary="三月市场部与三家客户签约。\n合同金额合计两百万元。"),
        make_item(prod, officer_prod, "生产线完成节能改造", state=Item.State.COMPLETED,
                  summary="生产部完成二号线节能改造，能耗下降百分之十二。"),
        make_item(market, officer_market, "市场部开展客户回访", state=Item.State.TRANSMITTED,
                  summary="市场部回访客户四十家，收集意见十五条。"),
    ]


@pytest.fixture
def draft(secretary):
    return services.create_issue(actor=secretary, period="2026-03", title="信息简报", foreword="本期聚焦一季度工作。")


@pytest.fixture
def filled(draft, adopted, secretary):
    for item in adopted:
        services.add_item(issue=draft, item=item, actor=secretary)
    return draft
