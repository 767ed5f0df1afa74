"""Connecting to Salesforce: one `simple_salesforce.Salesforce` built from Django settings.

Five ways in, chosen from the settings that are filled in (or forced with `flow=`):

- "session": SALESFORCE_SESSION_ID + SALESFORCE_INSTANCE_URL (the stand-in, or a token
  obtained elsewhere);
- "soap": SALESFORCE_USERNAME + SALESFORCE_PASSWORD (+ SALESFORCE_SECURITY_TOKEN);
- "oauth_password": username + password + SALESFORCE_CONSUMER_KEY/SECRET (OAuth 2
  username-password flow; the security token is appended to the password);
- "jwt": username + consumer key + SALESFORCE_PRIVATE_KEY_FILE (OAuth 2 JWT bearer);
- "client_credentials": consumer key + secret + a My Domain in SALESFORCE_DOMAIN.

Every flow uses a requests session that trusts SALESFORCE_CA_BUNDLE when it is set, and gives
every call a connect and a read timeout (SALESFORCE_CONNECT_TIMEOUT / SALESFORCE_READ_TIMEOUT,
seconds, 30 by default): an endpoint that accepts a connection and never answers fails the call,
which the outbox retries, instead of holding a worker forever.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from simple_salesforce import Salesforce

FLOW_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "session": ("instance_url", "session_id"),
    "jwt": ("username", "consumer_key", "private_key_file"),
    "oauth_password": ("username", "password", "consumer_key", "consumer_secret"),
    "soap": ("username", "password"),
    "client_credentials": ("consumer_key", "consumer_secret", "domain"),
}
# When several flows are fully configured, the first one here wins.
FLOW_ORDER = ("session", "jwt", "oauth_password", "soap", "client_credentials")
GENERIC_DOMAINS = ("login", "test")


class SalesforceNotConfigured(ImproperlyConfigured):
    """Salesforce cannot be reached with the current settings; `missing` names the settings to fill."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class SalesforceSettings:
    """The SALESFORCE_* settings, without the prefix, lower-cased."""

    mode: str = "standin"
    api_version: str = "59.0"
    instance_url: str = ""
    session_id: str = ""
    username: str = ""
    password: str = ""
    security_token: str = ""
    domain: str = "login"
    consumer_key: str = ""
    consumer_secret: str = ""
    private_key_file: str = ""
    ca_bundle: str = ""
    connect_timeout: float = 30.0
    read_timeout: float = 30.0

    @classmethod
    def from_django(cls, **overrides: Any) -> SalesforceSettings:
        """Read SALESFORCE_<NAME> for every field; keyword overrides win."""
        values = {f.name: getattr(settings, f"SALESFORCE_{f.name.upper()}", f.default) for f in fields(cls)}
        unknown = set(overrides) - set(values)
        if unknown:
            raise TypeError(f"unknown Salesforce settings: {', '.join(sorted(unknown))}")
        return replace(cls(**{k: v if v is not None else "" for k, v in values.items()}), **overrides)

    def missing_for(self, flow: str) -> tuple[str, ...]:
        """The setting names (SALESFORCE_...) a flow still needs."""
        missing = [name for name in FLOW_REQUIREMENTS[flow] if not getattr(self, name)]
        if flow == "client_credentials" and self.domain in GENERIC_DOMAINS:
            missing.append("domain")
        return tuple(f"SALESFORCE_{name.upper()}" for name in dict.fromkeys(missing))


def choose_flow(config: SalesforceSettings) -> str:
    """The login flow these settings allow (SalesforceNotConfigured if none is complete)."""
    if config.mode == "off":
        raise SalesforceNotConfigured("SALESFORCE_MODE is 'off': local records are the system of record.")
    if config.mode == "standin":
        missing = config.missing_for("session")
        if missing:
            raise SalesforceNotConfigured(
                f"Salesforce stand-in mode needs {' and '.join(missing)}; start the stand-in with "
                "`manage.py run_salesforce_standin` and copy the values it prints.",
                missing,
            )
        return "session"
    for flow in FLOW_ORDER:
        if not config.missing_for(flow):
            return flow
    # Name the settings missing from the flow that is closest to complete.
    started = [
        flow
        for flow in FLOW_ORDER
        if any(getattr(config, name) for name in FLOW_REQUIREMENTS[flow] if name != "domain")
    ]
    closest = min(started or ["session"], key=lambda flow: len(config.missing_for(flow)))
    missing = config.missing_for(closest)
    raise SalesforceNotConfigured(
        f"Salesforce is not configured for the {closest} login: set {', '.join(missing)}. "
        "Alternatives: SALESFORCE_INSTANCE_URL + SALESFORCE_SESSION_ID; SALESFORCE_USERNAME + "
        "SALESFORCE_PASSWORD (+ SALESFORCE_SECURITY_TOKEN); add SALESFORCE_CONSUMER_KEY + "
        "SALESFORCE_CONSUMER_SECRET for OAuth, or SALESFORCE_PRIVATE_KEY_FILE for the JWT flow; "
        "SALESFORCE_CONSUMER_KEY + SALESFORCE_CONSUMER_SECRET + a My Domain in SALESFORCE_DOMAIN "
        "for client credentials.",
        missing,
    )


class _SalesforceSession(requests.Session):
    """A session that gives every request a timeout (unless the caller passes one) and whose
    `verify` is not overridden by REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE.

    simple-salesforce sends its calls with no timeout at all, so the session sets it. requests
    lets those variables beat a session-level `verify`; a configured SALESFORCE_CA_BUNDLE must
    win. Proxies still come from the environment.
    """

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self.timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Any:
        if self.verify is True:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        return super().merge_environment_settings(
            url, proxies, stream, self.verify if verify is None else verify, cert
        )


def salesforce_http_session(
    ca_bundle: str = "", *, timeout: tuple[float, float] | None = None
) -> requests.Session:
    """The requests session the client uses: every call has a (connect, read) timeout, from the
    settings unless given, and it trusts `ca_bundle` when one is given."""
    if timeout is None:
        config = SalesforceSettings.from_django()
        timeout = (config.connect_timeout, config.read_timeout)
    session = _SalesforceSession(timeout)
    if ca_bundle:
        session.verify = ca_bundle
    return session


def salesforce_connect(
    *, flow: str | None = None, session: requests.Session | None = None, **overrides: Any
) -> Salesforce:
    """Log in to Salesforce (or the stand-in) from the SALESFORCE_* settings.

    `overrides` replace individual settings (`instance_url=`, `session_id=`, ...); `flow`
    forces one login flow. Raises SalesforceNotConfigured naming missing settings, and
    simple_salesforce's SalesforceAuthenticationFailed when a login is refused.
    """
    config = SalesforceSettings.from_django(**overrides)
    if flow is None:
        flow = choose_flow(config)
    elif flow not in FLOW_REQUIREMENTS:
        raise ValueError(f"unknown Salesforce login flow {flow!r}; choose from {', '.join(FLOW_ORDER)}")
    else:
        missing = config.missing_for(flow)
        if missing:
            raise SalesforceNotConfigured(f"The {flow} login needs {', '.join(missing)}.", missing)
    http = session or salesforce_http_session(
        config.ca_bundle, timeout=(config.connect_timeout, config.read_timeout)
    )
    common = {"session": http, "version": config.api_version}
    if flow == "session":
        return Salesforce(session_id=config.session_id, instance_url=config.instance_url, **common)
    if flow == "soap":
        return Salesforce(
            username=config.username,
            password=config.password,
            security_token=config.security_token,
            domain=config.domain,
            **common,
        )
    if flow == "oauth_password":
        return Salesforce(
            username=config.username,
            password=config.password + config.security_token,
            consumer_key=config.consumer_key,
            consumer_secret=config.consumer_secret,
            domain=config.domain,
            **common,
        )
    if flow == "jwt":
        return Salesforce(
            username=config.username,
            consumer_key=config.consumer_key,
            privatekey_file=config.private_key_file,
            domain=config.domain,
            **common,
        )
    return Salesforce(
        consumer_key=config.consumer_key,
        consumer_secret=config.consumer_secret,
        domain=config.domain,
        **common,
    )
