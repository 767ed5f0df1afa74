"""Query API fixtures: a frozen clock, a clean throttle cache, a Query API key and its bearer client."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from query_api.models import QueryApiKey


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_key(db):
    """A Query API key as an admin creates it; ``api_key.plain_secret`` is the secret shown once."""
    key = QueryApiKey(
        name="Finance BI",
        client_type=QueryApiKey.CLIENT_CONFIDENTIAL,
        authorization_grant_type=QueryApiKey.GRANT_CLIENT_CREDENTIALS,
        client_secret="s3cret-of-the-finance-bi-key",
        hash_client_secret=True,
    )
    key.plain_secret = "s3cret-of-the-finance-bi-key"
    key.save()
    return key


@pytest.fixture
def token(api_key):
    client = APIClient()
    response = client.post(
        "/api/v3/auth/tokens",
        {
            "grant_type": "client_credentials",
            "client_id": api_key.client_id,
            "client_secret": api_key.plain_secret,
        },
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture
def api(token, frozen_now):
    """An API client that sends the key's bearer token; ``api.query(body)`` posts a query."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    def query(body, **extra):
        return client.post("/api/v3/query", body, format="json", **extra)

    client.query = query
    return client
