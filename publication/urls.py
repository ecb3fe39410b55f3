"""Included at the site root: /bulletin/ (every signed-in staff member) and
/publication/ (the secretariat's release desk)."""
from django.urls import path

from . import views

app_name = "publication"

urlpatterns = [
    path("bulletin/", views.bulletin, name="bulletin"),
    path("bulletin/<int:pk>/", views.bulletin_detail, name="bulletin-detail"),
    path("bulletin/<int:pk>/feedback", views.bulletin_feedback, name="bulletin-feedback"),
    path("publication/", views.desk, name="desk"),
    path("publication/calendar/", views.release_calendar_view, name="calendar"),
    path("publication/items/<int:item_pk>/release/", views.release_item, name="release"),
    path("publication/items/<int:item_pk>/plan/", views.plan_item, name="plan"),
    path("publication/items/<int:item_pk>/correct/", views.correct_item, name="correct"),
]
