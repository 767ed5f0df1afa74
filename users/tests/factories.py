import datetime as dt

import factory
from factory.django import DjangoModelFactory

from users.models import Quota, Team, User


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"rep{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@lumen-analytics.com")
    title = "Account Executive"
    crm_id = factory.Sequence(lambda n: f"005{n:015d}")
    password = factory.django.Password("pw")

    class Params:
        admin = factory.Trait(is_staff=True, is_superuser=True)
        not_in_crm = factory.Trait(crm_id=None)
        integration = factory.Trait(
            is_integration_user=True, username="integration", title="Integration User"
        )


class QuotaFactory(DjangoModelFactory):
    class Meta:
        model = Quota

    user = factory.SubFactory(UserFactory)
    period = Quota.Period.QUARTER
    start_date = dt.date(2026, 10, 1)
    end_date = dt.date(2026, 12, 31)
    amount = 250_000
