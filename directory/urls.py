from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("sso/<str:platform>/start/", views.sso_start, name="sso-start"),
    path("sso/<str:platform>/callback/", views.sso_callback, name="sso-callback"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/reviewed/", views.report_reviewed, name="report-reviewed"),
    path("reports/<int:pk>/deactivate/<int:user_id>/", views.report_deactivate, name="report-deactivate"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
]
