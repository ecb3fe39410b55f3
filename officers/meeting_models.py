"""Liaison meetings (联络员例会), coordination and ad hoc meetings, their
invitations, minutes and action items; trainings with attendance and hours,
and each new officer's induction (seed 003: 联络员例会制度, 岗前培训).

Imported into ``officers.models`` (one line at its end) so Django finds them.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.indexes import cursor_index

User = settings.AUTH_USER_MODEL

__all__ = ["Meeting", "Invitation", "ActionItem", "Training", "TrainingAttendance", "Induction"]


class Meeting(models.Model):
    """One meeting. A recurring series is its first meeting (``series`` null)
    and the meetings that point at it; each date is on the working calendar
    (a holiday moves it to the next working day, ``moved_note`` says so)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("联络员例会")
        COORDINATION = "coordination", _("协调会")
        AD_HOC = "ad_hoc", _("临时会议")

    class Recurrence(models.TextChoices):
        NONE = "none", _("不重复")
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")
        YEARLY = "yearly", _("每年")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("现场")
        REMOTE = "remote", _("远程（视频/电话）")

    class State(models.TextChoices):
        PLANNED = "planned", _("已安排")
        NOTIFIED = "notified", _("已通知")
        HELD = "held", _("已召开")
        MINUTED = "minuted", _("纪要已分发")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("会议类型"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    title = models.CharField(_("会议名称"), max_length=200)
    recurrence = models.CharField(_("重复"), max_length=20, choices=Recurrence.choices, default=Recurrence.NONE)
    series = models.ForeignKey("self", verbose_name=_("所属系列"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="occurrences")
    planned_on = models.DateField(_("原定日期"))
    starts_at = models.DateTimeField(_("开始时间"))
    duration_minutes = models.PositiveIntegerField(_("时长（分钟）"), default=60)
    moved_note = models.CharField(_("顺延说明"), max_length=200, blank=True)
    mode = models.CharField(_("形式"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    link = models.URLField(_("会议链接"), blank=True)
    agenda = models.TextField(_("议程"))
    item = models.ForeignKey("infoflow.Item", verbose_name=_("关联信息"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="meetings")
    organiser = models.ForeignKey(User, verbose_name=_("组织人"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PLANNED)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    minutes_text = models.TextField(_("会议纪要"), blank=True)
    minutes_file = models.FileField(_("纪要文件"), upload_to="officers/minutes/%Y/", blank=True)
    minutes_at = models.DateTimeField(_("纪要分发时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        indexes = [models.Index(fields=["starts_at"], name="meeting_starts_at")]

    def __str__(self):
        return "%s %s" % (timezone.localtime(self.starts_at).strftime("%Y-%m-%d"), self.title)


class Invitation(models.Model):
    """One invitee of a meeting: their answer (attend, or leave naming a
    delegate — seed 003 第七条(二)), the attendance the secretary records
    and when they read the minutes (the read receipt)."""

    class Response(models.TextChoices):
        PENDING = "pending", _("未答复")
        ATTEND = "attend", _("参加")
        LEAVE = "leave", _("请假")

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("未记录")
        PRESENT = "present", _("出席")
        DELEGATE = "delegate", _("委派代表出席")
        EXCUSED = "excused", _("请假")
        ABSENT = "absent", _("缺席（未请假）")

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(User, verbose_name=_("参会人"), on_delete=models.PROTECT, related_name="meeting_invitations")
    unit = models.ForeignKey("officers.OrgUnit", verbose_name=_("单位"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    response = models.CharField(_("答复"), max_length=20, choices=Response.choices, default=Response.PENDING)
    leave_reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    delegate = models.ForeignKey(User, verbose_name=_("委派代表"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="meeting_delegations")
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    attendance = models.CharField(_("出席情况"), max_length=20, choices=Attendance.choices, default=Attendance.UNKNOWN)
    minutes_read_at = models.DateTimeField(_("纪要阅读时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "unit__sort_order", "pk"]
        verbose_name = _("参会邀请")
        verbose_name_plural = _("参会邀请")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="unique_meeting_invitee")]

    def __str__(self):
        return "%s · %s" % (self.meeting, self.user)


class ActionItem(models.Model):
    """A decision of a meeting someone must carry out by a date; reminded,
    escalated to the owner's head and the secretariat when late, followed to
    done. ``notice_at`` is the sweep's cursor (liaison.sweeps)."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(_("事项"), max_length=300)
    owner = models.ForeignKey(User, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="action_items")
    due_at = models.DateTimeField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("会议待办事项")
        verbose_name_plural = _("会议待办事项")
        indexes = [cursor_index("notice_at", condition=Q(done_at__isnull=True),
                                name="actionitem_open_notice_at")]

    def __str__(self):
        return self.text

    def is_late(self, now=None) -> bool:
        if self.done_at is not None:
            return self.done_at > self.due_at
        return (now or timezone.now()) > self.due_at


class Training(models.Model):
    """A training session (培训): content, hours, trainer, materials; an
    induction session counts as each present new officer's 岗前培训."""

    title = models.CharField(_("培训名称"), max_length=200)
    content = models.TextField(_("培训内容"))
    trainer = models.CharField(_("培训讲师"), max_length=100)
    starts_at = models.DateTimeField(_("培训时间"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    place = models.CharField(_("地点/链接"), max_length=200, blank=True)
    is_induction = models.BooleanField(_("岗前培训"), default=False)
    materials = models.FileField(_("培训材料"), upload_to="officers/trainings/%Y/", blank=True)
    organiser = models.ForeignKey(User, verbose_name=_("组织人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("培训")
        verbose_name_plural = _("培训")

    def __str__(self):
        return "%s %s" % (timezone.localtime(self.starts_at).strftime("%Y-%m-%d"), self.title)


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(User, verbose_name=_("参训人"), on_delete=models.PROTECT, related_name="trainings_attended")
    present = models.BooleanField(_("出席"), default=True)
    hours = models.DecimalField(_("计入学时"), max_digits=4, decimal_places=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["training", "pk"]
        verbose_name = _("培训出勤")
        verbose_name_plural = _("培训出勤")
        constraints = [models.UniqueConstraint(fields=["training", "user"], name="unique_training_attendee")]

    def __str__(self):
        return "%s · %s" % (self.training, self.user)


class Induction(models.Model):
    """A new officer's induction training, due within
    settings.INDUCTION_DAYS of the appointment; ``notice_at`` is the sweep's
    cursor (reminder to the officer and HR when due, once when late)."""

    officer = models.OneToOneField("officers.Officer", verbose_name=_("联络员"), on_delete=models.CASCADE,
                                   related_name="induction")
    due_on = models.DateField(_("应完成日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    training = models.ForeignKey(Training, verbose_name=_("培训"), null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="inductions")
    notice_at = models.DateTimeField(_("下次提醒时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["notice_at"])

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("岗前培训")
        verbose_name_plural = _("岗前培训")
        indexes = [cursor_index("notice_at", condition=Q(done_on__isnull=True),
                                name="induction_open_notice_at")]

    def __str__(self):
        return str(self.officer)
