from django.urls import path

from . import views, views_review

app_name = "dengbao"

urlpatterns = [
    path("otp/", views.overview, name="overview"),
    path("otp/verify/", views.verify, name="verify"),
    path("otp/enrol/", views.enrol, name="enrol"),
    path("otp/codes/", views.recovery_codes, name="codes"),
    path("otp/reset/<int:user_id>/", views.reset, name="reset"),
]

urlpatterns += [
    path("access-reviews/", views_review.reviews, name="reviews"),
    path("access-reviews/<int:pk>/", views_review.review, name="review"),
    path("access-reviews/<int:pk>/xlsx/", views_review.review_xlsx, name="review-xlsx"),
    path("access-reviews/<int:pk>/sign/", views_review.review_sign, name="review-sign"),
    path("audit-archive/", views_review.archive_batches, name="archive-batches"),
    path("audit-archive/<int:pk>/", views_review.archive_batch, name="archive-batch"),
]
