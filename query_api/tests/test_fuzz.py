"""Thousands of random and mutated bodies: never a 500; every non-200 is a 400 in the error shape."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.tests.factories import AccountFactory
from insights.tests.factories import SummaryFactory
from opportunities.tests.factories import OpportunityFactory
from query_api.query.parse import ALL_OPERATORS
from query_api.registry import reference_metrics
from query_api.registry.types import KNOWN_PERIODS
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

METRICS = reference_metrics()
SLUGS = sorted({m.slug for m in METRICS})
VARIATIONS = sorted({v for m in METRICS for v in m.variation_ids}) + sorted(KNOWN_PERIODS)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
maybe_junk = lambda strategy: strategy | json_values  # noqa: E731

attribute = st.fixed_dictionaries(
    {"slug": maybe_junk(st.sampled_from(SLUGS) | st.text(max_size=20))},
    optional={"variation_id": maybe_junk(st.sampled_from(VARIATIONS))},
)
clause_value = (
    json_scalars
    | st.lists(json_scalars, max_size=4)
    | st.sampled_from(["2026-11-01", "^A", "(", "[a-", "Technology", ""])
)
clause = st.dictionaries(
    maybe_junk(st.sampled_from(ALL_OPERATORS)).filter(lambda k: isinstance(k, str)), clause_value, max_size=3
)
leaf = st.fixed_dictionaries({"attribute": maybe_junk(attribute), "clause": maybe_junk(clause)})
node = st.recursive(
    leaf | json_values,
    lambda inner: st.fixed_dictionaries({"$and": st.lists(inner, max_size=3)})
    | st.fixed_dictionaries({"$or": st.lists(inner, max_size=3)})
    | st.fixed_dictionaries({"$not": inner}),
    max_leaves=6,
)
bodies = st.fixed_dictionaries(
    {"columns": maybe_junk(st.lists(maybe_junk(attribute), min_size=0, max_size=5))},
    optional={
        "object": maybe_junk(st.sampled_from(["account", "opportunity", "user"])),
        "filter": node,
        "sort": maybe_junk(
            st.lists(
                st.fixed_dictionaries(
                    {"attribute": maybe_junk(attribute)},
                    optional={"direction": maybe_junk(st.sampled_from(["asc", "desc"]))},
                ),
                max_size=3,
            )
        ),
        "limit": maybe_junk(st.integers(min_value=-5, max_value=20_000)),
        "offset": maybe_junk(st.integers(min_value=-5, max_value=50)),
        "extra": json_values,
    },
)


@pytest.fixture
def client(frozen_now, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"query_api_key": "1000000/min"},
    }
    rep = UserFactory()
    for n in range(3):
        account = AccountFactory(
            owner=rep, company_size=n * 10 or None, industry=["Technology", "", "Retail"][n]
        )
        OpportunityFactory(account=account)
    SummaryFactory(account=account, relationship_strength=50, executive_engagement=True)
    api = APIClient()
    api.force_authenticate(user=rep)
    return api


def check(response):
    assert response.status_code in (200, 400), (response.status_code, response.content[:500])
    payload = response.json()
    if response.status_code == 400:
        assert payload["errors"], payload
        for error in payload["errors"]:
            assert set(error) == {"path", "code", "message"} and all(
                isinstance(v, str) for v in error.values()
            )
    else:
        assert {"columns", "rows", "total", "limit", "offset"} <= set(payload)


@settings(
    max_examples=900,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
def test_mutated_bodies_answer_200_or_400(client, body):
    check(client.post("/api/v3/query", body, format="json"))


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=json_values)
def test_random_json_answers_400(client, body):
    check(client.post("/api/v3/query", body, format="json"))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=st.binary(max_size=60) | st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_random_bytes_answer_400(client, raw):
    check(client.post("/api/v3/query", raw, content_type="application/json"))


def test_the_fuzz_strategies_reach_the_database(client):
    body = {
        "object": "account",
        "columns": [{"slug": "industry"}],
        "filter": {"attribute": {"slug": "industry"}, "clause": {"$regex": "^T"}},
    }
    response = client.post("/api/v3/query", json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and response.json()["total"] == 1
