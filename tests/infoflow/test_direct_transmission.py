"""An item previewed as "无需审核，提交后直接传递给接收方" goes out on
submission by the portal's own message (issue 10, 6.6)."""
import pytest
from django.urls import reverse
from django.utils import timezone

from infoflow.models import Item, Receiver, Transmission
from infoflow.services.chain import submit_item
from infoflow.services.delivery import transmit_item
from liaison.models import Notification
from tests.factories import ExternalContactFactory

pytestmark = pytest.mark.django_db


def test_routine_internal_item_goes_out_on_submission_by_system_message(org, make_item, frozen):
    item = submit_item(item=make_item(), actor=org["officer_market"])

    item = Item.objects.get(pk=item.pk)
    transmission = Transmission.objects.get(item=item)
    assert item.state == Item.State.TRANSMITTED
    assert item.transmitted_at == item.submitted_at == timezone.now()
    assert (transmission.methods, transmission.sent_by, transmission.note) == (
        "system", org["officer_market"], "无需审核，提交后由系统消息直接传递。")
    assert item.methods_display == "系统消息"
    receiver = item.receivers.get()
    assert receiver.state == Receiver.State.SENT and receiver.sent_at == timezone.now()
    assert receiver.answer_due_at == item.expected_feedback_at
    assert Notification.objects.filter(recipient=org["officer_prod"], item_number=item.number).exists()


def test_the_preview_promise_holds_in_the_timeline(client, org, make_item, frozen):
    item = submit_item(item=make_item(), actor=org["officer_market"])
    client.force_login(org["officer_market"])

    page = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()

    assert "传递（系统消息）" in page
    assert "补记传递方式" in page


def test_an_item_with_an_external_receiver_waits_for_the_officers_method(org, make_item, frozen):
    contact = ExternalContactFactory()
    item = make_item(receivers=[{"kind": "external", "external_unit": contact.external_unit, "contact": contact}])

    item = submit_item(item=item, actor=org["officer_market"])

    assert Item.objects.get(pk=item.pk).state == Item.State.APPROVED
    assert not Transmission.objects.filter(item=item).exists()


def test_an_item_with_a_review_stage_is_not_sent_on_submission(org, make_item, frozen):
    item = submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"])

    assert Item.objects.get(pk=item.pk).state == Item.State.IN_REVIEW
    assert not Transmission.objects.filter(item=item).exists()


def test_another_method_used_later_is_recorded_without_sending_again(org, make_item, frozen):
    item = submit_item(item=make_item(), actor=org["officer_market"])
    sent_at = Receiver.objects.get(item=item).sent_at

    transmit_item(item=item, actor=org["officer_market"], methods=["phone"], written_record="电话告知孙八。")

    item = Item.objects.get(pk=item.pk)
    assert item.methods_display == "系统消息+电话"
    assert list(item.transmissions.order_by("pk").values_list("methods", flat=True)) == ["system", "phone"]
    assert Receiver.objects.get(item=item).sent_at == sent_at
    assert item.history.first().history_change_reason == "transmit_more"


def test_the_submit_message_says_it_went_out(client, org, make_item, frozen):
    item = make_item()
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:submit", args=[item.pk]), follow=True)

    assert "信息 NX-2026-001 已提交，无需审核，已通过系统消息传递给接收方。" in response.content.decode()
