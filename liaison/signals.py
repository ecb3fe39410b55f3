"""Framework glue that writes the audit log (liaison.audit) and keeps the
password change time. Connected in LiaisonConfig.ready().

Covered: logins, logouts, failed logins, lockouts (axes), password changes
(any ``set_password`` followed by ``save``: the password change page, the
admin's password form, ``changepassword``, ``createsuperuser``), and
permission changes: is_staff / is_superuser / is_active, a user's groups and
permissions (either side of the relation), a group's permissions, and
organisation roles (officers.RoleAssignment). Bulk ``QuerySet.update()`` on
these fields skips signals and is not used by the application.
"""
import time

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from liaison import audit
from liaison.middleware import LAST_SEEN_KEY, LOGIN_AT_KEY
from liaison.models import PasswordRecord

Action = audit.Action
FLAG_LABELS = {"is_staff": "管理后台权限", "is_superuser": "超级用户", "is_active": "账户启用"}


# --- logins -------------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # The 12-hour limit counts from here (SessionLimitsMiddleware).
        now = time.time()
        request.session[LOGIN_AT_KEY] = now
        request.session[LAST_SEEN_KEY] = now
    audit.record(Action.LOGIN, user=user, request=request)


def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return  # logging out an anonymous visitor
    reason = getattr(request, "liaison_logout_reason", "")
    audit.record(Action.LOGOUT, user=user, request=request, detail=reason)


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username") or ""
    detail = ""
    # Axes' receiver runs first (it is installed before liaison) and has
    # marked the request: refused because already locked, or this failure
    # started the lock (then the lockout row is written separately).
    if getattr(request, "axes_locked_out", False) and not getattr(request, "liaison_lock_started", False):
        detail = "账户锁定期间的登录尝试，未核对密码"
    audit.record(
        Action.LOGIN_FAILED,
        user=audit.user_named(username),
        request=request,
        username=username,
        result=audit.Result.FAILURE,
        detail=detail,
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    if request is not None:
        request.liaison_lock_started = True
    audit.record(
        Action.LOCKOUT,
        user=audit.user_named(username),
        request=request,
        username=username or "",
        result=audit.Result.FAILURE,
        detail="%s 分钟内登录失败 %s 次，锁定 %s 分钟"
        % (settings.LOGIN_FAILURE_WINDOW_MINUTES, settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_MINUTES),
    )


# --- users: password and account flags ------------------------------------------


def on_user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(FLAG_LABELS):
        return  # e.g. last_login on every login: no extra query
    instance._liaison_old_flags = (
        sender.objects.filter(pk=instance.pk).values(*FLAG_LABELS).first()
    )


def on_user_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    # Django sets _password in set_password() and clears it after save();
    # a hash upgrade at login clears it before saving, so it is not counted.
    if getattr(instance, "_password", None) is not None:
        PasswordRecord.objects.update_or_create(user=instance, defaults={"changed_at": timezone.now()})
        actor = _actor()
        if created:
            detail = "新建账户时设置密码"
        elif actor is not None and actor.pk != instance.pk:
            detail = "由 %s 重置密码" % actor.get_username()
        else:
            detail = "本人修改密码"
        audit.record(Action.PASSWORD_CHANGE, user=actor or instance, obj=instance, detail=detail)

    old = getattr(instance, "_liaison_old_flags", None)
    instance._liaison_old_flags = None
    if created:
        old = {"is_staff": False, "is_superuser": False, "is_active": True}
    if not old:
        return
    changes = []
    for field, label in FLAG_LABELS.items():
        before, after = old[field], getattr(instance, field)
        if before != after:
            changes.append("%s：%s → %s" % (label, "是" if before else "否", "是" if after else "否"))
    if changes:
        audit.record(Action.PERMISSION_CHANGE, user=_actor(), obj=instance, detail="；".join(changes))


def _actor():
    request = audit.current_request()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# --- groups and permissions -------------------------------------------------------


def _names(model, pks):
    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).select_related("content_type")
        return "、".join(sorted(f"{p.content_type.app_label}.{p.codename}" for p in rows))
    if model is Group:
        return "、".join(sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True)))
    return "、".join(sorted(model.objects.filter(pk__in=pks).values_list("username", flat=True)))


def on_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """One audit row per user (or group) whose rights changed."""
    if action == "pre_clear":
        # What is about to go, for the post_clear row.
        instance._liaison_cleared = set(getattr(instance, _relation_name(sender, instance)).values_list("pk", flat=True))
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_liaison_cleared", set())
    elif action not in ("post_add", "post_remove"):
        return
    if not pk_set:
        return
    verb = "加入" if action == "post_add" else "移出"
    User = get_user_model()
    if sender is User.groups.through:
        what = "用户组"
    elif sender is User.user_permissions.through:
        what = "权限"
    else:
        what = "组权限"
    if isinstance(instance, User) or (sender is Group.permissions.through and isinstance(instance, Group)):
        audit.record(
            Action.PERMISSION_CHANGE, user=_actor(), obj=instance, detail="%s%s：%s" % (verb, what, _names(model, pk_set))
        )
    else:
        # Reverse side: group.user_set.add(...) or permission.user_set... —
        # record it against each user (or group) concerned.
        for target in model.objects.filter(pk__in=pk_set).order_by("pk"):
            audit.record(Action.PERMISSION_CHANGE, user=_actor(), obj=target, detail="%s%s：%s" % (verb, what, instance))


def _relation_name(sender, instance):
    User = get_user_model()
    if sender is User.groups.through:
        return "groups" if isinstance(instance, User) else "user_set"
    if sender is User.user_permissions.through:
        return "user_permissions" if isinstance(instance, User) else "user_set"
    return "permissions" if isinstance(instance, Group) else "group_set"


# --- organisation roles --------------------------------------------------------------


def on_role_pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._liaison_old_role = sender.objects.filter(pk=instance.pk).values_list("role", flat=True).first()


def on_role_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, "_liaison_old_role", None)
    if created:
        detail = "授予角色：%s" % instance.get_role_display()
    elif old and old != instance.role:
        detail = "角色变更：%s → %s" % (sender.Role(old).label, instance.get_role_display())
    else:
        return
    audit.record(Action.PERMISSION_CHANGE, user=_actor(), obj=instance.user, detail=detail)


def on_role_post_delete(sender, instance, **kwargs):
    user = get_user_model().objects.filter(pk=instance.user_id).first()
    audit.record(
        Action.PERMISSION_CHANGE,
        user=_actor(),
        obj=user,
        detail="撤销角色：%s" % instance.get_role_display(),
    )


def connect_roles(role_model):
    """Audit organisation roles; called by the app that owns them
    (officers.apps), so liaison imports no app."""
    uid = "liaison.audit"
    pre_save.connect(on_role_pre_save, sender=role_model, dispatch_uid=f"{uid}.role_pre_save")
    post_save.connect(on_role_post_save, sender=role_model, dispatch_uid=f"{uid}.role_post_save")
    post_delete.connect(on_role_post_delete, sender=role_model, dispatch_uid=f"{uid}.role_post_delete")


def connect():
    User = get_user_model()
    uid = "liaison.audit"
    user_logged_in.connect(on_logged_in, dispatch_uid=f"{uid}.login")
    user_logged_out.connect(on_logged_out, dispatch_uid=f"{uid}.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid=f"{uid}.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid=f"{uid}.locked_out")
    pre_save.connect(on_user_pre_save, sender=User, dispatch_uid=f"{uid}.user_pre_save")
    post_save.connect(on_user_post_save, sender=User, dispatch_uid=f"{uid}.user_post_save")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(on_m2m_changed, sender=through, dispatch_uid=f"{uid}.m2m.{through._meta.label}")
