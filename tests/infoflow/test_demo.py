"""The demo items: every state and default route, built through the services, idempotent."""
import pytest
from django.utils import timezone

from infoflow import demo as infoflow_demo
from infoflow.models import Item, Receiver, ReviewStep, StepAssignee
from officers import demo as officers_demo

pytestmark = pytest.mark.django_db


def test_demo_items_cover_every_state_and_a_second_run_changes_nothing():
    officers_demo.seed()

    created = infoflow_demo.seed()

    states = set(Item.objects.values_list("state", flat=True))
    assert states >= {"draft", "in_review", "returned", "approved", "transmitted", "completed", "cancelled"}
    routes = set(Item.objects.values_list("route_name", flat=True))
    assert {"内部常规信息", "内部协调", "跨部门协调（会签）", "对外信息", "对外重大事项", "具有法律效力的文件",
            "信息发布", "紧急情况（先处理后报告）", "收文登记"} <= routes
    half = ReviewStep.objects.get(item__subject__endswith="生产排产与市场订单协调", state="open")
    assert sorted(half.assignees.values_list("decision", flat=True)) == ["approved", "pending"]
    assert Item.objects.filter(direction="incoming").exists()
    assert Receiver.objects.filter(state="answered").exists()
    assert Item.objects.filter(send_first=True, state="transmitted", steps__state="open").exists()
    now = timezone.now()
    assert Receiver.objects.filter(answer_due_at__lt=now).exclude(state="answered").exists()  # overdue answer
    assert ReviewStep.objects.filter(state="open", due_at__lt=now).exists()  # overdue review
    assert created == Item.objects.count()
    counts = (Item.objects.count(), ReviewStep.objects.count(), StepAssignee.objects.count(),
              Item.history.count())

    assert infoflow_demo.seed() == 0
    assert counts == (Item.objects.count(), ReviewStep.objects.count(), StepAssignee.objects.count(),
                      Item.history.count())
