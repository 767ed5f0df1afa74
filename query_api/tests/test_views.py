"""The Metrics Library page, its search (htmx partial and plain GET), trying a query, and the admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oauth2_provider.models import get_application_model

from accounts.tests.factories import AccountFactory
from query_api.models import CustomMetric, CustomMetricValue, QueryApiKey
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, frozen_now):
    UserFactory(username="reader")
    client.login(username="reader", password="pw")
    return client


def test_the_library_needs_a_login(client):
    response = client.get(reverse("query_api:metrics_library"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_library_groups_every_metric_by_object_and_family(signed_in):
    page = signed_in.get("/reports/metrics-library/").content.decode()
    assert "<html" in page and "css/query_api.css" in page
    for text in (
        "Account activity",
        "Opportunity stage &amp; status",
        "User performance",
        "ootb_emails_sent_last_30_days",
        "ootb_user_count_emails_sent",
    ):
        assert text in page


def test_search_as_you_type_returns_the_partial_and_works_without_javascript(signed_in):
    partial = signed_in.get(
        "/reports/metrics-library/", {"q": "quota"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert (
        "<html" not in partial
        and "ootb_quota_attainment" in partial
        and "ootb_emails_sent_opp" not in partial
    )
    full = signed_in.get(
        "/reports/metrics-library/", {"q": "stage", "object": "opportunity"}
    ).content.decode()
    assert "<html" in full and "ootb_days_in_current_stage" in full and "ootb_account_name" not in full
    assert "No metric matches" in signed_in.get("/reports/metrics-library/", {"q": "zzzz"}).content.decode()


def test_trying_a_query_shows_rows_or_problems(signed_in):
    AccountFactory(name="Acme")
    start = signed_in.get(
        reverse("query_api:try_query"), {"object": "account", "slug": "ootb_emails_sent"}
    ).content.decode()
    assert "ootb_emails_sent_current" in start
    rows = signed_in.post(
        reverse("query_api:try_query"),
        {"body": '{"object": "account", "columns": [{"slug": "ootb_account_name"}]}'},
        HTTP_HX_REQUEST="true",
    )
    assert "<html" not in rows.content.decode() and "Acme" in rows.content.decode()
    problems = signed_in.post(
        reverse("query_api:try_query"),
        {"body": '{"columns": [{"slug": "ootb_emails_sent", "variation_id": "last_30_days"}]}'},
    ).content.decode()
    assert "object_required" in problems and "ootb_emails_sent_last_30_days" in problems
    assert "invalid_json" in signed_in.post(reverse("query_api:try_query"), {"body": "{"}).content.decode()


@pytest.fixture
def admin_client(client, frozen_now):
    UserFactory(admin=True, username="boss")
    client.login(username="boss", password="pw")
    return client


def test_creating_a_query_api_key_shows_its_secret_once(admin_client):
    response = admin_client.post(reverse("admin:query_api_queryapikey_add"), {"name": "Finance BI"})
    page = response.content.decode()
    key = QueryApiKey.objects.get(name="Finance BI")
    assert key.client_type == "confidential" and key.authorization_grant_type == "client-credentials"
    secret = page.split('id="client-secret">')[1].split("<")[0]
    assert len(secret) > 30 and key.client_id in page
    assert secret not in get_application_model().objects.get(pk=key.pk).client_secret  # stored hashed
    token = admin_client.post("/api/v3/auth/tokens", {"client_id": key.client_id, "client_secret": secret})
    assert token.status_code == 200
    assert (
        secret
        not in admin_client.get(reverse("admin:query_api_queryapikey_change", args=[key.pk])).content.decode()
    )


def test_revoking_keys_from_the_admin(admin_client, api_key):
    admin_client.post(
        reverse("admin:query_api_queryapikey_changelist"),
        {"action": "revoke_keys", "_selected_action": [api_key.pk]},
    )
    assert not QueryApiKey.objects.exists()


def test_the_admin_action_loads_values_from_a_csv_file(admin_client):
    AccountFactory(crm_id="001A")
    metric = CustomMetric.objects.create(
        slug="custom_account_product_usage", object="account", label="Usage", data_type="string"
    )
    url = reverse("admin:query_api_custommetric_changelist")
    form = admin_client.post(url, {"action": "load_values_from_csv", "_selected_action": [metric.pk]})
    assert b"Load values" in form.content
    upload = SimpleUploadedFile("usage.csv", b"crm_id,value\n001A,heavy\n", content_type="text/csv")
    admin_client.post(
        url,
        {"action": "load_values_from_csv", "_selected_action": [metric.pk], "apply": "1", "csv_file": upload},
        follow=True,
    )
    assert CustomMetricValue.objects.get(metric=metric).value_string == "heavy"
