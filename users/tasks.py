"""Celery tasks of users: thin. Failed sign-ins older than the lock window are deleted every few minutes."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from backstory.celery import app

from .login_throttle import login_failures_prune

LOGIN_FAILURES_PRUNE_SCHEDULE = {
    "task": "users.login_failures_prune",
    "schedule": 60.0 * settings.BACKSTORY_LOGIN_LOCKOUT_MINUTES,
}
app.conf.beat_schedule.update({"users-login-failures-prune": LOGIN_FAILURES_PRUNE_SCHEDULE})


@shared_task(name="users.login_failures_prune", queue="default")
def prune_login_failures() -> int:
    """Delete failed sign-ins that no longer count toward a lock; returns how many were deleted."""
    return login_failures_prune()
