from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_new, name="entry-new"),
    path("<int:pk>/", views.entry_detail, name="entry"),
    path("<int:pk>/edit/", views.entry_edit, name="entry-edit"),
    path("<int:pk>/withdraw/", views.entry_withdraw, name="entry-withdraw"),
    path("<int:pk>/restore", views.entry_restore, name="entry-restore"),
    path("<int:pk>/feature", views.entry_feature, name="entry-feature"),
    path("<int:pk>/files/<int:file_pk>", views.entry_file, name="entry-file"),
    path("file-item/<int:item_pk>", views.file_item, name="file-item"),
    path("needs/", views.need_list, name="needs"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need-edit"),
    path("needs/<int:pk>/close/", views.need_close, name="need-close"),
]
