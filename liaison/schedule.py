"""The Celery beat schedule, in code (settings.CELERY_BEAT_SCHEDULE).

Times are UTC (CELERY_TIMEZONE); comments give Beijing time.
"""
from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Fills the calendar table for years chinesecalendar knows and warns about
    # years nobody has entered (liaison.tasks).
    "calendar-refresh": {"task": "liaison.tasks.refresh_calendar", "schedule": crontab(minute=5, hour=18)},  # 02:05
    "heartbeat": {"task": "liaison.tasks.heartbeat", "schedule": 60.0},
    # Removes background export files older than EXPORT_KEEP_HOURS (infoflow.tasks_export).
    "export-cleanup": {"task": "infoflow.tasks_export.remove_expired_exports", "schedule": crontab(minute=17)},
    # Archive completed items whose 2 working days are up (archive.tasks), hourly.
    "archive-due": {"task": "archive.tasks.archive_due", "schedule": crontab(minute=20)},
    # Check every archived record, its files and the audit chain; failures go to the secretariat.
    "archive-verify": {"task": "archive.tasks.verify_daily", "schedule": crontab(minute=40, hour=18)},  # 02:40
    # Send notices never queued (broker down) or failed with tries left (liaison.tasks_notify).
    # Also what a process killed between its commit and the queueing left (the outbox).
    "notifications-retry": {"task": "liaison.tasks_notify.retry_undelivered", "schedule": 60.0},
    # Open the month's work reports and run the meeting-absence replacement rule (officers.tasks).
    "officers-work-daily": {"task": "officers.tasks.work_daily", "schedule": crontab(minute=10, hour=16)},  # 00:10
    # Open the induction training of officers appointed without one (officers.tasks; the sweep
    # reminds), daily at 00:15.
    "officers-inductions-daily": {"task": "officers.tasks.inductions_daily",
                                  "schedule": crontab(minute=15, hour=16)},
    # Export audit rows older than AUDIT_KEEP_MONTHS into sealed batches (dengbao.tasks), daily at 02:50.
    "audit-archive": {"task": "dengbao.tasks.archive_audit_daily", "schedule": crontab(minute=50, hour=18)},
    # Compare the directory (LDAP / AD) with our users and report to HR (directory.tasks), daily at 02:30.
    "directory-sync": {"task": "directory.tasks.sync_directory_nightly", "schedule": crontab(minute=30, hour=18)},
    # Fold the month totals' delta rows the item and grant triggers append (infoflow.tasks), every 5 minutes.
    "month-totals-compact": {"task": "infoflow.tasks.compact_month_totals", "schedule": 300.0,
                             "options": {"expires": 290}},
    # Every deadline sweep: reminders, overdue notices, escalation, archive due,
    # officer filings (liaison.sweeps; the kinds register from their apps).
    # A sweep not started within the minute is dropped; the next one catches up.
    "deadline-sweep": {"task": "liaison.tasks.run_sweeps", "schedule": 60.0, "options": {"expires": 55}},
}
