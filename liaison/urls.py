from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views, views_audit, views_notify

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("audit/", views_audit.audit_list, name="audit-list"),
    path("notifications/", views_notify.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read", views_notify.notification_read, name="notification-read"),
    path("notifications/read-all", views_notify.notification_read_all, name="notification-read-all"),
    path("notifications/preferences/", views_notify.notification_preferences, name="notification-preferences"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("officers/", include("officers.urls")),
    path("archive/", include("archive.urls")),
    path("exports/", include("infoflow.export_urls")),
    path("items/", include("infoflow.urls")),
    path("admin/", admin.site.urls),
]
