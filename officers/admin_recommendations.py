"""Recommendations (推荐表) in the admin console: read-only for HR, the
secretariat and supervision (every change goes through the portal's
services, officers.recommendations), narrowed by the portal's selector."""
from django.contrib import admin

from .admin_work import _ReadOnly
from .models import Recommendation
from .recommendations import recommendations_visible_to


@admin.register(Recommendation)
class RecommendationAdmin(_ReadOnly):
    selector = staticmethod(recommendations_visible_to)
    list_display = ("candidate", "unit", "kind", "state", "recommended_at", "effective_on")
    list_filter = ("state", "kind")
    search_fields = ("candidate__first_name", "candidate__username", "unit__name")
    list_select_related = ("candidate", "unit")
    exclude = ("form_file",)  # downloaded through the portal's permission-checked, watermarked view
