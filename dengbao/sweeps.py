"""The daily anonymisation of officers who left, as a liaison.sweeps kind
(registered in DengbaoConfig.ready): one PrivacyRun row whose cursor is the
next run, tomorrow at 02:00 local time."""
import datetime as dt

from django.utils import timezone

from liaison.sweeps import Sweep

from . import anonymise
from .models import PrivacyRun


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
