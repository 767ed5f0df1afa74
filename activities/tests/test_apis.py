"""POST /api/v1/activities (mounted in this app at /activities/api/): batches, per-item errors, auth."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from activities.apis import split_reason
from activities.models import Activity
from activities.tests.factories import api_item

URL = "/activities/api/"


@pytest.fixture
def api(org):
    client = APIClient()
    token = Token.objects.create(user=org.dana)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_url_name():
    assert reverse("activities:api-capture") == URL


def test_all_good_is_201_and_stored(api, org):
    response = api.post(
        URL, {"activities": [api_item(source_id="a"), api_item(source_id="b")]}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["duplicates"], body["excluded"], body["errors"]) == (2, 0, 0, [])
    assert [r["status"] for r in body["results"]] == ["created", "created"]
    assert Activity.objects.get(pk=body["results"][0]["activity_id"]).account == org.acme


def test_resending_is_safe_200_with_duplicates(api):
    api.post(URL, {"activities": [api_item()]}, format="json")
    response = api.post(URL, {"activities": [api_item()]}, format="json")
    assert response.status_code == 200
    assert response.json()["duplicates"] == 1
    assert response.json()["results"][0]["reason"] == "already captured"
    assert Activity.objects.count() == 1


def test_a_bare_array_is_accepted(api):
    assert api.post(URL, [api_item()], format="json").status_code == 201


def test_mixed_batch_stores_the_good_ones_and_lists_each_bad_one(api):
    bad_email = api_item(source_id="bad", participants=[{"email": "ana@", "role": "from"}])
    missing_field = api_item(source_id="missing")
    del missing_field["occurred_at"]
    typo = api_item(source_id="typo", privat=True)
    response = api.post(
        URL, {"activities": [api_item(source_id="ok"), bad_email, missing_field, typo]}, format="json"
    )
    assert response.status_code == 207
    body = response.json()
    assert body["created"] == 1
    assert body["errors"] == [
        {"index": 1, "field": "participants[0].email", "reason": "not a valid email address: 'ana@'"},
        {"index": 2, "field": "occurred_at", "reason": "missing"},
        {"index": 3, "field": "privat", "reason": "unknown field 'privat'"},
    ]
    assert [r["status"] for r in body["results"]] == ["created", "error", "error", "error"]
    assert body["results"][1]["source_id"] == "bad"
    assert list(Activity.objects.values_list("source_id", flat=True)) == ["ok"]


def test_nothing_good_is_400_with_every_error(api):
    response = api.post(URL, {"activities": [{"kind": "fax"}, "not an object"]}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["index"] for e in errors] == [0, 1]
    assert errors[0]["field"] == "kind"
    assert Activity.objects.count() == 0


def test_excluded_items_are_counted_not_errors(api, org):
    response = api.post(URL, {"activities": [api_item(subject="Out of office until Monday")]}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["excluded"] == 1 and body["errors"] == []
    assert "local filter" in body["results"][0]["reason"]


def test_over_a_thousand_items_says_the_limit_and_how_to_split(api):
    items = [api_item(source_id=f"c{n}") for n in range(1_001)]
    response = api.post(URL, {"activities": items}, format="json")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "at most 1,000" in detail and "1,001" in detail and "Split it into 2 requests" in detail
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(
    "payload, message", [({"activities": []}, "empty"), ({"items": []}, '{"activities": [...]}')]
)
def test_bad_batches(api, payload, message):
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_invalid_json_is_a_400_not_a_500(api):
    response = api.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_needs_authentication(org):
    response = APIClient().post(URL, {"activities": [api_item()]}, format="json")
    assert response.status_code in (401, 403)
    assert Activity.objects.count() == 0


def test_session_auth_works(org, client):
    client.force_login(org.dana)
    assert client.post(URL, {"activities": [api_item()]}, content_type="application/json").status_code == 201


def test_the_schema_documents_the_endpoint_and_its_statuses(api, org):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/activities/api/"]["post"]
    assert set(operation["responses"]) == {"200", "201", "207", "400", "403"}
    assert operation["operationId"] == "activities_capture_in_app"
    assert "At most 1,000 items" in str(schema["components"]["schemas"])
    components = schema["components"]["schemas"]
    assert {"kind", "source_id", "occurred_at", "participants"} <= set(components["ActivityItem"]["required"])


@pytest.mark.parametrize(
    "reason, expected",
    [
        (
            "participants[1].email: not a valid email address: 'x'",
            ("participants[1].email", "not a valid email address: 'x'"),
        ),
        ("source_id: missing", ("source_id", "missing")),
        ("unknown field 'privat'", ("privat", "unknown field 'privat'")),
        ("expected a JSON object, got str", ("", "expected a JSON object, got str")),
    ],
)
def test_split_reason(reason, expected):
    assert split_reason(reason) == expected


def test_the_api_v1_alias_module_serves_the_same_endpoint(api, settings):
    from django.urls import include, path

    from backstory import urls as project_urls

    class WithAlias:
        urlpatterns = [path("api/v1/", include("activities.api_urls")), *project_urls.urlpatterns]

    settings.ROOT_URLCONF = WithAlias
    response = api.post("/api/v1/activities", {"activities": [api_item()]}, format="json")
    assert response.status_code == 201
