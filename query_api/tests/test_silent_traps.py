"""Issue 19, points 2–6: answers that were silently wrong, or errors that said the wrong thing,
tried over HTTP with a bearer token as an analyst's BI tool sends them."""

import datetime as dt
import io
import json
import time

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from accounts.tests.factories import AccountFactory
from opportunities.tests.factories import OpportunityFactory
from query_api.tests.factories import CustomMetricFactory

pytestmark = pytest.mark.django_db
NAME = {"slug": "ootb_account_name"}
INDUSTRY = {"slug": "industry"}


def leaf(attribute, clause):
    return {"attribute": attribute, "clause": clause}


@pytest.fixture
def five_accounts():
    return [AccountFactory(industry="Technology", company_size=100 + n) for n in range(5)]


# --- 2. an empty $nin inside $not and $or ------------------------------------------------------------
def test_not_of_an_empty_exclusion_list_matches_nothing(api, five_accounts):
    body = {"object": "account", "columns": [NAME], "filter": {"$not": leaf(INDUSTRY, {"$nin": []})}}
    response = api.query(body)
    assert response.status_code == 200, response.content
    assert response.json()["total"] == 0


def test_an_empty_exclusion_list_in_an_or_matches_everything(api, five_accounts):
    body = {
        "object": "account",
        "columns": [NAME],
        "filter": {"$or": [leaf(INDUSTRY, {"$nin": []}), leaf({"slug": "company_size"}, {"$lt": 0})]},
    }
    assert api.query(body).json()["total"] == 5


def test_an_empty_inclusion_list_under_not_matches_everything(api, five_accounts):
    body = {"object": "account", "columns": [NAME], "filter": {"$not": leaf(INDUSTRY, {"$in": []})}}
    assert api.query(body).json()["total"] == 5


# --- 3. epoch seconds are not milliseconds ----------------------------------------------------------
@pytest.fixture
def deals_closing():
    OpportunityFactory(close_date=dt.date(2026, 12, 15))
    OpportunityFactory(close_date=dt.date(2027, 3, 1))


def close_date_before(value):
    return {
        "object": "opportunity",
        "columns": [{"slug": "crm_opportunity_name"}],
        "filter": leaf({"slug": "expected_close_date"}, {"$lt": value}),
    }


def test_epoch_seconds_are_refused_with_a_message_saying_milliseconds(api, deals_closing):
    response = api.query(close_date_before(1798761600))  # 2027-01-01 in seconds
    assert response.status_code == 400
    problem = response.json()["errors"][0]
    assert problem["path"] == "filter.clause.$lt" and problem["code"] == "invalid_value"
    assert "milliseconds" in problem["message"] and "2027-01-01" in problem["message"]


def test_epoch_milliseconds_as_integer_or_whole_float_give_the_same_rows_as_the_date(api, deals_closing):
    as_date = api.query(close_date_before("2027-01-01")).json()
    assert as_date["total"] == 1
    assert api.query(close_date_before(1798761600000)).json()["total"] == 1
    assert api.query(close_date_before(1798761600000.0)).json()["total"] == 1


# --- 4. valid JSON is not "invalid JSON" -----------------------------------------------------------
def nested(levels, key="$and"):
    node = leaf(INDUSTRY, {"$eq": "Technology"})
    for _ in range(levels):
        node = {key: node} if key == "$not" else {key: [node]}
    return {"object": "account", "columns": [NAME], "filter": node}


@pytest.mark.parametrize("levels,key", [(472, "$and"), (943, "$not"), (40, "$or")])
def test_a_filter_nested_too_deep_says_so_at_the_path(api, levels, key):
    response = api.query(nested(levels, key))
    assert response.status_code == 400
    [problem] = response.json()["errors"]
    assert problem["code"] == "too_deep" and "16 levels" in problem["message"]
    step = f".{key}" if key == "$not" else f".{key}[0]"
    assert problem["path"] == "filter" + step * 16


def test_a_valid_body_sent_chunked_is_read(api, five_accounts):
    payload = json.dumps({"object": "account", "columns": [NAME]}).encode()
    response = api.generic(
        "POST",
        "/api/v3/query",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
        **{"wsgi.input": io.BytesIO(payload)},
    )
    assert response.status_code == 200, response.content
    assert response.json()["total"] == 5


# --- 5. duplicate keys --------------------------------------------------------------------------------
def test_two_filter_keys_are_a_400_naming_the_path(api, five_accounts):
    raw = (
        '{"object": "account", "columns": [{"slug": "ootb_account_name"}],'
        ' "filter": {"attribute": {"slug": "industry"}, "clause": {"$eq": "Retail"}},'
        ' "filter": {"attribute": {"slug": "company_size"}, "clause": {"$gte": 0}}}'
    )
    response = api.post("/api/v3/query", raw, content_type="application/json")
    assert response.status_code == 400
    assert [(e["path"], e["code"]) for e in response.json()["errors"]] == [("filter", "duplicate_key")]


def test_a_duplicate_key_deep_inside_is_named_by_its_path(api):
    raw = (
        '{"object": "account", "columns": [{"slug": "ootb_account_name"}],'
        ' "filter": {"$and": [{"attribute": {"slug": "industry"}, "clause": {"$eq": "a", "$eq": "b"}}]}}'
    )
    response = api.post("/api/v3/query", raw, content_type="application/json")
    assert [(e["path"], e["code"]) for e in response.json()["errors"]] == [
        ("filter.$and[0].clause.$eq", "duplicate_key")
    ]


# --- 6. tokens, the token endpoint, discovery, $regex --------------------------------------------------
def test_an_expired_token_says_it_expired(api, token):
    AccessToken.objects.update(expires=timezone.now() - dt.timedelta(minutes=5))
    response = api.query({"object": "account", "columns": [NAME]})
    assert response.status_code == 401
    message = response.json()["errors"][0]["message"]
    assert "expired" in message and "not provided" not in message


def test_a_revoked_token_says_it_is_not_valid(api, api_key):
    api_key.delete()
    message = api.query({"object": "account", "columns": [NAME]}).json()["errors"][0]["message"]
    assert "revoked" in message and "not provided" not in message


def test_the_token_endpoint_answers_405_in_the_api_error_shape():
    response = APIClient().get("/api/v3/auth/tokens")
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


def test_the_token_endpoint_is_rate_limited(api_key, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "query_api_token": "3/min",
        },
    }
    client = APIClient()
    wrong = {"client_id": api_key.client_id, "client_secret": "guess"}
    assert [client.post("/api/v3/auth/tokens", wrong).status_code for _ in range(3)] == [401, 401, 401]
    limited = client.post("/api/v3/auth/tokens", wrong)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert limited.json()["errors"][0]["code"] == "throttled"


def test_discovery_flags_a_derived_metric_whose_formula_broke(api):
    healthy = CustomMetricFactory(
        slug="derived_account_mail_per_meeting",
        kind="derived",
        formula="ootb_emails_sent / ootb_meetings_held",
    )
    CustomMetricFactory(slug="derived_account_broken", kind="derived", formula="custom_account_gone * 2")
    metrics = {m["slug"]: m for m in api.get("/api/v3/metrics?object=account").json()["metrics"]}
    assert metrics[healthy.slug]["available"] is True and metrics[healthy.slug]["problem"] is None
    broken = metrics["derived_account_broken"]
    assert broken["available"] is False and "custom_account_gone" in broken["problem"]


def test_a_fixed_value_slug_lists_the_variation_it_accepts(api, five_accounts):
    metrics = {m["slug"]: m for m in api.get("/api/v3/metrics?object=account").json()["metrics"]}
    assert metrics["industry"]["variations"] == ["industry_current"]
    column = {"slug": "industry", "variation_id": "industry_current"}
    assert api.query({"object": "account", "columns": [column]}).status_code == 200


@pytest.mark.parametrize("pattern", ["^(a+)+$", "^(a|aa)+$"])
def test_a_backtracking_regex_is_answered_or_stopped_quickly(api, settings, pattern):
    settings.QUERY_API_REGEX_TIMEOUT = 0.05
    settings.QUERY_API_STATEMENT_TIMEOUT = 2
    AccountFactory(name="a" * 28 + "!")
    body = {"object": "account", "columns": [NAME], "filter": leaf(NAME, {"$regex": pattern})}
    started = time.monotonic()
    response = api.query(body)
    assert time.monotonic() - started < 2.5
    if response.status_code == 200:  # an engine that does not backtrack on it: the right answer
        assert response.json()["total"] == 0
    else:
        assert response.status_code in (400, 504), response.content
        problem = response.json()["errors"][0]
        assert problem["code"] in ("invalid_regex", "query_timeout")
        assert problem["path"] in ("filter.clause.$regex", "")


def test_a_regex_too_long_is_refused(api):
    body = {"object": "account", "columns": [NAME], "filter": leaf(NAME, {"$regex": "a" * 201})}
    assert api.query(body).json()["errors"][0]["code"] == "invalid_value"
