"""Concurrent writes to one meeting or action item (PostgreSQL only): the
row lock lets one through and tells the other."""
import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from liaison.errors import MeetingStateConflict
from liaison.models import Notification
from officers.meeting_models import ActionItem, Meeting
from officers.meetings import complete_action_item, send_notice
from tests.factories import OfficerFactory, RoleFactory, UserFactory


def _race(func, args):
    barrier = threading.Barrier(len(args))
    outcomes = []

    def run(arg):
        try:
            barrier.wait()
            func(arg)
            outcomes.append("ok")
        except MeetingStateConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_secretaries_sending_one_notice_send_it_once():
    secretaries = [UserFactory(username="s1"), UserFactory(username="s2")]
    for user in secretaries:
        RoleFactory(user=user, role="secretariat")
    officer = OfficerFactory().user
    meeting = Meeting.objects.create(title="例会", planned_on=dt.date(2099, 1, 5), agenda="议程", place="会议室",
                                     starts_at=timezone.now() + dt.timedelta(days=30), organiser=secretaries[0])
    meeting.invitations.create(user=officer)

    outcomes = _race(lambda user: send_notice(meeting=meeting, actor=user), secretaries)

    assert outcomes == ["ok", "refused"]
    assert Notification.objects.filter(recipient=officer, key="meeting:%d:notice" % meeting.pk).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_action_item_closed_twice_at_once_is_closed_once():
    owner = OfficerFactory().user
    meeting = Meeting.objects.create(title="例会", planned_on=dt.date(2026, 1, 5), agenda="议程", place="会议室",
                                     starts_at=timezone.now(), organiser=owner, state="held")
    action = ActionItem.objects.create(meeting=meeting, text="事项", owner=owner,
                                       due_at=timezone.now() + dt.timedelta(days=3))

    outcomes = _race(lambda note: complete_action_item(action=action, actor=owner, note=note), ["甲", "乙"])

    assert outcomes == ["ok", "refused"]
    assert action.history.filter(history_change_reason="done").count() == 1
