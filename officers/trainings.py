"""Trainings (培训): sessions with content, hours, trainer, materials and
attendance; hours per officer per year; each new officer's induction
training (岗前培训), due settings.INDUCTION_DAYS after the appointment
(seed 003 第七条: 公司应为新任命的联络员供应必需的岗位培训).

Services take the acting user; the secretariat and HR record trainings
(officers.meetings.can_manage).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.files import inspect_upload
from liaison.errors import AttachmentRejected, MeetingInvalid, MeetingNotAllowed

from .meeting_models import Induction, Training, TrainingAttendance
from .meetings import can_manage, sees_all
from .models import Officer
from .roles import roles_of

MAX_HOURS = Decimal("24")


# --- who sees what ---------------------------------------------------------------


def trainings_visible_to(user) -> QuerySet:
    """All trainings for the secretariat, HR, leaders, heads and officers
    (sessions are announced to them); others only those they attended."""
    if user is None or not user.is_authenticated:
        return Training.objects.none()
    r = roles_of(user)
    if sees_all(user) or r.is_head or r.is_officer:
        return Training.objects.all()
    return Training.objects.filter(Exists(TrainingAttendance.objects.filter(training=OuterRef("pk"), user=user)))


def sees_hours_of_all(user) -> bool:
    r = roles_of(user)
    return sees_all(user) or r.is_head


# --- writes ----------------------------------------------------------------------


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise MeetingInvalid(_("学时须为数字，例如 2 或 1.5。")) from None
    if not Decimal("0") < hours <= MAX_HOURS:
        raise MeetingInvalid(_("学时须大于 0 且不超过 24。"))
    return hours


@transaction.atomic
def create_training(
    *,
    actor,
    title: str,
    content: str,
    trainer: str,
    starts_at: dt.datetime,
    hours,
    place: str = "",
    is_induction: bool = False,
    materials=None,
) -> Training:
    """Record a training session (hours in clock hours, one decimal; the
    materials file is checked like any attachment). Raises
    MeetingNotAllowed for anyone but the secretariat/HR, MeetingInvalid for
    missing title, content or trainer, hours outside (0, 24], a refused file."""
    if not can_manage(actor):
        raise MeetingNotAllowed(_("只有秘书处或人力资源部可以登记培训。"))
    if not title.strip() or not content.strip() or not trainer.strip():
        raise MeetingInvalid(_("请填写培训名称、内容和讲师。"))
    training = Training(title=title.strip(), content=content.strip(), trainer=trainer.strip(), starts_at=starts_at,
                        hours=_hours(hours), place=place.strip(), is_induction=is_induction, organiser=actor)
    if materials is not None:
        try:
            inspect_upload(materials)
        except AttachmentRejected as e:
            raise MeetingInvalid(e.message) from e
        materials.seek(0)
        training.materials.save(materials.name, materials, save=False)
    training._history_user = actor
    training._change_reason = "create"
    training.save()
    return training


@transaction.atomic
def record_training_attendance(*, training: Training, actor, present_users, hours=None) -> list[TrainingAttendance]:
    """Record who attended (each present user credited the session's hours,
    or ``hours``); users not listed but recorded before are marked absent.
    An induction session completes the induction of each present officer
    whose induction is open (and sets Officer.induction_done_on). Raises
    MeetingNotAllowed, MeetingInvalid (a session not yet held, bad hours)."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    if not can_manage(actor):
        raise MeetingNotAllowed(_("只有秘书处或人力资源部可以登记培训出勤。"))
    if training.starts_at > timezone.now():
        raise MeetingInvalid(_("培训尚未开始，不能登记出勤。"))
    credited = _hours(hours) if hours not in (None, "") else training.hours
    present = {u.pk: u for u in present_users}
    rows = {a.user_id: a for a in training.attendance.select_for_update()}
    out = []
    for uid in sorted(set(present) | set(rows)):
        row = rows.get(uid) or TrainingAttendance(training=training, user_id=uid, hours=credited)
        row.present = uid in present
        row.hours = credited if row.present else Decimal("0")
        row._history_user = actor
        row._change_reason = "attendance"
        row.save()
        out.append(row)
    if training.is_induction and present:
        day = timezone.localtime(training.starts_at).date()
        for induction in Induction.objects.select_for_update().select_related("officer").filter(
                officer__user_id__in=list(present), done_on__isnull=True).order_by("pk"):
            induction.done_on, induction.training = day, training
            induction._history_user = actor
            induction._change_reason = "done"
            induction.save(update_fields=["done_on", "training"])
            officer = induction.officer
            if officer.induction_done_on is None:
                officer.induction_done_on = day
                officer._history_user = actor
                officer._change_reason = "induction"
                officer.save(update_fields=["induction_done_on"])
    return out


def sync_inductions(now=None) -> int:
    """Open an induction for every active officer appointed without one on
    record (due settings.INDUCTION_DAYS after appointment); idempotent, so
    the sweep, the pages and the demo may all call it. Returns how many
    were opened."""
    days = settings.INDUCTION_DAYS
    missing = (Officer.objects.filter(status=Officer.Status.ACTIVE, induction_done_on__isnull=True)
               .exclude(Exists(Induction.objects.filter(officer=OuterRef("pk")))).order_by("pk"))
    count = 0
    for officer in missing:
        _i, created = Induction.objects.get_or_create(
            officer=officer, defaults={"due_on": officer.appointed_on + dt.timedelta(days=days)})
        count += created
    return count


# --- reads -----------------------------------------------------------------------


def training_list(user, query: str = "") -> QuerySet:
    qs = trainings_visible_to(user)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(content__icontains=query) | Q(trainer__icontains=query))
    return qs.order_by("-starts_at", "-pk")


def hours_by_officer(year: int, user=None) -> list[dict]:
    """Training hours of each active officer in ``year`` (present only),
    highest first; for someone who sees only their own, only their row."""
    users = get_user_model().objects.filter(officer_posts__status=Officer.Status.ACTIVE).distinct()
    if user is not None and not sees_hours_of_all(user):
        users = users.filter(pk=user.pk)
    rows = users.annotate(
        training_hours=Sum("trainings_attended__hours",
                           filter=Q(trainings_attended__present=True,
                                    trainings_attended__training__starts_at__year=year)),
    ).order_by("username")
    out = [{"user": u, "hours": u.training_hours or Decimal("0")} for u in rows]
    return sorted(out, key=lambda r: (-r["hours"], r["user"].username))


def open_inductions() -> QuerySet:
    return (Induction.objects.filter(done_on__isnull=True, officer__status=Officer.Status.ACTIVE)
            .select_related("officer__user", "officer__unit").order_by("due_on", "pk"))
