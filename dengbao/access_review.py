"""The periodic access review (访问权限复核, issue 18 item 3): who can see what.

Sources: GB/T 22239-2019 8.1.4.2 b)/c) (accounts reviewed, redundant and
expired accounts removed, least privilege) and 8.1.10.2 (the security
administrator's rights reviewed); seed 002 §5 and seed 000 §4 (access
control reviewed periodically).

At the start of every period of settings.ACCESS_REVIEW_MONTHS months (the
sweep ``dengbao_access_review_generate``, or the button on the reviews page)
``generate_review`` stores a snapshot: per active user their roles (role
assignments, administrator duties, unit head / supervising leader / officer,
staff and superuser flags), groups, units, the restricted items on their path
(``infoflow.visibility.items_visible_to``: the one visibility rule), model
permissions, object permissions (django-guardian, counted per permission) and
the delegations in force. Each row carries its difference from the last review
signed before it (new user, removed user, gained/lost role, group, unit,
restricted item, permission). The secretariat signs it off
(``sign_review``) within settings.ACCESS_REVIEW_SIGN_DAYS working days
(liaison.workdays); an unsigned review is escalated once at its ``due_at``
(sweep ``dengbao_access_review_overdue``, dengbao.notices).

Restricted items are named by number only: the review's readers are not on
their path.
"""
from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.models import GroupObjectPermission, UserObjectPermission
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from infoflow.models import Confidentiality, ItemGroupObjectPermission, ItemUserObjectPermission
from infoflow.services.delegation import active_delegations
from infoflow.visibility import items_visible_to
from liaison import audit
from liaison.sheetmark import mark_openpyxl_sheet
from liaison.sweeps import NEVER
from liaison.workdays import add_working_days
from officers.models import Officer, OrgUnit, RoleAssignment, StaffProfile
from officers.roles import roles_of

from . import notices
from .duties import Duty, duties_of
from .models import AccessReview, AccessReviewRow, AccessReviewRun, AdminDuty

User = get_user_model()
Change = AccessReviewRow.Change

# What a row's ``changes`` may hold (key → Chinese heading), in display order.
CHANGE_KINDS = {
    "roles_added": gettext_lazy("新增角色"),
    "roles_removed": gettext_lazy("失去角色"),
    "groups_added": gettext_lazy("加入用户组"),
    "groups_removed": gettext_lazy("退出用户组"),
    "units_added": gettext_lazy("新增单位职责"),
    "units_removed": gettext_lazy("失去单位职责"),
    "restricted_added": gettext_lazy("新增可见的限定范围信息"),
    "restricted_removed": gettext_lazy("不再可见的限定范围信息"),
    "perms_added": gettext_lazy("新增权限"),
    "perms_removed": gettext_lazy("移除的权限"),
}
# The parts of a row compared between two reviews (data key → change key stem).
COMPARED = (("roles", "roles"), ("groups", "groups"), ("units", "units"), ("restricted", "restricted"),
            ("perms", "perms"))


# --- who ------------------------------------------------------------------------------


def may_read(user) -> bool:
    """Who reads access reviews: the secretariat, the security administrator,
    the auditor (the supervision role counts) and superusers."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or roles_of(user).is_secretariat:
        return True
    return bool(duties_of(user) & {Duty.SECURITY, Duty.AUDIT})


def may_sign(user) -> bool:
    """Only the secretariat signs a review off (issue 18 item 3)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active
                and roles_of(user).is_secretariat)


def may_generate(user) -> bool:
    """The button: the secretariat and the security administrator (the
    auditor only reads)."""
    if not may_read(user):
        return False
    return roles_of(user).is_secretariat or Duty.SECURITY in duties_of(user) or user.is_superuser


# --- periods --------------------------------------------------------------------------


def period_of(day: dt.date, months: int | None = None) -> tuple[str, dt.date, dt.date]:
    """The review period containing ``day``: (label "YYYY-MM" of its first
    month, first day, last day). Periods tile the year from January in
    blocks of settings.ACCESS_REVIEW_MONTHS months."""
    months = months or settings.ACCESS_REVIEW_MONTHS
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    return f"{start:%Y-%m}", start, next_period_start(start, months) - dt.timedelta(days=1)


def next_period_start(start: dt.date, months: int | None = None) -> dt.date:
    """The first day of the period after the one starting on ``start``."""
    months = months or settings.ACCESS_REVIEW_MONTHS
    total = start.year * 12 + start.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def period_label(review: AccessReview) -> str:
    """``2026-10 至 2026-12`` (or the single month)."""
    start, end = review.period_start, review.period_end
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%Y-%m}"
    return _("%(start)s 至 %(end)s") % {"start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"}


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


# --- the snapshot ---------------------------------------------------------------------


def role_label(code: str) -> str:
    """The Chinese name of a role code stored in a row's ``roles``."""
    if code.startswith("duty:"):
        return str(Duty(code[5:]).label)
    fixed = {"staff": _("管理后台账号"), "superuser": _("超级用户"), "head": _("部门负责人"),
             "leader": _("分管领导"), "officer": _("信息联络员")}
    if code in fixed:
        return str(fixed[code])
    try:
        return str(RoleAssignment.Role(code).label)
    except ValueError:
        return code


UNIT_HOW = {"member": gettext_lazy("所属"), "officer": gettext_lazy("联络员"), "head": gettext_lazy("负责人"),
            "leader": gettext_lazy("分管")}


def unit_text(entry: str) -> str:
    """``生产部（联络员）`` for a stored unit entry ``"officer:12:生产部"``."""
    how, _pk, name = entry.split(":", 2)
    return "%s（%s）" % (name, str(UNIT_HOW.get(how, how)))


_DEFAULT_ACTIONS = {"view": gettext_lazy("查看"), "add": gettext_lazy("添加"),
                    "change": gettext_lazy("修改"), "delete": gettext_lazy("删除")}


def permission_labels() -> dict[str, str]:
    """``{"app.codename": readable name}`` for every permission, in one query:
    a custom permission's own name (可签收和反馈信息), a default one as its
    action and model ("查看信息" rather than "Can view 信息"); the review's page
    and workbook show these instead of the stored codes. An unknown code (a
    permission removed since the review) stays as stored."""
    labels = {}
    for perm in Permission.objects.select_related("content_type"):
        action, _sep, _model = perm.codename.partition("_")
        model = perm.content_type.model_class()
        if action in _DEFAULT_ACTIONS and model is not None and perm.codename == f"{action}_{model._meta.model_name}":
            label = f"{_DEFAULT_ACTIONS[action]}{model._meta.verbose_name}"
        else:
            label = perm.name
        labels[f"{perm.content_type.app_label}.{perm.codename}"] = str(label)
    return labels


def _permission_names() -> dict[int, str]:
    return {pk: f"{app}.{code}" for pk, app, code in
            Permission.objects.values_list("pk", "content_type__app_label", "codename")}


def snapshot(*, now: dt.datetime | None = None) -> list[dict]:
    """Who can see what right now: one dict per active user, by username:
    ``{"user_id", "username", "full_name", "data": {...}}`` where data holds
    sorted lists ``roles`` (role codes, see ``role_label``), ``groups``,
    ``units`` ("how:id:name"), ``restricted`` ("id:number"), ``perms``
    ("app.codename", model-level, direct or through a group, and
    "obj:app.codename×N" for object permissions) and ``delegations`` (texts,
    not compared). Set-wise queries for everything but the restricted items,
    which take items_visible_to per user (two queries each)."""
    now = now or timezone.now()
    users = list(User.objects.filter(is_active=True).order_by("username"))
    ids = [u.pk for u in users]
    roles = defaultdict(set)
    for user_id, role in RoleAssignment.objects.filter(user_id__in=ids).values_list("user_id", "role"):
        roles[user_id].add(role)
    for user_id, duty in AdminDuty.objects.filter(user_id__in=ids).values_list("user_id", "duty"):
        roles[user_id].add("duty:" + duty)
    units = defaultdict(set)
    for user_id, unit_id, name in StaffProfile.objects.filter(user_id__in=ids, unit__isnull=False).values_list(
            "user_id", "unit_id", "unit__name"):
        units[user_id].add(f"member:{unit_id}:{name}")
    for unit_id, name, head, leader in OrgUnit.objects.filter(is_active=True).values_list(
            "pk", "name", "head_id", "supervising_leader_id"):
        if head:
            units[head].add(f"head:{unit_id}:{name}")
            roles[head].add("head")
        if leader:
            units[leader].add(f"leader:{unit_id}:{name}")
            roles[leader].add("leader")
    for user_id, unit_id, name in Officer.objects.filter(status=Officer.Status.ACTIVE, user_id__in=ids).values_list(
            "user_id", "unit_id", "unit__name"):
        units[user_id].add(f"officer:{unit_id}:{name}")
        roles[user_id].add("officer")

    perm_names = _permission_names()
    groups, group_ids = defaultdict(set), defaultdict(set)
    for user_id, group_id, name in User.groups.through.objects.filter(user_id__in=ids).values_list(
            "user_id", "group_id", "group__name"):
        groups[user_id].add(name)
        group_ids[user_id].add(group_id)
    group_perms = defaultdict(set)
    for group_id, perm_id in Group.permissions.through.objects.values_list("group_id", "permission_id"):
        group_perms[group_id].add(perm_names[perm_id])
    perms = defaultdict(set)
    for user_id, perm_id in User.user_permissions.through.objects.filter(user_id__in=ids).values_list(
            "user_id", "permission_id"):
        perms[user_id].add(perm_names[perm_id])
    object_counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for model in (ItemUserObjectPermission, UserObjectPermission):
        for user_id, perm_id, n in (model.objects.filter(user_id__in=ids).values("user_id", "permission_id")
                                    .annotate(n=Count("pk")).values_list("user_id", "permission_id", "n")):
            object_counts[user_id][perm_names[perm_id]] += n
    group_object_counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for model in (ItemGroupObjectPermission, GroupObjectPermission):
        for group_id, perm_id, n in (model.objects.values("group_id", "permission_id").annotate(n=Count("pk"))
                                     .values_list("group_id", "permission_id", "n")):
            group_object_counts[group_id][perm_names[perm_id]] += n

    delegations = defaultdict(list)
    for d in active_delegations(now).select_related("principal", "deputy").order_by("start", "pk"):
        until = timezone.localtime(d.end).strftime("%Y-%m-%d %H:%M")
        delegations[d.deputy_id].append(
            _("代理 %(who)s（至 %(until)s）") % {"who": _name(d.principal), "until": until})
        delegations[d.principal_id].append(
            _("由 %(who)s 代理（至 %(until)s）") % {"who": _name(d.deputy), "until": until})

    out = []
    for user in users:
        user_roles = set(roles[user.pk])
        if user.is_staff:
            user_roles.add("staff")
        if user.is_superuser:
            user_roles.add("superuser")
        user_perms = set(perms[user.pk])
        counts = defaultdict(int, object_counts[user.pk])
        for group_id in group_ids[user.pk]:
            user_perms |= group_perms[group_id]
            for name, n in group_object_counts[group_id].items():
                counts[name] += n
        user_perms |= {f"obj:{name}" for name in counts}
        restricted = items_visible_to(user).filter(confidentiality=Confidentiality.RESTRICTED).order_by("pk")
        out.append({
            "user_id": user.pk,
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "data": {
                "roles": sorted(user_roles),
                "groups": sorted(groups[user.pk]),
                "units": sorted(units[user.pk]),
                "restricted": [f"{pk}:{number or pk}" for pk, number in restricted.values_list("pk", "number")],
                "perms": sorted(user_perms),
                "object_counts": dict(sorted(counts.items())),
                "delegations": delegations[user.pk],
            },
        })
    return out


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def diff(old: dict | None, new: dict | None) -> tuple[str, dict]:
    """(change, changes) of one user between a baseline row's data ``old``
    and the current ``new`` (either None: new or removed user). ``changes``
    maps CHANGE_KINDS keys to sorted lists; empty ones left out."""
    if old is None and new is None:
        return Change.SAME, {}
    changes = {}
    for key, stem in COMPARED:
        before = set((old or {}).get(key, ()))
        after = set((new or {}).get(key, ()))
        if after - before:
            changes[f"{stem}_added"] = sorted(after - before)
        if before - after:
            changes[f"{stem}_removed"] = sorted(before - after)
    if old is None:
        return Change.NEW, changes
    if new is None:
        return Change.REMOVED, changes
    return (Change.CHANGED if changes else Change.SAME), changes


def _row_key(user_id, username) -> str:
    return f"id:{user_id}" if user_id else f"name:{username}"


def last_signed(before: dt.date | None = None) -> AccessReview | None:
    """The latest signed review (of a period starting before ``before``)."""
    qs = AccessReview.objects.filter(signed_at__isnull=False)
    if before is not None:
        qs = qs.filter(period_start__lt=before)
    return qs.order_by("-period_start").first()


@transaction.atomic
def generate_review(*, actor=None, now: dt.datetime | None = None) -> AccessReview:
    """Store the access review of the period containing ``now`` (one per
    period) and tell the secretariat; return it.

    ``actor`` None is the sweep. Raises PermissionDenied when ``actor`` may
    not generate (``may_generate``) and ValidationError when the period's
    review exists already. Serialised on the AccessReviewRun row, so a button
    and the sweep at the same moment make one review."""
    if actor is not None and not may_generate(actor):
        raise PermissionDenied
    now = now or timezone.now()
    AccessReviewRun.objects.select_for_update().get_or_create(pk=1)
    period, start, end = period_of(timezone.localtime(now).date())
    existing = AccessReview.objects.filter(period=period).first()
    if existing is not None:
        raise ValidationError(_("%(period)s 期的访问权限复核已于 %(at)s 生成，每期只生成一次。") % {
            "period": period, "at": timezone.localtime(existing.generated_at).strftime("%Y-%m-%d %H:%M")})
    baseline = last_signed(before=start)
    review = AccessReview(
        period=period, period_start=start, period_end=end, generated_at=now, generated_by=actor,
        baseline=baseline, due_at=add_working_days(now, settings.ACCESS_REVIEW_SIGN_DAYS),
    )
    review.notice_at = review.due_at
    review._history_user = actor
    review._change_reason = "generate"
    review.save()

    current = snapshot(now=now)
    old_rows = {}
    if baseline is not None:
        for row in baseline.rows.exclude(change=Change.REMOVED).order_by("pk"):
            old_rows[_row_key(row.user_id, row.username)] = row
    rows, seen_names = [], set()
    for entry in current:
        key = _row_key(entry["user_id"], entry["username"])
        old = old_rows.pop(key, None)
        change, changes = diff(old.data if old else None, entry["data"]) if baseline is not None else (Change.SAME, {})
        rows.append(AccessReviewRow(review=review, user_id=entry["user_id"], username=entry["username"],
                                    full_name=entry["full_name"], data=entry["data"], change=change, changes=changes))
        seen_names.add(entry["username"])
    for old in old_rows.values():  # in the baseline, no longer an active user
        if old.username in seen_names:
            continue
        change, changes = diff(old.data, None)
        rows.append(AccessReviewRow(review=review, user_id=old.user_id, username=old.username,
                                    full_name=old.full_name, data=old.data, change=change, changes=changes))
    AccessReviewRow.objects.bulk_create(rows, batch_size=500)
    review.user_count = len(current)
    review.changed_count = sum(1 for r in rows if r.change != Change.SAME)
    review.save(update_fields=["user_count", "changed_count"])
    audit.record(audit.Action.OTHER, user=actor, obj=review, detail=f"access review {period} generated")
    notices.review_ready(review, actor=actor)
    return review


@transaction.atomic
def sign_review(*, actor, review: AccessReview, note: str = "") -> AccessReview:
    """The secretariat signs ``review`` off (once). Raises PermissionDenied
    for anyone else and ValidationError when it is signed already (a second
    click or a colleague first). History and an audit row record it."""
    if not may_sign(actor):
        raise PermissionDenied
    review = AccessReview.objects.select_for_update().get(pk=review.pk)
    if review.signed_at is not None:
        raise ValidationError(_("该复核已由 %(who)s 于 %(at)s 签核，无需再次签核。") % {
            "who": _name(review.signed_by), "at": timezone.localtime(review.signed_at).strftime("%Y-%m-%d %H:%M")})
    review.signed_by = actor
    review.signed_at = timezone.now()
    review.sign_note = (note or "").strip()[:500]
    review.notice_at = NEVER
    review._history_user = actor
    review._change_reason = "sign"
    review.save(update_fields=["signed_by", "signed_at", "sign_note", "notice_at"])
    audit.record(audit.Action.OTHER, user=actor, obj=review, detail=f"access review {review.period} signed")
    return review


def changes_text(changes: dict, labels: dict[str, str] | None = None) -> list[tuple[str, list[str]]]:
    """A row's ``changes`` as (heading, readable entries) in CHANGE_KINDS order;
    ``labels`` as for ``readable``."""
    out = []
    for key, heading in CHANGE_KINDS.items():
        values = changes.get(key)
        if values:
            out.append((str(heading), [readable(key, v, labels) for v in values]))
    return out


def readable(key: str, value: str, labels: dict[str, str] | None = None) -> str:
    """One stored entry as shown on the page and in the workbook; ``labels``
    (``permission_labels()``) saves a query per permission entry."""
    if key.startswith("roles"):
        return role_label(value)
    if key.startswith("units"):
        return unit_text(value)
    if key.startswith("restricted"):
        return value.split(":", 1)[1]
    if key.startswith("perms"):
        labels = labels if labels is not None else permission_labels()
        if value.startswith("obj:"):
            return _("对象权限 %(perm)s") % {"perm": labels.get(value[4:], value[4:])}
        return labels.get(value, value)
    return value


# --- the workbook --------------------------------------------------------------------


def _cell(ws, value, bold=False):
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a name typed as "=…" stays text
    if bold:
        cell.font = Font(bold=True)
    return cell


def review_workbook(review: AccessReview, *, user, now: dt.datetime | None = None) -> bytes:
    """The .xlsx bytes of ``review``: one row per user (roles, groups, units,
    restricted items by number, permissions, delegations, the change and its
    details), with the watermark header/footer naming the organisation,
    ``user`` and ``now`` (liaison.sheetmark, issue 18 §4). Rows are read in
    chunks (``iterator``), so a large review is not held in memory twice."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(_("访问权限复核"))
    mark_openpyxl_sheet(ws, user, now)

    def row(values, bold=False):
        ws.append([_cell(ws, v, bold) for v in values])

    row([_("访问权限复核 %(period)s") % {"period": period_label(review)}], bold=True)
    signed = (_("已签核：%(who)s %(at)s") % {"who": _name(review.signed_by),
                                          "at": timezone.localtime(review.signed_at).strftime("%Y-%m-%d %H:%M")}
              if review.signed_at else _("未签核（期限 %(due)s）") % {
                  "due": timezone.localtime(review.due_at).strftime("%Y-%m-%d %H:%M")})
    row([_("生成时间"), timezone.localtime(review.generated_at).strftime("%Y-%m-%d %H:%M"), signed])
    row([])
    row([_("用户名"), _("姓名"), _("变化"), _("角色"), _("用户组"), _("单位"), _("可见的限定范围信息"), _("权限"),
         _("对象权限"), _("代理"), _("变化明细")], bold=True)
    labels = permission_labels()
    for r in review.rows.order_by("username", "pk").iterator(chunk_size=500):
        data = r.data or {}
        row([
            r.username, r.full_name, r.get_change_display(),
            "、".join(role_label(c) for c in data.get("roles", ())),
            "、".join(data.get("groups", ())),
            "、".join(unit_text(u) for u in data.get("units", ())),
            "、".join(readable("restricted", v) for v in data.get("restricted", ())),
            "、".join(labels.get(p, p) for p in data.get("perms", ()) if not p.startswith("obj:")),
            "、".join(f"{labels.get(name, name)}×{n}" for name, n in (data.get("object_counts") or {}).items()),
            "；".join(data.get("delegations", ())),
            "；".join(f"{heading}：{'、'.join(values)}" for heading, values in changes_text(r.changes or {}, labels)),
        ])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_workbook(*, actor, review: AccessReview) -> bytes:
    """``review_workbook`` for ``actor`` (PermissionDenied unless ``may_read``),
    with an audit row: a bulk export of who-can-see-what (personal data)."""
    if not may_read(actor):
        raise PermissionDenied
    data = review_workbook(review, user=actor)
    audit.record(audit.Action.EXPORT, user=actor, obj=review,
                 detail=f"access review {review.period} workbook, {review.rows.count()} rows")
    return data
