"""Real mail: Enron messages parsed by `activities.parsing`, stored as activities, and run through the
contact engine. Contacts come out with the title, phone and state of the sender's real signature."""

import pytest

from accounts.domains import is_internal_domain
from accounts.tests.factories import AccountFactory, AccountTeamMemberFactory
from activities.models import Activity, Participant
from activities.parsing import ParsedActivity, parse_path
from contacts.models import Contact, ContactDecision
from contacts.services import contact_engine_process_activities
from contacts.tests.factories import ConfigurationProfileFactory
from opportunities.models import OpportunityContactRole
from opportunities.tests.factories import OpportunityFactory
from tests.fixtures import ENRON_SAMPLE
from users.tests.factories import UserFactory

ENRON = ENRON_SAMPLE

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not ENRON.is_dir(), reason="the shared Enron sample is not on this machine"),
]


def store(parsed: ParsedActivity, users: dict) -> Activity:
    """The minimum capture does: the activity, its people (internal ones resolved to users), and the
    author's signature details on the author."""
    recipients = [users[p.email] for p in parsed.participants if p.email in users]
    activity = Activity.objects.create(
        kind=parsed.kind,
        source=Activity.Source.EML,
        source_id=parsed.source_id,
        subject=parsed.subject[:500],
        body=parsed.body,
        signature=parsed.signature,
        occurred_at=parsed.occurred_at,
        direction=Activity.Direction.INBOUND,
        owner=recipients[0] if recipients else None,
    )
    details = parsed.signature_details
    for person in parsed.participants:
        is_author = person is parsed.author
        Participant.objects.create(
            activity=activity,
            email=person.email,
            name=person.name or "",
            first_name=person.first_name or "",
            last_name=person.last_name or "",
            role=person.role,
            is_internal=is_internal_domain(person.email),
            user=users.get(person.email),
            title=(details.title or "") if is_author else "",
            phone=(details.phone or "") if is_author else "",
            mailing_country=(details.country or "") if is_author else "",
            mailing_state=(details.state or "") if is_author else "",
        )
    return activity


def load(*names: str, users: dict) -> dict[str, Activity]:
    stored = {}
    for name in names:
        (parsed,) = list(parse_path(ENRON / name))
        assert isinstance(parsed, ParsedActivity), parsed
        stored[name] = store(parsed, users)
    return stored


@pytest.fixture
def enron(settings):
    settings.BACKSTORY_INTERNAL_DOMAINS = ["enron.com"]
    profile = ConfigurationProfileFactory(name="Enron sales", is_default=True, first_ocr_enabled=True)
    whitt = UserFactory(username="mwhitt", first_name="Mark", last_name="Whitt", email="mark.whitt@enron.com")
    kaminski = UserFactory(
        username="vkaminski",
        first_name="Vince",
        last_name="Kaminski",
        email="j.kaminski@enron.com",
        not_in_crm=True,
    )
    skilling = UserFactory(
        username="jskilling", first_name="Jeff", last_name="Skilling", email="jeff.skilling@enron.com"
    )
    AccountFactory(name="AEC Marketing", domain="aec.ca", owner=whitt)
    montana = AccountFactory(name="Montana Power", domain="mtpower.com")
    AccountTeamMemberFactory(account=montana, user=whitt)
    OpportunityFactory(account=montana, name="Montana Power - Dry Creek storage", owner=montana.owner)
    AccountFactory(name="Mirant", domain="mirant.com", owner=kaminski)
    AccountFactory(name="Stone Bond", domain="stonebond.com")
    users = {u.email: u for u in (whitt, kaminski, skilling)}
    return {"profile": profile, "users": users, "whitt": whitt, "kaminski": kaminski}


def test_contact_created_with_title_and_phone_from_a_real_signature(enron):
    activities = load("0029.eml", users=enron["users"])

    report = contact_engine_process_activities(activity_ids=[a.pk for a in activities.values()])

    brian = Contact.objects.get(email="brianday@aec.ca")
    assert (brian.first_name, brian.last_name) == ("Brian", "Day")
    assert (brian.title, brian.phone) == ("Senior Marketing Representative", "(303)389-5006")
    assert (brian.mailing_country, brian.mailing_state) == ("United States", "CO")
    assert (brian.seniority, brian.department, brian.persona) == (
        "individual_contributor",
        "marketing",
        "end_user",
    )
    assert brian.owner == enron["whitt"] and brian.created_by_backstory
    assert report.contacts_created == [brian.pk] and not report.errors


def test_real_thread_team_member_creates_and_first_ocr_adds_a_role_while_a_nameless_cc_is_skipped(enron):
    activity = load("0214.eml", users=enron["users"])["0214.eml"]

    contact_engine_process_activities(activity_ids=[activity.pk])

    griffin = Contact.objects.get(email="jgriffin@mtpower.com")
    assert (griffin.title, griffin.phone, griffin.mailing_state) == (
        "Manager, Gas Transmission Marketing",
        "406-497-2806",
        "MT",
    )
    assert griffin.owner == enron["whitt"]
    assert (
        OpportunityContactRole.objects.get(contact=griffin).opportunity.name
        == "Montana Power - Dry Creek storage"
    )
    # The cc at eprime.com has no name in the headers: not created, and the log says why.
    skipped = ContactDecision.objects.get(email="scott.holloway@eprime.com", action="contact_skipped")
    assert skipped.reason == "name_missing"
    assert not ContactDecision.objects.filter(email="mark.whitt@enron.com").exists()


def test_real_mail_to_a_non_crm_user_is_owned_by_the_integration_user(enron):
    integration = UserFactory(integration=True)
    activity = load("0057.eml", users=enron["users"])["0057.eml"]

    contact_engine_process_activities(activity_ids=[activity.pk])

    eydeland = Contact.objects.get(email="alexander.eydeland@mirant.com")
    assert (eydeland.title, eydeland.phone, eydeland.seniority) == (
        "Vice President, Research",
        "678-579-5129",
        "vp",
    )
    assert eydeland.owner == integration


def test_real_mail_to_someone_outside_the_account_team_creates_nothing(enron):
    activity = load("0043.eml", users=enron["users"])["0043.eml"]

    contact_engine_process_activities(activity_ids=[activity.pk])

    assert not Contact.objects.filter(email="aszabo@stonebond.com").exists()
    decision = ContactDecision.objects.get(email="aszabo@stonebond.com")
    assert decision.reason == "user_not_on_account_team" and "Stone Bond" in decision.message
