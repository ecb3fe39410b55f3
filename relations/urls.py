from django.urls import path

from . import views

app_name = "relations"

urlpatterns = [
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/new/", views.visit_create, name="visit-create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit-edit"),
    path("visits/<int:pk>/actions/add", views.action_add, name="action-add"),
    path("actions/<int:pk>/done", views.action_done, name="action-done"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("obligations/", views.calendar, name="calendar"),
    path("obligations/<int:pk>/", views.occurrence_detail, name="occurrence-detail"),
    path("obligations/<int:pk>/done", views.occurrence_done, name="occurrence-done"),
    path("obligations/<int:pk>/proof", views.occurrence_proof, name="occurrence-proof"),
    path("members/", views.member_change_list, name="member-change-list"),
    path("members/profiles/", views.member_profiles, name="member-profiles"),
    path("members/<int:unit_pk>/report/", views.member_change_new, name="member-change-new"),
    path("members/changes/<int:pk>/", views.member_change_detail, name="member-change-detail"),
    path("members/changes/<int:pk>/approve", views.member_change_approve, name="member-change-approve"),
    path("members/changes/<int:pk>/return", views.member_change_return, name="member-change-return"),
]
