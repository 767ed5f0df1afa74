"""Issue 15, privacy of people, re-probed end to end as another rep: a person, contact role or next
meeting known only from a colleague's private mail is shown to no one else anywhere (the Backstory
pages, the page embedded in Salesforce, the assistant); the people counts still include them.

The world (``tests/private_mail.py``): Dana mails and meets Morgan Quiet privately; Jane Doe is on
Dana's private meetings and on Chris's public ones. Chris walks every route. The Query API's probes
are in ``query_api/tests/test_privacy.py``.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from insights.models import PersonEngagement
from pages import embed
from tests.private_mail import MORGAN, PRIVATE_NEXT_MEETING_DATES, PrivateMailWorld, secrets_in

pytestmark = pytest.mark.django_db

QUESTIONS = (
    "Who are the decision makers?",
    "Who did we talk to recently?",
    "When is the next meeting?",
    "Who is the champion?",
    "Who is the CFO?",
    "Tell me about Morgan Quiet",
    "What are the risks?",
    "What was discussed last week?",
)


@pytest.fixture
def world(frozen_now):
    world = PrivateMailWorld()
    world.capture()
    return world


def text_of(response) -> str:
    assert response.status_code in (200, 404), response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def page_routes(world) -> list[tuple[str, dict]]:
    """Every page route of Northwind and its renewal, with the People section's every view."""
    routes = []
    for namespace, pk in (("accounts", world.northwind.pk), ("opportunities", world.renewal.pk)):
        routes.append((reverse(f"{namespace}:detail", args=[pk]), {}))
        routes.append((reverse(f"{namespace}:metrics", args=[pk]), {}))
        for audience in ("external", "internal", "everyone"):
            for sort in ("engagement", "seniority", "time_spent", "recently_engaged"):
                routes.append((reverse(f"{namespace}:people", args=[pk]), {"people": audience, "sort": sort}))
        for seniority in ("c_level", "vp", "director"):
            routes.append(
                (reverse(f"{namespace}:people", args=[pk]), {"people": "everyone", "seniority": seniority})
            )
        routes.append(
            (reverse(f"{namespace}:people", args=[pk]), {"people": "everyone", "department": "finance"})
        )
        for person in PersonEngagement.objects.filter(
            **{namespace[:-1] + "_id" if namespace == "accounts" else "opportunity_id": pk}
        ):
            routes.append((reverse(f"{namespace}:person", args=[pk, person.pk]), {}))
        for section in ("key_topics", "next_steps", "risks", "warnings"):
            for index in range(6):
                routes.append((reverse(f"{namespace}:bullet", args=[pk, section, index]), {}))
    return routes


def test_the_probe_sees_morgan_where_dana_looks(world, client):
    """The control: Morgan is in the world (Dana, the private mail's owner, sees them)."""
    client.force_login(world.dana)
    people = text_of(
        client.get(reverse("accounts:people", args=[world.northwind.pk]), {"people": "everyone"})
    )
    assert "Morgan Quiet" in people
    assert PersonEngagement.objects.filter(email=MORGAN["email"]).exists()


def test_no_page_shows_chris_a_person_known_only_from_danas_private_mail(world, client):
    client.force_login(world.chris)
    leaks = {}
    for url, params in page_routes(world):
        found = secrets_in(text_of(client.get(url, params)))
        if found:
            leaks[f"{url}?{params}"] = found
    assert leaks == {}


@pytest.mark.parametrize("query", ["Morgan", "Quiet", MORGAN["email"], "CFO"])
def test_search_finds_nothing_for_chris_from_danas_private_mail(world, client, query):
    client.force_login(world.chris)
    found = text_of(client.get(reverse("accounts:search"), {"q": query}))
    assert "No account or opportunity matches" in found


def test_the_embedded_page_shows_chris_no_person_from_danas_private_mail(world, client):
    client.force_login(world.chris)
    for record in (world.northwind, world.renewal):
        framed = text_of(client.get(reverse("accounts:embed_salesforce", args=[record.crm_id])))
        assert secrets_in(framed) == []
    token = embed.embed_token_for(world.chris)
    anonymous = Client()
    for url, params in page_routes(world):
        assert secrets_in(text_of(anonymous.get(url, {**params, "embed": token}))) == [], url


def test_janes_sidebar_shows_chris_her_next_public_meeting_not_danas_private_one(world, client):
    jane = PersonEngagement.objects.get(account=world.northwind, email="jane.doe@northwind.com")
    client.force_login(world.chris)
    sidebar = text_of(client.get(reverse("accounts:person", args=[world.northwind.pk, jane.pk])))
    assert "Jane Doe" in sidebar
    assert "Quarterly review" in sidebar
    assert [date for date in PRIVATE_NEXT_MEETING_DATES if date in sidebar] == []
    # Dana, whose meeting it is, sees it as Jane's next meeting.
    client.force_login(world.dana)
    sidebar = text_of(client.get(reverse("accounts:person", args=[world.northwind.pk, jane.pk])))
    assert "Board prep with Morgan" in sidebar


def test_morgans_sidebar_is_not_found_for_chris(world, client):
    morgan = PersonEngagement.objects.get(account=world.northwind, email=MORGAN["email"])
    client.force_login(world.chris)
    response = client.get(reverse("accounts:person", args=[world.northwind.pk, morgan.pk]))
    assert secrets_in(text_of(response)) == []


def test_a_contact_role_created_from_danas_private_mail_is_not_shown_to_chris(world, client):
    from contacts.tests.factories import ContactFactory
    from opportunities.tests.factories import OpportunityContactRoleFactory

    # The contact engine's work when the profile allows it: Morgan's contact and role, from Dana's mail.
    morgan = ContactFactory(
        account=world.northwind, first_name="Morgan", last_name="Quiet", email=MORGAN["email"]
    )
    OpportunityContactRoleFactory(
        opportunity=world.renewal, contact=morgan, role="Economic Buyer", created_by_backstory=True
    )
    page = reverse("opportunities:detail", args=[world.renewal.pk])
    client.force_login(world.chris)
    assert secrets_in(text_of(client.get(page))) == []
    client.force_login(world.dana)
    assert "Economic Buyer" in text_of(client.get(page))


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_assistant_names_no_person_from_danas_private_mail_to_chris(world, client, question):
    client.force_login(world.chris)
    for record_type, record in (("account", world.northwind), ("opportunity", world.renewal)):
        url = reverse("assistant:ask", args=[record_type, record.pk])
        answer = text_of(client.post(url, {"question": question}, HTTP_HX_REQUEST="true"))
        assert "Dana Rivera" in answer or "<" in answer  # an answer came back
        assert secrets_in(answer.replace(question, "")) == [], (record_type, question)
