"""Incidents are reminded until closed (issue 19 §6): a reminder every ``remind_days`` working days to
the handler (the secretariat while nobody is named), the secretariat lead told once past the limit; one
notice per case per step, nothing on a second run, one notice after a sweep that did not run."""
import datetime as dt

import pytest

from incidents import services
from incidents.models import Incident, Severity
from liaison import sweeps
from tests.factories import RoleFactory, UserFactory
from tests.incidents.conftest import MONDAY, TZ, at

pytestmark = pytest.mark.django_db

TUESDAY_10 = dt.datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
FRIDAY_11 = dt.datetime(2026, 3, 13, 11, 0, tzinfo=TZ)


def _mine(sent):
    return sorted((n.recipient.username, n.key.split(":", 2)[2]) for n in sent if n.key.startswith("incident:"))


@pytest.fixture
def lead(db):
    user = UserFactory(username="lead", first_name="秘书长")
    RoleFactory(user=user, role="secretariat_lead")
    return user


def test_nothing_before_the_first_working_day_then_one_reminder_then_nothing(incident):
    assert _mine(sweeps.run(TUESDAY_10 - dt.timedelta(minutes=1))) == []

    first = _mine(sweeps.run(TUESDAY_10))
    second = _mine(sweeps.run(TUESDAY_10 + dt.timedelta(minutes=1)))

    assert first == [("secretary", "r1:remind:1")]  # nobody named yet: the secretariat
    assert second == []


def test_the_named_handler_is_reminded(incident, secretary, officer_prod):
    with at(MONDAY + dt.timedelta(hours=1)):
        services.assign_handler(incident=incident, actor=secretary, handler=officer_prod)

    assert _mine(sweeps.run(TUESDAY_10)) == [("officer_prod", "r1:remind:1")]
    assert _mine(sweeps.run(TUESDAY_10 + dt.timedelta(days=1))) == [("officer_prod", "r1:remind:2")]


def test_a_sweep_down_for_days_catches_up_with_one_reminder_and_one_escalation(incident, lead):
    sent = _mine(sweeps.run(FRIDAY_11))

    # The lead belongs to the secretariat: reminded too while nobody is named.
    assert sent == [("lead", "r1:escalated"), ("lead", "r1:remind:4"), ("secretary", "r1:remind:4")]
    assert _mine(sweeps.run(FRIDAY_11 + dt.timedelta(minutes=5))) == []
    assert Incident.objects.get(pk=incident.pk).escalated_at is not None


def test_escalation_goes_to_the_secretariat_when_nobody_leads_it(incident):
    sent = _mine(sweeps.run(dt.datetime(2026, 3, 12, 10, 0, tzinfo=TZ)))

    assert ("secretary", "r1:escalated") in sent


def test_a_closed_incident_is_not_reminded(incident, secretary):
    with at(MONDAY + dt.timedelta(hours=2)):
        services.close_incident(incident=incident, actor=secretary, conclusion="误报")

    assert _mine(sweeps.run(FRIDAY_11)) == []


def test_reopening_starts_a_new_round_with_its_own_reminders_and_escalation(incident, secretary, auditor, lead):
    sweeps.run(FRIDAY_11)
    with at(FRIDAY_11 + dt.timedelta(hours=1)):
        services.close_incident(incident=incident, actor=secretary, conclusion="已恢复")
    reopened_at = dt.datetime(2026, 3, 16, 9, 0, tzinfo=TZ)  # Monday
    with at(reopened_at):
        services.reopen_incident(incident=incident, actor=auditor, reason="仍有文件缺失")

    sent = _mine(sweeps.run(dt.datetime(2026, 3, 17, 9, 0, tzinfo=TZ)))

    assert sent == [("lead", "r2:remind:1"), ("secretary", "r2:remind:1")]
    assert _mine(sweeps.run(dt.datetime(2026, 3, 19, 9, 0, tzinfo=TZ))) == [
        ("lead", "r2:escalated"), ("lead", "r2:remind:3"), ("secretary", "r2:remind:3")]


def test_a_shorter_severity_after_the_limit_escalates_at_the_next_sweep_without_repeating_reminders(
        incident, secretary, lead):
    sweeps.run(TUESDAY_10)  # reminder 1
    quick = Severity.objects.create(code="quick", name="紧急级", limit_days=1, remind_days=1)
    with at(TUESDAY_10 + dt.timedelta(hours=1)):
        services.set_severity(incident=incident, actor=secretary, severity=quick)

    sent = _mine(sweeps.run(TUESDAY_10 + dt.timedelta(hours=2)))

    assert sent == [("lead", "r1:escalated")]
