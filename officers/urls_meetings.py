"""Meetings, action items and trainings (included from officers.urls, namespace "officers")."""
from django.urls import path

from . import views_meetings as v

urlpatterns = [
    path("meetings/", v.meeting_list, name="meeting-list"),
    path("meetings/new/", v.meeting_create, name="meeting-create"),
    path("meetings/attendance/", v.attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/", v.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/respond/", v.meeting_respond, name="meeting-respond"),
    path("meetings/<int:pk>/notify/", v.meeting_notify, name="meeting-notify"),
    path("meetings/<int:pk>/cancel/", v.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/record/", v.meeting_attendance, name="meeting-record"),
    path("meetings/<int:pk>/minutes/", v.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/minutes/file/", v.meeting_minutes_file, name="meeting-minutes-file"),
    path("meetings/<int:pk>/actions/", v.action_add, name="meeting-action-add"),
    path("actions/", v.action_list, name="action-list"),
    path("actions/<int:pk>/done/", v.action_done, name="action-done"),
    path("trainings/", v.training_list, name="training-list"),
    path("trainings/new/", v.training_create, name="training-create"),
    path("trainings/hours/", v.training_hours, name="training-hours"),
    path("trainings/inductions/", v.induction_list, name="induction-list"),
    path("trainings/<int:pk>/", v.training_detail, name="training-detail"),
    path("trainings/<int:pk>/attendance/", v.training_attendance, name="training-attendance"),
    path("trainings/<int:pk>/materials/", v.training_materials, name="training-materials"),
]
