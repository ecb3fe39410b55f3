"""传阅: circulate_item and mark_read — who may, in which state, what it
grants, read receipts (circulated and all staff), and the 待阅 inbox."""
import pytest

from followup.models import CirculationReader, ReadReceipt
from followup.selectors import item_readers, reading_inbox, unread_count
from followup.services import circulate_item, mark_read
from infoflow.services.chain import cancel_item
from infoflow.visibility import items_visible_to
from liaison.errors import InvalidInput, NotAllowed, StateConflict
from liaison.models import Notification

pytestmark = pytest.mark.django_db


def test_circulating_gives_each_reader_sight_a_notice_and_a_reading(transmitted, officer_market, outsider, auditor):
    assert not items_visible_to(outsider).filter(pk=transmitted.pk).exists()

    circulation = circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk], note="请阅知")

    assert items_visible_to(outsider).filter(pk=transmitted.pk).exists()
    reader = circulation.readers.get()
    assert (reader.user, reader.read_at) == (outsider, None)
    assert Notification.objects.filter(recipient=outsider, key="followup:reader:%d:sent" % reader.pk).exists()
    assert list(reading_inbox(outsider)) == [reader]
    assert unread_count(outsider) == 1
    assert circulation.history.filter(history_change_reason="circulate").count() == 1


def test_circulating_to_a_unit_reaches_its_head_and_staff_but_not_the_actor(transmitted, officer_market, finance,
                                                                            outsider, market, employee, head_market):
    circulation = circulate_item(item=transmitted, actor=officer_market, unit_ids=[finance.pk, market.pk])

    users = set(circulation.readers.values_list("user__username", flat=True))
    assert {"head_finance", "outsider", "head_market", "employee"} <= users
    assert "officer_market" not in users
    assert circulation.readers.get(user=outsider).via_unit == finance


def test_someone_outside_the_path_may_not_circulate(transmitted, officer_prod, employee, outsider):
    # officer_prod receives the item (sees it) but is neither handler, reviewer nor secretariat.
    with pytest.raises(NotAllowed):
        circulate_item(item=transmitted, actor=officer_prod, user_ids=[outsider.pk])

    assert not CirculationReader.objects.exists()
    assert not items_visible_to(outsider).filter(pk=transmitted.pk).exists()


def test_a_draft_cannot_be_circulated(draft, officer_market, outsider):
    with pytest.raises(StateConflict):
        circulate_item(item=draft, actor=officer_market, user_ids=[outsider.pk])


def test_a_cancelled_item_cannot_be_circulated(transmitted, officer_market, outsider):
    cancel_item(item=transmitted, actor=officer_market, reason="重复报送")

    with pytest.raises(StateConflict):
        circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])


def test_the_secretariat_circulates_a_completed_item(transmitted, secretary, officer_prod, outsider):
    from infoflow.services.delivery import acknowledge_receipt, answer_receiver

    receiver = transmitted.receivers.get()
    acknowledge_receipt(receiver=receiver, actor=officer_prod)
    answer_receiver(receiver=receiver, actor=officer_prod, result="已安排")
    transmitted.refresh_from_db()
    assert transmitted.state == "completed"

    circulate_item(item=transmitted, actor=secretary, user_ids=[outsider.pk])

    assert items_visible_to(outsider).filter(pk=transmitted.pk).exists()


def test_nobody_new_to_send_to_is_refused(transmitted, officer_market, outsider):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])

    with pytest.raises(InvalidInput) as exc:
        circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk, officer_market.pk])
    assert "请选择传阅对象" in exc.value.message


@pytest.mark.parametrize("days", [0, 31, "x"])
def test_reminder_days_outside_one_to_thirty_are_refused(transmitted, officer_market, outsider, days):
    with pytest.raises(InvalidInput) as exc:
        circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk], remind_after_days=days)
    assert exc.value.message == "未阅提醒须在 1 到 30 个工作日之间。"


def test_reading_records_a_receipt_and_leaves_the_inbox(transmitted, officer_market, outsider):
    circulation = circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])

    receipt = mark_read(item=transmitted, actor=outsider)

    reader = circulation.readers.get()
    assert reader.read_at == receipt.read_at
    assert reader.history.filter(history_change_reason="read").count() == 1
    assert unread_count(outsider) == 0
    assert list(reading_inbox(outsider, done=True)) == [reader]
    assert [r.read_at is not None for r in item_readers(transmitted)] == [True]


def test_reading_twice_is_refused_and_recorded_once(transmitted, officer_market, outsider):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])
    mark_read(item=transmitted, actor=outsider)

    with pytest.raises(StateConflict) as exc:
        mark_read(item=transmitted, actor=outsider)

    assert exc.value.message.startswith("您已于 ")
    assert ReadReceipt.objects.filter(item=transmitted, user=outsider).count() == 1


def test_someone_it_was_not_circulated_to_cannot_record_reading(transmitted, officer_prod):
    with pytest.raises(NotAllowed):
        mark_read(item=transmitted, actor=officer_prod)

    assert not ReadReceipt.objects.exists()


def test_a_second_circulation_to_someone_who_read_asks_again(transmitted, officer_market, secretary, outsider):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])
    mark_read(item=transmitted, actor=outsider)

    circulate_item(item=transmitted, actor=secretary, user_ids=[outsider.pk])
    mark_read(item=transmitted, actor=outsider)

    assert CirculationReader.objects.filter(user=outsider, read_at__isnull=True).count() == 0
    assert ReadReceipt.objects.filter(user=outsider).count() == 1


def test_all_staff_notice_readers_are_recorded_per_person(all_staff_notice, employee, outsider):
    from followup.selectors import all_staff_reading

    mark_read(item=all_staff_notice, actor=employee)

    rows = {u.username: u.has_read for u in all_staff_reading(all_staff_notice)}
    assert rows["employee"] is True
    assert rows["outsider"] is False
    with pytest.raises(StateConflict):
        mark_read(item=all_staff_notice, actor=employee)


def test_the_inbox_drops_an_item_the_reader_no_longer_sees(transmitted, officer_market, outsider):
    circulate_item(item=transmitted, actor=officer_market, user_ids=[outsider.pk])
    outsider.is_active = False
    outsider.save()

    assert list(reading_inbox(outsider)) == []
