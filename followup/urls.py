from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("reading/", views.reading_inbox, name="reading-inbox"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task-cancel"),
    path("tasks/<int:pk>/chase/", views.task_chase, name="task-chase"),
    # Every URL below fetches the item through items_visible_to (404 otherwise).
    path("items/<int:pk>/circulate/", views.circulate, name="circulate"),
    path("items/<int:pk>/read/", views.mark_read, name="mark-read"),
    path("items/<int:pk>/relay/", views.relay, name="relay"),
    path("items/<int:pk>/readers/", views.readers, name="readers"),
    path("items/<int:pk>/propose/", views.propose, name="propose"),
    path("items/<int:pk>/instruct/", views.instruct, name="instruct"),
]
