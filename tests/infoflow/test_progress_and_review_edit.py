"""Daily work that was refused (issue 10, 6.9): a receiver posting progress
for its own row, and the initial reviewer's text edit during review."""
import pytest
from django.urls import reverse

from infoflow.models import Item, ProgressUpdate
from infoflow.services.chain import submit_item
from infoflow.services.delivery import transmit_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(org, make_item, frozen):
    """A routine market item transmitted to the production department."""
    item = submit_item(item=make_item(kind="routine"), actor=org["officer_market"])
    item.refresh_from_db()
    if item.state == Item.State.APPROVED:
        transmit_item(item=item, actor=org["officer_market"], methods=["email"])
    item.refresh_from_db()
    assert item.state == Item.State.TRANSMITTED
    return item


def test_the_receiving_officer_posts_progress_for_their_own_department(client, org, sent):
    client.force_login(org["officer_prod"])

    page = client.get(reverse("infoflow:item-detail", args=[sent.pk])).content.decode()
    response = client.post(reverse("infoflow:progress", args=[sent.pk]), {"text": "已安排排产，下周反馈。"})

    assert "以接收方“生产部”的名义记录。" in page
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(item=sent)
    assert (update.receiver.unit.code, update.posted_by, update.text) == ("prod", org["officer_prod"], "已安排排产，下周反馈。")


def test_the_head_of_the_receiving_department_posts_progress_too(client, org, sent):
    client.force_login(org["head_prod"])

    response = client.post(reverse("infoflow:progress", args=[sent.pk]), {"text": "负责人已阅，正在落实。"})

    assert response.status_code == 302
    assert ProgressUpdate.objects.get(item=sent).receiver.unit.code == "prod"


def test_the_initiator_posts_progress_as_the_item(client, org, sent):
    client.force_login(org["officer_market"])

    page = client.get(reverse("infoflow:item-detail", args=[sent.pk])).content.decode()
    client.post(reverse("infoflow:progress", args=[sent.pk]), {"text": "已电话提醒生产部。"})

    assert 'name="receiver"' not in page
    assert ProgressUpdate.objects.get(item=sent).receiver is None


def test_someone_who_sees_but_does_not_receive_gets_403(client, org, sent):
    client.force_login(org["secretary"])

    response = client.post(reverse("infoflow:progress", args=[sent.pk]), {"text": "秘书处插话"})

    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_no_progress_form_before_transmission(client, org, make_item, frozen):
    item = submit_item(item=make_item(kind="coordination", needs_coordination=True), actor=org["officer_market"])
    client.force_login(org["officer_market"])

    page = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()

    assert reverse("infoflow:progress", args=[item.pk]) not in page


@pytest.fixture
def in_pool_review(org, make_item, frozen):
    """A publication at the secretariat's initial review (a "may edit" stage)."""
    return submit_item(item=make_item(kind="publication", release_channels=["intranet"]), actor=org["officer_market"])


def test_initial_review_edit_shows_and_sends_only_the_text(client, org, in_pool_review):
    client.force_login(org["secretary"])
    url = reverse("infoflow:item-edit", args=[in_pool_review.pk])

    page = client.get(url).content.decode()
    response = client.post(url, {"subject": in_pool_review.subject, "summary": "（秘书处修改）请各部门报送名单。",
                                 "remarks": "格式已规范", "project": ""})

    assert 'name="summary"' in page and 'name="urgency"' not in page and 'name="receiver_units"' not in page
    assert response.status_code == 302
    item = Item.objects.get(pk=in_pool_review.pk)
    assert (item.summary, item.remarks, item.state) == ("（秘书处修改）请各部门报送名单。", "格式已规范", Item.State.IN_REVIEW)
    assert item.history.first().history_change_reason == "reviewer_edit"


def test_initial_review_edit_keeps_what_only_the_initiator_decides(client, org, in_pool_review):
    client.force_login(org["secretary"])

    client.post(reverse("infoflow:item-edit", args=[in_pool_review.pk]),
                {"subject": "新主题", "summary": "新摘要", "urgency": "urgent", "to_all_staff": "on"})

    item = Item.objects.get(pk=in_pool_review.pk)
    assert (item.subject, item.urgency) == ("新主题", in_pool_review.urgency)


def test_an_empty_subject_in_review_edit_is_marked_on_the_field(client, org, in_pool_review):
    client.force_login(org["secretary"])

    response = client.post(reverse("infoflow:item-edit", args=[in_pool_review.pk]), {"subject": "", "summary": "x"})

    assert response.status_code == 200
    assert Item.objects.get(pk=in_pool_review.pk).subject == in_pool_review.subject
    assert response.context["form"].errors["subject"]
