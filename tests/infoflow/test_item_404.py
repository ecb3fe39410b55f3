"""Every item URL answers 404 to someone who may not see the item, exactly as
for an item that does not exist (issue 4, done-when)."""
import pytest
from django.urls import URLPattern, reverse

from infoflow import urls as item_urls
from infoflow.services.delivery import raise_question
from tests.infoflow.conftest import pdf_upload

pytestmark = pytest.mark.django_db

ITEM_ROUTES = [p for p in item_urls.urlpatterns if isinstance(p, URLPattern) and "<int:pk>" in str(p.pattern)]


@pytest.fixture
def full_item(org, make_item):
    """A transmitted item with a step, receivers, an attachment and a question."""
    from infoflow.services.drafting import add_attachment

    item = make_item(direction="external")
    add_attachment(item=item, actor=org["officer_market"], upload=pdf_upload())
    item = _walk(item, org)
    receiver = item.receivers.get()
    raise_question(receiver=receiver, actor=org["officer_prod"], kind="question", text="交货地点？",
                   responsible_unit=org["market"])
    return item


def _walk(item, org):
    from infoflow.services.chain import approve_step, submit_item
    from infoflow.services.delivery import transmit_item

    item = submit_item(item=item, actor=org["officer_market"])
    for reviewer in ("head_market", "leader"):
        approve_step(step=item.steps.get(state="open"), actor=org[reviewer], opinion="同意")
    transmit_item(item=item, actor=org["officer_market"], methods=["email"])
    item.refresh_from_db()
    return item


def kwargs_for(pattern, item, missing=False):
    names = pattern.pattern.converters.keys()
    values = {
        "pk": 999_999 if missing else item.pk,
        "step_pk": item.steps.first().pk,
        "receiver_pk": item.receivers.first().pk,
        "attachment_pk": item.attachments.first().pk,
        "question_pk": item.questions.first().pk,
        # 减签's URL: the item decides the 404 (no signer was added to this item; any id answers the same).
        "change_pk": 1,
        # The closed loop's rows (issue 19 §8): the item decides the 404 before the row is looked up.
        "task_pk": 1,
        "confirmation_pk": 1,
        "transmission_pk": item.transmissions.first().pk,
    }
    return {name: values[name] for name in names}


def test_every_item_url_is_covered():
    # + chase (催办); issue 15: print, print.pdf, preview, 加签/减签, 转办, return-to; issue 19 §8: follow
    # task add/done, 呈报, study require/confirm, seal use.
    assert len(ITEM_ROUTES) == 31


@pytest.mark.parametrize("pattern", ITEM_ROUTES, ids=lambda p: p.name)
def test_outsider_gets_404_from_every_item_url(client, org, full_item, pattern):
    client.force_login(org["outsider"])
    url = reverse(f"infoflow:{pattern.name}", kwargs=kwargs_for(pattern, full_item))

    answers = {
        client.get(url).status_code,
        client.post(url, {"opinion": "同意", "reason": "x", "text": "x", "reply": "x"}).status_code,
    }

    # 405 only for the method a URL never accepts (it says nothing about the item).
    assert answers in ({404}, {404, 405})


@pytest.mark.parametrize("pattern", ITEM_ROUTES, ids=lambda p: p.name)
def test_missing_item_gets_the_same_404(client, org, full_item, pattern):
    client.force_login(org["outsider"])
    url = reverse(f"infoflow:{pattern.name}", kwargs=kwargs_for(pattern, full_item, missing=True))

    seen_by_outsider = [client.get(url).status_code, client.post(url).status_code]
    client.force_login(org["officer_market"])
    seen_by_insider = [client.get(url).status_code, client.post(url).status_code]

    assert seen_by_outsider == seen_by_insider
    assert 404 in seen_by_outsider


def test_restricted_item_is_404_for_the_secretariat_off_its_path(client, org, make_item):
    item = make_item(direction="external", confidentiality="restricted")
    client.force_login(org["secretary"])

    assert client.get(reverse("infoflow:item-detail", args=[item.pk])).status_code == 404


def test_attachment_of_another_item_is_404(client, org, make_item, full_item):
    other = make_item(subject="另一条信息")
    client.force_login(org["officer_market"])
    url = reverse("infoflow:attachment", args=[other.pk, full_item.attachments.first().pk])

    assert client.get(url).status_code == 404


def test_route_preview_of_an_invisible_item_is_404(client, org, full_item):
    client.force_login(org["outsider"])

    response = client.post(reverse("infoflow:route-preview"), {"item": full_item.pk, "direction": "external"})

    assert response.status_code == 404
