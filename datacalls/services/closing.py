"""Closing an occurrence and the two-miss rule (seed 003)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import DataCallStateConflict
from liaison.workdays import add_working_days
from officers.flags import flag_missed_calls
from officers.models import Officer

from .. import notices
from ..models import Answer, Call, Occurrence, ReplacementFlag
from .common import check_manager as _check_manager
from .common import history as _history


def close_at(occurrence: Occurrence) -> dt.datetime:
    """When an occurrence closes by itself: ``close_after_days`` working days
    after its due time (the week the secretariat has to merge the returns)."""
    return add_working_days(occurrence.due_at, occurrence.call.close_after_days)


@transaction.atomic
def close_occurrence(*, occurrence: Occurrence, actor=None, now: dt.datetime | None = None) -> Occurrence:
    """Close an occurrence: answers still out are marked missed (缺报), and
    each missed unit is checked against the two-miss rule. ``actor`` None:
    the sweep. Raises DataCallStateConflict if already closed, or when a
    person closes it before its due time while units are still out (they
    would be marked missed, and count towards the two-miss rule, before their
    deadline; seed 003)."""
    now = now or timezone.now()
    occurrence = Occurrence.objects.select_for_update().select_related("call").get(pk=occurrence.pk)
    if actor is not None:
        _check_manager(actor, occurrence.call)
    if occurrence.closed_at is not None:
        raise DataCallStateConflict(_("本期报送已结束。"))
    if actor is not None and now < occurrence.due_at:
        out = occurrence.answers.filter(state__in=Answer.OPEN_STATES).count()
        if out:
            raise DataCallStateConflict(
                _("截止时间未到，还有 %(n)s 个单位未报送，不能结束本期。") % {"n": out})
    occurrence.closed_at = now
    _history(occurrence, actor, "close")
    occurrence.save(update_fields=["closed_at"])
    missed = list(occurrence.answers.select_for_update().filter(state__in=Answer.OPEN_STATES).order_by("pk"))
    for answer in missed:
        answer.state = Answer.State.MISSED
        _history(answer, actor, "missed")
        answer.save(update_fields=["state", "updated_at"])
    for answer in missed:
        check_two_misses(answer=answer, now=now)
    return occurrence


def _previous_answer(answer: Answer) -> Answer | None:
    occurrence = answer.occurrence
    earlier = Answer.objects.filter(unit_id=answer.unit_id, occurrence__closed_at__isnull=False).exclude(
        occurrence_id=occurrence.pk)
    if occurrence.call.two_miss == Call.TwoMiss.SERIES:
        earlier = earlier.filter(occurrence__call_id=occurrence.call_id,
                                 occurrence__period_start__lt=occurrence.period_start)
        return earlier.order_by("-occurrence__period_start").first()
    earlier = earlier.filter(occurrence__due_at__lt=occurrence.due_at)
    return earlier.order_by("-occurrence__due_at", "-pk").first()


def check_two_misses(*, answer: Answer, now: dt.datetime) -> ReplacementFlag | None:
    """Seed 003: two consecutive missed calls propose replacing the officer.
    A case is a run of consecutive misses, named by its first one: the second
    miss raises the flag, a third joins it (one flag per case, never one per
    sweep; the unique (unit, first occurrence) key is the backstop)."""
    previous = _previous_answer(answer)
    if previous is None or previous.state != Answer.State.MISSED:
        return None
    flag = ReplacementFlag.objects.filter(unit_id=answer.unit_id, occurrences=previous.occurrence_id).first()
    if flag is not None:
        flag.occurrences.add(answer.occurrence_id)
        _officer_flag(flag, now, notify=False)
        return flag
    officer = (Officer.objects.filter(unit_id=answer.unit_id, status=Officer.Status.ACTIVE)
               .order_by("-is_primary", "pk").first())
    flag, created = ReplacementFlag.objects.get_or_create(
        unit_id=answer.unit_id, first_occurrence_id=previous.occurrence_id,
        defaults={"call_id": answer.occurrence.call_id, "officer": officer, "raised_at": now},
    )
    flag.occurrences.add(previous.occurrence_id, answer.occurrence_id)
    if created:
        notices.flag_raised(flag)
    _officer_flag(flag, now, notify=False)  # datacalls' notice has told the head and HR
    return flag


def _officer_flag(flag: ReplacementFlag, now: dt.datetime, notify: bool):
    """The same case as the officer's replacement flag (officers.flags: one
    model for every rule, resolved there by keeping or replacing)."""
    if flag.officer_id is None:
        return None
    records = [{"label": "%s %s" % (o.call.title, o.period), "date": timezone.localtime(o.due_at).date().isoformat()}
               for o in flag.occurrences.select_related("call").order_by("due_at", "pk")]
    return flag_missed_calls(officer=flag.officer, first_occurrence_id=flag.first_occurrence_id, records=records,
                             now=now, notify=notify)
