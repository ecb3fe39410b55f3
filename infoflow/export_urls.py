"""Excel downloads, included at /exports/ (namespace "exports")."""
from django.urls import path

from . import export_views as views

app_name = "exports"

urlpatterns = [
    path("log/", views.log_export, name="log"),
    path("log/all/", views.log_overview, name="log-overview"),
    path("log/background/", views.log_export_start, name="log-start"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<uuid:public_id>/", views.job_detail, name="job"),
    path("jobs/<uuid:public_id>/download/", views.job_download, name="job-download"),
    path("roster/", views.roster_export, name="roster"),
]
