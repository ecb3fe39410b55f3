"""The login page's WeCom / DingTalk buttons (registration/login.html)."""
from django import template

from directory import sso

register = template.Library()


@register.inclusion_tag("directory/_sso_buttons.html")
def sso_buttons(next_url=""):
    """A button per platform whose sign-in is on (MessengerApp + the secret)."""
    return {"platforms": [app for app in (sso.login_app(p) for p in sso.PLATFORMS) if app is not None],
            "next": next_url or ""}
