"""API keys: OAuth 2 client-credentials applications whose bearer tokens call Backstory's APIs.

A key is a service, not a person: its tokens carry no user, so the request's user is an
``ApiKeyClient`` naming the key, and what it may do is the token's scopes (``query`` for the Query
API, ``capture`` to capture activities for any colleague).
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AnonymousUser
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AbstractAccessToken, AccessToken
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.settings import oauth2_settings
from rest_framework import exceptions

CAPTURE_SCOPE = "capture"


class ApiKeyClient(AnonymousUser):
    """The caller behind a client-credentials token: an API key, not a person.

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
        return f"API key {self.application.name or self.application.client_id}"


class _BearerHeaderOnly(OAuthLibCore):
    """Reads the bearer token from the Authorization header only (RFC 6750 §2.1), never from the body.

    So authenticating never parses the request body: a malformed body from a caller without a valid
    token answers 401, and the endpoint's own reader reports body problems.
    """

    def extract_body(self, request):
        return []


class ApiKeyAuthentication(OAuth2Authentication):
    """A valid, unexpired access token of an API key, presented as ``Authorization: Bearer ...``."""

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
        "The bearer token is not valid: it was revoked (or its API key was), or it was never "
        f"issued here. {renew}"
    )


def token_has_scope(auth, scope: str) -> bool:
    """Is ``request.auth`` an API key token carrying ``scope``?"""
    return isinstance(auth, AbstractAccessToken) and auth.allow_scopes([scope])


class ApiKeyScopes(SettingsScopes):
    """Which scopes a key may ask for: ``capture`` only for a key an admin owns (it writes activities
    as any colleague); every other scope for every key."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        scopes = list(super().get_available_scopes(application, request, *args, **kwargs))
        owner = getattr(application, "user", None)
        if not (owner is not None and owner.is_admin):
            scopes = [scope for scope in scopes if scope != CAPTURE_SCOPE]
        return scopes
