"""The capture API answers at its public address, /api/v1/activities."""

import pytest
from rest_framework.test import APIClient

from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_capture_api_is_served_at_api_v1_and_needs_auth():
    client = APIClient()
    assert client.post("/api/v1/activities", {"activities": []}, format="json").status_code in (401, 403)
    client.force_authenticate(UserFactory())
    response = client.post("/api/v1/activities", {"activities": "not a list"}, format="json")
    assert response.status_code == 400


def test_the_schema_documents_the_capture_and_query_apis(client):
    client.force_login(UserFactory(admin=True))
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/activities" in schema and "/api/v3/query" in schema
