"""Anonymising officers who left (issue 18 item 5): phone and e-mail blanked
on the post and in every history row, the history's shape kept; by command
and by the daily sweep; posts not yet due left alone."""
import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from dengbao.anonymise import anonymise_left_officers
from dengbao.models import PrivacyRun
from dengbao.sweeps import ANONYMISE, next_run
from liaison import sweeps
from liaison.models import AuditEntry
from officers.models import Officer
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


def _post(market, *, username, ended_on, status=Officer.Status.LEFT):
    officer = OfficerFactory(unit=market, is_primary=False, user__username=username, phone="13911112222",
                             email=f"{username}@example.com")
    officer.note = "交接完毕"
    officer.save()  # a second history row carrying the phone
    officer.status, officer.ended_on = status, ended_on
    officer.save()
    return officer


@pytest.fixture
def posts(market, settings):
    settings.ANONYMISE_LEFT_AFTER_DAYS = 365
    old = _post(market, username="gone_long", ended_on=TODAY - dt.timedelta(days=365))
    replaced = _post(market, username="replaced_long", ended_on=dt.date(2020, 1, 1), status=Officer.Status.REPLACED)
    recent = _post(market, username="gone_recent", ended_on=TODAY - dt.timedelta(days=364))
    active = OfficerFactory(unit=market, user__username="still_here", phone="13700001111", email="s@example.com")
    return old, replaced, recent, active


def _shape(officer):
    return list(Officer.history.filter(id=officer.pk).order_by("history_id").values_list("history_id", "status", "note"))


def test_blanks_due_posts_and_their_history_keeping_its_shape(posts, secretary):
    old, replaced, recent, active = posts
    before = _shape(old)

    count = anonymise_left_officers(actor=secretary, today=TODAY)

    assert count == 2
    for officer in (old, replaced):
        officer.refresh_from_db()
        assert (officer.phone, officer.email) == ("", "")
        assert officer.status in (Officer.Status.LEFT, Officer.Status.REPLACED) and officer.ended_on
        rows = Officer.history.filter(id=officer.pk)
        assert not rows.exclude(phone="").exists() and not rows.exclude(email="").exists()
    after = _shape(old)
    assert after[: len(before)] == before  # every earlier row kept, in order, with its other fields
    assert len(after) == len(before) + 1
    assert Officer.history.filter(id=old.pk).latest("history_id").history_change_reason == "anonymise_left_officer"
    recent.refresh_from_db(), active.refresh_from_db()
    assert recent.phone == "13911112222" and active.phone == "13700001111"
    assert Officer.history.filter(id=recent.pk, phone="13911112222").exists()
    assert AuditEntry.objects.filter(detail__contains="匿名化 2 人").count() == 1


def test_a_second_run_does_nothing(posts):
    anonymise_left_officers(today=TODAY)
    rows = Officer.history.count()

    assert anonymise_left_officers(today=TODAY) == 0
    assert Officer.history.count() == rows


def test_command(posts, capsys):
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, tzinfo=dt.timezone.utc), tick=False):
        call_command("anonymise_left_officers")

    assert "2 post(s) anonymised" in capsys.readouterr().out


def test_the_daily_sweep_runs_it_and_moves_its_cursor(posts):
    now = timezone.make_aware(dt.datetime(2026, 11, 30, 3, 0))
    # The migration makes the one row; a transactional (race) test run earlier flushes every table.
    PrivacyRun.objects.get_or_create(pk=1)
    assert PrivacyRun.objects.count() == 1

    sweeps.run_one(ANONYMISE, now)

    run = PrivacyRun.objects.get()
    assert run.last_count == 2
    assert run.notice_at == next_run(now) == timezone.make_aware(dt.datetime(2026, 12, 1, 2, 0))
    assert not Officer.objects.filter(user__username="gone_long").exclude(phone="").exists()
    sweeps.run_one(ANONYMISE, now + dt.timedelta(hours=1))  # not due again until tomorrow
    assert PrivacyRun.objects.get().last_run_at == now
