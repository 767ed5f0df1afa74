"""Every page reaches the Engagement Log, the Metrics Library and Help, and the assistant knows the record."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from opportunities.tests.factories import OpportunityFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_the_top_bar_links_the_main_sections(client, rep):
    page = client.get(reverse("home")).content.decode()
    for name in ("activities:log", "query_api:metrics_library", "support:index"):
        assert f'href="{reverse(name)}"' in page


def test_the_assistant_opens_on_the_record_of_the_page(client, rep):
    opportunity = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep)
    account_page = client.get(reverse("accounts:detail", args=[opportunity.account.pk])).content.decode()
    assert reverse("assistant:panel", args=["account", opportunity.account.pk]) in account_page
    opportunity_page = client.get(reverse("opportunities:detail", args=[opportunity.pk])).content.decode()
    assert reverse("assistant:panel", args=["opportunity", opportunity.pk]) in opportunity_page
    home = client.get(reverse("home")).content.decode()
    assert reverse("assistant:help_panel") in home
