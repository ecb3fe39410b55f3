from django.urls import path

from . import views

app_name = "suggestions"

urlpatterns = [
    path("", views.index, name="list"),
    path("new/", views.new, name="new"),
    path("track/", views.track, name="track"),
    path("mine/", views.mine, name="mine"),
    path("statistics/", views.statistics, name="stats"),
    path("export.csv", views.export, name="export"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/assign", views.assign, name="assign"),
    path("<int:pk>/note", views.note, name="note"),
    path("<int:pk>/answer", views.answer, name="answer"),
    path("<int:pk>/reward", views.reward_propose, name="reward"),
    path("<int:pk>/reward/decide", views.reward_decide, name="reward-decide"),
    path("<int:pk>/close/", views.close, name="close"),
    path("photos/<int:pk>", views.photo, name="photo"),
]
