"""One Salesforce connection for a pull or a drain: the simple-salesforce client from
`crm.client.salesforce_connect`, a session that is refreshed once when Salesforce says it
expired, and network failures turned into errors that name the setting to fix.

Refreshing means logging in again. The username/password, OAuth, JWT and client-credentials
flows do that from the settings. The session flow cannot log in by itself: against the local
stand-in the refresh asks the stand-in for a new session (its `/_standin/sessions` endpoint
plays the login server); against a real org it reports that SALESFORCE_SESSION_ID expired.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from django.conf import settings
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceRefusedRequest,
)

from .client import SalesforceSettings, choose_flow, salesforce_connect, salesforce_http_session
from .services import api_calls_record

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Sessions obtained by a refresh, by the configured session id they replace, so every later
# connection in this process uses the fresh one (the configured id stays expired).
_refreshed_sessions: dict[str, str] = {}
_refreshed_lock = threading.Lock()


class SalesforceUnreachable(Exception):
    """Salesforce (or the stand-in) could not be reached; the message names the settings to check."""


class SalesforceSessionRefused(Exception):
    """Salesforce refused the session even after one refresh; the message names the settings to fix."""


class SalesforceLimitReached(Exception):
    """Salesforce answered REQUEST_LIMIT_EXCEEDED: the org's API limit is used up for now."""


class SalesforceBudgetSpent(Exception):
    """The run used the calls Backstory's API budget gave it (crm/budget.py); no call was sent."""


def error_details(error: SalesforceError) -> tuple[str, str]:
    """(errorCode, message) of a simple-salesforce error; the code is "HTTP_<status>" when the body has none."""
    content = error.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        return str(first.get("errorCode") or f"HTTP_{error.status}"), str(first.get("message") or "")
    if isinstance(content, dict):
        return str(content.get("errorCode") or f"HTTP_{error.status}"), str(content.get("message") or "")
    return f"HTTP_{error.status}", str(content or "")[:500]


def _unreachable(error: Exception, config: SalesforceSettings) -> SalesforceUnreachable:
    if isinstance(error, requests.exceptions.SSLError):
        return SalesforceUnreachable(
            f"TLS to {config.instance_url or 'Salesforce'} failed ({error}). Check SALESFORCE_CA_BUNDLE "
            "(the stand-in prints the CA path to use)."
        )
    return SalesforceUnreachable(
        f"Cannot reach Salesforce at {config.instance_url or 'the login server'} ({type(error).__name__}: {error}). "
        "Check SALESFORCE_INSTANCE_URL; for the local stand-in, is `manage.py run_salesforce_standin` running?"
    )


def _login_refused(flow: str, error: Exception) -> str:
    return (
        f"Salesforce refused the {flow} login ({error}): check SALESFORCE_USERNAME, SALESFORCE_PASSWORD, "
        "SALESFORCE_SECURITY_TOKEN, SALESFORCE_CONSUMER_KEY / SALESFORCE_CONSUMER_SECRET and SALESFORCE_DOMAIN."
    )


class SalesforceConnection:
    """A logged-in client plus the refresh and error rules every crm call goes through."""

    def __init__(self, sf: Salesforce, config: SalesforceSettings, flow: str) -> None:
        self.sf = sf
        self.config = config
        self.flow = flow
        self.calls = 0
        self.refreshes = 0
        self.call_limit: int | None = None  # the API budget's cap on `calls` (None: none)

    @classmethod
    def open(cls) -> SalesforceConnection:
        """Connect from the SALESFORCE_* settings (SalesforceNotConfigured names what is missing)."""
        config = SalesforceSettings.from_django()
        flow = choose_flow(config)
        overrides: dict[str, Any] = {}
        if flow == "session":
            with _refreshed_lock:
                fresh = _refreshed_sessions.get(config.session_id)
            if fresh:
                overrides["session_id"] = fresh
        try:
            sf = salesforce_connect(flow=flow, **overrides)
        except requests.exceptions.RequestException as error:
            raise _unreachable(error, config) from error
        except SalesforceAuthenticationFailed as error:
            raise SalesforceSessionRefused(_login_refused(flow, error)) from error
        return cls(sf, config, flow)

    @property
    def api_version(self) -> str:
        return self.config.api_version

    def call(self, operation: Callable[[Salesforce], T]) -> T:
        """Run one API call, counted in Backstory's API use. An expired session is refreshed once and
        the call sent again; the API limit raises SalesforceLimitReached, the run's budget spent
        SalesforceBudgetSpent; a network failure raises SalesforceUnreachable. Other Salesforce
        errors propagate as simple-salesforce raised them."""
        try:
            return self._send(operation)
        except SalesforceExpiredSession:
            self.refresh()
            try:
                return self._send(operation)
            except SalesforceExpiredSession as error:
                raise SalesforceSessionRefused(self._session_advice()) from error

    def budget_calls(self, calls: int | None) -> None:
        """Allow this connection `calls` more calls (None: no cap); past them a call raises
        SalesforceBudgetSpent instead of going out (crm/budget.py decides the figure)."""
        self.call_limit = None if calls is None else self.calls + calls

    def _send(self, operation: Callable[[Salesforce], T]) -> T:
        if self.call_limit is not None and self.calls >= self.call_limit:
            raise SalesforceBudgetSpent(
                f"this run used the {self.calls} calls Backstory's Salesforce API budget allowed it"
            )
        self.calls += 1
        # Salesforce reports only the org's use: Backstory's share is measured from its own calls.
        api_calls_record()
        try:
            return operation(self.sf)
        except SalesforceRefusedRequest as error:
            code, message = error_details(error)
            if code == "REQUEST_LIMIT_EXCEEDED":
                raise SalesforceLimitReached(message or code) from error
            raise
        except requests.exceptions.RequestException as error:
            raise _unreachable(error, self.config) from error

    def refresh(self) -> None:
        """Log in again (see the module docstring for the session flow)."""
        self.refreshes += 1
        if self.flow != "session":
            try:
                self.sf = salesforce_connect(flow=self.flow)
            except requests.exceptions.RequestException as error:
                raise _unreachable(error, self.config) from error
            except SalesforceAuthenticationFailed as error:
                raise SalesforceSessionRefused(_login_refused(self.flow, error)) from error
            return
        if settings.SALESFORCE_MODE != "standin":
            raise SalesforceSessionRefused(self._session_advice())
        http = salesforce_http_session(
            self.config.ca_bundle, timeout=(self.config.connect_timeout, self.config.read_timeout)
        )
        try:
            response = http.post(f"{self.config.instance_url.rstrip('/')}/_standin/sessions")
            response.raise_for_status()
            session_id = response.json()["session_id"]
        except (requests.exceptions.RequestException, ValueError, KeyError) as error:
            raise SalesforceSessionRefused(f"{self._session_advice()} ({error})") from error
        with _refreshed_lock:
            _refreshed_sessions[self.config.session_id] = session_id
        logger.info("Salesforce stand-in session refreshed")
        self.sf = salesforce_connect(flow="session", session_id=session_id)

    def _session_advice(self) -> str:
        if self.flow == "session":
            return (
                "Salesforce refused the session: SALESFORCE_SESSION_ID has expired or is wrong. Set a fresh "
                "one, or configure a login (SALESFORCE_USERNAME + SALESFORCE_PASSWORD, or the OAuth settings) "
                "so Backstory can log in again by itself."
            )
        return (
            f"Salesforce refused the session right after a new {self.flow} login: check SALESFORCE_USERNAME, "
            "SALESFORCE_PASSWORD, SALESFORCE_SECURITY_TOKEN and the connected app settings."
        )
