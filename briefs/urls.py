from django.urls import path

from . import views

app_name = "briefs"

urlpatterns = [
    path("", views.issue_list, name="list"),
    path("new/", views.issue_create, name="create"),
    path("<int:pk>/", views.issue_detail, name="detail"),
    path("<int:pk>/edit/", views.issue_edit, name="edit"),
    path("<int:pk>/add", views.entry_add, name="add"),
    path("<int:pk>/publish", views.issue_publish, name="publish"),
    path("<int:pk>/issue.pdf", views.issue_file, {"kind": "pdf"}, name="pdf"),
    path("<int:pk>/issue.docx", views.issue_file, {"kind": "docx"}, name="docx"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry-edit"),
    path("entries/<int:pk>/move", views.entry_move, name="entry-move"),
    path("entries/<int:pk>/remove", views.entry_remove, name="entry-remove"),
    path("adoptions/", views.adoptions, name="adoptions"),
    path("summary/", views.summary_page, name="summary"),
    path("summary.xlsx", views.summary_xlsx, name="summary-xlsx"),
]
