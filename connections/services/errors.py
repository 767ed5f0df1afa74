"""Network and server failures in plain words, for the Connections page and the admin."""

from __future__ import annotations

import imaplib
import socket
import ssl

import caldav.lib.error as caldav_error
import requests
from imap_tools.errors import MailboxLoginError


class ConnectionFailure(Exception):
    """A sync that could not run; the text says what went wrong and what to do, in plain words.

    ``needs_action`` marks faults only the rep can fix (a refused password); those are retried with
    backoff too, in case the server was wrong, but the page asks the rep to act.
    """

    def __init__(self, message: str, *, needs_action: bool = False):
        super().__init__(message)
        self.needs_action = needs_action


def describe_error(error: BaseException, *, host: str, timeout: float) -> ConnectionFailure:
    """Turn what a library raised into a ConnectionFailure that names the cause and the fix."""
    if isinstance(error, ConnectionFailure):
        return error
    if isinstance(error, MailboxLoginError) or _is_auth_failure(error):
        return ConnectionFailure(
            f"{host} refused the sign-in: the user name, password or access token is wrong or has expired. "
            "Enter it again and save.",
            needs_action=True,
        )
    if _is_timeout(error):
        return ConnectionFailure(
            f"{host} did not answer within {timeout:g} seconds. The server may be down or overloaded; "
            "Backstory will try again."
        )
    if isinstance(error, socket.gaierror):
        return ConnectionFailure(f"The server name {host} could not be found. Check the host name.")
    if isinstance(error, ConnectionRefusedError):
        return ConnectionFailure(
            f"{host} refused the connection: nothing is listening on that port. Check the host and port, "
            "or wait for the server to come back."
        )
    if isinstance(error, ssl.SSLError):
        return ConnectionFailure(
            f"The secure connection to {host} failed ({error.reason or error}). Check the security setting "
            "(TLS or STARTTLS) and the port."
        )
    if isinstance(error, (requests.ConnectionError, OSError, imaplib.IMAP4.abort, EOFError)):
        return ConnectionFailure(f"The connection to {host} was lost ({error}). Backstory will try again.")
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return ConnectionFailure(
            f"{host} answered {error.response.status_code} {error.response.reason}. Check the address."
        )
    if isinstance(error, caldav_error.NotFoundError):
        return ConnectionFailure(f"{host} has no calendar at that address. Check the URL.", needs_action=True)
    if isinstance(error, caldav_error.DAVError):
        return ConnectionFailure(f"{host} answered with an error: {error}. Backstory will try again.")
    if isinstance(error, imaplib.IMAP4.error):
        return ConnectionFailure(f"{host} answered with an error: {error}. Backstory will try again.")
    return ConnectionFailure(f"Sync failed: {type(error).__name__}: {error}. Backstory will try again.")


def _is_auth_failure(error: BaseException) -> bool:
    if isinstance(error, caldav_error.AuthorizationError):
        return True
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return error.response.status_code in (401, 403)
    return False


def _is_timeout(error: BaseException) -> bool:
    # requests, niquests (under caldav) and the socket module each have a timeout class of their own.
    return isinstance(error, (TimeoutError, socket.timeout, requests.Timeout)) or (
        "timeout" in type(error).__name__.lower() or "timed out" in str(error).lower()
    )
