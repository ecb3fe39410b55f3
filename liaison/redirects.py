"""Where a ``next`` parameter may send the browser: a path on this site, never
another address (issue 10: a failed archive action redirected to any URL).

``safe_next`` is the one check; every view that reads ``next`` goes through
it: the archive actions, the notification centre, login (the portal's and
the admin's), logout and the language switch. It accepts only a path that starts with one "/" and that
Django's ``url_has_allowed_host_and_scheme`` sees as having no host and no
scheme, so ``//evil.example``, ``/\\evil.example``, ``https://evil.example``,
``javascript:…``, control characters and even an absolute URL naming this very
host are refused (a path is all a form on this site ever sends).
"""
from functools import wraps

from django.contrib.auth import views as auth_views
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import i18n as i18n_views


def safe_next(url, default=None):
    """``url`` if it is a path on this site, else ``default``."""
    if not isinstance(url, str):
        return default
    url = url.strip()
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return default
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return default
    return url


def next_from(request, default=None):
    """The request's ``next`` (POST first, then the query string), checked."""
    return safe_next(request.POST.get("next", request.GET.get("next")), default)


class LoginView(auth_views.LoginView):
    def get_redirect_url(self):
        return next_from(self.request, "")


class LogoutView(auth_views.LogoutView):
    def get_redirect_url(self):
        return next_from(self.request, "")


def checked_next(view):
    """Wrap a view of Django's (the language switch, the admin's login) so it
    only ever sees a ``next`` that ``safe_next`` accepts; an unsafe one is
    dropped and the view falls back to its own default."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        for name in ("GET", "POST"):
            params = getattr(request, name)
            if "next" in params:
                params = params.copy()
                checked = safe_next(params["next"])
                if checked is None:
                    del params["next"]
                else:
                    params["next"] = checked
                setattr(request, name, params)
        return view(request, *args, **kwargs)

    return wrapped


# Django's language switch: an unsafe ``next`` falls back to the referring page, else "/".
set_language = checked_next(i18n_views.set_language)
