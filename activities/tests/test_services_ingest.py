"""The ingest service on real files: stored once, people resolved, direction, privacy, local filters,
signatures on the author's row, and every matching rule including where it must not match."""

import datetime as dt

import pytest

from activities.models import Activity, ActivityOpportunity, EngineWork, Participant
from activities.parsing import parse_path
from activities.services import IngestSession, Status, activities_ingest
from activities.tests.factories import parsed_item
from contacts.models import ContactDecision
from contacts.tests.factories import ConfigurationProfileFactory, LocalFilterFactory

from .conftest import DATA, INGEST_DATA

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
A = Activity.AccountMatch
OM = Activity.OpportunityMatch


def ingest_file(name, **kwargs):
    path = INGEST_DATA / name
    source = {".mbox": "mbox", ".ics": "ics", ".jsonl": "jsonl", ".eml": "eml"}[path.suffix]
    return activities_ingest(items=parse_path(path, now=NOW), source=source, **kwargs)


def by_source(source_id) -> Activity:
    return Activity.objects.get(source_id=source_id)


@pytest.fixture
def mailbox(org):
    report = ingest_file("acme_mailbox.mbox")
    return org, report


def test_mailbox_stores_good_messages_and_counts_filtered_ones(mailbox):
    _, report = mailbox
    assert report.created == 8
    assert report.excluded == 2
    assert report.errors == []
    assert Activity.objects.count() == 8
    assert sorted(report.excluded_by.values()) == [1, 1]


def test_reimporting_the_same_mailbox_adds_nothing_and_says_so(mailbox):
    counts = (Activity.objects.count(), Participant.objects.count(), ActivityOpportunity.objects.count())
    again = ingest_file("acme_mailbox.mbox")
    assert again.created == 0
    assert again.duplicates == 8
    assert again.excluded == 2  # filtered items are filtered again, never stored
    assert all(o.reason == "already captured" for o in again.outcomes if o.status == Status.DUPLICATE)
    assert (
        Activity.objects.count(),
        Participant.objects.count(),
        ActivityOpportunity.objects.count(),
    ) == counts


def test_known_contact_matches_the_contacts_account_and_the_opportunity_where_she_holds_a_role(mailbox):
    org, _ = mailbox
    activity = by_source("contact-match-1@lumen-analytics.com")
    assert activity.account == org.acme
    assert activity.account_match == A.CONTACT
    assert activity.opportunity_match == OM.CONTACT_ROLE
    assert list(activity.opportunities.all()) == [org.expansion]
    assert activity.opportunity_links.get().match == OM.CONTACT_ROLE
    assert "Jane Doe (jane.doe@acme.com) is a contact of Acme" in activity.match_explanation
    assert "holds a contact role" in activity.match_explanation


def test_subdomain_matches_the_registrable_domain_but_two_open_opportunities_stay_unmatched(mailbox):
    org, _ = mailbox
    activity = by_source("domain-match-2@lumen-analytics.com")
    assert activity.account == org.acme
    assert activity.account_match == A.DOMAIN
    assert (
        "bob.stone@mail.acme.com" in activity.match_explanation
        and "is at acme.com" in activity.match_explanation
    )
    # Two open opportunities, nobody in a contact role, only their common owner: no opportunity.
    assert activity.opportunity_match == OM.NONE
    assert not activity.opportunities.exists()
    assert "none of Acme's 2 opportunities open at the time has evidence enough" in activity.match_explanation


def test_lookalike_domain_does_not_match(mailbox):
    activity = by_source("lookalike-3@lumen-analytics.com")
    assert activity.account is None and activity.account_match == A.NONE
    assert "no account has the domain acmepartners.com" in activity.match_explanation


def test_free_mail_never_matches_an_account(mailbox):
    activity = by_source("free-mail-4@lumen-analytics.com")
    assert activity.account is None and activity.account_match == A.NONE
    assert "free-mail domains never match an account (gmail.com)" in activity.match_explanation


def test_a_lead_with_the_exact_email_wins_over_the_domain(mailbox):
    org, _ = mailbox
    activity = by_source("lead-wins-5@lumen-analytics.com")
    # LEE.LEAD@prospect.io in the header: matched case-insensitively.
    assert activity.lead == org.lee
    assert activity.account is None
    assert activity.account_match == A.LEAD
    assert activity.participants.get(email="lee.lead@prospect.io").lead == org.lee


def test_local_filters_exclude_by_keyword_and_domain(mailbox):
    _, report = mailbox
    assert not Activity.objects.filter(
        source_id__in=["keyword-6@acme.com", "filtered-domain-7@linkedin.com"]
    ).exists()
    reasons = {o.source_id: o.reason for o in report.outcomes if o.status == Status.EXCLUDED}
    assert "subject keyword “out of office”" in reasons["keyword-6@acme.com"]
    assert "domain “linkedin.com”" in reasons["filtered-domain-7@linkedin.com"]


def test_sensitivity_private_mail_is_private_and_still_matched(mailbox):
    org, report = mailbox
    activity = by_source("private-8@lumen-analytics.com")
    assert activity.is_private
    assert activity.account == org.acme
    assert report.private == 1


def test_inbound_reply_keeps_the_signature_on_the_authors_row(mailbox):
    org, _ = mailbox
    activity = by_source("inbound-signature-9@acme.com")
    assert activity.direction == Activity.Direction.INBOUND
    # Received mail belongs to the first colleague it was sent to.
    assert activity.owner == org.dana
    jane = activity.participants.get(email="jane.doe@acme.com")
    assert (jane.title, jane.phone, jane.mailing_state, jane.mailing_country) == (
        "Director of Procurement",
        "(713) 555-0142",
        "TX",
        "US",
    )
    assert jane.contact == org.jane and jane.role == Participant.Role.FROM
    assert "Original Message" in activity.quoted_text
    assert "Director of Procurement" in activity.signature
    assert "Director of Procurement" not in activity.body
    assert activity.in_reply_to == "contact-match-1@lumen-analytics.com"
    chris = activity.participants.get(email="chris.colleague@lumen-analytics.com")
    assert chris.user == org.chris and chris.is_internal and chris.title == ""


def test_direction_outbound_and_internal(mailbox):
    org, _ = mailbox
    outbound = by_source("contact-match-1@lumen-analytics.com")
    assert outbound.direction == Activity.Direction.OUTBOUND and outbound.owner == org.dana
    internal = by_source("internal-10@lumen-analytics.com")
    assert internal.direction == Activity.Direction.INTERNAL
    assert internal.account_match == A.NONE
    assert "everyone on it is a colleague" in internal.match_explanation


def test_every_participant_is_resolved(mailbox):
    org, _ = mailbox
    activity = by_source("lead-wins-5@lumen-analytics.com")
    resolved = {p.email: p.resolved_as for p in activity.participants.all()}
    assert resolved == {
        "dana.rivera@lumen-analytics.com": "user",
        "lee.lead@prospect.io": "lead",
        "carl.buyer@acme.com": "external",
    }


def test_every_stored_activity_says_how_it_matched(mailbox):
    assert not Activity.objects.filter(match_explanation="").exists()
    assert not Activity.objects.filter(matched_at__isnull=True).exists()


def test_calendar_meetings_recurring_occurrences_and_class_private(org):
    report = ingest_file("acme_calendar.ics")
    assert report.created == 5 and report.errors == []
    discovery = by_source("acme-discovery-1@lumen-analytics.com")
    assert discovery.kind == Activity.Kind.MEETING and discovery.duration_minutes == 60
    assert discovery.owner == org.dana and discovery.direction == Activity.Direction.OUTBOUND
    assert list(discovery.opportunities.all()) == [org.expansion]
    assert discovery.participants.get(email="carl.buyer@acme.com").response == Participant.Response.TENTATIVE
    weekly = Activity.objects.filter(source_id__startswith="acme-weekly-sync@lumen-analytics.com#")
    assert weekly.count() == 3
    assert set(weekly.values_list("account_match", flat=True)) == {A.DOMAIN}
    assert by_source("acme-reference-private@lumen-analytics.com").is_private
    assert ingest_file("acme_calendar.ics").duplicates == 5
    assert Activity.objects.count() == 5


def test_json_lines_store_the_good_calls_and_report_each_bad_line(org):
    report = ingest_file("calls.jsonl")
    assert report.created == 1
    assert [(e.position, e.reason) for e in report.errors] == [
        ("line 2", "participants[1].email: not a valid email address: 'ana@'"),
        ("line 3", "source_id: missing"),
    ]
    call = by_source("dialer-1001")
    assert call.kind == Activity.Kind.CALL and call.duration_minutes == 20 and call.account == call.account


def test_parsing_fixtures_bad_files_are_reported_and_good_ones_stored(org, settings):
    settings.BACKSTORY_INTERNAL_DOMAINS = ["brightlane.io"]
    report = activities_ingest(items=parse_path(DATA, now=NOW), source="eml")
    reasons = [str(e) for e in report.errors]
    assert any("garbage.eml" in r and "no mail headers" in r for r in reasons)
    assert any("broken.ics" in r and "unparseable calendar" in r for r in reasons)
    assert any("three_messages.mbox message 2" in r and "missing Date" in r for r in reasons)
    assert any("broken_date.eml" in r for r in reasons)
    assert report.created >= 15
    # Unknown charsets, HTML-only mail and forwarded threads are stored with their text.
    assert Activity.objects.filter(subject__icontains="Müller").exists()
    assert not Activity.objects.filter(body__contains="<html").exists()
    assert activities_ingest(items=parse_path(DATA, now=NOW), source="eml").created == 0


# --- owner, privacy, profiles ----------------------------------------------------------------


def test_owner_given_and_private_by_default(org):
    org.chris.private_by_default = True
    org.chris.save()
    report = activities_ingest(items=[parsed_item()], source="api", owner=org.chris)
    activity = Activity.objects.get(pk=report.created_ids[0])
    assert activity.owner == org.chris
    assert activity.is_private


def test_profile_specific_filter_applies_only_to_its_users(org):
    profile = ConfigurationProfileFactory()
    LocalFilterFactory(kind="address", value="jane.doe@acme.com", profile=profile)
    org.chris.configuration_profile = profile
    org.chris.save()
    items = [parsed_item(source_id="a"), parsed_item(source_id="b")]
    dana_report = activities_ingest(items=items[:1], source="api", owner=org.dana)
    chris_report = activities_ingest(items=items[1:], source="api", owner=org.chris)
    assert dana_report.created == 1
    assert chris_report.excluded == 1
    assert "email address “jane.doe@acme.com” (the owner's profile)" in chris_report.outcomes[0].reason


def test_keyword_filter_matches_whole_words_only(org):
    LocalFilterFactory(kind="subject_keyword", value="sale")
    report = activities_ingest(
        items=[
            parsed_item(source_id="a", subject="Wholesale pricing"),
            parsed_item(source_id="b", subject="SALE ends"),
        ],
        source="api",
    )
    assert [o.status for o in report.outcomes] == [Status.CREATED, Status.EXCLUDED]


def test_domain_filter_covers_subdomains(org):
    LocalFilterFactory(kind="domain", value="acme.com")
    item = parsed_item(
        participants=[
            {"email": "dana.rivera@lumen-analytics.com", "role": "from"},
            {"email": "x@eu.acme.com"},
        ]
    )
    assert activities_ingest(items=[item], source="api").excluded == 1


def test_the_same_source_id_twice_in_one_batch_is_stored_once(org):
    report = activities_ingest(items=[parsed_item(), parsed_item(subject="changed")], source="api")
    assert [o.status for o in report.outcomes] == [Status.CREATED, Status.DUPLICATE]
    assert Activity.objects.get().subject == "Renewal call"


def test_over_long_values_are_cut_to_fit_and_long_ids_stay_unique(org):
    long_id = "x" * 600
    report = activities_ingest(
        items=[parsed_item(source_id=long_id, subject="s" * 900), parsed_item(source_id=long_id + "y")],
        source="api",
    )
    assert report.created == 2
    assert all(len(a.source_id) <= 512 for a in Activity.objects.all())
    assert len(Activity.objects.first().subject) <= 500
    assert activities_ingest(items=[parsed_item(source_id=long_id)], source="api").duplicates == 1


def test_a_duration_over_two_weeks_is_not_stored_but_the_call_is(org):
    report = activities_ingest(items=[parsed_item(duration_minutes=60 * 24 * 30)], source="api")
    assert report.created == 1
    assert Activity.objects.get().duration_minutes is None


def test_session_batches_store_everything(org):
    session = IngestSession(batch_size=2)
    for n in range(5):
        session.add(parsed_item(source_id=f"call-{n}"), source="api", key=n)
    report = session.finish()
    assert report.created == 5 and Activity.objects.count() == 5
    assert {o.key for o in report.outcomes} == set(range(5))


def test_new_activities_are_handed_to_the_engines_after_commit(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = activities_ingest(
            items=[parsed_item(source_id="a"), parsed_item(source_id="b")], source="api"
        )
        # Recorded in the capture's transaction; nothing sent before commit.
        owed = EngineWork.objects.get()
        assert owed.activity_ids == report.created_ids and owed.sent_at is None
    # Nothing ran inside the capture's transaction: the contact engine reads what was committed.
    assert not ContactDecision.objects.exists()
    for callback in callbacks:
        callback()
    assert set(ContactDecision.objects.values_list("activity_id", flat=True)) == set(report.created_ids)
    owed.refresh_from_db()
    assert owed.sent_at is not None and owed.done_at is not None  # eager Celery: sent, run, done


def test_no_hand_off_when_asked(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activities_ingest(items=[parsed_item()], source="api", hand_off=False)
    assert not ContactDecision.objects.exists() and not EngineWork.objects.exists()


def test_a_nul_character_from_broken_mail_is_dropped_not_a_crash(org):
    report = activities_ingest(items=[parsed_item(body="before\x00after", subject="a\x00b")], source="api")
    activity = Activity.objects.get(pk=report.created_ids[0])
    assert (activity.body, activity.subject) == ("beforeafter", "ab")


def test_an_activity_stored_meanwhile_by_another_import_counts_as_a_duplicate(org, monkeypatch):
    from activities.tests.factories import ActivityFactory

    session = IngestSession()
    prepare = session._prepare

    def racing_prepare(fresh):
        rows = prepare(fresh)
        ActivityFactory(source_id="b")  # another worker stores "b" between our check and our insert
        return rows

    monkeypatch.setattr(session, "_prepare", racing_prepare)
    for source_id in ("a", "b", "c"):
        session.add(parsed_item(source_id=source_id), source="api")
    report = session.finish()
    assert [(o.source_id, o.status) for o in report.outcomes] == [
        ("a", Status.CREATED),
        ("b", Status.DUPLICATE),
        ("c", Status.CREATED),
    ]
    assert Activity.objects.filter(source_id__in=["a", "c"]).count() == 2
    assert Activity.objects.get(source_id="a").participants.count() == 2
