"""Chasing review steps (issue 10 §6.4): any overdue step can be chased, by the
initiator, the unit's officers or the secretariat, from the item page, once
per working hour per item like the receivers' chase."""
import datetime as dt

import pytest
from django.urls import reverse

from infoflow.models import Chase, Item
from infoflow.services.chain import approve_step, open_step, submit_item
from infoflow.services.chasing import chase_item, chase_step
from infoflow.services.delegation import create_delegation
from liaison.errors import ChaseTooSoon, NotAllowed, StateConflict
from liaison.models import Notification
from tests.infoflow.conftest import NOW

pytestmark = pytest.mark.django_db

TZ = NOW.tzinfo


def at(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def in_review(org, make_item, frozen):
    """An external item at 王五 (部门负责人) since Tuesday 09:30."""
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
    return Item.objects.get(pk=item.pk)


def _step(item):
    return open_step(Item.objects.get(pk=item.pk))


def chased():
    return sorted(Notification.objects.filter(kind="chase").values_list("recipient__username", flat=True))


def test_the_step_is_due_a_working_day_after_it_opened(in_review):
    assert _step(in_review).due_at == at(11, 9, 30)


def test_the_initiator_chases_an_overdue_step(org, in_review, frozen):
    frozen.move_to(at(11, 10))

    chase = chase_step(item=in_review, step=_step(in_review), actor=org["officer_market"])

    assert (chase.step_id, chase.receiver_id, chase.recipients) == (_step(in_review).pk, None, 1)
    notice = Notification.objects.get(kind="chase")
    assert (notice.recipient.username, notice.subject, notice.body) == (
        "head_market",
        "催办：信息 %s 的审核已超期" % in_review.number,
        "张三 催办信息 %s 的“部门负责人”环节，审核时限 2026-03-11 09:30 已过，请尽快审核。" % in_review.number,
    )


def test_the_secretariat_chases_and_the_deputy_in_force_hears_it_too(org, in_review, frozen):
    create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["head_prod"],
                      start=at(11, 9), end=at(13, 9))
    frozen.move_to(at(11, 10))

    chase_step(item=in_review, step=_step(in_review), actor=org["secretary"])

    assert chased() == ["head_market", "head_prod"]


def test_a_step_not_yet_overdue_is_refused(org, in_review, frozen):
    frozen.move_to(at(11, 9, 29))

    with pytest.raises(StateConflict) as error:
        chase_step(item=in_review, step=_step(in_review), actor=org["officer_market"])

    assert error.value.message == "“部门负责人”环节的审核时限为 2026-03-11 09:30，尚未超期，无需催办。"
    assert not Chase.objects.exists()


@pytest.mark.parametrize("persona", ["leader", "head_prod", "officer_prod", "auditor"])
def test_others_may_not_chase_a_step(org, in_review, frozen, persona):
    frozen.move_to(at(11, 10))

    with pytest.raises(NotAllowed):
        chase_step(item=in_review, step=_step(in_review), actor=org[persona])

    assert not Chase.objects.exists()


def test_a_decided_step_is_not_chased(org, in_review, frozen):
    step = _step(in_review)
    frozen.move_to(at(11, 10))
    approve_step(step=step, actor=org["head_market"], opinion="同意")

    with pytest.raises(StateConflict) as error:
        chase_step(item=in_review, step=step, actor=org["officer_market"])

    assert error.value.message == "“部门负责人”环节已办结，无需催办。"


def test_a_second_chase_within_the_working_hour_is_refused(org, in_review, frozen):
    frozen.move_to(at(11, 10))
    chase_step(item=in_review, step=_step(in_review), actor=org["officer_market"])
    frozen.move_to(at(11, 10, 59))

    with pytest.raises(ChaseTooSoon) as error:
        chase_step(item=in_review, step=_step(in_review), actor=org["secretary"])

    assert error.value.message == (
        "该信息已于 2026-03-11 10:00 催办过，每条信息每个工作小时最多催办一次，请于 2026-03-11 11:00 后再催办。"
    )
    frozen.move_to(at(11, 11))
    chase_step(item=in_review, step=_step(in_review), actor=org["secretary"])
    assert Chase.objects.count() == 2


def test_chasing_everything_overdue_includes_the_review_step(org, in_review, frozen):
    frozen.move_to(at(11, 10))

    chases = chase_item(item=in_review, actor=org["officer_market"])

    assert [c.step_id for c in chases] == [_step(in_review).pk]
    assert chased() == ["head_market"]


def test_an_item_in_review_with_nothing_overdue_is_refused(org, in_review, frozen):
    with pytest.raises(StateConflict) as error:
        chase_item(item=in_review, actor=org["officer_market"])

    assert error.value.message == "信息 %s 当前不在待反馈状态，无需催办。" % in_review.number


def test_the_item_page_offers_the_chase_to_the_secretariat_and_not_to_the_reviewer(org, in_review, frozen, client):
    frozen.move_to(at(11, 10))
    button = 'name="step" value="%d"' % _step(in_review).pk
    url = reverse("infoflow:item-detail", args=[in_review.pk])

    client.force_login(org["secretary"])
    assert button in client.get(url).content.decode()
    client.force_login(org["officer_market"])
    assert button in client.get(url).content.decode()
    client.force_login(org["head_market"])
    page = client.get(url)
    assert page.status_code == 200 and button not in page.content.decode()


def test_the_page_asks_first_then_chases_the_step(org, in_review, frozen, client):
    frozen.move_to(at(11, 10))
    step = _step(in_review)
    client.force_login(org["secretary"])
    url = reverse("infoflow:chase", args=[in_review.pk])

    confirm = client.post(url, {"step": step.pk})
    assert "确认催办“部门负责人”环节？将通知该环节的待审核人（及其代理人）。" in confirm.content.decode()
    assert not Chase.objects.exists()

    done = client.post(url, {"step": step.pk, "confirm": "1"}, follow=True)

    assert Chase.objects.get().step_id == step.pk
    assert "已催办，共通知 1 人。" in [str(m) for m in done.context["messages"]]


def test_the_chase_page_answers_403_to_a_reviewer_who_may_see_but_not_chase(org, in_review, frozen, client):
    frozen.move_to(at(11, 10))
    client.force_login(org["head_market"])

    response = client.post(reverse("infoflow:chase", args=[in_review.pk]), {"step": _step(in_review).pk})

    assert response.status_code == 403
    assert not Chase.objects.exists()
