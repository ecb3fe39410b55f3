"""The pages of 加签 / 减签 / 转办 / 退回至指定环节, batch approval and 常用语
(issue 15): 404 for who may not see the item, 403 for who sees it but does
not decide, the whole route on the item page, and the batch summary."""
import pytest
from django.urls import reverse

from infoflow.models import Item, Phrase, ReviewStep, StepAssignee, StepChange
from infoflow.services.chain import approve_step, open_step, submit_item
from infoflow.services.phrases import add_phrase, phrases_for
from infoflow.services.signers import add_signer
from liaison.errors import InvalidInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(org, make_item, frozen):
    """An external market item: 部门负责人 (head_market) → 分管领导 (leader)."""
    return submit_item(item=make_item(direction="external"), actor=org["officer_market"])


def step_of(item):
    return open_step(Item.objects.get(pk=item.pk))


@pytest.mark.parametrize("name", ["signers", "transfer", "return-to"])
def test_step_pages_404_403_200(org, in_review, client, name):
    url = reverse(f"infoflow:{name}", args=[in_review.pk, step_of(in_review).pk])
    client.force_login(org["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(org["officer_market"])  # sees the item, does not decide
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "opinion": "x"}).status_code == 403
    client.force_login(org["head_market"])
    assert client.get(url).status_code == 200


def test_add_signer_page_keeps_input_on_error_and_adds(org, in_review, client):
    url = reverse("infoflow:signers", args=[in_review.pk, step_of(in_review).pk])
    client.force_login(org["head_market"])
    response = client.post(url, {"person": org["legal"].pk, "position": "after", "reason": ""})
    assert response.status_code == 200 and not StepChange.objects.exists()

    response = client.post(url, {"person": org["legal"].pk, "position": "after", "reason": "请法务把关"})
    assert response.status_code == 302
    change = StepChange.objects.get()
    assert change.person == org["legal"] and change.kind == StepChange.Kind.ADD_AFTER

    page = client.get(reverse("infoflow:item-detail", args=[in_review.pk])).content.decode()
    assert "审核路线" in page and "请法务把关" in page  # the route line and the timeline record
    line = page[page.index('<ol class="route-line">'):]
    assert line.index("部门负责人") < line.index(org["legal"].get_full_name()) < line.index("分管领导")
    assert "减签" in page


def test_remove_signer_confirms_then_removes(org, in_review, client):
    change = add_signer(step=step_of(in_review), actor=org["head_market"], person=org["legal"], position="after",
                        reason="x")
    url = reverse("infoflow:signer-remove", args=[in_review.pk, change.pk])
    client.force_login(org["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(org["officer_market"])  # sees the item, neither added the signer nor decides
    assert client.get(url).status_code == 403
    client.force_login(org["head_market"])
    assert "确认减签" in client.get(url).content.decode()
    assert client.post(url, {"reason": "不需要了"}).status_code == 302
    assert StepChange.objects.filter(kind=StepChange.Kind.REMOVE, undoes=change).exists()


def test_transfer_page(org, in_review, client):
    step = step_of(in_review)
    client.force_login(org["head_market"])
    response = client.post(reverse("infoflow:transfer", args=[in_review.pk, step.pk]),
                           {"person": org["gm"].pk, "reason": "出差"})
    assert response.status_code == 302
    assert StepAssignee.objects.get(step=step, user=org["gm"]).decision == StepAssignee.Decision.PENDING
    page = client.get(reverse("infoflow:item-detail", args=[in_review.pk])).content.decode()
    assert "转办" in page and "出差" in page


def test_return_to_page(org, in_review, client):
    approve_step(step=step_of(in_review), actor=org["head_market"])
    step = step_of(in_review)
    url = reverse("infoflow:return-to", args=[in_review.pk, step.pk])
    client.force_login(org["leader"])
    assert client.post(url, {"stage": 0, "opinion": ""}).status_code == 200  # reason required, page again
    assert client.post(url, {"stage": 0, "opinion": "数据需复核"}).status_code == 302
    assert step_of(in_review).stage_index == 0


def test_batch_approval_reports_the_one_that_fails(org, make_item, client, frozen):
    items = [submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"]) for _ in range(3)]
    steps = [step_of(i) for i in items]
    # One of them is decided elsewhere first: it fails, the others pass.
    approve_step(step=steps[1], actor=org["head_market"])
    client.force_login(org["head_market"])
    inbox = client.get(reverse("infoflow:review-inbox")).content.decode()
    assert "批量同意" in inbox and f'value="{steps[0].pk}"' in inbox

    response = client.post(reverse("infoflow:review-batch"),
                           {"steps": [s.pk for s in steps] + [999999], "opinion": "同意，按程序办理"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "已同意 2 条" in page and "未能同意 2 条" in page
    assert "该环节已由他人处理" in page and "找不到该审核环节" in page
    for s in (steps[0], steps[2]):
        assert ReviewStep.objects.get(pk=s.pk).state == ReviewStep.State.APPROVED
        assert StepAssignee.objects.get(step=s).opinion == "同意，按程序办理"


def test_batch_approval_refuses_another_persons_step_and_may_edit(org, make_item, client, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    step = step_of(item)
    client.force_login(org["leader"])
    page = client.post(reverse("infoflow:review-batch"), {"steps": [step.pk]}).content.decode()
    assert "未能同意 1 条" in page
    assert ReviewStep.objects.get(pk=step.pk).state == ReviewStep.State.OPEN
    ReviewStep.objects.filter(pk=step.pk).update(may_edit=True)
    client.force_login(org["head_market"])
    page = client.post(reverse("infoflow:review-batch"), {"steps": [step.pk]}).content.decode()
    assert "请逐条审核" in page
    assert client.get(reverse("infoflow:review-batch")).status_code == 405
    assert client.post(reverse("infoflow:review-batch"), {}).status_code == 302


def test_phrases_own_list_defaults_and_delete(org, client):
    user = org["head_market"]
    assert phrases_for(user)[0] == "同意。"  # the defaults, before any of one's own
    client.force_login(user)
    assert client.post(reverse("infoflow:phrases"), {"text": "请财务部会签"}).status_code == 302
    assert phrases_for(user)[0] == "请财务部会签"
    page = client.post(reverse("infoflow:phrases"), {"text": "请财务部会签"}).content.decode()
    assert "已在您的列表中" in page
    with pytest.raises(InvalidInput):
        add_phrase(actor=user, text="   ")
    phrase = Phrase.objects.get(user=user)
    client.force_login(org["leader"])
    assert client.get(reverse("infoflow:phrase-delete", args=[phrase.pk])).status_code == 404
    assert client.post(reverse("infoflow:phrase-delete", args=[phrase.pk])).status_code == 404
    client.force_login(user)
    assert client.get(reverse("infoflow:phrase-delete", args=[phrase.pk])).status_code == 200
    assert client.post(reverse("infoflow:phrase-delete", args=[phrase.pk])).status_code == 302
    assert not Phrase.objects.exists()


def test_review_form_offers_phrases_and_tools(org, in_review, client):
    add_phrase(actor=org["head_market"], text="同意报送总经理")
    client.force_login(org["head_market"])
    page = client.get(reverse("infoflow:review", args=[in_review.pk, step_of(in_review).pk])).content.decode()
    assert "同意报送总经理" in page and 'data-phrase-for="id_opinion"' in page
    assert "加签" in page and "转办" in page


def test_route_line_shows_done_current_and_future_people(org, in_review, client):
    approve_step(step=step_of(in_review), actor=org["head_market"])
    client.force_login(org["officer_market"])
    page = client.get(reverse("infoflow:item-detail", args=[in_review.pk])).content.decode()
    line = page[page.index('<ol class="route-line">'):page.index("</ol>", page.index('<ol class="route-line">'))]
    assert "stage-done" in line and "stage-current" in line
    assert org["head_market"].get_full_name() in line and org["leader"].get_full_name() in line
    assert '<details class="timeline-fold"' in page


def test_route_line_future_stage_as_it_would_open_now(org, make_item, client, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    # The unit's supervising leader changes: the future stage shows the new one.
    new_leader = UserFactory(username="new_leader", first_name="新领导")
    org["market"].supervising_leader = new_leader
    org["market"].save()
    client.force_login(org["officer_market"])
    page = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()
    assert "新领导" in page


def test_batch_approval_names_no_item_one_cannot_see(org, make_item, client, frozen):
    """A step id of an item the user may not see reads like a missing step: no number, no subject (trial 15)."""
    item = submit_item(item=make_item(direction="external", subject="关于机密客户并购事项的通报"),
                       actor=org["officer_market"])
    step = step_of(item)
    client.force_login(org["outsider"])
    response = client.post(reverse("infoflow:review-batch"), {"steps": [step.pk]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "找不到该审核环节" in page and f"#{step.pk}" in page
    assert "机密客户并购" not in page and (item.number or "never-a-number") not in page
    assert ReviewStep.objects.get(pk=step.pk).state == ReviewStep.State.OPEN
