from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views as portal_views

from . import redirects, views, views_audit, views_notify, views_pickers

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", redirects.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", redirects.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("audit/", views_audit.audit_list, name="audit-list"),
    path("security/", include("dengbao.urls")),
    path("notifications/", views_notify.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read", views_notify.notification_read, name="notification-read"),
    path("notifications/read-all", views_notify.notification_read_all, name="notification-read-all"),
    path("notifications/preferences/", views_notify.notification_preferences, name="notification-preferences"),
    path("pickers/people/", views_pickers.people_search, name="people-search"),
    # Django's i18n URLs, with the language switch's ``next`` checked (liaison.redirects).
    path("i18n/setlang/", redirects.set_language, name="set_language"),
    path("officers/", include("officers.urls")),
    path("archive/", include("archive.urls")),
    path("exports/", include("infoflow.export_urls")),
    path("items/", include("infoflow.urls")),
    path("calls/", include("datacalls.urls")),
    path("", include("publication.urls")),  # /bulletin/ and /publication/
    path("briefs/", include("briefs.urls")),
    path("suggestions/", include("suggestions.urls")),
    path("followup/", include("followup.urls")),
    path("rules/", include("rules.urls")),
    path("library/", include("library.urls")),
    path("relations/", include("relations.urls")),
    path("incidents/", include("incidents.urls")),
    path("reports/", include("reports.urls")),
    path("surveys/", include("surveys.urls")),
    path("assessment/", include("officers.urls_assessment")),
    # The admin's login with its ``next`` checked (liaison.redirects), ahead of the admin's own URL.
    path("admin/login/", redirects.checked_next(admin.site.login), name="admin-login-checked"),
    path("directory/", include("directory.urls")),  # directory login, WeCom / DingTalk sign-in (issue 20)
    path("admin/", admin.site.urls),
]

if settings.BENCH_FLOOR:  # bench/http.py only (LIAISON_BENCH_FLOOR=1)
    urlpatterns.append(path("bench/floor/", views.bench_floor, name="bench-floor"))
