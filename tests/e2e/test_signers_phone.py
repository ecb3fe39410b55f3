"""Issue 15, done-when: in a real browser at 390×844, a head adds a signer
after herself (加签) and approves with a common phrase (常用语), the added
signer transfers the step (转办) to the general manager, who approves; then
the head approves three routine reviews at once from her inbox (batch
approval). The fixture ``phone`` fails the test on any console error, page
error or page wider than the screen."""
import importlib

import pytest
from django.apps import apps

from infoflow.models import Item, ReviewStep, StepAssignee, StepChange
from infoflow.services.chain import open_step, submit_item
from infoflow.services.drafting import create_item
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def default_routes(transactional_db):
    importlib.import_module("infoflow.migrations.0003_default_routes").create_defaults(apps, None)


def _submit(officer, unit, prod, subject, **fields):
    from datetime import timedelta

    from django.utils import timezone

    item = create_item(actor=officer, unit=unit, receivers=[{"kind": "unit", "unit": prod}], fields={
        "subject": subject, "summary": "请生产部确认交货安排并于下周五前答复。",
        "expected_feedback_at": timezone.now() + timedelta(days=10), **fields})
    return submit_item(item=item, actor=officer)


def test_add_signer_transfer_and_batch_approval_on_a_phone(
    phone, default_routes, market, prod, officer_market, head_market, leader, legal, gm
):
    letter = _submit(officer_market, market, prod, "关于华东客户交货期调整的函", direction="external")
    detail = f"/items/{letter.pk}/"

    # 加签: the head adds the legal reviewer after herself, from the item page.
    head = phone("head_market", PASSWORD, detail)
    assert "审核路线" in head.page.inner_text("section.route-line")
    head.click("section.route-line a:text('加签')")
    head.page.select_option("select[name=person]", str(legal.pk))
    head.page.check("input[name=position][value=after]")
    head.page.fill("textarea[name=reason]", "涉及合同条款，请法务把关。")
    head.click("main form.signer-form button[type=submit]")
    assert "已加签" in head.page.inner_text(".messages")
    route = head.page.inner_text("section.route-line")
    assert route.index("部门负责人") < route.index(legal.get_full_name()) < route.index("分管领导")

    # She approves with a common phrase picked instead of typed.
    step = open_step(Item.objects.get(pk=letter.pk))
    head.goto(f"{detail}steps/{step.pk}/review/")
    head.page.select_option("select[data-phrase-for=id_opinion]", "情况属实，同意报送。")
    assert head.page.input_value("textarea[name=opinion]") == "情况属实，同意报送。"
    head.click("button[name=approve]")

    # 转办: the added signer hands the step to the general manager with a reason.
    added = open_step(Item.objects.get(pk=letter.pk))
    assert added.assignees.get().user == legal
    signer = phone("legal", PASSWORD, detail)
    signer.click("section.route-line a:text('转办')")
    signer.page.select_option("select[name=person]", str(gm.pk))
    signer.page.fill("textarea[name=reason]", "本周外出培训，请总经理审定。")
    signer.click("main form button[type=submit]")
    assert "已转办" in signer.page.inner_text(".messages")
    assert StepChange.objects.filter(kind=StepChange.Kind.TRANSFER, person=gm).exists()

    boss = phone("gm", PASSWORD, "/items/reviews/")
    boss.click(f"a[href='/items/{letter.pk}/steps/{added.pk}/review/']")
    boss.page.fill("textarea[name=opinion]", "同意。")
    boss.click("button[name=approve]")
    boss.goto(detail)
    assert boss.page.get_attribute("details.timeline-fold", "open") is None  # a long story starts folded
    boss.page.click("details.timeline-fold > summary")
    timeline = boss.page.inner_text("details.timeline-fold")
    assert "转办" in timeline and "本周外出培训" in timeline and "后加签" in timeline
    assert [a.user for a in open_step(Item.objects.get(pk=letter.pk)).assignees.all()] == [leader]

    # Batch approval: three routine coordination items approved at once.
    routine = [_submit(officer_market, market, prod, f"关于跨部门协调事项{n}", needs_coordination=True)
               for n in range(3)]
    head.goto("/items/reviews/")
    head.page.click("details#batch-approve > summary")
    for item in routine:
        head.page.check(f"input[name=steps][value='{open_step(item).pk}']")
    head.page.fill("#batch-opinion", "同意，请按程序办理。")
    head.click("details#batch-approve button[type=submit]")
    assert "已同意 3 条" in head.page.inner_text("main")
    for item in routine:
        assert Item.objects.get(pk=item.pk).state == Item.State.APPROVED
        assert StepAssignee.objects.get(step__item=item, step__state=ReviewStep.State.APPROVED).opinion == \
            "同意，请按程序办理。"
