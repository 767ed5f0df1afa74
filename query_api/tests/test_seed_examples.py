"""Every JSON example of the metrics reference runs verbatim against the demo org."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from users.models import User

pytestmark = pytest.mark.django_db
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "metrics_reference.json"


def seed_examples() -> list:
    """The JSON request examples of the metrics reference, verbatim."""
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["examples"]


@pytest.fixture
def demo_api(frozen_now):
    call_command("seed_demo", "--accounts", "8", "--activities", "400", "--no-progress", stdout=io.StringIO())
    client = APIClient()
    client.force_authenticate(user=User.objects.get(username="rep"))
    return client


def test_the_reference_has_its_two_examples():
    examples = seed_examples()
    assert examples[0] == {
        "slug": "ootb_user_count_emails_sent",
        "variation_id": "ootb_user_count_emails_sent_last_30_days",
    }
    assert [column["slug"] for column in examples[1]["columns"]] == [
        "ootb_emails_sent",
        "ootb_meetings_booked",
    ]


@pytest.mark.parametrize("example", seed_examples(), ids=["time-based-syntax", "using-variations"])
def test_each_example_runs_verbatim_on_the_demo_org(demo_api, example):
    body = example if "columns" in example else {"columns": [example]}  # the first example is a column
    response = demo_api.post("/api/v3/query", body, format="json")
    assert response.status_code == 200, response.content
    answer = response.json()
    column_ids = [column["id"] for column in answer["columns"]]
    assert column_ids == [column["variation_id"] for column in body["columns"]]
    assert answer["total"] == User.objects.filter(is_active=True, is_integration_user=False).count() > 0
    for row in answer["rows"]:
        assert all(isinstance(row[key], int) and row[key] >= 0 for key in column_ids)
    # The demo's reps send mail and book meetings: the numbers are not all zero.
    assert any(row[key] > 0 for row in answer["rows"] for key in column_ids)


def test_the_warned_mistake_is_a_400_with_the_correct_form(demo_api):
    mistake = {"columns": [{"slug": "ootb_user_count_emails_sent", "variation_id": "last_30_days"}]}
    response = demo_api.post("/api/v3/query", mistake, format="json")
    assert response.status_code == 400
    assert "ootb_user_count_emails_sent_last_30_days" in response.json()["errors"][0]["message"]
    assert re.search(r"columns\[0\]\.variation_id", response.json()["errors"][0]["path"])
