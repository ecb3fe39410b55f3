"""The deadline sweep (issue 5): reminders, overdue notices and escalation.

``sweep(now)`` is run by Celery beat every minute (``infoflow.tasks``) and by
``manage.py send_reminders``. It works from the database only, so a sweep that
did not run for an hour catches up on the next run with one notice per case,
never one per missed minute.

What it says, and to whom:

- an open review step, to each pending assignee: a reminder once
  settings.REMINDER_SHARE of the step's time has passed, an overdue notice at
  its due time; then, while it stays overdue, an escalation to the assignee's
  superior once per working day (unit head → supervising leader → general
  manager; the secretariat pool and other stages → the secretariat lead);
- a receiver's acknowledgement or answer overdue → the initiator and the
  receiving unit's head (or the receiving person);
- a question or coordination request past its deadline → the responsible
  unit's head and officers;
- a completed item not archived when its archiving is due (2 working days,
  plus a grace for the hourly automatic archiving) → the secretariat;
- an officer change filing due within a working day, and late → HR.

Share of time. For a limit counted in working time (working_days /
working_hours, settings.TIME_LIMITS) the share is of the *working* time
between start and due, so nights, lunch, weekends and holidays do not bring a
reminder forward; for a limit in plain hours or minutes (urgent, extra urgent)
it is plain clock time, as the limit itself is.

Escalation days. Escalation k (k = 1, 2, …) is due k working days after the
due time (``add_working_days(due_at, k)``); its key carries the local date of
that moment, so a step overdue across the National Day holiday escalates on
the first workday after it, once, and a sweep that missed several days sends
only the latest escalation.

Sending once. Every notice has a key (``step:<assignee>:reminder``,
``step:<assignee>:escalate:2026-10-09``, ``receiver:<pk>:answer``…) unique per
recipient in the notification table, inserted by ``liaison.notifications.
notify`` in the sweep's transaction before anything is sent (delivery is
scheduled on commit). A second sweep, a retried task, two sweeps at once or
two beat processes therefore cannot send a notice twice.

Staying cheap. Open steps carry ``notice_at``, the next moment the sweep has
something to say about them (NULL for a step the sweep has not seen yet);
steps are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` in batches and
``notice_at`` is moved forward in the same transaction, so with nothing due
the step part is one range scan on a partial index. The other cases are
found by their due time with an anti-join on ``DeadlineCase``, the sweep's
ledger of cases already handled.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from officers.models import ChangeFiling, Officer, OrgUnit, RoleAssignment

from liaison import notifications

from .. import notices
from ..models import Confidentiality, DeadlineCase, DeciderKind, Item, Question, Receiver, ReviewStep, StepAssignee

log = logging.getLogger(__name__)

BATCH = 500
ANSWERING_KINDS = (Receiver.Kind.UNIT, Receiver.Kind.USER, Receiver.Kind.EXTERNAL)
Role = RoleAssignment.Role


# --- when ----------------------------------------------------------------------


def reminder_at(started_at: dt.datetime, due_at: dt.datetime, unit: str) -> dt.datetime:
    """When the reminder of a step is due: settings.REMINDER_SHARE of its
    time, counted in the unit of the step's own limit (working time for
    working-time limits, clock time otherwise)."""
    from liaison.workdays import add_working_time, working_time_between

    share = settings.REMINDER_SHARE
    if due_at <= started_at:
        return due_at
    if unit.startswith("working"):
        return min(add_working_time(started_at, working_time_between(started_at, due_at) * share), due_at)
    return started_at + (due_at - started_at) * share


def overdue_days(due_at: dt.datetime, now: dt.datetime) -> int:
    """Whole working days since the due time (0 on the day it fell due)."""
    from liaison.workdays import working_day_length, working_time_between

    return working_time_between(due_at, now) // working_day_length()


def escalation_at(due_at: dt.datetime, k: int) -> dt.datetime:
    from liaison.workdays import add_working_days

    return add_working_days(due_at, k)


# --- text ----------------------------------------------------------------------


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _item_url(item_id) -> str:
    return reverse("infoflow:item-detail", args=[item_id])


def _what(item, stage=None) -> str:
    """Which item, without its subject when it is restricted."""
    if item.confidentiality == Confidentiality.RESTRICTED:
        base = _("信息 %(number)s") % {"number": item.number or item.pk}
    else:
        base = _("信息 %(number)s“%(subject)s”") % {"number": item.number or item.pk, "subject": item.subject}
    if stage:
        return _("%(item)s的“%(stage)s”环节") % {"item": base, "stage": stage}
    return base


def _name(user) -> str:
    return user.get_full_name() or user.username


# --- who -----------------------------------------------------------------------


class _People:
    """Users by role and superiors, read once per sweep and only when needed."""

    def __init__(self):
        self._roles: dict[str, list] = {}
        self._users: dict[int, object] = {}
        self._led_by: dict[int, list] = {}

    def with_role(self, *roles) -> list:
        key = ",".join(sorted(roles))
        if key not in self._roles:
            self._roles[key] = list(
                get_user_model().objects.filter(is_active=True, roles__role__in=roles).distinct().order_by("pk")
            )
        return self._roles[key]

    def users(self, ids) -> list:
        missing = [i for i in ids if i and i not in self._users]
        if missing:
            self._users.update(get_user_model().objects.filter(is_active=True).in_bulk(missing))
        return [self._users[i] for i in dict.fromkeys(ids) if i and i in self._users]

    def leaders_of_units_headed_by(self, user_id) -> list:
        if user_id not in self._led_by:
            ids = OrgUnit.objects.filter(head_id=user_id, is_active=True).values_list("supervising_leader_id", flat=True)
            self._led_by[user_id] = self.users([i for i in ids if i])
        return self._led_by[user_id]

    def superiors(self, step, assignee) -> list:
        """Who hears of an assignee's overdue step (domain "Escalation")."""
        decider = step.decider
        if decider == DeciderKind.UNIT_HEAD:
            found = self.users([step.item.unit.supervising_leader_id])
        elif decider == DeciderKind.RECEIVER_HEADS:
            found = self.leaders_of_units_headed_by(assignee.user_id)
        elif decider == DeciderKind.SUPERVISING_LEADER:
            found = self.with_role(Role.GENERAL_MANAGER)
        elif decider == DeciderKind.GENERAL_MANAGER:
            found = []  # nobody above the general manager
        else:  # the secretariat pool, legal, the association secretariat, the secretariat lead
            found = self.with_role(Role.SECRETARIAT_LEAD)
        return [u for u in found if u.pk != assignee.user_id]


def _notify_all(recipients, *, key, kind, subject, body, url, item=None, confidentiality="internal", due=None) -> list:
    from liaison.notifications import notify

    sent = []
    for user in recipients:
        notice = notify(recipient=user, key=key, kind=kind, subject=subject, body=body, url=url, item=item,
                        confidentiality=confidentiality, due=due)
        if notice is not None:
            sent.append(notice)
    return sent


# --- review steps --------------------------------------------------------------


def _step_notices(step, assignees, now, people) -> dt.datetime:
    """Write what is due for one step (infoflow.notices); return the next notice_at."""
    if now < step.due_at:
        remind = reminder_at(step.started_at or now, step.due_at, step.limit_unit or "working_days")
        if now < remind:
            return remind
        notices.step_reminder(step, assignees)
        return step.due_at

    k = overdue_days(step.due_at, now)
    notices.step_overdue(step, assignees)
    if k >= 1:
        day = timezone.localtime(escalation_at(step.due_at, k)).date().isoformat()
        for a in assignees:
            notices.step_escalated(step, a, people.superiors(step, a), days=k, day=day)
    return escalation_at(step.due_at, k + 1)


def steps_needing_notice(now):
    """Open steps with a limit whose next notice is due, or that the sweep has
    not scheduled yet (the partial index reviewstep_open_notice_at)."""
    return ReviewStep.objects.filter(state=ReviewStep.State.OPEN, due_at__isnull=False).filter(
        Q(notice_at__isnull=True) | Q(notice_at__lte=now)
    )


def _sweep_steps(now, people) -> list:
    sent = []
    while True:
        with transaction.atomic():
            # SKIP LOCKED: a concurrent sweep takes other steps, and a step
            # being approved right now is left for the next minute.
            steps = list(
                steps_needing_notice(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("item", "item__unit")
                .order_by("pk")[:BATCH]
            )
            if not steps:
                return sent
            pending: dict[int, list] = {}
            for a in (
                StepAssignee.objects.filter(step__in=steps, decision=StepAssignee.Decision.PENDING)
                .select_related("user")
                .order_by("pk")
            ):
                pending.setdefault(a.step_id, []).append(a)
            with notifications.batch() as written:
                for step in steps:
                    step.notice_at = _step_notices(step, pending.get(step.pk, []), now, people)
            sent += written
            # Not a tracked field (excluded from history): the sweep's cursor.
            ReviewStep.objects.bulk_update(steps, ["notice_at"])


# --- cases in the ledger ---------------------------------------------------------


def _unhandled(queryset, prefix, suffix=""):
    """Rows of ``queryset`` whose case key "<prefix><pk><suffix>" is not in the ledger."""
    key = Concat(Value(prefix), Cast(OuterRef("pk"), CharField()), Value(suffix), output_field=CharField())
    return queryset.filter(~Exists(DeadlineCase.objects.filter(key=key)))


def _claim(key, now) -> bool:
    """Record the case; False when another sweep (or an earlier one) has it."""
    try:
        with transaction.atomic():
            DeadlineCase.objects.create(key=key, handled_at=now)
        return True
    except IntegrityError:
        return False


def _case(key, now, recipients, **message) -> list:
    with transaction.atomic():
        if not _claim(key, now):
            return []
        return _notify_all(recipients, key=key, **message)


def _case_notices(key, now, write) -> list:
    with transaction.atomic():
        if not _claim(key, now):
            return []
        with notifications.batch() as written:
            write()
        return list(written)


def _sweep_receivers(now, people) -> list:
    sent = []
    base = Receiver.objects.filter(item__state=Item.State.TRANSMITTED).select_related(
        "item", "item__initiator", "unit", "user", "external_unit", "contact")
    response = _unhandled(base.filter(state=Receiver.State.SENT, response_due_at__lte=now), "receiver:", ":response")
    for r in response.order_by("pk"):
        sent += _case_notices("receiver:%d:response" % r.pk, now, lambda r=r: notices.receipt_overdue(r))
    answer = _unhandled(
        base.filter(state__in=(Receiver.State.SENT, Receiver.State.ACKNOWLEDGED), kind__in=ANSWERING_KINDS,
                    answer_due_at__lte=now),
        "receiver:", ":answer",
    )
    for r in answer.order_by("pk"):
        sent += _case_notices("receiver:%d:answer" % r.pk, now, lambda r=r: notices.answer_overdue(r))
    return sent


def _sweep_questions(now, people) -> list:
    sent = []
    due_questions = _unhandled(
        Question.objects.filter(state=Question.State.OPEN, due_at__lte=now).select_related("item", "responsible_unit"),
        "question:", ":overdue",
    )
    for q in due_questions.order_by("pk"):
        sent += _case_notices("question:%d:overdue" % q.pk, now, lambda q=q: notices.question_overdue(q))
    return sent


def _sweep_archive(now, people) -> list:
    from liaison.workdays import add_working_days

    sent = []
    grace = dt.timedelta(minutes=settings.ARCHIVE_NOTICE_GRACE_MINUTES)
    # Two working days are never less than one calendar day: a cheap index
    # range first, the working-day rule in Python on the few left.
    candidates = _unhandled(
        Item.objects.filter(state=Item.State.COMPLETED, completed_at__lte=now - dt.timedelta(days=1)), "archive:"
    )
    for item in candidates.order_by("completed_at", "pk"):
        due_at = add_working_days(item.completed_at, settings.ARCHIVE_AFTER_WORKING_DAYS)
        if due_at + grace > now:
            continue
        sent += _case(
            "archive:%d" % item.pk, now, people.with_role(Role.SECRETARIAT, Role.SECRETARIAT_LEAD),
            kind="archive_due", due=due_at, item=item, confidentiality=item.confidentiality, url=_item_url(item.pk),
            subject=_("待归档：信息 %(number)s") % {"number": item.number},
            body=_("%(what)s 已于 %(completed)s 办结，应于 %(due)s 前归档，目前尚未归档，请处理。")
            % {"what": _what(item), "completed": _fmt(item.completed_at), "due": _fmt(due_at)},
        )
    return sent


def _filing_url(filing) -> str:
    try:
        return reverse("admin:officers_changefiling_change", args=[filing.pk])
    except NoReverseMatch:
        return reverse("officers:directory")


def _sweep_filings(now, people) -> list:
    from liaison.workdays import add_working_days

    sent = []
    soon = _unhandled(
        ChangeFiling.objects.filter(filed_at__isnull=True, due_at__gt=now, due_at__lte=now + dt.timedelta(days=7))
        .select_related("registration__unit", "registration__body"),
        "filing:", ":due",
    )
    for f in soon.order_by("pk"):
        if add_working_days(now, 1) < f.due_at:
            continue  # more than a working day left
        sent += _case(
            "filing:%d:due" % f.pk, now, people.with_role(Role.HR_ADMIN), kind="filing_due", due=f.due_at, url=_filing_url(f),
            subject=_("变更报备即将到期：%(registration)s") % {"registration": f.registration},
            body=_("%(registration)s 的%(reason)s应于 %(due)s 前向备案机关报备，请及时办理。")
            % {"registration": f.registration, "reason": f.get_reason_display(), "due": _fmt(f.due_at)},
        )
    late = _unhandled(
        ChangeFiling.objects.filter(filed_at__isnull=True, due_at__lte=now)
        .select_related("registration__unit", "registration__body"),
        "filing:", ":late",
    )
    for f in late.order_by("pk"):
        sent += _case(
            "filing:%d:late" % f.pk, now, people.with_role(Role.HR_ADMIN), kind="filing_due", due=f.due_at, url=_filing_url(f),
            subject=_("变更报备超期：%(registration)s") % {"registration": f.registration},
            body=_("%(registration)s 的%(reason)s应于 %(due)s 前报备，现已超期，请尽快报备并上传凭证。")
            % {"registration": f.registration, "reason": f.get_reason_display(), "due": _fmt(f.due_at)},
        )
    return sent


# --- the sweep -------------------------------------------------------------------


def _probe_sql() -> str:
    """One statement answering "is anything possibly due?" per part, so the
    common every-minute case (nothing due) costs one round trip and no ORM
    compilation. It over-approximates (archive and filing candidates that are
    near but not yet due answer yes); the parts then decide exactly."""
    t = {m: m._meta.db_table for m in (ReviewStep, Receiver, Item, Question, DeadlineCase, ChangeFiling)}
    rs, rc, it, qu, dc, cf = (t[ReviewStep], t[Receiver], t[Item], t[Question], t[DeadlineCase], t[ChangeFiling])

    def unhandled(alias, prefix, suffix=""):
        return (f"NOT EXISTS (SELECT 1 FROM {dc} d WHERE d.key = '{prefix}' || CAST({alias}.id AS TEXT)"
                f" || '{suffix}')")

    kinds = ", ".join("'%s'" % k for k in ANSWERING_KINDS)
    return f"""SELECT
      EXISTS (SELECT 1 FROM {rs} s WHERE s.state = 'open' AND s.due_at IS NOT NULL
              AND (s.notice_at IS NULL OR s.notice_at <= %(now)s)),
      EXISTS (SELECT 1 FROM {rc} r JOIN {it} i ON i.id = r.item_id WHERE i.state = 'transmitted' AND (
              (r.state = 'sent' AND r.response_due_at <= %(now)s AND {unhandled("r", "receiver:", ":response")})
              OR (r.state IN ('sent', 'acknowledged') AND r.kind IN ({kinds}) AND r.answer_due_at <= %(now)s
                  AND {unhandled("r", "receiver:", ":answer")}))),
      EXISTS (SELECT 1 FROM {qu} q WHERE q.state = 'open' AND q.due_at <= %(now)s
              AND {unhandled("q", "question:", ":overdue")}),
      EXISTS (SELECT 1 FROM {it} a WHERE a.state = 'completed' AND a.completed_at <= %(day_ago)s
              AND {unhandled("a", "archive:")}),
      EXISTS (SELECT 1 FROM {cf} f WHERE f.filed_at IS NULL AND f.due_at <= %(week_on)s
              AND ({unhandled("f", "filing:", ":late")} OR {unhandled("f", "filing:", ":due")}))"""


def _parts_due(now) -> list:
    from django.db import connection

    sql = _probe_sql()
    params = {"now": now, "day_ago": now - dt.timedelta(days=1), "week_on": now + dt.timedelta(days=7)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        flags = cursor.fetchone()
    parts = (_sweep_steps, _sweep_receivers, _sweep_questions, _sweep_archive, _sweep_filings)
    return [part for part, flag in zip(parts, flags) if flag]


def sweep(now=None) -> list:
    """Send every notice that is due at ``now`` and has not been sent; return
    the notifications created. Safe to run twice, late or concurrently."""
    from liaison.workdays import is_workday

    now = now or timezone.now()
    parts = _parts_due(now)
    if not parts:
        return []
    # Load this year's calendar before any transaction: a year filled inside
    # one is not cached until it commits (liaison.workdays), which would make
    # every working-time sum below read the calendar table again.
    is_workday(timezone.localtime(now).date())
    people = _People()
    sent = []
    with translation.override(getattr(settings, "NOTIFY_LANGUAGE", None) or settings.LANGUAGE_CODE):
        for part in parts:
            sent += part(now, people)
    if sent:
        log.info("deadline sweep sent %d notices", len(sent))
    return sent
