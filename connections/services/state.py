"""One sync run's bookkeeping: one run at a time per connection, success, failure with backoff."""

from __future__ import annotations

import datetime as dt

import requests
from django.conf import settings
from django.db.models import Q

from backstory import clock

from ..models import Connection
from .errors import ConnectionFailure

# A run that died without saying so (a killed worker) no longer holds the connection after this.
LEASE_SECONDS = 15 * 60


def run_claim(*, connection: Connection) -> bool:
    """Mark the connection as being synced, unless another run holds it; True when this run may go on."""
    now = clock.now()
    model = type(connection)
    claimed = (
        model.objects.filter(pk=connection.pk, is_paused=False)
        .filter(
            Q(sync_started_at__isnull=True) | Q(sync_started_at__lt=now - dt.timedelta(seconds=LEASE_SECONDS))
        )
        .update(sync_started_at=now)
    )
    return claimed == 1


def run_still_wanted(*, connection: Connection) -> bool:
    """False once the connection was deleted or paused: a run in progress stops at its next batch."""
    return type(connection).objects.filter(pk=connection.pk, is_paused=False).exists()


def run_succeeded(*, connection: Connection) -> None:
    now = clock.now()
    type(connection).objects.filter(pk=connection.pk).update(
        sync_started_at=None,
        last_sync_at=now,
        last_success_at=now,
        last_error="",
        last_error_at=None,
        failures=0,
        next_attempt_at=None,
    )


def run_failed(*, connection: Connection, failure: ConnectionFailure) -> dt.datetime:
    """Record the error in plain words and when to try again: 1, 2, 4 ... sync periods, at most an hour."""
    now = clock.now()
    failures = (
        type(connection).objects.filter(pk=connection.pk).values_list("failures", flat=True).first() or 0
    ) + 1
    delay = min(
        settings.CONNECTIONS_SYNC_EVERY_SECONDS * 2 ** min(failures - 1, 16),
        settings.CONNECTIONS_RETRY_MAX_SECONDS,
    )
    next_attempt = now + dt.timedelta(seconds=delay)
    type(connection).objects.filter(pk=connection.pk).update(
        sync_started_at=None,
        last_sync_at=now,
        last_error=str(failure),
        last_error_at=now,
        failures=failures,
        next_attempt_at=next_attempt,
    )
    return next_attempt


def run_released(*, connection: Connection) -> None:
    type(connection).objects.filter(pk=connection.pk).update(sync_started_at=None)


def access_token_fresh(*, connection: Connection) -> str:
    """The OAuth 2.0 access token to sign in with, renewed with the refresh token when it has expired.

    Microsoft 365 and Google tokens last about an hour; the refresh token renews them at ``token_url``.
    """
    expires = connection.token_expires_at
    if connection.access_token and (expires is None or expires > clock.now() + dt.timedelta(seconds=60)):
        return connection.access_token
    if not (connection.refresh_token and connection.token_url):
        raise ConnectionFailure(
            "The access token has expired and there is no refresh token to renew it. "
            "Connect the account again to get a new token.",
            needs_action=True,
        )
    try:
        response = requests.post(
            connection.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": connection.refresh_token,
                "client_id": connection.client_id,
                "client_secret": connection.client_secret,
            },
            timeout=settings.CONNECTIONS_TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        raise ConnectionFailure(
            f"Could not reach the token endpoint to renew the access token ({error})."
        ) from None
    if response.status_code != 200:
        raise ConnectionFailure(
            f"The token endpoint refused to renew the access token ({response.status_code}): the refresh "
            "token has expired or was revoked. Connect the account again.",
            needs_action=True,
        )
    payload = response.json()
    connection.access_token = payload["access_token"]
    connection.refresh_token = payload.get("refresh_token") or connection.refresh_token
    connection.token_expires_at = clock.now() + dt.timedelta(seconds=int(payload.get("expires_in", 3600)))
    connection.save(update_fields=["access_token", "refresh_token", "token_expires_at"])
    return connection.access_token
