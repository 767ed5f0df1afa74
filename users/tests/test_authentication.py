"""Signed-in sessions: the user is read by SQL compiled once (users.authentication.UserBackend), with
Django's rules unchanged: sessions from before it stay signed in, a deactivated user or a changed
password signs the session out, and a wrong password is checked once."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from users.models import LoginFailure
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(frozen_now):
    user = UserFactory(username="dana", first_name="Dana", email="dana@lumen-analytics.com")
    user.set_password("the-right-password")
    user.save()
    return user


def test_signing_in_opens_the_home_page_as_that_user(client, rep):
    response = client.post(reverse("login"), {"username": "dana", "password": "the-right-password"})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "users.authentication.UserBackend"
    page = client.get(reverse("home"))
    assert page.status_code == 200 and "Dana" in page.content.decode()


def test_a_session_signed_in_before_the_upgrade_stays_signed_in(client, rep):
    session = client.session
    session[SESSION_KEY] = str(rep.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = rep.get_session_auth_hash()
    session.save()
    client.cookies["sessionid"] = session.session_key
    page = client.get(reverse("home"))
    assert page.status_code == 200 and "Dana" in page.content.decode()


def test_a_deactivated_user_is_signed_out_on_their_next_request(client, rep):
    client.force_login(rep)
    assert client.get(reverse("home")).status_code == 200
    rep.is_active = False
    rep.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_changed_password_signs_other_sessions_out(client, rep):
    client.force_login(rep)
    rep.set_password("a-new-password")
    rep.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_deleted_user_is_signed_out(client, rep):
    client.force_login(rep)
    rep.delete()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_wrong_password_is_checked_once_and_counted_once(client, rep, monkeypatch):
    checks = []

    def counting_check_password(password, encoded, *args, **kwargs):
        checks.append(password)
        return check_password(password, encoded, *args, **kwargs)

    monkeypatch.setattr("django.contrib.auth.base_user.check_password", counting_check_password)
    response = client.post(
        reverse("login"), {"username": "dana", "password": "guess"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 200 and SESSION_KEY not in client.session
    assert checks == ["guess"]
    assert LoginFailure.objects.filter(username="dana").count() == 1
