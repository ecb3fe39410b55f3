"""Demo of the reports to leaders (``manage.py seed_demo``, issue 19 §10):
the supervising leader and the general manager named as recipients, and
last month's report generated (by the secretary) from the demo's records.
Idempotent: a second run creates nothing."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .models import Kind, Recipient, Report


def seed() -> int:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["leader", "gm", "secretary"])}
    if len(users) < 3:
        return 0
    created = 0
    with transaction.atomic():
        for username in ("leader", "gm"):
            created += Recipient.objects.get_or_create(user=users[username])[1]
    period = services.previous_month(timezone.now())
    if not Report.objects.filter(kind=Kind.MONTHLY, period=period.label).exists():
        services.generate_report(kind=Kind.MONTHLY, period_label=period.label, actor=users["secretary"])
        created += 1
    return created
