"""The second factor's pages: verify, enrol (QR code drawn here as inline
SVG), recovery codes, and another administrator's reset of a lost device."""
import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from liaison import audit
from liaison.redirects import next_from, safe_next

from . import access_review, selectors, services
from .duties import level3, needs_second_factor
from .forms import TokenForm

User = get_user_model()
PENDING_KEY = "dengbao_pending_totp_key"


def _next(request) -> str:
    return next_from(request, "dengbao:overview")


@login_required
def overview(request):
    """The user's own second factor, and for administrators who may reset
    devices, the administrators' list."""
    if not selectors.may_use_second_factor(request.user):
        raise PermissionDenied
    context = {
        "enrolled": services.has_second_factor(request.user),
        "codes_left": selectors.codes_left(request.user),
        "verified": request.user.is_verified(),
        "required": needs_second_factor(request.user),
        "level3": level3(),
        "admins": selectors.administrators_for(request.user),
        "may_reviews": access_review.may_read(request.user),
        "may_batches": selectors.may_see_archive_batches(request.user),
    }
    return render(request, "dengbao/overview.html", context)


@login_required
def verify(request):
    """Enter the authenticator's code (or a recovery code) for this session."""
    if not services.has_second_factor(request.user):
        return redirect("dengbao:enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit.record(audit.Action.LOGIN, user=request.user, detail="second factor passed")
            return redirect(_next(request))
        audit.record(audit.Action.LOGIN_FAILED, user=request.user, result=audit.Result.FAILURE,
                     detail="second factor failed")
        form.add_error("token", _("验证码不正确或已过期。请输入身份验证器上当前显示的 6 位数字，或一个未用过的恢复码。"))
    return render(request, "dengbao/verify.html", {"form": form, "next": safe_next(request.GET.get("next"), "")})


@login_required
def enrol(request):
    """Scan the QR code, type the code shown, get the recovery codes."""
    if not selectors.may_use_second_factor(request.user):
        raise PermissionDenied
    if services.has_second_factor(request.user):
        messages.info(request, _("您已绑定身份验证器。如设备丢失，请联系其他管理员重置。"))
        return redirect("dengbao:overview")
    key = request.session.get(PENDING_KEY) or services.new_secret()
    request.session[PENDING_KEY] = key  # the same QR code until confirmed; nothing in the database yet
    device = services.pending_device(user=request.user, key=key)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.confirm_enrolment(user=request.user, key=key, token=form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error("token", exc.messages[0])
        else:
            del request.session[PENDING_KEY]
            otp_login(request, device)
            return render(request, "dengbao/codes.html", {"codes": codes, "next": _next(request)})
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        # segno writes the SVG from our own data (the otpauth URL): no user input reaches it unescaped.
        "qr_svg": mark_safe(qr.svg_inline(scale=5, dark="#000", light="#fff", omitsize=True)),  # noqa: S308
        "secret": selectors.secret_groups(device),
        "next": next_from(request, ""),
    }
    return render(request, "dengbao/enrol.html", context)


@login_required
@require_POST
def recovery_codes(request):
    """New recovery codes (the old ones stop working); needs this session verified."""
    if not request.user.is_verified():
        return redirect(f"{_verify_url()}?next={reverse('dengbao:overview')}")
    try:
        codes = services.new_recovery_codes(user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("dengbao:overview")
    return render(request, "dengbao/codes.html", {"codes": codes, "next": "dengbao:overview"})


def _verify_url():
    return reverse("dengbao:verify")


@login_required
def reset(request, user_id):
    """Confirm, then remove a colleague's lost authenticator (audited)."""
    target = get_object_or_404(selectors.administrators_for(request.user), pk=user_id)
    if not services.may_reset_second_factor(request.user, target):
        raise PermissionDenied
    if level3() and not request.user.is_verified():
        return redirect(f"{_verify_url()}?next={request.path}")
    if request.method == "POST":
        services.reset_second_factor(actor=request.user, user=target)
        messages.success(request, _("已重置 %(user)s 的身份验证器和恢复码；其下次进入管理页面时需重新绑定。")
                         % {"user": target.get_full_name() or target.username})
        return redirect("dengbao:overview")
    return render(request, "dengbao/reset_confirm.html", {"target": target})
