"""Accountability cases (issue 14 §5; seed 001: "出现瞒报、谎报、延报行为的，按照
公司《奖惩制度》问责", "要通报批评，追究责任"; domain: supervision records
accountability cases and orders rectification).

Supervision records a case against an officer — its kind, what it concerns,
the finding, the sanction with its points and the rectification ordered with
its due date — and later the rectification's completion. Seen by
supervision, HR, the general manager, the leader supervising the officer's
unit and the officer concerned; anyone else gets the same 404 as for a case
that does not exist. History keeps every change (simple-history).
"""
from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notices
from .models import AccountabilityCase, Officer
from .roles import roles_of
from .work_errors import WorkInvalid, WorkNotAllowed, WorkStateConflict

Case = AccountabilityCase
MAX_POINTS = 100


def cases_visible_to(user):
    roles = roles_of(user)
    cases = Case.objects.select_related("officer__user", "officer__unit", "recorded_by")
    if roles.user_id is None:
        return cases.none()
    if roles.is_superuser or roles.is_supervision or roles.is_hr or roles.is_general_manager:
        return cases
    return cases.filter(Q(officer__user_id=roles.user_id) | Q(officer__unit_id__in=roles.supervised_unit_ids))


def can_record(user) -> bool:
    roles = roles_of(user)
    return roles.is_superuser or roles.is_supervision


def _label(subject) -> str:
    """What the case concerns, by number or title only (never content)."""
    if subject is None:
        return ""
    for name in ("number", "title"):
        value = getattr(subject, name, None)
        if value:
            return str(value)[:200]
    return "%s #%s" % (subject._meta.verbose_name, subject.pk)  # an item without a number: never its subject


@transaction.atomic
def record_case(*, actor, officer: Officer, kind: str, occurred_on: dt.date, finding: str,
                sanction: str = Case.Sanction.NONE, points: int = 0, rectification: str = "",
                rectification_due: dt.date | None = None, subject=None, subject_label: str = "") -> Case:
    """Record a case (supervision). ``points``: deducted from the officer's
    assessment, 0–MAX_POINTS, required (> 0) with the "points" sanction;
    ``rectification`` ordered needs a due date not before ``occurred_on``;
    ``subject``: the item, data call or meeting concerned (any model row),
    or a typed ``subject_label``. The officer and the head of their unit are
    told. Raises WorkNotAllowed, WorkInvalid."""
    if not can_record(actor):
        raise WorkNotAllowed(_("只有监督部门可以登记问责记录。"))
    if kind not in Case.Kind.values:
        raise WorkInvalid(_("请选择问题类型。"))
    if sanction not in Case.Sanction.values:
        raise WorkInvalid(_("请选择处分。"))
    finding = (finding or "").strip()
    if not finding:
        raise WorkInvalid(_("请填写调查结论。"))
    if occurred_on is None or occurred_on > timezone.localdate():
        raise WorkInvalid(_("发生日期不能晚于今天。"))
    points = int(points or 0)
    if points < 0 or points > MAX_POINTS:
        raise WorkInvalid(_("扣分应在 0 到 %(max)d 之间。") % {"max": MAX_POINTS})
    if sanction == Case.Sanction.POINTS and points == 0:
        raise WorkInvalid(_("处分为扣分时请填写扣分分值。"))
    if sanction == Case.Sanction.NONE and points:
        raise WorkInvalid(_("不予处分时不能扣分。"))
    rectification = (rectification or "").strip()
    if rectification and rectification_due is None:
        raise WorkInvalid(_("责令整改时请填写整改期限。"))
    if rectification_due is not None and (not rectification or rectification_due < occurred_on):
        raise WorkInvalid(_("整改期限应不早于发生日期，且须填写整改要求。"))
    case = Case(officer=officer, kind=kind, occurred_on=occurred_on, finding=finding, sanction=sanction,
                points=points, rectification=rectification, rectification_due=rectification_due,
                subject_label=(_label(subject) or (subject_label or "").strip())[:200],
                recorded_by=actor, recorded_at=timezone.now())
    if subject is not None:
        case.subject_type = ContentType.objects.get_for_model(subject)
        case.subject_id = subject.pk
    case._history_user = actor
    case._change_reason = "record"
    case.save()
    notices.case_recorded(case)
    return case


@transaction.atomic
def complete_rectification(*, case: Case, actor, done_on: dt.date, note: str) -> Case:
    """Record that the rectification ordered was completed on ``done_on``
    (supervision). Raises WorkNotAllowed, WorkStateConflict (nothing ordered,
    or already completed), WorkInvalid (empty note, date in the future or
    before the case)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not can_record(actor):
        raise WorkNotAllowed(_("只有监督部门可以确认整改完成。"))
    if not case.rectification:
        raise WorkStateConflict(_("该问责记录未责令整改。"))
    if case.rectified_on is not None:
        raise WorkStateConflict(_("整改已于 %(day)s 确认完成。") % {"day": case.rectified_on.isoformat()})
    note = (note or "").strip()
    if not note:
        raise WorkInvalid(_("请填写整改情况。"))
    if done_on is None or done_on > timezone.localdate() or done_on < case.occurred_on:
        raise WorkInvalid(_("整改完成日期应在发生日期与今天之间。"))
    case.rectified_on = done_on
    case.rectification_note = note
    case._history_user = actor
    case._change_reason = "rectified"
    case.save(update_fields=["rectified_on", "rectification_note"])
    return case
