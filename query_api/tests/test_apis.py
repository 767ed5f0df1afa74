"""The HTTP contract: errors by JSON path, auth (tokens, session), throttling, CSV, discovery, schema."""

import datetime as dt

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from accounts.tests.factories import AccountFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NAME = {"slug": "ootb_account_name"}


def errors(response):
    assert response.status_code == 400, response.content
    return {(e["path"], e["code"]) for e in response.json()["errors"]}


def message(response, path):
    return next(e["message"] for e in response.json()["errors"] if e["path"] == path)


# --- errors, each named by its path ------------------------------------------------------------
def test_the_bare_period_mistake_gives_the_correct_form(api):
    response = api.query(
        {"object": "account", "columns": [{"slug": "ootb_emails_sent", "variation_id": "last_30_days"}]}
    )
    assert errors(response) == {("columns[0].variation_id", "invalid_variation")}
    assert '"ootb_emails_sent_last_30_days"' in message(response, "columns[0].variation_id")


def test_every_problem_is_reported_not_only_the_first(api):
    response = api.query(
        {
            "object": "account",
            "columns": [
                NAME,
                {"slug": "ootb_emails_snt"},
                {"slug": "ootb_emails_sent", "variation_id": "ootb_emails_sent_current_week"},
            ],
            "filter": {
                "$and": [
                    {"attribute": NAME, "clause": {"$eq": "x"}},
                    {"attribute": {"slug": "company_size"}, "clause": {"$gte": "10"}},
                ]
            },
            "sort": [{"attribute": {"slug": "nope"}, "direction": "down"}],
            "limit": 20_000,
            "offset": -1,
        }
    )
    assert errors(response) == {
        ("columns[1].slug", "unknown_slug"),
        ("columns[2].variation_id", "unsupported_variation"),
        ("filter.$and[1].clause.$gte", "invalid_value"),
        ("sort[0].attribute.slug", "unknown_slug"),
        ("sort[0].direction", "invalid_value"),
        ("limit", "invalid_limit"),
        ("offset", "invalid_offset"),
    }
    assert 'Did you mean "ootb_emails_sent"' in message(response, "columns[1].slug")


@pytest.mark.parametrize(
    "body,path,code",
    [
        ([1, 2], "", "invalid_body"),
        ("columns", "", "invalid_body"),
        ({"object": "account"}, "columns", "required"),
        ({"object": "account", "columns": []}, "columns", "invalid_type"),
        ({"object": "acount", "columns": [NAME]}, "object", "unknown_object"),
        ({"object": "account", "columns": [NAME], "colums": []}, "colums", "unknown_key"),
        ({"object": "account", "columns": ["ootb_account_name"]}, "columns[0]", "invalid_type"),
        (
            {"object": "account", "columns": [{"slug": "ootb_account_name", "variation": "x"}]},
            "columns[0].variation",
            "unknown_key",
        ),
        ({"object": "account", "columns": [NAME, NAME]}, "columns[1]", "duplicate_column"),
        ({"object": "account", "columns": [{"slug": "user_name"}]}, "columns[0].slug", "unknown_slug"),
        (
            {"object": "account", "columns": [{"slug": "industry", "variation_id": "industry_last_30_days"}]},
            "columns[0].variation_id",
            "unsupported_variation",
        ),
        (
            {
                "object": "account",
                "columns": [{"slug": "ootb_emails_sent", "variation_id": "ootb_calls_made_last_30_days"}],
            },
            "columns[0].variation_id",
            "invalid_variation",
        ),
        ({"object": "account", "columns": [NAME], "filter": []}, "filter", "malformed_node"),
        ({"object": "account", "columns": [NAME], "filter": {"attribute": NAME}}, "filter", "malformed_node"),
        ({"object": "account", "columns": [NAME], "filter": {"$and": []}}, "filter.$and", "malformed_node"),
        (
            {
                "object": "account",
                "columns": [NAME],
                "filter": {"$and": [{"attribute": NAME, "clause": {"eq": "x"}}]},
            },
            "filter.$and[0].clause.eq",
            "unknown_operator",
        ),
        (
            {"object": "account", "columns": [NAME], "filter": {"$or": [{"attribute": NAME, "clause": {}}]}},
            "filter.$or[0].clause",
            "malformed_node",
        ),
        (
            {
                "object": "account",
                "columns": [NAME],
                "filter": {"$not": {"attribute": NAME, "clause": {"$gt": "a"}}},
            },
            "filter.$not.clause.$gt",
            "operator_not_supported",
        ),
        (
            {
                "object": "account",
                "columns": [NAME],
                "filter": {"attribute": {"slug": "company_size"}, "clause": {"$regex": "1"}},
            },
            "filter.clause.$regex",
            "operator_not_supported",
        ),
        (
            {
                "object": "account",
                "columns": [NAME],
                "filter": {"attribute": {"slug": "ootb_executive_engagement"}, "clause": {"$gt": True}},
            },
            "filter.clause.$gt",
            "operator_not_supported",
        ),
        (
            {
                "object": "account",
                "columns": [NAME],
                "filter": {"attribute": {"slug": "ootb_executive_engagement"}, "clause": {"$eq": "true"}},
            },
            "filter.clause.$eq",
            "invalid_value",
        ),
        (
            {"object": "account", "columns": [NAME], "filter": {"attribute": NAME, "clause": {"$eq": None}}},
            "filter.clause.$eq",
            "invalid_value",
        ),
        (
            {"object": "account", "columns": [NAME], "filter": {"attribute": NAME, "clause": {"$in": "x"}}},
            "filter.clause.$in",
            "invalid_value",
        ),
        (
            {
                "object": "account",
                "columns": [NAME],
                "filter": {"attribute": NAME, "clause": {"$in": ["a", 1]}},
            },
            "filter.clause.$in[1]",
            "invalid_value",
        ),
        (
            {
                "object": "account",
                "columns": [NAME],
                "filter": {"attribute": NAME, "clause": {"$regex": "("}},
            },
            "filter.clause.$regex",
            "invalid_regex",
        ),
        (
            {
                "object": "account",
                "columns": [NAME],
                "filter": {"attribute": NAME, "clause": {"$exists": "no"}},
            },
            "filter.clause.$exists",
            "invalid_value",
        ),
        (
            {
                "object": "account",
                "columns": [NAME],
                "filter": {
                    "attribute": {"slug": "ootb_last_activity_date"},
                    "clause": {"$gte": "2024-13-01"},
                },
            },
            "filter.clause.$gte",
            "invalid_value",
        ),
        (
            {
                "object": "account",
                "columns": [NAME],
                "filter": {"attribute": {"slug": "company_size"}, "clause": {"$gte": 1e300}},
            },
            "filter.clause.$gte",
            "invalid_value",
        ),
        ({"object": "account", "columns": [NAME], "sort": {"attribute": NAME}}, "sort", "invalid_type"),
        ({"object": "account", "columns": [NAME], "limit": True}, "limit", "invalid_limit"),
        ({"object": "account", "columns": [NAME], "limit": 2.5}, "limit", "invalid_limit"),
        ({"columns": [{"slug": "ootb_emails_sent"}]}, "object", "object_required"),
        ({"columns": [NAME, {"slug": "user_name"}]}, "object", "object_required"),
    ],
)
def test_malformed_bodies_are_400_with_the_path(api, body, path, code):
    assert (path, code) in errors(api.query(body))


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"",
        b"NaN",
        b'{"columns": Infinity}',
        b"[" * 50_000,
        '{"a": "\ud800"}'.encode("utf-8", "surrogatepass"),
    ],
)
def test_a_body_that_is_not_json_is_400(api, raw):
    response = api.post("/api/v3/query", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] in {"invalid_json", "invalid_body", "required"}


def test_a_form_body_is_400_not_a_crash(api):
    response = api.post("/api/v3/query", {"columns": "x"}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == ""


def test_the_object_is_inferred_when_the_slugs_leave_one_choice(api):
    AccountFactory(name="Acme")
    response = api.query({"columns": [NAME]})
    assert response.status_code == 200 and response.json()["rows"] == [{"ootb_account_name": "Acme"}]


def test_a_slug_of_another_object_says_which(api):
    response = api.query({"object": "account", "columns": [{"slug": "ootb_win_rate"}]})
    assert "user object" in message(response, "columns[0].slug")


# --- the answer ----------------------------------------------------------------------------------
def test_columns_rows_total_and_paging(api):
    for n in range(5):
        AccountFactory(name=f"Account {n}", company_size=100 * n)
    body = {
        "object": "account",
        "columns": [NAME, {"slug": "company_size"}],
        "sort": [{"attribute": {"slug": "company_size"}, "direction": "desc"}],
        "limit": 2,
        "offset": 1,
    }
    answer = api.query(body).json()
    assert answer["columns"] == [
        {
            "id": "ootb_account_name",
            "slug": "ootb_account_name",
            "variation": None,
            "label": "Account name",
            "type": "string",
        },
        {
            "id": "company_size",
            "slug": "company_size",
            "variation": None,
            "label": "Company size",
            "type": "number",
        },
    ]
    assert answer["rows"] == [
        {"ootb_account_name": "Account 3", "company_size": 300},
        {"ootb_account_name": "Account 2", "company_size": 200},
    ]
    assert (answer["total"], answer["limit"], answer["offset"]) == (5, 2, 1)
    past_the_end = api.query({**body, "offset": 10}).json()
    assert past_the_end["rows"] == [] and past_the_end["total"] == 5
    assert api.query({**body, "limit": 0}).json()["total"] == 5


def test_defaults_and_the_variation_used_are_in_the_answer(api):
    AccountFactory()
    answer = api.query(
        {"object": "account", "columns": [{"slug": "ootb_emails_sent"}, {"slug": "ootb_opportunity_count"}]}
    ).json()
    assert [c["variation"] for c in answer["columns"]] == [
        "ootb_emails_sent_current",
        "ootb_opportunity_count_total",
    ]
    assert (answer["limit"], answer["offset"]) == (100, 0)


def test_csv_export_with_slugs_labels_or_ids(api):
    AccountFactory(name='Acme, "the" company', company_size=None)
    body = {
        "object": "account",
        "columns": [
            NAME,
            {"slug": "company_size"},
            {"slug": "ootb_emails_sent", "variation_id": "ootb_emails_sent_last_30_days"},
        ],
    }
    response = api.post("/api/v3/query/export", body, format="json")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert (
        response.content.decode()
        == 'ootb_account_name,company_size,ootb_emails_sent\r\n"Acme, ""the"" company",,0\r\n'
    )
    labels = (
        api.post("/api/v3/query/export?header=labels", body, format="json").content.decode().splitlines()[0]
    )
    assert labels == "Account name,Company size,Emails sent (last 30 days)"
    ids = api.post("/api/v3/query/export?header=ids", body, format="json").content.decode().splitlines()[0]
    assert ids.endswith("ootb_emails_sent_last_30_days")
    bad = api.post(
        "/api/v3/query/export?header=names", {"object": "account", "columns": [{"slug": "x"}]}, format="json"
    )
    assert errors(bad) == {("query.header", "invalid_value"), ("columns[0].slug", "unknown_slug")}


def test_csv_export_keeps_an_account_name_from_running_as_a_formula(api):
    AccountFactory(name='=HYPERLINK("http://evil.example","Open")')
    body = {"object": "account", "columns": [NAME, {"slug": "ootb_emails_sent"}]}
    rows = api.post("/api/v3/query/export", body, format="json").content.decode().splitlines()
    assert rows[1] == '"\'=HYPERLINK(""http://evil.example"",""Open"")",0'


def test_the_metrics_endpoint_lists_every_slug_with_its_variations(api):
    every = api.get("/api/v3/metrics").json()["metrics"]
    users = api.get("/api/v3/metrics", {"object": "user"}).json()["metrics"]
    assert len(users) < len(every) and {m["object"] for m in users} == {"user"}
    sent = next(m for m in every if m["slug"] == "ootb_emails_sent" and m["object"] == "account")
    assert (
        sent["type"] == "number"
        and "ootb_emails_sent_last_30_days" in sent["variations"]
        and sent["default_variation"] == "ootb_emails_sent_current"
    )
    name = next(m for m in every if m["slug"] == "ootb_account_name")
    assert name["variations"] == ["ootb_account_name_current"]
    assert name["default_variation"] == "ootb_account_name_current"
    assert errors(api.get("/api/v3/metrics", {"object": "lead"})) == {("query.object", "unknown_object")}


def test_only_the_four_endpoints_answer_and_other_methods_are_405(api):
    response = api.get("/api/v3/query")
    assert response.status_code == 405 and response.json()["errors"][0]["code"] == "method_not_allowed"
    assert api.query({"object": "account", "columns": [NAME]}, HTTP_ACCEPT="text/csv").status_code == 200


# --- access ------------------------------------------------------------------------------------------
def test_no_credentials_is_401_with_a_bearer_challenge():
    response = APIClient().post("/api/v3/query", {"columns": [NAME]}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_a_malformed_body_without_credentials_is_still_401():
    response = APIClient().post("/api/v3/query", b"{nope", content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("how", ["form", "json", "basic"])
def test_token_flow_end_to_end(api_key, frozen_now, how):
    client = APIClient()
    credentials = {"client_id": api_key.client_id, "client_secret": api_key.plain_secret}
    if how == "form":
        response = client.post("/api/v3/auth/tokens", {"grant_type": "client_credentials", **credentials})
    elif how == "json":
        response = client.post("/api/v3/auth/tokens", credentials, format="json")
    else:
        import base64

        basic = base64.b64encode(f"{api_key.client_id}:{api_key.plain_secret}".encode()).decode()
        response = client.post(
            "/api/v3/auth/tokens", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
        )
    assert response.status_code == 200, response.content
    token = response.json()
    assert token["token_type"] == "Bearer" and token["scope"] == "query" and token["expires_in"] == 3600
    stored = AccessToken.objects.get(application=api_key)
    assert stored.token == ""  # RFC 9700 hashed storage: only the checksum is kept
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert (
        client.post("/api/v3/query", {"object": "account", "columns": [NAME]}, format="json").status_code
        == 200
    )


def test_a_wrong_secret_gets_no_token(api_key):
    response = APIClient().post(
        "/api/v3/auth/tokens", {"client_id": api_key.client_id, "client_secret": "wrong"}
    )
    assert response.status_code == 401
    assert (
        response.json()["error"] == "invalid_client"
        and response.json()["errors"][0]["code"] == "invalid_client"
    )


def test_other_grants_are_refused_at_the_token_endpoint(api_key):
    response = APIClient().post(
        "/api/v3/auth/tokens",
        {
            "grant_type": "password",
            "username": "u",
            "password": "p",
            "client_id": api_key.client_id,
            "client_secret": api_key.plain_secret,
        },
    )
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_an_expired_token_is_401(api, token):
    AccessToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    response = api.query({"object": "account", "columns": [NAME]})
    assert response.status_code == 401 and "invalid_token" in response["WWW-Authenticate"]


def test_a_revoked_key_loses_its_tokens_and_cannot_get_new_ones(api, api_key):
    client_id, secret = api_key.client_id, api_key.plain_secret
    api_key.delete()
    assert api.query({"object": "account", "columns": [NAME]}).status_code == 401
    assert (
        APIClient().post("/api/v3/auth/tokens", {"client_id": client_id, "client_secret": secret}).status_code
        == 401
    )


def test_a_token_in_the_query_string_is_refused(api, token):
    client = APIClient()
    assert (
        client.post(
            f"/api/v3/query?access_token={token}", {"object": "account", "columns": [NAME]}, format="json"
        ).status_code
        == 401
    )


def test_a_token_without_the_query_scope_is_403(api, api_key, token):
    AccessToken.objects.update(scope="read")
    assert api.query({"object": "account", "columns": [NAME]}).status_code == 403


def test_a_signed_in_session_can_query_with_its_csrf_token(frozen_now):
    UserFactory(username="reader")
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="reader", password="pw")
    assert (
        client.post("/api/v3/query", {"object": "account", "columns": [NAME]}, format="json").status_code
        == 403
    )  # no CSRF token
    client.get("/reports/metrics-library/")
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v3/query", {"object": "account", "columns": [NAME]}, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 200


def test_each_key_is_throttled_on_its_own_with_retry_after(api, api_key, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"query_api_key": "3/min"},
    }
    body = {"object": "account", "columns": [NAME]}
    assert [api.query(body).status_code for _ in range(3)] == [200, 200, 200]
    limited = api.query(body)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert limited.json()["errors"][0]["code"] == "throttled"
    other = APIClient()
    other.force_authenticate(user=UserFactory())
    assert other.post("/api/v3/query", body, format="json").status_code == 200


# --- documentation ---------------------------------------------------------------------------------
def test_the_openapi_schema_documents_the_query_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    query = schema["paths"]["/api/v3/query"]["post"]
    assert "400" in query["responses"] and "examples" in str(query)
    assert "/api/v3/auth/tokens" in schema["paths"] and "/api/v3/metrics" in schema["paths"]


def test_swagger_ui_is_served_from_static_files(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower() and "unpkg" not in page
