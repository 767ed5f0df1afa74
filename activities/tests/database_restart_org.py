"""The org of the database restart test, built in its private PostgreSQL by ``manage.py shell``:
Dana owns Acme (acme.com); the default configuration profile creates contacts. Prints Dana's API token."""

from rest_framework.authtoken.models import Token

from accounts.tests.factories import AccountFactory
from contacts.tests.factories import ConfigurationProfileFactory
from users.tests.factories import UserFactory


def build() -> None:
    dana = UserFactory(
        username="dana", email="dana.rivera@lumen-analytics.com", first_name="Dana", last_name="Rivera"
    )
    AccountFactory(name="Acme", domain="acme.com", owner=dana)
    ConfigurationProfileFactory(name="Sales", is_default=True, everything=True)
    print(Token.objects.create(user=dana).key)
