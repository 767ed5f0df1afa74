"""The org of the database restart test, built in its private PostgreSQL by ``manage.py shell``:
Dana owns Acme (acme.com) and its open opportunity; the default configuration profile creates contacts. Prints Dana's API token."""

from rest_framework.authtoken.models import Token

from accounts.tests.factories import AccountFactory
from contacts.tests.factories import ConfigurationProfileFactory
from opportunities.tests.factories import OpportunityFactory
from users.tests.factories import UserFactory


def build() -> None:
    dana = UserFactory(
        username="dana", email="dana.rivera@lumen-analytics.com", first_name="Dana", last_name="Rivera"
    )
    acme = AccountFactory(name="Acme", domain="acme.com", owner=dana)
    OpportunityFactory(account=acme, name="Acme Expansion")
    ConfigurationProfileFactory(name="Sales", is_default=True, everything=True)
    print(Token.objects.create(user=dana).key)
