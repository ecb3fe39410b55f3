from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("t/<str:token>/", views.public, name="public"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/settings", views.edit_settings, name="settings"),
    path("<int:pk>/questions/add", views.question_add, name="question-add"),
    path("<int:pk>/questions/<int:question_pk>/", views.question_edit, name="question-edit"),
    path("<int:pk>/questions/<int:question_pk>/delete", views.question_delete, name="question-delete"),
    path("<int:pk>/questions/<int:question_pk>/move", views.question_move, name="question-move"),
    path("<int:pk>/recipients", views.recipients_add, name="recipients"),
    path("<int:pk>/recipients/<int:recipient_pk>/remove", views.recipient_remove, name="recipient-remove"),
    path("<int:pk>/viewers", views.viewers, name="viewers"),
    path("<int:pk>/open", views.open_view, name="open"),
    path("<int:pk>/copy", views.copy, name="copy"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/links/", views.links, name="links"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.xlsx", views.export, name="export"),
    path("<int:pk>/answer/", views.answer, name="answer"),
]
