import factory
from factory.django import DjangoModelFactory

from accounts.models import Account, AccountDomain, AccountTeamMember
from users.tests.factories import UserFactory


class AccountFactory(DjangoModelFactory):
    """An account with its primary domain (``domain``, default derived from the name)."""

    class Meta:
        model = Account
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Acme {n}")
    crm_id = factory.Sequence(lambda n: f"001{n:015d}")
    industry = "Technology"
    tier = Account.Tier.MID_MARKET
    owner = factory.SubFactory(UserFactory)

    @factory.post_generation
    def domain(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        value = extracted or obj.name.lower().replace(" ", "") + ".com"
        AccountDomain.objects.create(account=obj, domain=value, is_primary=True)

    @factory.post_generation
    def secondary_domains(obj, create, extracted, **kwargs):
        for value in extracted or []:
            AccountDomain.objects.create(account=obj, domain=value, is_primary=False)


class AccountDomainFactory(DjangoModelFactory):
    class Meta:
        model = AccountDomain

    account = factory.SubFactory(AccountFactory, domain=False)
    domain = factory.Sequence(lambda n: f"domain{n}.com")
    is_primary = False


class AccountTeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = AccountTeamMember

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    role = "Sales Engineer"
