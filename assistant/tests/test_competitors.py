"""The assistant names the competitors an admin listed in the insights configuration (the list the
opportunity page's competitive threat reads), with their aliases, and no list of its own."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from activities.tests.factories import ActivityFactory
from insights.services.configuration import insights_configuration_update
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def northwind(frozen_now):
    dana = UserFactory(username="dana", first_name="Dana", last_name="Rivera")
    account = AccountFactory(name="Northwind Logistics", owner=dana, domain="northwind.com")
    ActivityFactory(
        account=account,
        owner=dana,
        occurred_at=NOW - dt.timedelta(days=3),
        subject="Evaluation update",
        body="We are also looking at Acme Insight; their cadence tool is cheaper.",
    )
    ActivityFactory(
        account=account,
        owner=dana,
        occurred_at=NOW - dt.timedelta(days=5),
        subject="Call notes",
        body="They used Gong last year and want call recording again.",
    )
    return {"dana": dana, "account": account}


def _ask(client, account, question) -> str:
    client.post(reverse("assistant:ask", args=["account", account.pk]), {"question": question})
    page = client.get(reverse("assistant:panel", args=["account", account.pk])).content.decode()
    return re.sub(r"\s+", " ", page)


def test_the_assistant_names_the_competitors_an_admin_configured(client, northwind):
    insights_configuration_update(competitors=["Acme Insight, AcmeI"])
    client.force_login(northwind["dana"])
    answer = _ask(client, northwind["account"], "Were any competitors mentioned?")
    assert "Acme Insight: 1 activity" in answer
    # Gong is nobody's competitor here: the admin did not list it.
    assert "Gong:" not in answer


def test_with_no_competitors_configured_the_assistant_says_where_to_list_them(client, northwind):
    client.force_login(northwind["dana"])
    answer = _ask(client, northwind["account"], "Were any competitors mentioned?")
    assert "Gong:" not in answer
    assert "No competitors are listed in the insights configuration" in answer
