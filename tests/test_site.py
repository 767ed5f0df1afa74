"""Login, the health check and the production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


def test_login_page_serves_htmx_from_static_not_a_cdn(client):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in to Backstory" in page
    assert "/static/js/htmx.min.js" in page
    assert "unpkg" not in page and "cdn" not in page.lower()


def test_a_wrong_password_says_so(client):
    response = client.post(reverse("login"), {"username": "rep", "password": "nope"})
    assert b"do not match" in response.content


def test_health_check_reports_database_cache_and_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "eager"}


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
