"""Project-level views: the health check, the backlog, the favicon and the server error handler
(the home page is the pages app's)."""

import logging
import sys

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.http import require_GET

from activities.selectors import engine_work_backlog
from crm.selectors import outbox_backlog
from rollups.services import rollups_backlog

from . import clock
from .backlog import Backlog
from .cache import cache_is_reachable
from .celery import app as celery_app
from .database import DATABASE_UNAVAILABLE


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


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, the API's JSON)."""
    return redirect(static("img/favicon.svg"))


@require_GET
def backlog(request):
    """The background work still owed (hand-offs to the contact engine and summaries, captured
    activities not yet in the rollups, pushes to Salesforce), each as how many wait and the oldest's
    age in seconds: an operator sees a stuck worker or broker before users do. Kept apart from
    /healthz, which a load balancer polls and which must stay one SELECT."""
    if _database_check() != "ok":
        return JsonResponse({"status": "down", "database": "unreachable"}, status=503)
    owed: dict[str, Backlog] = {
        "engine_work": engine_work_backlog(),
        "rollups": rollups_backlog(),
        "salesforce_outbox": outbox_backlog(),
    }
    now = clock.now()
    return JsonResponse({name: owed_work.as_json(now=now) for name, owed_work in owed.items()})


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


logger = logging.getLogger(__name__)
# Seconds a client should wait before sending the request again: a database restart takes a few.
DATABASE_RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE_MESSAGE = (
    "The database is unavailable for a moment (restarting or unreachable), so this request was not "
    "carried out. Send the same request again in a few seconds: an activity already stored is "
    "recognised by its source_id and stored once."
)


def server_error(request):
    """handler500. A database that cannot be reached (stopped, restarting, its connection lost) is
    a 503 the client can retry, in JSON for the APIs; anything else is the designed 500 page.

    Issue 15: a capture during a database restart must get "a clear error the client can retry",
    never an HTML 500. The 503 page reads nothing from the database (the site's layout would).
    """
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_UNAVAILABLE):
        return defaults.server_error(request)
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path, error)
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE_MESSAGE, "retry": True}, status=503)
    else:
        page = loader.get_template("503.html").render({"retry_after": DATABASE_RETRY_AFTER_SECONDS})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
