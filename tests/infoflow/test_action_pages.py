"""Action pages: 404 for who may not see the item, 403 with a Chinese page
naming who may act for who sees it but may not act — on GET as on POST —
and menu entries only for those who may use them (issue 10 §1, §6.7)."""
import pytest
from django.urls import reverse

from infoflow.services.chain import open_step, submit_item
from infoflow.services.delivery import transmit_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(org, make_item, frozen):
    """An external market item waiting for the market head (王五)."""
    return submit_item(item=make_item(direction="external"), actor=org["officer_market"])


@pytest.fixture
def transmitted(org, make_item, frozen):
    """A routine market item sent to production and finance."""
    item = make_item(receivers=[{"kind": "unit", "unit": org["prod"]}, {"kind": "unit", "unit": org["finance"]}])
    item = submit_item(item=item, actor=org["officer_market"])
    item.refresh_from_db()
    if item.state == item.State.APPROVED:
        transmit_item(item=item, actor=org["officer_market"], methods=["system"])
    return item


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_answer_form_of_another_units_receiver_is_403_naming_who_answers(org, transmitted, client):
    finance_receiver = transmitted.receivers.get(unit=org["finance"])
    url = reverse("infoflow:answer", args=[transmitted.pk, finance_receiver.pk])

    response = get(client, org["officer_prod"], url)

    assert response.status_code == 403
    text = response.content.decode()
    assert "无权进行此操作" in text and "只有财务部的负责人和联络员可以为该接收方签收和反馈。" in text
    assert "Forbidden" not in text


def test_answer_post_of_another_units_receiver_is_refused_the_same_way(org, transmitted, client):
    finance_receiver = transmitted.receivers.get(unit=org["finance"])
    client.force_login(org["officer_prod"])

    response = client.post(reverse("infoflow:answer", args=[transmitted.pk, finance_receiver.pk]),
                           {"result": "已办理"})

    assert response.status_code == 403
    finance_receiver.refresh_from_db()
    assert finance_receiver.answered_at is None


def test_own_units_receiver_gets_the_answer_form(org, transmitted, client):
    prod_receiver = transmitted.receivers.get(unit=org["prod"])

    response = get(client, org["officer_prod"], reverse("infoflow:answer", args=[transmitted.pk, prod_receiver.pk]))

    assert response.status_code == 200


def test_answer_form_is_404_for_who_may_not_see_the_item(org, in_review, client):
    receiver = in_review.receivers.first()

    response = get(client, org["outsider"], reverse("infoflow:answer", args=[in_review.pk, receiver.pk]))

    assert response.status_code == 404


def test_cancel_form_is_403_for_the_head_who_sees_but_does_not_handle(org, in_review, client):
    response = get(client, org["head_market"], reverse("infoflow:cancel", args=[in_review.pk]))

    assert response.status_code == 403
    assert "或秘书处可以作废这条信息" in response.content.decode()


def test_cancel_form_is_404_for_another_department(org, in_review, client):
    response = get(client, org["head_prod"], reverse("infoflow:cancel", args=[in_review.pk]))

    assert response.status_code == 404


def test_cancel_form_is_offered_to_the_handler_and_the_secretariat(org, in_review, client):
    url = reverse("infoflow:cancel", args=[in_review.pk])

    assert get(client, org["officer_market"], url).status_code == 200
    assert get(client, org["secretary"], url).status_code == 200


def test_review_form_of_a_step_not_theirs_is_403_naming_the_reviewer(org, in_review, client):
    step = open_step(in_review)

    response = get(client, org["secretary"], reverse("infoflow:review", args=[in_review.pk, step.pk]))

    assert response.status_code == 403
    text = response.content.decode()
    assert "王五" in text and "审核" in text


def test_review_form_is_offered_to_the_reviewer(org, in_review, client):
    step = open_step(in_review)

    response = get(client, org["head_market"], reverse("infoflow:review", args=[in_review.pk, step.pk]))

    assert response.status_code == 200


def test_transmit_and_withdraw_forms_are_403_for_a_reviewer(org, in_review, client):
    for name in ("transmit", "withdraw"):
        response = get(client, org["head_market"], reverse("infoflow:" + name, args=[in_review.pk]))

        assert response.status_code == 403
        assert "市场部的联络员" in response.content.decode()


@pytest.mark.parametrize("persona", ["leader", "auditor", "employee", "gm", "legal", "outsider"])
def test_new_item_is_a_chinese_403_and_no_menu_entry_for_who_may_not_draft(org, client, persona):
    response = get(client, org[persona], reverse("infoflow:item-create"))

    assert response.status_code == 403
    text = response.content.decode()
    assert "只有各部门的联络员、部门负责人和秘书处可以新建信息" in text
    assert "403 Forbidden" not in text
    for page in ("home", "infoflow:my-items"):
        assert reverse("infoflow:item-create") not in client.get(reverse(page)).content.decode()


@pytest.mark.parametrize("persona", ["officer_market", "head_market", "secretary"])
def test_who_may_draft_sees_the_new_item_button(org, client, persona):
    response = get(client, org[persona], reverse("infoflow:my-items"))

    assert reverse("infoflow:item-create") in response.content.decode()
    assert client.get(reverse("infoflow:item-create")).status_code == 200


def test_ontime_page_refuses_in_chinese(org, client):
    response = get(client, org["officer_market"], reverse("infoflow:ontime"))

    assert response.status_code == 403
    assert "按时办理情况供秘书处、监察、总经理和分管领导查看。" in response.content.decode()
