"""The assessment's URLs (/assessment/), included from liaison/urls.py."""
from django.urls import path

from . import views_assessment as views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("open/", views.open_period, name="open"),
    path("charts/", views.charts, name="charts"),
    path("<int:year>/", views.period_detail, name="period"),
    path("<int:year>/weights/", views.set_weights, name="weights"),
    path("<int:year>/compute/", views.compute, name="compute"),
    path("<int:year>/publish/", views.publish, name="publish"),
    path("<int:year>/ranking.xlsx", views.export, name="export"),
    path("<int:year>/results/<int:pk>/", views.result_detail, name="result"),
    path("<int:year>/results/<int:pk>/hand-score/", views.hand_score, name="hand-score"),
    path("<int:year>/results/<int:pk>/adjust/", views.adjust, name="adjust"),
]
