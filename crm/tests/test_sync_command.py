"""manage.py sync_salesforce: the report, and errors that name the setting to fix."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from contacts.models import Contact
from contacts.services import outbox as contact_outbox
from crm.models import OutboxEntry

pytestmark = pytest.mark.django_db


def sync(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("sync_salesforce", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_report_counts_each_object(org):
    out, err = sync()
    lines = {
        line.split()[0]: line.split()[1:6]
        for line in out.splitlines()[2:]
        if line and line.split()[0][0].isupper()
    }
    assert lines["Contact"] == ["14", "14", "0", "0", "0"]
    assert lines["User"] == ["7", "7", "0", "0", "0"]
    assert "first pull" in out and "local rows written" in out
    assert "Contact" in err  # the progress bars
    org.advance(minutes=5)
    org.sf.Contact.update(org.ref("acme_cfo"), {"Title": "CFO"})
    org.advance(minutes=3)
    out, _ = sync("--objects", "Contact", "--no-progress")
    assert out.splitlines()[2].split()[:6] == ["Contact", "1", "0", "1", "0", "0"]


def test_push_drains_the_outbox_afterwards(org):
    sync("--no-progress")
    cfo = Contact.objects.get(crm_id=org.ref("acme_cfo"))
    with transaction.atomic():
        cfo.title = "CFO"
        cfo.save()
        contact_outbox.enqueue_contact_updated(cfo, ["title"])
    out, _ = sync("--objects", "User", "--push", "--no-progress")
    assert "Outbox: 1 done" in out and OutboxEntry.objects.get().status == OutboxEntry.Status.DONE


def test_an_unknown_object_is_refused(org):
    with pytest.raises(CommandError, match="Cannot pull Wombat: choose from User, Account"):
        sync("--objects", "Wombat")


def test_missing_settings_are_named(org, settings):
    settings.SALESFORCE_SESSION_ID = ""
    with pytest.raises(CommandError, match="SALESFORCE_SESSION_ID"):
        sync()


def test_an_unreachable_salesforce_names_the_instance_url(org):
    org.server.stop()
    with pytest.raises(CommandError, match="Check SALESFORCE_INSTANCE_URL.*run_salesforce_standin"):
        sync("--no-progress")


def test_a_wrong_ca_bundle_is_named(org, settings, tmp_path):
    from salesforce_standin.tls import make_tls

    settings.SALESFORCE_CA_BUNDLE = str(make_tls(tmp_path).ca_path)  # another CA
    with pytest.raises(CommandError, match="SALESFORCE_CA_BUNDLE"):
        sync("--no-progress")


def test_an_expired_session_against_a_real_org_names_the_session_setting(org, settings):
    settings.SALESFORCE_MODE = "salesforce"  # a session id from elsewhere: Backstory cannot log in again
    org.faults.next("INVALID_SESSION_ID")
    with pytest.raises(CommandError, match="SALESFORCE_SESSION_ID has expired"):
        sync("--no-progress")


def test_the_api_limit_ends_the_run_with_an_error(org):
    org.faults.next("REQUEST_LIMIT_EXCEEDED", path="query")
    with pytest.raises(CommandError, match="REQUEST_LIMIT_EXCEEDED"):
        sync("--no-progress")
