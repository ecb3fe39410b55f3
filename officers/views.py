from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .selectors import officer_directory, units_without_active_officer


@login_required
def directory(request):
    query = request.GET.get("q", "").strip()
    page = Paginator(officer_directory(query), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "officers/directory.html",
        {"page": page, "q": query, "units_without_officer": units_without_active_officer()},
    )
