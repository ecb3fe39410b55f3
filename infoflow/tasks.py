"""Beat tasks of infoflow: fold the month totals' delta rows (issue 12)."""
from celery import shared_task
from django.db import connection

from . import grant_months, item_months, overdue_days


@shared_task(name="infoflow.tasks.compact_month_totals")
def compact_month_totals() -> int:
    """Fold ItemMonth's and GrantMonth's delta rows (item_months.fold), so
    the tables the charts and the whole log add up stay near one row a key,
    and OverdueDay's (overdue_days.compact: the on-time page's counts).
    Returns how many rows it removed. Writers only insert, so they never wait
    on it; a fold already running elsewhere makes this one skip."""
    return item_months.compact(connection) + grant_months.compact(connection) + overdue_days.compact(connection)
