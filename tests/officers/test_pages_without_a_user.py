"""Officer-work pages whose history rows or acting user are empty (a sweep,
seed_demo, a deleted user) render "—" instead of a 500 (trial at 390 px,
2026-11-30: the seeded accountability case's page was a 500 for everyone)."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from officers.accountability import record_case
from officers.flags import flag_failed_assessment
from officers.models import AccountabilityCase, Officer, ReplacementFlag

pytestmark = pytest.mark.django_db


def post(user):
    return Officer.objects.get(user=user, status=Officer.Status.ACTIVE)


def test_a_case_recorded_by_nobody_with_history_by_nobody_opens(client, auditor, officer_market):
    with time_machine.travel("2026-06-10 10:00+08:00", tick=False):
        case = record_case(actor=auditor, officer=post(officer_market), kind="late", occurred_on=dt.date(2026, 6, 1),
                           finding="迟报三天", sanction="criticism", points=0)
    case.history.update(history_user=None)
    AccountabilityCase.objects.filter(pk=case.pk).update(recorded_by=None)

    for user in (auditor, officer_market):
        client.force_login(user)
        response = client.get(reverse("officers:case", args=[case.pk]))
        assert response.status_code == 200, user.username
        assert "迟报三天" in response.content.decode()


def test_a_flag_resolved_by_nobody_opens(client, secretary, officer_market):
    flag = flag_failed_assessment(officer=post(officer_market), period="2026", score=50, threshold=60)[0]
    ReplacementFlag.objects.filter(pk=flag.pk).update(state="kept", resolved_at=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
                                                      resolved_by=None, reason="保留")
    client.force_login(secretary)
    response = client.get(reverse("officers:flag", args=[flag.pk]))
    assert response.status_code == 200
    assert "—" in response.content.decode()
