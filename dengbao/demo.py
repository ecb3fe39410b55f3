"""Demo of the access review (``manage.py seed_demo``, issue 18 item 3): the
previous period's review, signed off by ``secretary``, and the current
period's review waiting for sign-off (its differences from the previous one
marked). Built through dengbao.access_review with the clock moved
(time-machine). Idempotent: a second run creates nothing.
"""
import datetime as dt

import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from . import access_review
from .models import AccessReview


def seed() -> int:
    """Create the two reviews if missing; returns how many were created (0–2)."""
    secretary = get_user_model().objects.filter(username="secretary").first()
    if secretary is None or not access_review.may_sign(secretary):
        return 0
    today = timezone.localdate()
    label, start, _end = access_review.period_of(today)
    previous_label, previous_start, _end = access_review.period_of(start - dt.timedelta(days=1))
    created = 0
    if not AccessReview.objects.filter(period=previous_label).exists():
        at = access_review.local_midnight(previous_start) + dt.timedelta(hours=9)
        with time_machine.travel(at, tick=False):
            review = access_review.generate_review(actor=None)
        with time_machine.travel(at + dt.timedelta(days=2), tick=False):
            access_review.sign_review(actor=secretary, review=review, note="演示：已逐项核对。")
        created += 1
    if not AccessReview.objects.filter(period=label).exists():
        access_review.generate_review(actor=None)
        created += 1
    return created
