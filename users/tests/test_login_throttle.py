"""Password guessing is slowed: per username and per address, on the sign-in page and the admin."""

import pytest
from django.urls import reverse

from users.models import LoginFailure
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(frozen_now):
    user = UserFactory(username="admin", email="admin@lumen-analytics.com", admin=True)
    user.set_password("the-right-password")
    user.save()
    return user


def sign_in(client, url, username, password, address="203.0.113.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_after_30_wrong_admin_passwords_the_right_one_is_refused_for_a_while(
    client, admin_user, settings, url
):
    for _ in range(30):
        assert sign_in(client, url, "admin", "guess").status_code == 200
    response = sign_in(client, url, "admin", "the-right-password")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "Too many failed sign-ins for admin" in response.content.decode()
    # Fifteen minutes after the last failure the right password signs in again.
    settings.BACKSTORY_NOW = "2026-11-23T12:16:00+00:00"
    response = sign_in(client, url, "admin", "the-right-password")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(admin_user.pk)


def test_one_address_guessing_many_usernames_is_locked_out(client, admin_user):
    for number in range(30):
        sign_in(client, "/login/", f"user{number}", "guess")
    response = sign_in(client, "/login/", "admin", "the-right-password")
    assert "Too many failed sign-ins from your network address" in response.content.decode()
    # Another address is not affected.
    response = sign_in(client, "/login/", "admin", "the-right-password", address="198.51.100.9")
    assert response.status_code == 302


def test_a_few_typos_do_not_lock_anyone_out_and_success_clears_them(client, admin_user):
    for _ in range(9):
        sign_in(client, reverse("login"), "admin", "typo")
    assert sign_in(client, reverse("login"), "admin", "the-right-password").status_code == 302
    client.logout()
    for _ in range(9):
        sign_in(client, reverse("login"), "admin", "typo")
    assert sign_in(client, reverse("login"), "admin", "the-right-password").status_code == 302


def test_failed_sign_ins_older_than_the_lock_window_are_deleted_by_the_next_failure(
    client, admin_user, settings
):
    for number in range(30):
        sign_in(client, "/login/", f"user{number}", "guess", address=f"203.0.113.{number}")
    assert LoginFailure.objects.count() == 30
    # Past the 15-minute window those rows no longer count; the next failure deletes them.
    settings.BACKSTORY_NOW = "2026-11-23T12:16:00+00:00"
    sign_in(client, "/login/", "admin", "typo")
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["admin"]


def test_a_failure_deletes_a_bounded_batch_and_the_beat_task_deletes_the_rest(client, admin_user, settings):
    from users.login_throttle import PRUNE_ON_WRITE_BATCH
    from users.tasks import prune_login_failures

    for number in range(PRUNE_ON_WRITE_BATCH + 20):
        sign_in(client, "/login/", f"user{number}", "guess", address=f"198.51.100.{number % 250}")
    settings.BACKSTORY_NOW = "2026-11-23T12:16:00+00:00"
    sign_in(client, "/login/", "admin", "typo")
    assert LoginFailure.objects.count() == 1 + 20  # the new failure, and what one batch left
    assert prune_login_failures.delay().get() == 20
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["admin"]


def test_the_prune_runs_on_celery_beat_every_lock_window():
    from backstory.celery import app

    entry = app.conf.beat_schedule["users-login-failures-prune"]
    assert entry["task"] == "users.login_failures_prune" and entry["schedule"] == 15 * 60
    assert "users.login_failures_prune" in app.tasks


def test_attempts_refused_while_locked_add_no_rows(client, admin_user):
    for _ in range(10):
        sign_in(client, "/login/", "admin", "guess")
    for _ in range(200):
        response = sign_in(client, "/login/", "admin", "guess")
        assert "Too many failed sign-ins for admin" in response.content.decode()
    assert LoginFailure.objects.count() == 10
