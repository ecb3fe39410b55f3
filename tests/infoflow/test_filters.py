import pytest
from django.http import QueryDict

from infoflow.filters import ItemFilterForm
from infoflow.models import Direction, Item, Urgency
from tests.infoflow.export_helpers import local, make_item

pytestmark = pytest.mark.django_db


def _filtered(data):
    form = ItemFilterForm(QueryDict(data))
    return form, set(form.filter(Item.objects.all()).values_list("subject", flat=True))


@pytest.fixture
def items(market, prod, officer_market, officer_prod):
    make_item(unit=market, initiator=officer_market, subject="市场周报", number="NX-2025-00001",
              submitted_at=local(2025, 9, 1, 0, 0), urgency=Urgency.URGENT)
    make_item(unit=market, initiator=officer_market, subject="客户来访", summary="关于设备检修的安排",
              submitted_at=local(2025, 9, 30, 23, 59), state=Item.State.ARCHIVED, direction=Direction.EXTERNAL)
    make_item(unit=prod, initiator=officer_prod, subject="停产检修", number="NB-2025-00077",
              submitted_at=local(2025, 10, 1, 0, 0), urgency=Urgency.EXTRA_URGENT)
    make_item(unit=prod, initiator=officer_prod, subject="草稿未提交", number=None, submitted_at=None,
              state=Item.State.DRAFT)


def test_empty_form_keeps_every_row(items):
    form, subjects = _filtered("")

    assert subjects == {"市场周报", "客户来访", "停产检修", "草稿未提交"}
    assert form.querystring() == ""


def test_unbound_form_keeps_every_row(items):
    form = ItemFilterForm()

    assert form.filter(Item.objects.all()).count() == 4
    assert form.querystring() == ""


def test_text_searches_number_subject_and_summary(items):
    assert _filtered("q=检修")[1] == {"客户来访", "停产检修"}
    assert _filtered("q=nb-2025-00077")[1] == {"停产检修"}
    assert _filtered("q=+周报+")[1] == {"市场周报"}


def test_state_urgency_direction_and_unit(items, prod):
    assert _filtered("state=archived")[1] == {"客户来访"}
    assert _filtered("urgency=extra_urgent")[1] == {"停产检修"}
    assert _filtered("direction=external")[1] == {"客户来访"}
    assert _filtered(f"unit={prod.pk}")[1] == {"停产检修", "草稿未提交"}


def test_date_range_is_local_calendar_days_with_inclusive_end(items):
    # 2025-09-30 23:59 Beijing is 15:59 UTC: still September 30th locally.
    assert _filtered("date_from=2025-09-01&date_to=2025-09-30")[1] == {"市场周报", "客户来访"}
    assert _filtered("date_from=2025-10-01")[1] == {"停产检修"}
    assert _filtered("date_to=2025-09-01")[1] == {"市场周报"}


def test_bad_value_is_an_error_and_that_field_is_not_applied(items):
    form, subjects = _filtered("state=nonsense&urgency=urgent&date_from=2025-13-45")

    assert subjects == {"市场周报"}
    assert "state" in form.errors and "date_from" in form.errors
    assert "urgency" not in form.errors
    assert form.querystring() == "urgency=urgent"


def test_unknown_unit_is_an_error(items):
    form, subjects = _filtered("unit=999999")

    assert "unit" in form.errors
    assert len(subjects) == 4


def test_reversed_dates_are_refused_with_a_chinese_message(items):
    form, subjects = _filtered("date_from=2025-10-01&date_to=2025-09-01")

    assert form.errors["date_to"] == ["截止日期不能早于起始日期。"]
    assert subjects == {"停产检修"}  # only the valid start applies


def test_querystring_round_trips_to_the_same_rows(items, market):
    form = ItemFilterForm(QueryDict(f"q=客户&unit={market.pk}&date_from=2025-09-01&date_to=2025-09-30&state="))

    qs = form.querystring()
    again = ItemFilterForm(QueryDict(qs))

    assert qs.startswith("q=%E5%AE%A2%E6%88%B7&unit=")
    assert "state" not in qs
    assert "date_to=2025-09-30" in qs
    assert list(again.filter(Item.objects.all())) == list(form.filter(Item.objects.all()))


def test_describe_names_filters_in_chinese(items):
    form = ItemFilterForm(QueryDict("urgency=urgent&date_to=2025-09-30"))

    assert form.describe() == "紧急程度=紧急; 发起日期至=2025-09-30"


def test_labels_are_chinese():
    form = ItemFilterForm()

    assert [str(form.fields[n].label) for n in ItemFilterForm.FIELDS] == [
        "关键词", "处理状态", "紧急程度", "发起部门", "方向", "发起日期从", "发起日期至",
    ]
    assert 'type="date"' in str(form["date_to"])
