"""The Celery app (``liaison.celery:app``).

With ``REDIS_URL`` set, Redis is the broker. Without it, kombu's
``filesystem://`` transport keeps the queue in folders under the data
directory, so ``make run`` has a worker and beat with no server at all.

Beat: with Redis, celery-redbeat (``CELERY_BEAT_SCHEDULER`` in settings)
keeps the schedule in Redis behind a lock, so each machine may run a beat and
only the lock holder sends; without Redis, Celery's file scheduler and the
one beat of ``make run``.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")

app = Celery("liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="tasks_export")  # infoflow's background exports
