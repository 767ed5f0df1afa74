"""Who may call the Query API: a Query API key's bearer token (OAuth 2 client credentials), or a
signed-in person's session (the Metrics Library page); and how often (per key).
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AnonymousUser
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AbstractAccessToken, AccessToken
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.settings import oauth2_settings
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

QUERY_SCOPE = "query"


class ApiKeyClient(AnonymousUser):
    """The caller behind a client-credentials token: a Query API key, not a person.

    Client-credentials tokens carry no user (``AccessToken.user`` is null), and DRF would make the
    request's user ``None``; this stands in for it and names the key.
    """

    def __init__(self, application):
        self.application = application

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"Query API key {self.application.name or self.application.client_id}"


class _BearerHeaderOnly(OAuthLibCore):
    """Reads the bearer token from the Authorization header only (RFC 6750 §2.1), never from the body.

    So authenticating never parses the query body: a malformed body from a caller without a valid
    token answers 401, and the query's own reader reports body problems with their JSON paths.
    """

    def extract_body(self, request):
        return []


class QueryApiKeyAuthentication(OAuth2Authentication):
    """A valid, unexpired access token of a Query API key, presented as ``Authorization: Bearer ...``."""

    def authenticate(self, request):
        server = oauth2_settings.OAUTH2_SERVER_CLASS(
            oauth2_settings.OAUTH2_VALIDATOR_CLASS(), **oauth2_settings.server_kwargs
        )
        valid, oauth_request = _BearerHeaderOnly(server).verify_request(request, scopes=[])
        if not valid:
            request.oauth2_error = getattr(oauth_request, "oauth2_error", {}) if oauth_request else {}
            presented = _bearer_token(request)
            if presented:
                raise exceptions.AuthenticationFailed(_refusal(presented))
            return None
        token = oauth_request.access_token
        return (oauth_request.user or ApiKeyClient(token.application)), token


def _bearer_token(request) -> str:
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _refusal(raw_token: str) -> str:
    """Why a presented bearer token is refused, in words the caller can act on."""
    checksum = hashlib.sha256(raw_token.encode("utf-8")).hexdigest()
    token = AccessToken.objects.filter(token_checksum=checksum).only("expires").first()
    renew = "Get a new one from POST /api/v3/auth/tokens with the key's client id and secret."
    if token is not None and token.is_expired():
        return f"The bearer token expired at {token.expires:%Y-%m-%d %H:%M} UTC. {renew}"
    return (
        "The bearer token is not valid: it was revoked (or its Query API key was), or it was never "
        f"issued here. {renew}"
    )


class HasQueryAccess(BasePermission):
    """A token with the ``query`` scope, or a signed-in person (session)."""

    message = (
        "The Query API needs a token with the query scope (POST /api/v3/auth/tokens), or a signed-in session."
    )

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, AbstractAccessToken):
            return request.auth.allow_scopes([QUERY_SCOPE])
        user = request.user
        return bool(user and user.is_authenticated)


class QueryApiKeyThrottle(SimpleRateThrottle):
    """Per-key rate limit: ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["query_api_key"]`` (e.g. "600/min").

    Each Query API key (OAuth application) has its own budget; a signed-in person has theirs.
    """

    scope = "query_api_key"

    def get_rate(self):
        # Read the setting at request time (DRF binds THROTTLE_RATES at import), so a changed rate applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, AbstractAccessToken) and request.auth.application_id:
            ident = f"key:{request.auth.application.client_id}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenRequestThrottle(SimpleRateThrottle):
    """Token requests per caller address: ``DEFAULT_THROTTLE_RATES["query_api_token"]``
    (``QUERY_API_TOKEN_RATE``, e.g. "30/min"), so client secrets cannot be guessed at speed."""

    scope = "query_api_token"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
