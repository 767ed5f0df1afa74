"""Who may capture whose activities through POST /api/v1/activities: a rep only their own; an admin
or an API key with the capture scope for anyone."""

import datetime as dt

import pytest
from oauth2_provider.models import AccessToken, Application
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from activities.models import Activity
from activities.tests.factories import api_item

URL = "/api/v1/activities"


def email_from_dana(**overrides):
    return api_item(
        kind="email",
        source_id="pricing-1@lumen-analytics.com",
        duration_minutes=None,
        participants=[
            {"email": "dana.rivera@lumen-analytics.com", "name": "Dana Rivera", "role": "from"},
            {"email": "jane.doe@acme.com", "name": "Jane Doe", "role": "to"},
        ],
        **overrides,
    )


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def key_client(owner, scope):
    application = Application.objects.create(
        name="Dialer",
        user=owner,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )
    token = AccessToken.objects.create(
        application=application,
        token=f"key-{scope}",
        scope=scope,
        expires=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
    return client


def post(client, *items):
    return client.post(URL, {"activities": list(items)}, format="json")


def test_a_rep_posting_an_email_from_a_colleague_is_refused_with_403_and_nothing_is_stored(org):
    response = post(client_for(org.chris), email_from_dana())
    assert response.status_code == 403
    body = response.json()
    assert body["created"] == 0 and body["results"][0]["status"] == "forbidden"
    assert body["errors"] == [
        {
            "index": 0,
            "field": "participants",
            "reason": "dana.rivera@lumen-analytics.com sent or organised this, not you: you can capture only your "
            "own emails, meetings and calls; capturing for a colleague needs an admin or an API key with the "
            "capture scope",
        }
    ]
    assert not Activity.objects.exists()


def test_a_rep_may_not_capture_a_meeting_they_are_not_on(org):
    meeting = api_item(
        kind="meeting",
        participants=[{"email": "jane.doe@acme.com", "role": "attendee"}],
    )
    response = post(client_for(org.chris), meeting)
    assert response.status_code == 403
    assert (
        "you (chris.colleague@lumen-analytics.com) are not on this activity"
        in response.json()["errors"][0]["reason"]
    )


def test_a_rep_captures_their_own_and_mail_they_received_as_theirs_in_a_mixed_batch(org):
    received = api_item(
        kind="email",
        source_id="from-jane@acme.com",
        duration_minutes=None,
        participants=[
            {"email": "jane.doe@acme.com", "role": "from"},
            {"email": "chris.colleague@lumen-analytics.com", "role": "to"},
            {"email": "dana.rivera@lumen-analytics.com", "role": "cc"},
        ],
    )
    response = post(client_for(org.chris), received, email_from_dana())
    assert response.status_code == 207
    assert [r["status"] for r in response.json()["results"]] == ["created", "forbidden"]
    assert Activity.objects.get().owner == org.chris


def test_an_admin_captures_for_a_colleague(org):
    response = post(client_for(org.admin), email_from_dana())
    assert response.status_code == 201
    assert Activity.objects.get().owner == org.dana


@pytest.mark.parametrize(("scope", "expected"), [("capture", 201), ("query", 403)])
def test_an_api_key_captures_for_anyone_only_with_the_capture_scope(org, scope, expected):
    response = post(key_client(org.admin, scope), email_from_dana())
    assert response.status_code == expected
    if expected == 201:
        assert Activity.objects.get().owner == org.dana
    else:
        assert "no 'capture' scope" in response.json()["detail"]
        assert not Activity.objects.exists()


@pytest.mark.parametrize(("owner", "granted"), [("admin", "capture"), ("chris", None), (None, None)])
def test_only_a_key_an_admin_owns_is_granted_the_capture_scope(org, owner, granted):
    application = Application(
        name="Dialer",
        user=getattr(org, owner) if owner else None,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret="dialer-secret",
        hash_client_secret=True,
    )
    application.save()
    response = APIClient().post(
        "/api/v3/auth/tokens",
        {
            "grant_type": "client_credentials",
            "client_id": application.client_id,
            "client_secret": "dialer-secret",
            "scope": "capture",
        },
    )
    if granted:
        assert response.status_code == 200 and response.json()["scope"] == "capture"
    else:
        assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
