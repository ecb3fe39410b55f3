"""The search behind the people pickers (liaison.pickers, issue 15 §9)."""
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from .pickers import PURPOSES, search_people


@login_required
@require_GET
def people_search(request):
    """``GET ?q=<text>&purpose=person|deputy`` → ``{"results": [{"value", "text", "unit"}]}``:
    at most 20 people the user may pick (pickers.pickable_people), in one query. An unknown purpose is a 404."""
    purpose = request.GET.get("purpose") or "person"
    if purpose not in PURPOSES:
        raise Http404
    rows = search_people(actor=request.user, purpose=purpose, query=request.GET.get("q", ""))
    response = JsonResponse({"results": rows})
    response["Cache-Control"] = "private, no-store"
    return response
