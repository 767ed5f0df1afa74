"""manage.py import_activities on real files: the closing report, idempotency, --owner, exit codes,
and the public Enron sample."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import AccountFactory
from activities.models import Activity, ActivityOpportunity, Participant
from contacts.tests.factories import ContactFactory

from .conftest import DATA, ENRON, INGEST_DATA


def run(*args):
    out = io.StringIO()
    err = io.StringIO()
    call_command("import_activities", *map(str, args), "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts():
    return Activity.objects.count(), Participant.objects.count(), ActivityOpportunity.objects.count()


def test_import_reports_what_it_stored_excluded_and_could_not_read(org):
    out, _ = run(INGEST_DATA)
    assert (
        "Read 18 items from 3 files: 14 new activities stored, 0 already captured, 2 excluded by local filters, 2 could not be read."
        in out
    )
    assert "Excluded by local filters:" in out and "subject keyword “out of office”" in out
    assert "calls.jsonl line 3: source_id: missing" in out
    assert "private" in out


def test_importing_twice_leaves_the_same_rows_and_says_nothing_is_new(org):
    run(INGEST_DATA / "acme_mailbox.mbox", INGEST_DATA / "acme_calendar.ics")
    before = counts()
    out, _ = run(INGEST_DATA / "acme_mailbox.mbox", INGEST_DATA / "acme_calendar.ics")
    assert counts() == before
    assert "0 new activities stored, 13 already captured" in out


def test_owner_option(org):
    run(INGEST_DATA / "acme_calendar.ics", "--owner", "CHRIS.colleague@lumen-analytics.com")
    assert set(Activity.objects.values_list("owner__username", flat=True)) == {"chris"}


def test_unknown_owner_is_refused_before_reading_anything(org):
    with pytest.raises(CommandError, match="No user has the username or email 'nobody'"):
        run(INGEST_DATA, "--owner", "nobody")
    assert Activity.objects.count() == 0


def test_exit_non_zero_only_when_nothing_could_be_read(org):
    with pytest.raises(CommandError, match="Nothing could be read"):
        run(DATA / "garbage.eml", DATA / "broken.ics")
    # One good message among bad ones is a success.
    out, _ = run(DATA / "garbage.eml", INGEST_DATA / "calls.jsonl")
    assert "1 new activity stored" in out


def test_missing_paths_and_empty_directories_are_reported(org, tmp_path):
    err = io.StringIO()
    (tmp_path / "notes.txt").write_text("not mail")
    with pytest.raises(CommandError, match="Nothing could be read"):
        call_command(
            "import_activities",
            str(tmp_path / "nope.mbox"),
            str(tmp_path),
            "--no-progress",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert f"{tmp_path / 'nope.mbox'}: no such file or directory" in err.getvalue()
    assert f"{tmp_path}: no .eml, .mbox, .ics, .jsonl, .ndjson files in this directory" in err.getvalue()


def test_enron_sample_imports_once_and_matches_by_domain(db, settings, frozen_now):
    settings.BACKSTORY_INTERNAL_DOMAINS = ["enron.com"]
    berkeley = AccountFactory(name="UC Berkeley", domain="berkeley.edu")
    aep = AccountFactory(name="AEP", domain="aep.com")
    ContactFactory(account=aep, email="someone.not.in.the.sample@aep.com")
    out, _ = run(ENRON)
    assert "Read 453 items from 453 files: 453 new activities stored" in out
    assert Activity.objects.count() == 453
    # haas.berkeley.edu belongs to berkeley.edu
    from_haas = Activity.objects.filter(participants__email__endswith="@haas.berkeley.edu").distinct()
    assert from_haas.exists()
    assert set(from_haas.values_list("account", flat=True)) == {berkeley.pk}
    assert set(from_haas.values_list("account_match", flat=True)) == {Activity.AccountMatch.DOMAIN}
    # Free mail never matches an account.
    hotmail = Activity.objects.filter(
        participants__email__endswith="@hotmail.com", participants__role="from"
    ).distinct()
    assert hotmail.exists() and not hotmail.filter(account__isnull=False).exists()
    # Direction from enron.com as the internal domain: the sample's own counts.
    assert Activity.objects.filter(direction=Activity.Direction.INBOUND).count() == 263
    assert Activity.objects.filter(direction=Activity.Direction.INTERNAL).count() == 56
    # Every activity says how it matched; signatures went to their authors' rows.
    assert not Activity.objects.filter(match_explanation="").exists()
    assert Participant.objects.filter(role="from").exclude(title="").count() > 100
    before = counts()
    out, _ = run(ENRON)
    assert "0 new activities stored, 453 already captured" in out
    assert counts() == before


def test_a_database_lost_mid_import_is_a_clear_message_to_run_again_not_a_traceback(org, monkeypatch):
    from django.db import OperationalError

    from activities.services import IngestSession

    def lost(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(IngestSession, "flush", lost)
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_activities", str(INGEST_DATA / "acme_calendar.ics"), "--no-progress", stdout=io.StringIO()
        )
    message = str(refused.value)
    assert "The database became unavailable (server closed the connection unexpectedly)" in message
    assert "Run the same command again once the database is back" in message
