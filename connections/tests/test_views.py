"""The Connections page and the admin: a rep connects, tests, pauses and removes; secrets stay hidden."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.urls import reverse

from activities.models import Activity
from connections.models import MailboxConnection
from users.tests.factories import UserFactory

from .factories import CalendarConnectionFactory, MailboxConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(client):
    user = UserFactory(username="vince")
    client.force_login(user)
    return user


def test_a_rep_connects_a_mailbox_on_the_page_and_its_first_sync_backfills(
    client, rep, dovecot, sample_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("connections:new", args=["mailbox"]),
            {
                "name": "Vince at Enron",
                "host": dovecot.host,
                "port": dovecot.port,
                "security": "none",
                "username": dovecot.username,
                "auth": "password",
                "password": dovecot.password,
                "folders": "Sent",
            },
        )
    assert response.status_code == 302
    connection = MailboxConnection.objects.get(owner=rep)
    page = client.get(reverse("connections:index")).content.decode()

    assert "Vince at Enron" in page and "Syncing" in page
    assert f">{connection.captured}<" in page and connection.captured > 0
    assert Activity.objects.filter(owner=rep).count() == connection.captured
    assert dovecot.password not in page


def test_passwords_are_encrypted_at_rest_and_never_sent_back_to_the_browser(client, rep, admin_client):
    connection = MailboxConnectionFactory(owner=rep, password="hunter2-Enron", access_token="")
    with db.cursor() as cursor:
        cursor.execute("SELECT password FROM connections_mailboxconnection WHERE id = %s", [connection.pk])
        stored = cursor.fetchone()[0]

    assert stored.startswith("fernet:") and "hunter2" not in stored
    assert MailboxConnection.objects.get(pk=connection.pk).password == "hunter2-Enron"
    assert "hunter2" not in repr(MailboxConnection.objects.get(pk=connection.pk).password)
    for url in (
        reverse("connections:index"),
        reverse("connections:edit", args=["mailbox", connection.pk]),
    ):
        assert "hunter2" not in client.get(url).content.decode()
    for url in (
        reverse("admin:connections_mailboxconnection_changelist"),
        reverse("admin:connections_mailboxconnection_change", args=[connection.pk]),
    ):
        body = admin_client.get(url).content.decode()
        assert "hunter2" not in body and "fernet:" not in body


def test_saving_the_edit_form_with_the_password_left_blank_keeps_it(client, rep):
    connection = MailboxConnectionFactory(owner=rep, password="hunter2-Enron")

    response = client.post(
        reverse("connections:edit", args=["mailbox", connection.pk]),
        {
            "name": "Renamed",
            "host": connection.host,
            "port": connection.port,
            "security": "none",
            "username": "vince",
            "auth": "password",
            "password": "",
        },
    )

    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "Renamed" and connection.password == "hunter2-Enron"


def test_a_new_mailbox_without_a_password_is_refused_with_a_message(client, rep):
    response = client.post(
        reverse("connections:new", args=["mailbox"]),
        {"host": "imap.example.com", "port": 993, "security": "tls", "username": "vince", "auth": "password"},
    )

    assert response.status_code == 200
    assert "Enter the password" in response.content.decode()
    assert not MailboxConnection.objects.exists()


def test_test_button_reports_a_wrong_password_in_plain_words(client, rep, dovecot):
    connection = MailboxConnectionFactory(owner=rep, port=dovecot.port, password="wrong")

    body = client.post(reverse("connections:test", args=["mailbox", connection.pk]), HTTP_HX_REQUEST="true")

    assert "refused the sign-in" in body.content.decode()
    connection.password = dovecot.password
    connection.save()
    body = client.post(reverse("connections:test", args=["mailbox", connection.pk]), HTTP_HX_REQUEST="true")
    assert "Signed in. Folders to read: INBOX, Sent." in body.content.decode()


def test_pause_stops_the_sync_and_resume_continues(client, rep, dovecot):
    from connections.tasks import sync_mailbox

    connection = MailboxConnectionFactory(
        owner=rep, port=dovecot.port, password=dovecot.password, folders=["Sent"]
    )
    client.post(reverse("connections:pause", args=["mailbox", connection.pk]), HTTP_HX_REQUEST="true")
    connection.refresh_from_db()
    assert connection.is_paused

    assert sync_mailbox.delay(connection.pk).get()["captured"] == 0
    assert "Paused" in client.get(reverse("connections:index")).content.decode()

    client.post(reverse("connections:pause", args=["mailbox", connection.pk]), HTTP_HX_REQUEST="true")
    assert sync_mailbox.delay(connection.pk).get()["captured"] > 0


def test_another_rep_cannot_see_or_touch_a_connection(client, rep):
    other = MailboxConnectionFactory(owner=UserFactory(username="jeff"))
    calendar = CalendarConnectionFactory(owner=UserFactory(username="sally"))

    assert client.post(reverse("connections:remove", args=["mailbox", other.pk])).status_code == 404
    assert client.get(reverse("connections:edit", args=["calendar", calendar.pk])).status_code == 404
    assert MailboxConnection.objects.filter(pk=other.pk).exists()


def test_removing_on_the_page_keeps_the_captured_activities(client, rep, dovecot):
    from connections.tasks import sync_mailbox

    connection = MailboxConnectionFactory(
        owner=rep, port=dovecot.port, password=dovecot.password, folders=["Sent"]
    )
    sync_mailbox.delay(connection.pk)
    captured = Activity.objects.filter(owner=rep).count()

    response = client.post(
        reverse("connections:remove", args=["mailbox", connection.pk]), HTTP_HX_REQUEST="true"
    )

    assert "What it captured stays" in response.content.decode()
    assert not MailboxConnection.objects.exists()
    assert Activity.objects.filter(owner=rep).count() == captured > 0


def test_the_page_says_how_to_connect_when_nothing_is_connected(client, rep):
    body = client.get(reverse("connections:index")).content.decode()

    assert "No mailbox is connected" in body and "No calendar is connected" in body
    assert reverse("connections:new", args=["calendar"]) in body
