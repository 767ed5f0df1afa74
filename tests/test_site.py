"""Login, the home page, search as you type, and the production settings."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def rep_client(client, frozen_now):
    call_command("seed_demo", "--accounts", "6", "--activities", "50", "--no-progress", stdout=io.StringIO())
    client.login(username="rep", password="backstory-demo")
    return client


def test_pages_need_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_login_page_serves_htmx_from_static_not_a_cdn(client):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in to Backstory" in page
    assert "/static/js/htmx.min.js" in page
    assert "unpkg" not in page and "cdn" not in page.lower()


def test_a_wrong_password_says_so(client):
    response = client.post(reverse("login"), {"username": "rep", "password": "nope"})
    assert b"do not match" in response.content


def test_home_lists_the_reps_accounts_and_has_the_search_box(rep_client):
    page = rep_client.get(reverse("home")).content.decode()
    assert 'id="global-search"' in page
    assert "Northwind Logistics" in page


def test_search_as_you_type_returns_the_partial(rep_client):
    response = rep_client.get(reverse("accounts:search"), {"q": "north"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "Northwind Logistics" in body


def test_search_by_domain_and_without_javascript(rep_client):
    response = rep_client.get(reverse("accounts:search"), {"q": "globex.com"})
    body = response.content.decode()
    assert "<html" in body and "Globex Corporation" in body


def test_search_with_no_match_says_so(rep_client):
    body = rep_client.get(reverse("accounts:search"), {"q": "zzzz"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No account or opportunity matches" in body


def test_health_check(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backstory.settings_production",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check-only",
        "ALLOWED_HOSTS": "backstory.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
