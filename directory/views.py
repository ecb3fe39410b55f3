"""Pages of the directory app: WeCom / DingTalk sign-in (start and
callback), HR's sync reports and contacts imports. Thin: selectors fetch,
services decide."""
import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoflow.views.common import paginate_counted
from liaison import audit
from liaison.models import AuditEntry
from liaison.redirects import safe_next

from . import contacts, selectors, services, sso
from .errors import ImportRefused, LiaisonError, PlatformError, SignInRefused
from .models import MessengerApp, Source

SESSION_KEY = "directory_sso"
STATE_MAX_AGE = 600  # seconds between leaving for the platform and coming back
PAGE_SIZE = 20


def _refused(request, message, status=403):
    return render(request, "directory/sso_refused.html", {"message": message}, status=status)


def sso_start(request, platform):
    """Leave for the platform's login page with a fresh ``state`` kept in the session."""
    app = sso.login_app(platform)
    if app is None:
        raise Http404
    state = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "state": state, "platform": platform, "at": time.time(), "next": safe_next(request.GET.get("next"), ""),
    }
    agent = request.headers.get("User-Agent", "")
    in_app = request.GET.get("mode") == "app" or ("wxwork" in agent.lower() if platform == "wecom" else "dingtalk"
                                                  in agent.lower())
    redirect_uri = settings.SITE_URL.rstrip("/") + reverse("directory:sso-callback", args=[platform])
    return redirect(sso.authorize_url(app, redirect_uri=redirect_uri, state=state, in_app=in_app))


def sso_callback(request, platform):
    """Back from the platform: check ``state``, turn the code into our user, log in."""
    if platform not in sso.PLATFORMS:
        raise Http404
    stored = request.session.pop(SESSION_KEY, None) or {}
    given = request.GET.get("state", "")
    if (
        stored.get("platform") != platform
        or not given
        or not constant_time_compare(stored.get("state", ""), given)
        or time.time() - stored.get("at", 0) > STATE_MAX_AGE
    ):
        audit.record(AuditEntry.Action.LOGIN_FAILED, request=request, result=AuditEntry.Result.FAILURE,
                     detail="%s 登录被拒绝（state 不符或已过期）" % MessengerApp.Platform(platform).label)
        return _refused(request, _("登录请求已失效或不是从本站发起的，请回到登录页重新扫码。"))
    code = request.GET.get("code") or request.GET.get("authCode") or ""
    try:
        user = sso.sign_in(platform, code=code, request=request)
    except SignInRefused as refused:
        return _refused(request, refused.message)
    except PlatformError as error:
        return _refused(request, _("暂时无法连接企业微信/钉钉（%(reason)s），请稍后重试或使用账号密码登录。")
                        % {"reason": error.message}, status=502)
    # Sessions, audit rows and session limits as for a password login (liaison.signals).
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(safe_next(stored.get("next"), "") or settings.LOGIN_REDIRECT_URL)


def _hr_only(request):
    if not services.may_manage(request.user):
        raise Http404


@login_required
def report_list(request):
    _hr_only(request)
    page = paginate_counted(request, selectors.report_list(request.user))  # PAGE_SIZE rows, one query
    return render(request, "directory/reports.html", {"page": page})


@login_required
def report_detail(request, pk):
    report = get_object_or_404(selectors.reports_visible_to(request.user), pk=pk)
    kind = request.GET.get("kind", "")
    rows = [r for r in report.rows if not kind or r.get("kind") == kind]
    active = set()
    ids = [r["user_id"] for r in rows if r.get("user_id")]
    if ids:
        active = set(get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "directory/report.html", {"report": report, "page": page, "active": active, "kind": kind})


@login_required
@require_POST
def report_deactivate(request, pk, user_id):
    report = get_object_or_404(selectors.reports_visible_to(request.user), pk=pk)
    try:
        done = services.deactivate_from_report(report=report, user_id=user_id, actor=request.user)
    except LiaisonError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("账号已停用，%(count)s 个待审核环节已转交。") % {"count": len(done)})
    return redirect("directory:report", pk=report.pk)


@login_required
@require_POST
def report_reviewed(request, pk):
    report = get_object_or_404(selectors.reports_visible_to(request.user), pk=pk)
    services.mark_report_reviewed(report=report, actor=request.user)
    messages.success(request, _("已标记为已查阅。"))
    return redirect("directory:report", pk=report.pk)


@login_required
def import_list(request):
    _hr_only(request)
    if request.method == "POST":
        source = request.POST.get("source", "")
        if source not in Source.values:
            messages.error(request, _("请选择通讯录来源。"))
        else:
            try:
                record = contacts.read_contacts(source=source, actor=request.user)
            except LiaisonError as error:
                messages.error(request, error.message)
            else:
                return redirect("directory:import", pk=record.pk)
    page = Paginator(selectors.imports_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "directory/imports.html", {"page": page, "sources": Source.choices})


@login_required
def import_detail(request, pk):
    record = get_object_or_404(selectors.imports_visible_to(request.user).defer(None), pk=pk)
    people = Paginator(record.plan.get("people", []), 100).get_page(request.GET.get("page"))
    return render(request, "directory/import.html", {"record": record, "people": people,
                                                     "counts": record.plan.get("counts", {})})


@login_required
@require_POST
def import_confirm(request, pk):
    record = get_object_or_404(selectors.imports_visible_to(request.user), pk=pk)
    try:
        if request.POST.get("cancel"):
            contacts.cancel_import(record=record, actor=request.user)
            messages.success(request, _("已放弃本次导入。"))
        else:
            counts = contacts.apply_import(record=record, actor=request.user)
            messages.success(request, _("已导入：新建单位 %(units)s 个，新建用户 %(new)s 个，关联 %(link)s 人。") % {
                "units": counts.get("units_new", 0), "new": counts.get("new", 0), "link": counts.get("link", 0)})
    except (ImportRefused, PermissionDenied) as error:
        messages.error(request, getattr(error, "message", "") or _("您无权执行此操作。"))
    return redirect("directory:import", pk=record.pk)
