"""Chasing (催办): only the initiator or the unit's officers, only when an
answer is overdue, at most once per working hour per item (lunch and nights
do not count), and each recipient gets one notice."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from infoflow.models import Chase, Item
from infoflow.services.chain import submit_item
from infoflow.services.chasing import chase_item
from infoflow.services.delivery import answer_receiver, transmit_item
from liaison.errors import ChaseTooSoon, NotAllowed, StateConflict
from liaison.models import Notification
from tests.infoflow.conftest import NOW

pytestmark = pytest.mark.django_db

TZ = NOW.tzinfo


def at(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def sent(org, make_item, frozen):
    """A routine item to 生产部, answer due Tuesday 10:30, sent at 09:30."""
    item = make_item(expected_feedback_at=at(10, 10, 30))
    item = submit_item(item=item, actor=org["officer_market"])
    transmit_item(item=item, actor=org["officer_market"], methods=["email"])
    return Item.objects.get(pk=item.pk)


def chase_keys():
    return set(Notification.objects.filter(kind="chase").values_list("recipient__username", flat=True))


def test_initiator_chases_an_overdue_answer(org, sent, frozen, django_capture_on_commit_callbacks):
    frozen.move_to(at(10, 11))

    with django_capture_on_commit_callbacks(execute=False):
        chases = chase_item(item=sent, actor=org["officer_market"])

    chase = Chase.objects.get()
    assert chases == [chase] and chase.receiver.unit == org["prod"] and chase.recipients == 2
    assert chase_keys() == {"head_prod", "officer_prod"}
    notice = Notification.objects.get(recipient=org["head_prod"], kind="chase")
    assert notice.key == "chase:%d:%d" % (chase.pk, org["head_prod"].pk)
    assert notice.item_number == sent.number
    assert "反馈时限 2026-03-10 10:30 已过" in notice.body


def test_not_overdue_is_refused(org, sent, frozen):
    frozen.move_to(at(10, 10, 29))

    with pytest.raises(StateConflict) as error:
        chase_item(item=sent, actor=org["officer_market"])

    assert error.value.message == "没有超期未反馈的接收方，无需催办。"
    assert not Chase.objects.exists()


def test_answered_receiver_is_not_chased(org, sent, frozen):
    frozen.move_to(at(10, 10, 45))
    receiver = sent.receivers.get()
    answer_receiver(receiver=receiver, actor=org["officer_prod"], result="已处理")
    frozen.move_to(at(10, 11))

    with pytest.raises(StateConflict):
        chase_item(item=Item.objects.get(pk=sent.pk), actor=org["officer_market"])


@pytest.mark.parametrize("persona", ["head_prod", "officer_prod", "leader", "secretary"])
def test_others_may_not_chase(org, sent, frozen, persona):
    frozen.move_to(at(10, 11))

    with pytest.raises(NotAllowed):
        chase_item(item=sent, actor=org[persona])


def test_an_officer_of_the_unit_may_chase(org, make_item, frozen):
    from tests.factories import OfficerFactory

    second = OfficerFactory(unit=org["market"], is_primary=False, user__username="officer_market2").user
    item = submit_item(item=make_item(expected_feedback_at=at(10, 10, 30)), actor=org["officer_market"])
    transmit_item(item=item, actor=org["officer_market"], methods=["email"])
    frozen.move_to(at(10, 11))

    assert len(chase_item(item=item, actor=second)) == 1


def test_second_chase_within_the_hour_is_refused(org, sent, frozen):
    frozen.move_to(at(10, 11))
    chase_item(item=sent, actor=org["officer_market"])
    frozen.move_to(at(10, 11, 59))

    with pytest.raises(ChaseTooSoon) as error:
        chase_item(item=sent, actor=org["officer_market"])

    assert error.value.message == (
        "该信息已于 2026-03-10 11:00 催办过，每条信息每个工作小时最多催办一次，请于 2026-03-10 12:00 后再催办。"
    )
    assert Chase.objects.count() == 1
    assert Notification.objects.filter(kind="chase").count() == 2


def test_a_working_hour_later_it_may_chase_again(org, sent, frozen):
    frozen.move_to(at(10, 11))
    chase_item(item=sent, actor=org["officer_market"])
    frozen.move_to(at(10, 12))

    chase_item(item=sent, actor=org["officer_market"])

    assert Chase.objects.count() == 2
    assert Notification.objects.filter(kind="chase").count() == 4


def test_lunch_does_not_count(org, sent, frozen):
    frozen.move_to(at(10, 11, 40))
    chase_item(item=sent, actor=org["officer_market"])

    frozen.move_to(at(10, 14, 5))  # 2 h 25 min later, 55 working minutes
    with pytest.raises(ChaseTooSoon) as error:
        chase_item(item=sent, actor=org["officer_market"])
    assert "请于 2026-03-10 14:10 后再催办" in error.value.message

    frozen.move_to(at(10, 14, 10))
    chase_item(item=sent, actor=org["officer_market"])
    assert Chase.objects.count() == 2


def test_the_night_does_not_count(org, sent, frozen):
    frozen.move_to(at(10, 17))
    chase_item(item=sent, actor=org["officer_market"])

    frozen.move_to(at(11, 9, 20))  # 30 working minutes the evening before, 20 this morning
    with pytest.raises(ChaseTooSoon):
        chase_item(item=sent, actor=org["officer_market"])

    frozen.move_to(at(11, 9, 30))
    chase_item(item=sent, actor=org["officer_market"])
    assert Chase.objects.count() == 2


def test_item_not_waiting_for_answers_is_refused(org, make_item, frozen):
    item = submit_item(item=make_item(), actor=org["officer_market"])  # approved, not yet sent

    with pytest.raises(StateConflict):
        chase_item(item=item, actor=org["officer_market"])


def test_page_asks_first_then_chases(org, sent, frozen, client):
    frozen.move_to(at(10, 11))
    client.force_login(org["officer_market"])
    url = reverse("infoflow:chase", args=[sent.pk])
    receiver = sent.receivers.get()

    detail = client.get(reverse("infoflow:item-detail", args=[sent.pk])).content.decode()
    assert url in detail
    ask = client.post(url, {"receiver": receiver.pk})
    assert ask.status_code == 200 and "确认向“生产部”发送催办通知" in ask.content.decode()
    assert not Chase.objects.exists()

    done = client.post(url, {"receiver": receiver.pk, "confirm": "1"}, follow=True)
    assert "已催办，共通知 2 人。" in done.content.decode()
    again = client.post(url, {"receiver": receiver.pk, "confirm": "1"}, follow=True)
    assert "每条信息每个工作小时最多催办一次" in again.content.decode()
    assert Chase.objects.count() == 1


def test_receiver_side_sees_no_button_and_gets_403(org, sent, frozen, client):
    frozen.move_to(at(10, 11))
    client.force_login(org["head_prod"])
    url = reverse("infoflow:chase", args=[sent.pk])

    detail = client.get(reverse("infoflow:item-detail", args=[sent.pk])).content.decode()

    assert url not in detail
    assert client.post(url, {"confirm": "1"}).status_code == 403
    assert not Chase.objects.exists()


def test_outsider_gets_404(org, sent, frozen, client):
    frozen.move_to(at(10, 11))
    client.force_login(org["outsider"])

    assert client.post(reverse("infoflow:chase", args=[sent.pk]), {"confirm": "1"}).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_chases_at_once_give_one(org, make_item):
    from tests.infoflow.test_races import run_together

    with time_machine.travel(NOW, tick=False) as traveller:
        item = submit_item(item=make_item(expected_feedback_at=at(10, 10, 30)), actor=org["officer_market"])
        transmit_item(item=item, actor=org["officer_market"], methods=["email"])
        traveller.move_to(at(10, 11))

        results = run_together([lambda: chase_item(item=item, actor=org["officer_market"])] * 2)

    assert sorted(type(r).__name__ for r in results) == ["ChaseTooSoon", "list"], results
    assert Chase.objects.count() == 1
    assert Notification.objects.filter(kind="chase").count() == 2
