"""URLs of the appointment workflow (joined to officers.urls, namespace "officers")."""
from django.urls import path

from . import views_recommendations as views

urlpatterns = [
    path("recommendations/", views.recommendation_list, name="recommendations"),
    path("recommendations/new/", views.recommendation_new, name="recommendation-new"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation"),
    path("recommendations/<int:pk>/form/", views.recommendation_file, name="recommendation-file"),
    path("recommendations/<int:pk>/interview/", views.recommendation_interview, name="recommendation-interview"),
    path("recommendations/<int:pk>/confirm/", views.recommendation_confirm, name="recommendation-confirm"),
    path("recommendations/<int:pk>/reject/", views.recommendation_reject, name="recommendation-reject"),
    path("recommendations/<int:pk>/withdraw/", views.recommendation_withdraw, name="recommendation-withdraw"),
    path("appointments/", views.appointment_notices, name="appointment-notices"),
]
