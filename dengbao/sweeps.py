"""dengbao's liaison.sweeps kinds (registered in DengbaoConfig.ready):

* ``dengbao_anonymise`` — the daily anonymisation of officers who left: one
  PrivacyRun row whose cursor is the next run, tomorrow at 02:00 local time;
* ``dengbao_access_review_generate`` — one AccessReviewRun row whose cursor is
  the start of the next access-review period (00:00 local time);
* ``dengbao_access_review_overdue`` — each unsigned AccessReview, due at its
  ``due_at`` (ACCESS_REVIEW_SIGN_DAYS working days after generation):
  escalated once, then NEVER."""
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.sweeps import NEVER, Sweep

from . import access_review, anonymise, notices
from .models import AccessReview, AccessReviewRun, PrivacyRun


def privacy_runs():
    return PrivacyRun.objects.all()


def next_run(now: dt.datetime) -> dt.datetime:
    """02:00 local time on the day after ``now``."""
    local = timezone.localtime(now)
    return (local + dt.timedelta(days=1)).replace(hour=2, minute=0, second=0, microsecond=0)


def handle_privacy_runs(runs, now) -> None:
    for run in runs:
        run.last_count = anonymise.anonymise_left_officers(actor=None, today=timezone.localtime(now).date())
        run.last_run_at = now
        run.save(update_fields=["last_count", "last_run_at"])
        run.notice_at = next_run(now)


ANONYMISE = Sweep(name="dengbao_anonymise", open_cases=privacy_runs, handle=handle_privacy_runs, order=900)


# --- the access review (dengbao/access_review.py) ------------------------------------


def review_runs():
    return AccessReviewRun.objects.all()


def handle_review_runs(runs, now) -> None:
    """At the start of a period: generate its review (nothing when the button
    made it already), and move the cursor to the next period's start."""
    for run in runs:
        try:
            access_review.generate_review(actor=None, now=now)
        except ValidationError:
            pass  # this period's review exists (the button was first)
        run.last_run_at = now
        run.save(update_fields=["last_run_at"])
        _label, start, _end = access_review.period_of(timezone.localtime(now).date())
        run.notice_at = access_review.local_midnight(access_review.next_period_start(start))


def unsigned_reviews():
    return AccessReview.objects.filter(signed_at__isnull=True)


def handle_unsigned_reviews(reviews, now) -> None:
    """Not signed by its deadline: escalate once (dengbao.notices.review_overdue)."""
    for review in reviews:
        if review.due_at > now:
            review.notice_at = review.due_at
            continue
        notices.review_overdue(review)
        review.escalated_at = now
        review.save(update_fields=["escalated_at"])
        review.notice_at = NEVER


REVIEW_GENERATE = Sweep(name="dengbao_access_review_generate", open_cases=review_runs, handle=handle_review_runs,
                        order=910)
REVIEW_OVERDUE = Sweep(name="dengbao_access_review_overdue", open_cases=unsigned_reviews,
                       handle=handle_unsigned_reviews, order=911)
