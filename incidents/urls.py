from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_new, name="new"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/assign", views.assign, name="assign"),
    path("<int:pk>/severity", views.severity, name="severity"),
    path("<int:pk>/entry", views.entry, name="entry"),
    path("<int:pk>/link", views.link, name="link"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen", views.reopen, name="reopen"),
]
