from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import broker_status


@never_cache
@require_GET
def healthz(request):
    """Contract: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # any failure to answer is "down" for a health check
        database = "down"
    body = {"status": "ok" if database == "ok" else "down", "database": database, "broker": broker_status()}
    return JsonResponse(body, status=200 if database == "ok" else 503)


@login_required
def bench_floor(request):
    """The floor of bench/http.py: a page that only requires login (session,
    user, middleware), served only with settings.BENCH_FLOOR."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
