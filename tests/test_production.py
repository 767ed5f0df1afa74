"""Production behaviour under faults: a Redis cache outage, and designed error pages."""

import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from accounts.tests.factories import AccountFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cache_outage(settings):
    """The cache on a Redis where nothing listens, as production runs it (cached_db sessions)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "backstory.cache.OutageTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_unused_port()}/0",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_a_cache_outage_keeps_signed_in_pages_working(client, cache_outage, frozen_now):
    rep = UserFactory(username="dana")
    account = AccountFactory(name="Acme", owner=rep)
    client.force_login(rep)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("accounts:detail", args=[account.pk])).status_code == 200


def test_healthz_says_the_cache_is_down_and_stays_200_while_pages_can_be_served(client, cache_outage):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unreachable",
        "broker": "eager",
    }


def test_an_unknown_address_gets_the_designed_404_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist" in page and 'class="topbar' in page and reverse("support:index") in page


def test_a_server_error_gets_the_designed_500_page(settings):
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page and 'class="topbar' in page


def test_a_page_while_the_database_is_unreachable_is_a_503_that_reloads_itself(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="dana"))

    def unreachable(execute, sql, params, many, context):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    with connection.execute_wrapper(unreachable):
        response = client.get(reverse("home"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Back in a moment" in page and 'http-equiv="refresh"' in page
