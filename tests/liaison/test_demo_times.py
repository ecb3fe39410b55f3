"""The demo data reads like real use (issue 10, 6.12): nothing happened in
the future of the moment it was seeded, every item's story runs forwards,
and the texts name months and holidays that fit the dates."""
import datetime as dt

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from infoflow.models import Item, Receiver, ReviewStep, StepAssignee, Transmission

pytestmark = pytest.mark.django_db

# Fields that hold deadlines, periods or plans: they may lie ahead.
AHEAD = {"due_at", "response_due_at", "answer_due_at", "expected_feedback_at", "planned_release_at", "expires_at",
         "expire_date", "retention_until", "end", "start", "notice_at", "event_date", "period_end",
         "planned_on", "starts_at", "due_on", "remind_at",
         "interview_at", "first_due_on", "revision_due_on"}  # a planned interview, an obligation's first due day, a rule's next revision

# Sunday 08:00 before office hours; a Monday morning in spring; a December afternoon.
MOMENTS = ["2026-11-29 08:00+08:00", "2026-03-02 10:00+08:00", "2026-12-31 16:30+08:00"]


def seed_at(moment, settings):
    settings.DEBUG = True
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        return timezone.now()


def times_after(now):
    """(model, field, value) for every recorded time later than ``now``, history tables included."""
    late = []
    for model in apps.get_models():
        if model._meta.label == "liaison.CalendarDay":
            continue  # the year's working-day calendar, not an event
        if model._meta.label == "infoflow.OverdueDay":
            continue  # totals of open rows by the day of their deadline (a deadline may lie ahead)
        for field in model._meta.fields:
            if field.name in AHEAD:
                continue
            if isinstance(field, models.DateTimeField):
                bound = now
            elif isinstance(field, models.DateField):
                bound = timezone.localtime(now).date()
            else:
                continue
            for value in model._default_manager.filter(**{field.name + "__gt": bound}).values_list(
                    field.name, flat=True)[:3]:
                late.append((model._meta.label, field.name, value))
    return late


@pytest.mark.parametrize("moment", MOMENTS)
def test_nothing_in_the_demo_happened_after_it_was_seeded(moment, settings):
    now = seed_at(moment, settings)

    assert times_after(now) == []


def _chain(*moments):
    present = [m for m in moments if m is not None]
    return present == sorted(present)


@pytest.mark.parametrize("moment", MOMENTS)
def test_every_demo_item_story_runs_forwards(moment, settings):
    seed_at(moment, settings)
    wrong = []

    for item in Item.objects.all():
        if not _chain(item.received_at, item.created_at, item.submitted_at, item.approved_at, item.completed_at):
            wrong.append((item.subject, "item"))
        if not _chain(item.submitted_at, item.transmitted_at, item.completed_at):
            wrong.append((item.subject, "transmission"))
        for step in ReviewStep.objects.filter(item=item):
            if not _chain(item.submitted_at, step.started_at, step.closed_at):
                wrong.append((item.subject, step.name))
        for assignee in StepAssignee.objects.filter(step__item=item):
            if not _chain(assignee.step.started_at, assignee.taken_at, assignee.decided_at):
                wrong.append((item.subject, "assignee"))
        for receiver in Receiver.objects.filter(item=item):
            if not _chain(item.transmitted_at, receiver.sent_at, receiver.acknowledged_at, receiver.answered_at):
                wrong.append((item.subject, receiver.label))
        for transmission in Transmission.objects.filter(item=item):
            if not _chain(item.submitted_at, transmission.sent_at):
                wrong.append((item.subject, "sent"))
        for model in (Item, ReviewStep, Receiver, Transmission):
            key = "id" if model is Item else "item_id"
            dates = list(model.history.filter(**{key: item.pk}).order_by("history_id")
                         .values_list("history_date", flat=True))
            if dates != sorted(dates):
                wrong.append((item.subject, model.__name__ + " history"))

    assert wrong == [], "\n".join(map(str, wrong))


def test_demo_texts_fit_the_season(settings):
    seed_at("2026-11-29 08:00+08:00", settings)

    texts = " ".join(s + t for s, t in Item.objects.values_list("subject", "summary"))

    for out_of_season in ("清明节", "三月份", "4月份", "4月15日", "二季度", "批次2403", "客户2月投诉"):
        assert out_of_season not in texts
    assert "11月份市场部客户拜访计划" in texts  # seeded before 10:00: the demo's today is 28 November
    assert "2027年一季度生产排产与市场订单协调" in texts
    assert "关于12月份设备检修停产安排的通知" in texts
    assert "关于元旦放假安排的通知" in texts
    assert "批次2610" in texts
