from django.urls import path

from . import views

app_name = "rules"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("pending/", views.pending, name="pending"),
    path("new/", views.document_new, name="document-new"),
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/versions/new/", views.version_new, name="version-new"),
    path("<int:pk>/keep/", views.document_keep, name="document-keep"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/file/", views.version_file, name="version-file"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version-edit"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version-publish"),
    path("versions/<int:pk>/confirm/", views.version_confirm, name="version-confirm"),
    path("versions/<int:pk>/receipts/", views.version_receipts, name="version-receipts"),
]
