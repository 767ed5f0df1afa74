"""Who may call the Query API: a Query API key's bearer token (OAuth 2 client credentials), or a
signed-in person's session (the Metrics Library page); and how often (per key).
"""

from __future__ import annotations

from oauth2_provider.models import AbstractAccessToken
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from users.api_keys import ApiKeyAuthentication

QUERY_SCOPE = "query"


class QueryApiKeyAuthentication(ApiKeyAuthentication):
    """A valid, unexpired access token of a Query API key, presented as ``Authorization: Bearer ...``."""


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
