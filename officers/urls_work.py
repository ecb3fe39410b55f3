"""URLs of work reports, replacement flags and accountability cases (joined
to officers.urls, namespace "officers")."""
from django.urls import path

from . import views_work as views

urlpatterns = [
    path("work-reports/", views.report_list, name="work-reports"),
    path("work-reports/<int:pk>/", views.report_detail, name="work-report"),
    path("replacement-flags/", views.flag_list, name="flags"),
    path("replacement-flags/<int:pk>/", views.flag_detail, name="flag"),
    path("accountability/", views.case_list, name="cases"),
    path("accountability/new/", views.case_new, name="case-new"),
    path("accountability/<int:pk>/", views.case_detail, name="case"),
]
