"""Anonymising officers who left (issue 18 item 5; 个人信息保护法 art. 19 and
art. 47: personal information is kept no longer than the purpose needs and
deleted or anonymised after).

An officer post that ended (状态 已离任/已更换) more than
``settings.ANONYMISE_LEFT_AFTER_DAYS`` days ago has its phone and e-mail
blanked, on the post and on every history row of the post, so the history
keeps its shape (who held which unit's post from when to when) without the
personal fields. The user account itself is left alone: the person may still
work here. Run by ``manage.py anonymise_left_officers`` and the daily sweep.
"""
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from liaison import audit
from officers.models import Officer

ENDED = (Officer.Status.LEFT, Officer.Status.REPLACED)
REASON = "anonymise_left_officer"


def cutoff(today: dt.date | None = None) -> dt.date:
    """Posts that ended on or before this day are due (calendar days: a retention period, not a deadline)."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=settings.ANONYMISE_LEFT_AFTER_DAYS)


def due_officers(today: dt.date | None = None):
    """Ended posts past the cutoff whose phone or e-mail is still set."""
    return Officer.objects.filter(status__in=ENDED, ended_on__lte=cutoff(today)).exclude(phone="", email="")


@transaction.atomic
def anonymise_left_officers(*, actor=None, today: dt.date | None = None) -> int:
    """Blank phone and e-mail of every due post and of all its history rows;
    returns the number of posts. One audit entry for the run. Rows are
    locked and re-checked, so two runs at once anonymise each post once."""
    history = Officer.history.model
    ids = list(due_officers(today).values_list("pk", flat=True))
    count = 0
    for officer in Officer.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        if officer.status not in ENDED or (officer.phone == "" and officer.email == ""):
            continue
        history.objects.filter(id=officer.pk).exclude(Q(phone="") & Q(email="")).update(phone="", email="")
        officer.phone = officer.email = ""
        officer._history_user = actor
        officer._change_reason = REASON
        officer.save(update_fields=["phone", "email"])
        count += 1
    if count:
        audit.record(audit.Action.OTHER, user=actor, detail="离任联络员个人信息匿名化 %s 人" % count)
    return count
