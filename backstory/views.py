"""Project-level views: a health check (the home page is the pages app's)."""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .cache import cache_is_reachable
from .celery import app as celery_app


@require_GET
def healthz(request):
    """Database, cache and broker, each reported; 200 only when pages can be served.

    Pages need the database. The cache only speeds them up (an outage is a miss) and the broker only
    carries background work (capture records what it owes and a sweeper sends it later), so either
    being down is "degraded": still 200, so a load balancer keeps the app in service.
    """
    checks = {"database": _database_check(), "cache": _cache_check(), "broker": _broker_check()}
    serving = checks["database"] == "ok"
    if not serving:
        state = "down"
    elif all(value in ("ok", "eager") for value in checks.values()):
        state = "ok"
    else:
        state = "degraded"
    return JsonResponse({"status": state, **checks}, status=200 if serving else 503)


def _database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError as error:
        return f"unreachable: {type(error).__name__}"


def _cache_check() -> str:
    return "ok" if cache_is_reachable(cache) else "unreachable"


def _broker_check() -> str:
    if celery_app.conf.task_always_eager:
        return "eager"  # no broker configured: tasks run in process
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:  # kombu raises transport-specific errors
        return f"unreachable: {type(error).__name__}"
