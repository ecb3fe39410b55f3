"""The portal pages: drafting with the route preview, the review form, the
confirmation steps, transmission and answers, downloads, and the rule that
the inbox lists never show what items_visible_to hides."""
import pytest
from django.urls import reverse

from infoflow import selectors
from infoflow.models import Item
from infoflow.visibility import items_visible_to
from tests.infoflow.conftest import pdf_upload
from tests.infoflow.portal import approved, submitted, transmitted

pytestmark = pytest.mark.django_db


def form_data(org, **extra):
    data = {
        "unit": org["market"].pk, "direction": "external", "kind": "routine", "urgency": "normal",
        "confidentiality": "internal", "subject": "关于交货期调整的函", "summary": "请于周五前答复。",
        "needs_answer": "on", "receiver_units": [org["prod"].pk], "transmission_methods": ["email"],
        "expected_feedback_at": "2099-01-05T10:00",
    }
    data.update(extra)
    return data


def test_route_preview_names_the_reviewers(client, org):
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:route-preview"), {"unit": org["market"].pk, "direction": "external"})

    text = response.content.decode()
    assert "部门负责人" in text and "王五" in text and "分管领导" in text and "李四" in text


def test_preview_button_renders_the_route_without_saving(client, org):
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:item-create"), form_data(org, preview="1"))

    assert response.status_code == 200
    assert "李四" in response.content.decode()
    assert not Item.objects.exists()


def test_new_item_page_warns_about_state_secrets(client, org):
    client.force_login(org["officer_market"])

    response = client.get(reverse("infoflow:item-create"))

    assert "国家秘密信息严禁在本系统中处理" in response.content.decode()


def test_save_and_submit_gives_a_number(client, org):
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:item-create"), {**form_data(org), "submit": "1"}, follow=True)

    item = Item.objects.get()
    assert item.state == Item.State.IN_REVIEW and item.number.startswith("NX-")
    assert item.number in response.content.decode()


def test_form_without_receivers_keeps_the_input(client, org):
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:item-create"), form_data(org, receiver_units=[]))

    text = response.content.decode()
    assert "请至少选择一个接收方" in text
    assert "关于交货期调整的函" in text
    assert not Item.objects.exists()


def test_employee_without_a_post_may_not_draft(client, org):
    client.force_login(org["employee"])

    assert client.get(reverse("infoflow:item-create")).status_code == 403


def test_head_approves_from_the_review_form(client, org, make_item):
    item = submitted(make_item, org)
    step = item.steps.get()
    client.force_login(org["head_market"])

    response = client.post(reverse("infoflow:review", args=[item.pk, step.pk]), {"opinion": "同意", "approve": "1"})

    assert response.status_code == 302
    assert item.steps.get(stage_index=1).state == "open"


def test_return_without_reason_is_refused_and_keeps_the_step(client, org, make_item):
    item = submitted(make_item, org)
    step = item.steps.get()
    client.force_login(org["head_market"])

    response = client.post(reverse("infoflow:review", args=[item.pk, step.pk]), {"opinion": "", "return": "1"})

    assert response.status_code == 200
    assert "退回时须填写退回原因" in response.content.decode()
    step.refresh_from_db()
    assert step.state == "open"


def test_second_decision_shows_the_service_message(client, org, make_item):
    item = submitted(make_item, org)
    step = item.steps.get()
    client.force_login(org["head_market"])
    client.post(reverse("infoflow:review", args=[item.pk, step.pk]), {"opinion": "同意", "approve": "1"})

    response = client.post(reverse("infoflow:review", args=[item.pk, step.pk]), {"opinion": "同意", "approve": "1"})

    assert response.status_code == 200
    assert "msg-error" in response.content.decode()


def test_viewer_who_may_not_decide_gets_403(client, org, make_item):
    item = submitted(make_item, org)
    step = item.steps.get()
    client.force_login(org["secretary"])  # sees every non-restricted item, decides none of this route

    response = client.post(reverse("infoflow:review", args=[item.pk, step.pk]), {"opinion": "同意", "approve": "1"})

    assert response.status_code == 403


def test_withdraw_asks_first_and_only_post_withdraws(client, org, make_item):
    item = submitted(make_item, org)
    client.force_login(org["officer_market"])

    confirm = client.get(reverse("infoflow:withdraw", args=[item.pk]))
    item.refresh_from_db()
    assert "确认撤回" in confirm.content.decode() and item.state == Item.State.IN_REVIEW

    client.post(reverse("infoflow:withdraw", args=[item.pk]))
    item.refresh_from_db()
    assert item.state == Item.State.WITHDRAWN


def test_cancel_needs_a_reason(client, org, make_item):
    item = make_item()
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:cancel", args=[item.pk]), {"reason": ""})
    item.refresh_from_db()
    assert response.status_code == 200 and item.state == Item.State.DRAFT

    client.post(reverse("infoflow:cancel", args=[item.pk]), {"reason": "重复发起"})
    item.refresh_from_db()
    assert item.state == Item.State.CANCELLED and item.cancel_reason == "重复发起"


def test_phone_transmission_needs_a_written_record(client, org, make_item):
    item = approved(make_item, org)
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:transmit", args=[item.pk]), {"methods": ["phone"]})

    assert "电话传递须补充书面记录" in response.content.decode()
    item.refresh_from_db()
    assert item.state == Item.State.APPROVED


def test_receiver_acknowledges_and_answers_to_done(client, org, make_item):
    item = transmitted(make_item, org)
    receiver = item.receivers.get()
    client.force_login(org["officer_prod"])
    assert item.number in client.get(reverse("infoflow:receiver-inbox")).content.decode()

    client.post(reverse("infoflow:acknowledge", args=[item.pk, receiver.pk]), {"next": "inbox"})
    client.post(reverse("infoflow:answer", args=[item.pk, receiver.pk]), {"result": "已安排", "next_steps": ""})

    item.refresh_from_db()
    assert item.state == Item.State.COMPLETED
    timeline = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()
    assert "已安排" in timeline and "生产部 签收" in timeline


def test_phone_transmission_shows_method_names_and_record(client, org, make_item):
    item = approved(make_item, org)
    client.force_login(org["officer_market"])

    client.post(
        reverse("infoflow:transmit", args=[item.pk]),
        {"methods": ["phone", "email"], "written_record": "已电话告知生产部孙八"},
    )

    page = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()
    assert "电话+邮件" in page or "邮件+电话" in page
    assert "phone" not in page.split("传递记录")[-1].split("</ul>")[0]


def test_wrong_receiver_gets_403(client, org, make_item):
    item = transmitted(make_item, org)
    receiver = item.receivers.get()
    client.force_login(org["secretary"])

    response = client.post(reverse("infoflow:acknowledge", args=[item.pk, receiver.pk]))

    assert response.status_code == 403


def test_attachment_downloads_as_attachment(client, org, make_item):
    from infoflow.services.drafting import add_attachment

    item = make_item()
    attachment = add_attachment(item=item, actor=org["officer_market"], upload=pdf_upload("函件.pdf"))
    client.force_login(org["officer_market"])

    response = client.get(reverse("infoflow:attachment", args=[item.pk, attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_timeline_shows_opinions_deadlines_and_late_marks(client, org, make_item):
    item = submitted(make_item, org)
    from infoflow.services.chain import return_step

    return_step(step=item.steps.get(), actor=org["head_market"], opinion="请补充交货数量")

    events = selectors.item_timeline(item)

    returned = [e for e in events if "退回" in e["what"] and e["who"] == org["head_market"]]
    assert returned and returned[0]["detail"] == "请补充交货数量"
    assert returned[0]["deadline"] is not None and returned[0]["late"] is False


@pytest.mark.parametrize("persona", ["officer_market", "head_market", "leader", "officer_prod", "secretary",
                                     "outsider", "employee"])
def test_inbox_lists_never_show_an_invisible_item(org, make_item, persona):
    submitted(make_item, org)
    transmitted(make_item, org)
    make_item(confidentiality="restricted")
    user = org[persona]
    visible = set(items_visible_to(user).values_list("pk", flat=True))

    listed = set()
    for bucket in selectors.BUCKETS:
        listed |= {item.pk for item in selectors.my_items(user, bucket)}
    listed |= {step.item_id for step in selectors.review_inbox(user)}
    listed |= {r.item_id for r in selectors.receiver_inbox(user, include_answered=True)}

    assert listed <= visible
