from django.urls import path

from . import views

app_name = "archive"

urlpatterns = [
    path("", views.catalogue_view, name="catalogue"),
    path("catalogue.xlsx", views.catalogue_xlsx, name="catalogue-xlsx"),
    path("records/<int:pk>/", views.record_detail, name="record-detail"),
    path("records/<int:pk>/files/<int:index>/", views.file_download, name="file-download"),
    path("records/<int:pk>/files/<int:index>/preview/", views.file_preview, name="file-preview"),
    path("records/<int:pk>/hold/", views.hold_set, name="hold-set"),
    path("records/<int:pk>/appraise/", views.appraise, name="appraise"),
    path("records/<int:pk>/paper-location/", views.paper_location, name="paper-location"),
    path("records/<int:pk>/archivists/", views.archivists, name="archivists"),
    path("holds/<int:pk>/lift/", views.hold_lift, name="hold-lift"),
    path("items/<int:item_pk>/archive/", views.archive_now, name="archive-now"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("report/verify/", views.verify_now, name="verify-now"),
    path("report/gaps/", views.gap_explain, name="gap-explain"),
    path("disposal/", views.disposal, name="disposal"),
    path("disposal/propose/", views.disposal_propose, name="disposal-propose"),
    path("disposal/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("destruction.xlsx", views.destruction_xlsx, name="destruction-xlsx"),
]
