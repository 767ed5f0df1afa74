"""Login throttling: too many failed sign-ins for one username, or from one address, lock further
attempts for a while, on the sign-in page and the admin alike.

Failures are rows in the database (``LoginFailure``), so the limit holds across web processes and
through a cache outage. A successful sign-in clears its username's failures.
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


def login_failure_record(*, username: str, address: str | None) -> None:
    LoginFailure.objects.create(
        username=(username or "")[:150].lower(), address=address, failed_at=clock.now()
    )


class LoginThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: refuses every sign-in while its username or address is locked.

    Without a request (``Client.login`` in tests, scripts) there is no address to count: it stands aside.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and login_lockout(username=username or "", address=client_address(request)):
            raise PermissionDenied  # ends authenticate(): no other backend checks the password
        return None

    # No get_user(): this backend never signs anyone in, and force_login() picks the first backend that has one.


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is not None:
        login_failure_record(username=credentials.get("username") or "", address=client_address(request))


@receiver(user_logged_in)
def _clear_failures(sender, request, user, **kwargs):
    LoginFailure.objects.filter(username=user.get_username().lower()).delete()
