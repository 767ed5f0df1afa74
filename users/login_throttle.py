"""Login throttling: too many failed sign-ins for one username, or from one address, lock further
attempts for a while, on the sign-in page and the admin alike.

Failures are rows in the database (``LoginFailure``), so the limit holds across web processes and
through a cache outage. A successful sign-in clears its username's failures. The table stays small
whatever an attacker sends: an attempt refused because its username or address is already locked
adds no row (no password was checked), and rows older than the lock window are deleted, a bounded
batch on every recorded failure and all of them by the Celery beat task ``users.login_failures_prune``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from backstory import clock

from .models import LoginFailure


def client_address(request) -> str | None:
    """The caller's address as the web server saw it (REMOTE_ADDR; see README behind a proxy)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def login_lockout(*, username: str, address: str | None) -> str | None:
    """Why sign-in is locked for this username or address right now, or None.

    Issue 15: "login throttling (per user and per address)".
    """
    window = dt.timedelta(minutes=settings.BACKSTORY_LOGIN_LOCKOUT_MINUTES)
    since = clock.now() - window
    recent = LoginFailure.objects.filter(failed_at__gte=since)
    minutes = settings.BACKSTORY_LOGIN_LOCKOUT_MINUTES
    if (
        username
        and recent.filter(username=username.lower()).count() >= settings.BACKSTORY_LOGIN_FAILURES_PER_USER
    ):
        return (
            f"Too many failed sign-ins for {username}: sign-in is locked for up to {minutes} minutes. "
            "Wait, or ask an admin to reset your password."
        )
    if address and recent.filter(address=address).count() >= settings.BACKSTORY_LOGIN_FAILURES_PER_ADDRESS:
        return f"Too many failed sign-ins from your network address: try again in up to {minutes} minutes."
    return None


# Expired rows deleted at most per recorded failure: a sign-in never waits on a long delete (the
# beat task clears any backlog).
PRUNE_ON_WRITE_BATCH = 100


def login_failures_expired_before() -> dt.datetime:
    """Failures before this moment no longer count toward any lock."""
    return clock.now() - dt.timedelta(minutes=settings.BACKSTORY_LOGIN_LOCKOUT_MINUTES)


def login_failures_prune(*, limit: int | None = None) -> int:
    """Delete failed sign-ins older than the lock window (at most ``limit`` of them); returns how many.

    Issue 15: failed-login rows must not grow without bound; only the window's rows decide a lock.
    """
    expired = LoginFailure.objects.filter(failed_at__lt=login_failures_expired_before())
    if limit is not None:
        expired = LoginFailure.objects.filter(
            pk__in=list(expired.order_by("failed_at").values_list("pk", flat=True)[:limit])
        )
    deleted, _ = expired.delete()
    return deleted


def login_failure_record(*, username: str, address: str | None) -> None:
    """Count one failed sign-in, and delete a bounded batch of expired ones."""
    LoginFailure.objects.create(
        username=(username or "")[:150].lower(), address=address, failed_at=clock.now()
    )
    login_failures_prune(limit=PRUNE_ON_WRITE_BATCH)


class LoginThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: refuses every sign-in while its username or address is locked.

    Without a request (``Client.login`` in tests, scripts) there is no address to count: it stands aside.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and login_lockout(username=username or "", address=client_address(request)):
            # Django reports this refusal as a failed sign-in too; it is not counted (see _count_failure).
            request.backstory_login_locked = True
            raise PermissionDenied  # ends authenticate(): no other backend checks the password
        return None

    # No get_user(): this backend never signs anyone in, and force_login() picks the first backend that has one.


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    # An attempt refused by the lock checked no password: counting it would let a guesser grow the
    # table at request speed (and keep pushing the lock forward).
    if request is not None and not getattr(request, "backstory_login_locked", False):
        login_failure_record(username=credentials.get("username") or "", address=client_address(request))


@receiver(user_logged_in)
def _clear_failures(sender, request, user, **kwargs):
    LoginFailure.objects.filter(username=user.get_username().lower()).delete()
