import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import AccountFactory
from contacts.models import (
    ConfigurationProfile,
    Contact,
    ContactDecision,
    ContactFieldRule,
    Lead,
    LocalFilter,
)


def _domain_of(account) -> str:
    return account.primary_domain or "example.com"


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    account = factory.SubFactory(AccountFactory)
    email = factory.LazyAttributeSequence(
        lambda o,
        n: f"{o.first_name}.{o.last_name}{n}@{_domain_of(o.account) if o.account else 'example.com'}".lower().replace(
            "'", ""
        )
    )
    title = "Director of Procurement"
    seniority = "director"
    department = "procurement"
    owner = factory.SelfAttribute("account.owner")
    crm_id = factory.Sequence(lambda n: f"003{n:015d}")

    class Params:
        by_backstory = factory.Trait(created_by_backstory=True, crm_id=None)


class LeadFactory(DjangoModelFactory):
    class Meta:
        model = Lead

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"lead{n}@prospect.example.com")
    company = "Prospect Inc"
    crm_id = factory.Sequence(lambda n: f"00Q{n:015d}")


class ConfigurationProfileFactory(DjangoModelFactory):
    class Meta:
        model = ConfigurationProfile

    name = factory.Sequence(lambda n: f"Profile {n}")
    contact_creation_enabled = True
    ocr_enabled = True

    class Params:
        everything = factory.Trait(
            first_ocr_enabled=True,
            new_ocr_enabled=True,
            multi_opportunity_matching=True,
            contact_enrichment_enabled=True,
        )


class ContactFieldRuleFactory(DjangoModelFactory):
    class Meta:
        model = ContactFieldRule

    profile = factory.SubFactory(ConfigurationProfileFactory)
    field = ContactFieldRule.Field.TITLE
    enrichment_policy = "always"


class LocalFilterFactory(DjangoModelFactory):
    class Meta:
        model = LocalFilter

    kind = LocalFilter.Kind.DOMAIN
    value = factory.Sequence(lambda n: f"filtered{n}.com")


class ContactDecisionFactory(DjangoModelFactory):
    class Meta:
        model = ContactDecision

    action = ContactDecision.Action.CONTACT_SKIPPED
    reason = "lead_exists"
    message = "A lead with this exact email exists: the activity was matched to the lead."
    email = factory.Sequence(lambda n: f"person{n}@acme.com")
