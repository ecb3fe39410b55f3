"""The home card of work reports, replacement flags and accountability
cases: one aggregate query per source the user's roles concern, so the home
page needs no change of its own context."""
from django import template
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..models import AccountabilityCase, ReplacementFlag, WorkReport
from ..roles import roles_of

register = template.Library()


@register.simple_tag(takes_context=True)
def work_home_counts(context):
    """{"to_file", "late", "to_comment", "flags", "rectifications",
    "late_rectifications", "sees_cases"} for the user, or None when none of
    it concerns them."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    roles = roles_of(user)
    sees_cases = roles.is_supervision or roles.is_hr or roles.is_general_manager or roles.is_leader
    if not (roles.is_officer or roles.is_head or roles.is_hr or sees_cases or user.is_superuser):
        return None
    now, today = timezone.now(), timezone.localdate()
    out = {"to_file": 0, "late": 0, "to_comment": 0, "flags": 0, "rectifications": 0, "late_rectifications": 0,
           "sees_cases": sees_cases}
    if roles.is_officer or roles.is_head:
        counts = WorkReport.objects.filter(Q(officer__user=user) | Q(unit_id__in=roles.headed_unit_ids)).aggregate(
            to_file=Count("pk", filter=Q(officer__user=user, state=WorkReport.State.OPEN)),
            late=Count("pk", filter=Q(officer__user=user, state=WorkReport.State.OPEN, due_at__lt=now)),
            to_comment=Count("pk", filter=Q(unit_id__in=roles.headed_unit_ids, state=WorkReport.State.SUBMITTED)))
        out.update(counts)
    if roles.is_hr or roles.is_head or user.is_superuser:
        flags = ReplacementFlag.objects.filter(state=ReplacementFlag.State.OPEN)
        if not (roles.is_hr or user.is_superuser):
            flags = flags.filter(unit_id__in=roles.headed_unit_ids)
        out["flags"] = flags.count()
    cases = AccountabilityCase.objects.exclude(rectification="").filter(rectified_on__isnull=True)
    if not (roles.is_supervision or roles.is_hr or roles.is_general_manager or user.is_superuser):
        cases = cases.filter(Q(officer__user=user) | Q(officer__unit_id__in=roles.supervised_unit_ids))
    out.update(cases.aggregate(rectifications=Count("pk"),
                               late_rectifications=Count("pk", filter=Q(rectification_due__lt=today))))
    return out


# What the services write as a history row's change reason, in words.
CHANGE_REASONS = {
    "record": gettext_noop("登记"),
    "rectified": gettext_noop("整改完成"),
    "seed_demo": gettext_noop("示例数据"),
}


@register.filter
def change_reason(code) -> str:
    """A history row's change reason ("rectified") as the reader's words ("整改完成"); unknown text as it is."""
    label = CHANGE_REASONS.get(code or "")
    return _(label) if label else (code or "")
