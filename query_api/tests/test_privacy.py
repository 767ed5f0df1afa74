"""Issue 15, privacy of people, probed through the Query API as an attacker.

Dana (the account owner) mails and meets Morgan Quiet, Northwind's CFO, privately: Morgan is
known only from Dana's private activities. Chris, another rep, asks the Query API everything it
serves — every metric of every object in every variation, as JSON, as CSV and on the Metrics
Library's "Try a query" page — with his session, and a Query API key asks the same.

What the Query API may say about Morgan: only figures. Design: "A private activity is counted in
every score but shown only to its owner and admins"; FAQ: "the score is calculated using all
matched activities". So counts, booleans (executive engagement) and dates of the last activity
include Dana's private mail, exactly as the pages' engagement explanation does. What it may never
say: Morgan's name, address or title, a contact role, the next meeting, or any text of the
private activities. The Query API answers about accounts, opportunities and users (colleagues)
only, and has no reader: a rep, an admin and a key get the same answer.

These probes found no leak on the code they were written against; they pin that down, so a metric
added later that names a person or quotes an activity fails here.
"""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from query_api.registry import DataType, QueryObject, load_catalog
from tests.private_mail import MORGAN, PrivateMailWorld, secrets_in

pytestmark = pytest.mark.django_db

NAME_SLUGS = {
    QueryObject.ACCOUNT: "ootb_account_name",
    QueryObject.OPPORTUNITY: "crm_opportunity_name",
    QueryObject.USER: "user_name",
}
# Attributes an attacker might try to filter or sort on to test for Morgan: the Query API has none.
PERSON_ATTRIBUTES = (
    "contact_name",
    "contact_email",
    "contact_title",
    "contact_role",
    "participant_email",
    "person_name",
    "next_meeting",
    "next_meeting_date",
    "ootb_next_meeting_date",
    "champion_name",
    "executive_name",
)


@pytest.fixture
def world(frozen_now):
    return PrivateMailWorld()


def every_column(query_object: QueryObject) -> list[dict]:
    """Every metric of the object in every variation it accepts."""
    columns = []
    for metric in load_catalog().metrics(query_object):
        if metric.has_variations:
            columns += [{"slug": metric.slug, "variation_id": v} for v in metric.variation_ids]
        else:
            columns.append({"slug": metric.slug})
    return columns


def chunks(columns: list[dict], size: int = 90):
    for start in range(0, len(columns), size):
        yield columns[start : start + size]


def ask_everything(client: APIClient) -> dict[QueryObject, dict]:
    """Every metric of every object: ``{object: {record name: {column id: value}}}``, and the total."""
    answers = {}
    for query_object in QueryObject:
        name = NAME_SLUGS[query_object]
        rows: dict[str, dict] = {}
        slugs: dict[str, str] = {}
        total = None
        for part in chunks(every_column(query_object)):
            part = [column for column in part if column["slug"] != name]
            body = {"object": query_object.value, "columns": [{"slug": name}, *part], "limit": 1000}
            response = client.post("/api/v3/query", body, format="json")
            assert response.status_code == 200, response.content
            data = response.json()
            total = data["total"]
            slugs.update({column["id"]: column["slug"] for column in data["columns"]})
            for row in data["rows"]:
                rows.setdefault(row[name], {}).update(row)
        answers[query_object] = {"rows": rows, "total": total, "slugs": slugs}
    return answers


def session_of(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def bearer_of(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def text_answers(client: APIClient) -> str:
    """Everything the Query API says, as text: JSON of every column, CSV exports with labels, and
    the Metrics Library's "Try a query" page."""
    parts = []
    for query_object in QueryObject:
        for part in chunks(every_column(query_object)):
            body = {"object": query_object.value, "columns": part, "limit": 1000}
            parts.append(client.post("/api/v3/query", body, format="json").content.decode())
            export = client.post("/api/v3/query/export?header=labels", body, format="json")
            assert export.status_code == 200, export.content
            parts.append(export.content.decode())
    parts.append(client.get("/api/v3/metrics").content.decode())
    return "\n".join(parts)


def test_a_person_known_only_from_a_colleagues_private_mail_is_never_named_by_the_query_api(world, token):
    world.capture()

    for client in (session_of(world.chris), bearer_of(token)):
        said = text_answers(client)
        assert secrets_in(said) == []


def test_the_try_a_query_page_shows_a_rep_no_person_from_a_colleagues_private_mail(world, client):
    world.capture()
    client.force_login(world.chris)
    for query_object in QueryObject:
        for part in chunks(every_column(query_object)):
            body = {"object": query_object.value, "columns": part, "limit": 1000}
            page = client.post("/reports/metrics-library/try/", {"body": json.dumps(body)})
            assert page.status_code == 200
            shown = page.content.decode()
            assert "<table" in shown, "the query ran"
            assert secrets_in(shown) == []


def test_private_mail_changes_only_figures_never_a_text_value_or_the_records_listed(world):
    chris = session_of(world.chris)
    world.capture(private=False)
    before = ask_everything(chris)

    world.capture(public=False)
    after = ask_everything(chris)

    catalog = load_catalog()
    changed_text = []
    for query_object in QueryObject:
        # No account, opportunity or user appears because of Morgan.
        assert after[query_object]["total"] == before[query_object]["total"]
        assert after[query_object]["rows"].keys() == before[query_object]["rows"].keys()
        for record, row in after[query_object]["rows"].items():
            for column, value in row.items():
                metric = catalog.metric(query_object, after[query_object]["slugs"][column])
                if metric.data_type is not DataType.STRING:
                    continue
                if metric.values:  # an enumeration (increasing / stable / declining): a figure
                    assert value is None or value in metric.values
                elif value != before[query_object]["rows"][record][column]:
                    changed_text.append((query_object.value, record, column, value))
    assert changed_text == []
    # The figures do count Morgan (the FAQ: all matched activities count).
    northwind_before = before[QueryObject.ACCOUNT]["rows"]["Northwind"]
    northwind = after[QueryObject.ACCOUNT]["rows"]["Northwind"]
    assert (northwind_before["ootb_multi_threading_score"], northwind["ootb_multi_threading_score"]) == (1, 2)
    assert (northwind_before["ootb_executive_engagement"], northwind["ootb_executive_engagement"]) == (
        False,
        True,
    )
    assert (northwind_before["ootb_last_activity_date"], northwind["ootb_last_activity_date"]) == (
        "2026-11-19",
        "2026-11-22",
    )


def test_a_rep_an_admin_and_a_key_get_the_same_answer(world, token):
    world.capture()
    as_chris = ask_everything(session_of(world.chris))
    assert ask_everything(session_of(world.admin)) == as_chris
    assert ask_everything(session_of(world.dana)) == as_chris
    assert ask_everything(bearer_of(token)) == as_chris


@pytest.mark.parametrize("attribute", PERSON_ATTRIBUTES)
def test_there_is_no_person_attribute_to_filter_or_sort_on(world, attribute):
    world.capture()
    chris = session_of(world.chris)
    for query_object in QueryObject:
        body = {
            "object": query_object.value,
            "columns": [{"slug": NAME_SLUGS[query_object]}],
            "filter": {"attribute": {"slug": attribute}, "clause": {"$eq": MORGAN["email"]}},
            "sort": [{"attribute": {"slug": attribute}, "direction": "desc"}],
        }
        response = chris.post("/api/v3/query", body, format="json")
        assert response.status_code == 400
        codes = {error["code"] for error in response.json()["errors"]}
        assert codes == {"unknown_slug"}, response.json()


def test_every_text_metric_filtered_on_morgan_matches_no_record(world):
    """A filter is an oracle only if some value holds Morgan: none does, so no filter on a text
    metric with Morgan's name or address (equality, regex) matches a record."""
    world.capture()
    chris = session_of(world.chris)
    for query_object in QueryObject:
        for metric in load_catalog().metrics(query_object):
            if metric.data_type is not DataType.STRING or metric.values:
                continue
            for clause in ({"$eq": MORGAN["email"]}, {"$regex": "(?i)morgan|quiet"}):
                body = {
                    "object": query_object.value,
                    "columns": [{"slug": NAME_SLUGS[query_object]}],
                    "filter": {"attribute": {"slug": metric.slug}, "clause": clause},
                }
                response = chris.post("/api/v3/query", body, format="json")
                assert response.status_code == 200, response.content
                assert response.json()["total"] == 0, (metric.slug, clause)
