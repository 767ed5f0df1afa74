"""Login, the health check and the production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from backstory import backlog
from crm.models import OutboxEntry

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


def test_login_page_serves_htmx_from_static_not_a_cdn(client):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in to Backstory" in page
    assert "/static/js/htmx.min.js" in page
    assert "unpkg" not in page and "cdn" not in page.lower()


def test_the_browser_finds_an_icon_at_favicon_ico(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200 and response.redirect_chain
    assert b"<svg" in b"".join(response.streaming_content if response.streaming else [response.content])


def test_a_wrong_password_says_so(client):
    response = client.post(reverse("login"), {"username": "rep", "password": "nope"})
    assert b"do not match" in response.content


def test_health_check_reports_database_cache_and_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "eager"}

    nothing_owed = {"waiting": 0, "oldest_seconds": None}
    response = client.get(reverse("backlog"))
    assert response.status_code == 200
    assert response.json() == {
        "engine_work": nothing_owed,
        "rollups": nothing_owed,
        "salesforce_outbox": nothing_owed,
    }


def test_backlog_counts_the_salesforce_pushes_still_waiting_and_stops_counting_at_its_cap(
    client, monkeypatch
):
    def entry(status):
        return OutboxEntry(
            object_name="Contact",
            operation="upsert",
            record_type="contacts.contact",
            record_id=1,
            status=status,
        )

    OutboxEntry.objects.bulk_create([entry("pending"), entry("pending"), entry("done"), entry("failed")])
    waiting = client.get(reverse("backlog")).json()["salesforce_outbox"]
    assert waiting["waiting"] == 2 and waiting["oldest_seconds"] is not None

    monkeypatch.setattr(backlog, "COUNT_CAP", 1)
    assert client.get(reverse("backlog")).json()["salesforce_outbox"]["waiting"] == "1+"


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backstory.settings_production",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check-only",
        "ALLOWED_HOSTS": "backstory.example.com",
        "BACKSTORY_SECRETS_KEY": "x3wFh7Q2ytRVbVkgXbTJX7JqXqTqvX1m2Sg5tQ9lJ0M=",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
