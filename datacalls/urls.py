from django.urls import path

from . import views

app_name = "datacalls"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_form, name="create"),
    path("flags/", views.flags, name="flags"),
    path("series/<int:pk>/", views.series, name="series"),
    path("series/<int:pk>/edit/", views.call_form, name="series-edit"),
    path("series/<int:pk>/send", views.series_action, {"action": "send"}, name="series-send"),
    path("series/<int:pk>/end", views.series_action, {"action": "end"}, name="series-end"),
    path("series/<int:pk>/attachment", views.call_file, {"kind": "attachment"}, name="series-attachment"),
    path("series/<int:pk>/template.xlsx", views.call_file, {"kind": "template"}, name="series-template"),
    path("files/<int:pk>", views.field_file, name="file"),
    path("answers/<int:pk>/", views.answer, name="answer"),
    path("answers/<int:pk>/upload.xlsx", views.answer_file, name="answer-upload"),
    path("answers/<int:pk>/return", views.answer_action, {"action": "return"}, name="answer-return"),
    path("answers/<int:pk>/accept", views.answer_action, {"action": "accept"}, name="answer-accept"),
    path("answers/<int:pk>/approve", views.answer_action, {"action": "approve"}, name="answer-approve"),
    path("answers/<int:pk>/head-return", views.answer_action, {"action": "head_return"}, name="answer-head-return"),
    path("<int:pk>/", views.occurrence, name="occurrence"),
    path("<int:pk>/summary/", views.occurrence_summary, name="summary"),
    path("<int:pk>/workbook.xlsx", views.occurrence_workbook, name="workbook"),
    path("<int:pk>/remind", views.occurrence_action, {"action": "remind"}, name="remind"),
    path("<int:pk>/close", views.occurrence_close, name="close"),
]
