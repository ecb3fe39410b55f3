"""Officer change filings (liaison.sweeps, registered in OfficersConfig.ready):
HR hears once when a filing is due within a working day, and once when it is
late. The cursor is the filing's ``notice_at``."""
import datetime as dt

from liaison.sweeps import NEVER, Sweep
from liaison.workdays import add_working_days

from . import notices
from .models import ChangeFiling

# A filing more than a week away is looked at again a week before it is due;
# within the week, hourly until it is within a working day.
LOOK_AHEAD = dt.timedelta(days=7)
RECHECK = dt.timedelta(hours=1)


def open_filings():
    return ChangeFiling.objects.filter(filed_at__isnull=True)


def handle(filings, now) -> None:
    for f in filings:
        seen = f.notice_at
        if f.due_at <= now:
            if seen is None or seen <= f.due_at:
                notices.filing_late(f)
            f.notice_at = NEVER
        elif add_working_days(now, 1) >= f.due_at:
            if seen is None or seen < f.due_at:
                notices.filing_due(f)
            f.notice_at = f.due_at
        elif f.due_at - now > LOOK_AHEAD:
            f.notice_at = f.due_at - LOOK_AHEAD
        else:
            f.notice_at = min(now + RECHECK, f.due_at)


FILINGS = Sweep(name="officer_filing", open_cases=open_filings, handle=handle,
                select_related=("registration__unit", "registration__body"), order=50)
