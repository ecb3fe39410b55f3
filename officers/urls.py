from django.urls import path

from . import views

app_name = "officers"

urlpatterns = [
    path("", views.directory, name="directory"),
]

from .urls_work import urlpatterns as work_patterns  # noqa: E402  work reports, flags, cases

urlpatterns += work_patterns

from .urls_meetings import urlpatterns as meeting_patterns  # noqa: E402  meetings, action items, trainings

urlpatterns += meeting_patterns

from .urls_recommendations import urlpatterns as recommendation_patterns  # noqa: E402  推荐表 and 任免公告

urlpatterns += recommendation_patterns
