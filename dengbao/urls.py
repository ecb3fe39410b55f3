from django.urls import path

from . import views

app_name = "dengbao"

urlpatterns = [
    path("otp/", views.overview, name="overview"),
    path("otp/verify/", views.verify, name="verify"),
    path("otp/enrol/", views.enrol, name="enrol"),
    path("otp/codes/", views.recovery_codes, name="codes"),
    path("otp/reset/<int:user_id>/", views.reset, name="reset"),
]
