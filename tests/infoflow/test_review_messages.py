"""What a reviewer and an officer are told (issue 10, 6.9): the last
approver learns the item is approved and what comes next; nobody is told of
what they did themselves; links in e-mails use the configured site address."""
import pytest
from django.urls import reverse

from infoflow.models import Item
from infoflow.services.chain import approve_step, open_step, submit_item
from infoflow.services.delivery import answer_receiver, transmit_item
from liaison.models import Notification
from tests.factories import ExternalContactFactory

pytestmark = pytest.mark.django_db


def approve_on_the_page(client, user, item):
    client.force_login(user)
    step = open_step(Item.objects.get(pk=item.pk))
    response = client.post(reverse("infoflow:review", args=[item.pk, step.pk]), {"opinion": "同意", "approve": "1"},
                           follow=True)
    return response.content.decode()


def test_a_reviewer_whose_stage_is_not_the_last_hears_the_next_stage(client, org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    page = approve_on_the_page(client, org["head_market"], item)

    assert "已同意，信息 NX-2026-001 进入下一环节“分管领导”。" in page


def test_the_last_approver_hears_the_item_is_approved_and_waits_for_transmission(client, org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")

    page = approve_on_the_page(client, org["leader"], item)

    assert "审核通过，信息 NX-2026-001 等待发起部门传递给接收方。" in page
    assert "进入下一环节" not in page


def test_a_cosigner_hears_the_stage_waits_for_the_others(client, org, make_item, frozen):
    item = make_item(kind="coordination", receivers=[{"kind": "unit", "unit": org["prod"]},
                                                     {"kind": "unit", "unit": org["finance"]}])
    item = submit_item(item=item, actor=org["officer_market"])
    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")

    page = approve_on_the_page(client, org["head_prod"], item)

    assert "已同意，信息 NX-2026-001 的“相关部门会签”环节等待其他审核人会签。" in page


def test_an_officer_recording_an_external_answer_is_not_told_of_it(org, make_item, frozen):
    contact = ExternalContactFactory()
    item = make_item(receivers=[{"kind": "external", "external_unit": contact.external_unit, "contact": contact}])
    item = submit_item(item=item, actor=org["officer_market"])
    transmit_item(item=item, actor=org["officer_market"], methods=["letter"])
    before = Notification.objects.filter(recipient=org["officer_market"]).count()

    answer_receiver(receiver=item.receivers.get(), actor=org["officer_market"], result="客户已确认。")

    assert Notification.objects.filter(recipient=org["officer_market"]).count() == before


def test_a_receiving_officer_answering_tells_the_initiator_with_a_link_on_the_site_address(org, make_item, frozen,
                                                                                          settings):
    settings.SITE_URL = "https://liaison.example.com"
    item = submit_item(item=make_item(), actor=org["officer_market"])

    answer_receiver(receiver=item.receivers.get(), actor=org["officer_prod"], result="已安排。")

    notice = Notification.objects.get(recipient=org["officer_market"], key__endswith=":answered")
    assert not Notification.objects.filter(recipient=org["officer_prod"], key__endswith=":answered").exists()
    from liaison.notifications import safe_text

    assert "https://liaison.example.com/items/%d/" % item.pk in safe_text(notice)[1]
