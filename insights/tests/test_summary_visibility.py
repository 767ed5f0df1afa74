"""One rule for which summary bullets a reader may see, the same on the Backstory page and in the
assistant: a bullet shows when the reader may see one of its activities; a bullet none of whose
activities they may see is not shown, whatever the engine's ``private_only`` said when it ran."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from activities.tests.factories import ActivityFactory
from insights.tests.factories import SummaryFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def northwind(frozen_now):
    dana = UserFactory(username="dana", first_name="Dana", last_name="Rivera")
    sam = UserFactory(username="sam", first_name="Sam", last_name="Okafor")
    account = AccountFactory(name="Northwind Logistics", owner=dana, domain="northwind.com")
    shared = ActivityFactory(
        account=account, owner=dana, occurred_at=NOW - dt.timedelta(days=2), subject="Renewal timeline"
    )
    # Sam's board meeting was public when the summary was written, and made private since.
    board = ActivityFactory(
        account=account, owner=sam, occurred_at=NOW - dt.timedelta(days=3), subject="Board prep"
    )
    # An email an admin removed from sync after the summary was written.
    removed = ActivityFactory(
        account=account, owner=dana, occurred_at=NOW - dt.timedelta(days=4), subject="Wrong thread"
    )
    SummaryFactory(
        account=account,
        generated_at=NOW - dt.timedelta(hours=5),
        key_topics=[
            _topic("Renewal timeline for Q1", [shared], score=0.9),
            _topic("Merger with Contoso", [board], score=0.8),
            _topic("Misrouted vendor invoice", [removed], score=0.7),
        ],
        risks=[],
        next_steps=[],
    )
    board.is_private = True
    board.save(update_fields=["is_private"])
    removed.removed_from_sync_at = NOW - dt.timedelta(hours=1)
    removed.save(update_fields=["removed_from_sync_at"])
    return {"dana": dana, "sam": sam, "account": account}


def _topic(text, activities, *, score):
    return {
        "text": text,
        "score": score,
        "latest_at": (NOW - dt.timedelta(days=2)).isoformat(),
        "activity_ids": [a.pk for a in activities],
        "private_only": False,
    }


def _page(client, account) -> str:
    return re.sub(r"\s+", " ", client.get(reverse("accounts:detail", args=[account.pk])).content.decode())


def _ask(client, account, question) -> str:
    client.post(reverse("assistant:ask", args=["account", account.pk]), {"question": question})
    page = client.get(reverse("assistant:panel", args=["account", account.pk])).content.decode()
    return re.sub(r"\s+", " ", page)


def test_a_bullet_whose_activities_are_all_hidden_shows_neither_on_the_page_nor_in_the_assistant(
    client, northwind
):
    client.force_login(northwind["dana"])
    page = _page(client, northwind["account"])
    answer = _ask(client, northwind["account"], "What are the key topics?")
    for hidden in ("Merger with Contoso", "Misrouted vendor invoice"):
        assert hidden not in page
        assert hidden not in answer
    assert "Renewal timeline for Q1" in page and "Renewal timeline for Q1" in answer


def test_the_owner_of_the_private_activity_sees_its_bullet_on_the_page_and_in_the_assistant(
    client, northwind
):
    client.force_login(northwind["sam"])
    assert "Merger with Contoso" in _page(client, northwind["account"])
    assert "Merger with Contoso" in _ask(client, northwind["account"], "What are the key topics?")


def test_an_admin_sees_the_private_bullet_but_not_the_one_removed_from_sync(client, northwind):
    client.force_login(UserFactory(admin=True))
    page = _page(client, northwind["account"])
    answer = _ask(client, northwind["account"], "What are the key topics?")
    assert "Merger with Contoso" in page and "Merger with Contoso" in answer
    assert "Misrouted vendor invoice" not in page and "Misrouted vendor invoice" not in answer
