"""dengbao's notices, one named function per occasion (the pattern of
infoflow.notices): called inside the transaction of the change or sweep they
report, they hand the rows to ``liaison.notifications.write`` (the outbox).
Texts carry the period and the deadline only — never who sees which item.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow import people
from infoflow.notices import in_notify_language
from liaison import notifications
from officers.models import RoleAssignment

from .models import AdminDuty

User = get_user_model()
SECRETARIAT = (RoleAssignment.Role.SECRETARIAT, RoleAssignment.Role.SECRETARIAT_LEAD)


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def review_url(review) -> str:
    return reverse("dengbao:review", args=[review.pk])


def security_administrators() -> list:
    """Active holders of the security administrator's duty."""
    return list(User.objects.filter(is_active=True, admin_duties__duty=AdminDuty.Duty.SECURITY)
                .distinct().order_by("pk"))


def _rows(users, *, key, kind, subject, body, url, due=None, actor=None) -> list:
    seen, out = set(), []
    for user in people.without(users, actor):
        if user.pk in seen:
            continue
        seen.add(user.pk)
        out.append(notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body, url=url,
                                       due=due))
    return out


@in_notify_language
def review_ready(review, *, actor=None) -> list:
    """A new access review: the secretariat is asked to check and sign it."""
    out = _rows(
        people.people_with_role(*SECRETARIAT), key="dengbao:review:%d:ready" % review.pk, kind="task",
        url=review_url(review), due=review.due_at, actor=actor,
        subject=_("访问权限复核待签核：%(period)s") % {"period": review.period},
        body=_("%(period)s 期访问权限复核已生成（%(n)d 个用户，%(changed)d 个有变化），请在 %(due)s 前核对并签核。") % {
            "period": review.period, "n": review.user_count, "changed": review.changed_count,
            "due": _fmt(review.due_at)},
    )
    notifications.write(out)
    return out


@in_notify_language
def review_overdue(review) -> list:
    """Not signed by ``due_at``: the secretariat (its lead included) and the
    security administrators are told (escalation, once per review)."""
    out = _rows(
        list(people.people_with_role(*SECRETARIAT)) + security_administrators(),
        key="dengbao:review:%d:overdue" % review.pk, kind="escalation", url=review_url(review), due=review.due_at,
        subject=_("访问权限复核逾期未签核：%(period)s") % {"period": review.period},
        body=_("%(period)s 期访问权限复核应于 %(due)s 前签核，至今未签核，请秘书处尽快核对签核。") % {
            "period": review.period, "due": _fmt(review.due_at)},
    )
    notifications.write(out)
    return out
